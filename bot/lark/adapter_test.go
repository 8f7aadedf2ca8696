package lark

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/bottest"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

const (
	testToken = "rvaYgkR4Ykz8DjC0h4b0mdhSOl1Yfdh1"
	testKey   = "test key"
)

// testNow is the core's fixed clock (DEALCOACH_NOW in the binary).
var testNow = time.Date(2026, 11, 24, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

// harness is the adapter over a real store on disk, served over loopback,
// talking to the fake open platform.
type harness struct {
	t    testing.TB
	path string
	db   *store.DB
	bot  *bot.Bot
	a    *Adapter
	lark *fakeLark
	srv  *httptest.Server
	seq  int

	baseURL string // where the adapter finds the open platform; "" for lark
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	return newHarnessOn(t, newFakeLark(t), "")
}

// newHarnessOn is newHarness over the fake f, reached at baseURL ("" for
// f's own), for a fake in front of it.
func newHarnessOn(t testing.TB, f *fakeLark, baseURL string) *harness {
	t.Helper()
	h := &harness{t: t, path: filepath.Join(t.TempDir(), "lark.db"), lark: f, baseURL: baseURL}
	h.start()
	t.Cleanup(h.stop)
	return h
}

func (h *harness) start() {
	h.t.Helper()
	now := func() time.Time { return testNow }
	c := bottest.Open(h.t, h.path, now, "zh")
	db, b, cat, log := c.DB, c.Bot, c.Catalog, c.Log
	base := h.baseURL
	if base == "" {
		base = h.lark.url()
	}
	a, err := New(Config{Bot: b, Store: db, Catalog: cat, AppID: "cli_test", AppSecret: "secret", Token: testToken,
		EncryptKey: testKey, BaseURL: base, DefaultLang: "zh", Log: log, Now: now})
	if err != nil {
		h.t.Fatal(err)
	}
	if err := a.Replay(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Routes(mux)
	h.db, h.bot, h.a, h.srv = db, b, a, httptest.NewServer(mux)
}

func (h *harness) stop() {
	if h.srv == nil {
		return
	}
	h.srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h.a.Close(ctx)
	h.db.Close()
	h.srv = nil
}

func (h *harness) restart() {
	h.stop()
	h.start()
}

// seal is what Lark sends for payload: encrypted, and signed at ts.
func seal(t testing.TB, payload any, ts time.Time, nonce string) (body []byte, header http.Header) {
	t.Helper()
	plain, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := Encrypt(plain, testKey)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = json.Marshal(map[string]string{"encrypt": enc})
	stamp := strconv.FormatInt(ts.Unix(), 10)
	header = http.Header{}
	header.Set("Content-Type", "application/json")
	header.Set("X-Lark-Request-Timestamp", stamp)
	header.Set("X-Lark-Request-Nonce", nonce)
	header.Set("X-Lark-Signature", Signature(stamp, nonce, testKey, body))
	return body, header
}

// send posts a sealed payload and returns the status and answer.
func (h *harness) send(payload any) (int, string) {
	h.t.Helper()
	h.seq++
	body, header := seal(h.t, payload, time.Now(), fmt.Sprintf("nonce-%d", h.seq))
	return h.post(body, header)
}

func (h *harness) post(body []byte, header http.Header) (int, string) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/lark/events", strings.NewReader(string(body)))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// message is Lark's documented im.message.receive_v1 event (schema 2.0).
func message(eventID, messageID, chatType, chat, user, text string, mentionBot bool) map[string]any {
	msg := map[string]any{
		"message_id": messageID, "create_time": "1764000000000", "chat_id": chat, "chat_type": chatType,
		"message_type": "text",
	}
	if mentionBot {
		content, _ := json.Marshal(map[string]string{"text": "@_user_1 " + text})
		msg["content"] = string(content)
		msg["mentions"] = []any{map[string]any{"key": "@_user_1", "id": map[string]any{"open_id": "ou_bot"},
			"name": "dealcoach", "mentioned_type": "bot", "tenant_key": "736588c9260f175e"}}
	} else {
		content, _ := json.Marshal(map[string]string{"text": text})
		msg["content"] = string(content)
	}
	return map[string]any{
		"schema": "2.0",
		"header": map[string]any{"event_id": eventID, "event_type": "im.message.receive_v1", "create_time": "1764000000000",
			"token": testToken, "app_id": "cli_test", "tenant_key": "736588c9260f175e"},
		"event": map[string]any{
			"sender": map[string]any{"sender_id": map[string]any{"union_id": "on_" + user, "user_id": user, "open_id": user},
				"sender_type": "user", "tenant_key": "736588c9260f175e"},
			"message": msg,
		},
	}
}

// cardAction is Lark's documented card.action.trigger callback (schema 2.0).
func cardAction(eventID, user, chat, cardMsg string, value map[string]any, option string, form map[string]any) map[string]any {
	action := map[string]any{"value": value, "tag": "button"}
	if option != "" {
		action["tag"], action["option"] = "select_static", option
	}
	if form != nil {
		action["form_value"] = form
	}
	return map[string]any{
		"schema": "2.0",
		"header": map[string]any{"event_id": eventID, "token": testToken, "create_time": "1764000000000000",
			"event_type": "card.action.trigger", "tenant_key": "736588c9260f175e", "app_id": "cli_test"},
		"event": map[string]any{
			"operator": map[string]any{"tenant_key": "736588c9260f175e", "user_id": user, "open_id": user},
			"token":    "c-295ee57216a5dc9de90fefd0aadb4b1d7d789", "action": action, "host": "im_message",
			"context": map[string]any{"open_message_id": cardMsg, "open_chat_id": chat},
		},
	}
}

func (h *harness) deal(id int64) coach.Deal {
	h.t.Helper()
	d, err := h.db.Deal(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return d
}

// waitDeals waits until the store has n deals (messages are handled
// after Lark's answer).
func (h *harness) waitDeals(n int) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for h.count() < n {
		if time.Now().After(deadline) {
			h.t.Fatalf("%d deals, want %d", h.count(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (h *harness) count() int {
	h.t.Helper()
	n, err := h.db.CountDeals(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

func TestURLVerificationEncrypted(t *testing.T) {
	h := newHarness(t)
	code, got := h.send(map[string]any{"challenge": "ajls384kdjx98XX", "token": testToken, "type": "url_verification"})
	if code != http.StatusOK || !strings.Contains(got, `"challenge":"ajls384kdjx98XX"`) {
		t.Fatalf("challenge: %d %s", code, got)
	}
	code, _ = h.send(map[string]any{"challenge": "x", "token": "wrong", "type": "url_verification"})
	if code != http.StatusUnauthorized {
		t.Fatalf("challenge with a wrong token: %d", code)
	}
}

func TestPrivateAndGroupMessagesReachTheCore(t *testing.T) {
	h := newHarness(t)
	if code, _ := h.send(message("ev1", "om_1", "p2p", "oc_p2p", "ou_wang", "新商机 经信银行 120万", false)); code != http.StatusOK {
		t.Fatalf("p2p: %d", code)
	}
	replies := h.lark.wait(t, "/reply", 1)
	if !strings.Contains(replies[0].Path, "om_1") || !strings.Contains(replies[0].Raw, "经信银行") ||
		replies[0].Body["msg_type"] != "interactive" || replies[0].Body["reply_in_thread"] == true {
		t.Fatalf("p2p reply: %s %s", replies[0].Path, replies[0].Raw)
	}
	if d := h.deal(1); d.Customer != "经信银行" || d.Amount != coach.Money(1_200_000_00) {
		t.Fatalf("created %+v", d)
	}
	if u, _ := replies[0].Body["uuid"].(string); u != replyUUID("msg:om_1", 0) || len(u) > 50 {
		t.Fatalf("reply uuid %q: a retried send could show twice", u)
	}
	// A group message reaches the bot only when it mentions it; the answer
	// goes in the mention's thread.
	h.send(message("ev2", "om_2", "group", "oc_group", "ou_wang", "经信银行 推进到立项", true))
	replies = h.lark.wait(t, "/reply", 2)
	if !strings.Contains(replies[1].Path, "om_2") || replies[1].Body["reply_in_thread"] != true {
		t.Fatalf("group reply: %s %v", replies[1].Path, replies[1].Body)
	}
	if h.deal(1).Stage != "approved" {
		t.Fatalf("stage %q", h.deal(1).Stage)
	}
	h.send(message("ev3", "om_3", "group", "oc_group", "ou_wang", "经信银行 赢单了", false))
	time.Sleep(200 * time.Millisecond)
	if h.deal(1).Status != coach.Open || len(h.lark.calls("/reply")) != 2 {
		t.Fatal("a group message without a mention was handled")
	}
}

func TestRedeliveriesApplyOnce(t *testing.T) {
	h := newHarness(t)
	h.send(message("ev1", "om_1", "p2p", "oc_p2p", "ou_wang", "新商机 经信银行 120万", false))
	h.lark.wait(t, "/reply", 1)
	v := h.deal(1).Version
	update := message("ev2", "om_2", "p2p", "oc_p2p", "ou_wang", "经信银行 金额150万", false)
	h.send(update)
	h.send(update)                                                                          // the same event again
	h.send(message("ev2-repush", "om_2", "p2p", "oc_p2p", "ou_wang", "经信银行 金额150万", false)) // re-pushed under a new event id
	h.lark.wait(t, "/reply", 2)
	time.Sleep(200 * time.Millisecond)
	if d := h.deal(1); d.Version != v+1 || len(h.lark.calls("/reply")) != 2 {
		t.Fatalf("version %d → %d, %d replies", v, d.Version, len(h.lark.calls("/reply")))
	}
}

func TestForgedStaleAndReplayedCallbacksAreRefused(t *testing.T) {
	h := newHarness(t)
	ev := message("ev1", "om_1", "p2p", "oc_p2p", "ou_wang", "新商机 经信银行 120万", false)
	body, header := seal(t, ev, time.Now(), "n1")
	forged := header.Clone()
	forged.Set("X-Lark-Signature", strings.Repeat("0", 64))
	stale, staleHeader := seal(t, ev, time.Now().Add(-10*time.Minute), "n2")
	wrongToken := message("ev9", "om_9", "p2p", "oc_p2p", "ou_wang", "新商机 华东电力 80万", false)
	wrongToken["header"].(map[string]any)["token"] = "forged"
	wtBody, wtHeader := seal(t, wrongToken, time.Now(), "n3")
	plain, _ := json.Marshal(ev)
	for name, c := range map[string]struct {
		body   []byte
		header http.Header
	}{
		"bad signature": {body, forged},
		"stale":         {stale, staleHeader},
		"wrong token":   {wtBody, wtHeader},
		"unencrypted":   {plain, header},
		"no headers":    {body, http.Header{}},
	} {
		if code, _ := h.post(c.body, c.header); code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, code)
		}
	}
	if code, _ := h.post(body, header); code != http.StatusOK {
		t.Fatalf("genuine: %d", code)
	}
	// Seen before: acknowledged (a retry must not look like a failure),
	// with no effect.
	if code, _ := h.post(body, header); code != http.StatusOK {
		t.Fatalf("replayed: %d, want 200", code)
	}
	h.lark.wait(t, "/reply", 1)
	time.Sleep(100 * time.Millisecond)
	if h.count() != 1 {
		t.Fatalf("%d deals", h.count())
	}
	if code, _ := h.post([]byte(strings.Repeat("a", 2<<20)), header); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized: %d", code)
	}
}

func TestCardButtonsMenusAndForms(t *testing.T) {
	h := newHarness(t)
	h.send(message("ev1", "om_1", "p2p", "oc_p2p", "ou_wang", "新商机 经信银行 120万", false))
	h.lark.wait(t, "/reply", 1)
	// A menu choice moves the stage; the answer redraws the card.
	code, got := h.send(cardAction("ca1", "ou_wang", "oc_p2p", "om_card", map[string]any{"menu": true}, "/deal #1 stage shortlist", nil))
	if code != http.StatusOK || !strings.Contains(got, "toast") || !strings.Contains(got, "经信银行") {
		t.Fatalf("menu: %d %s", code, got)
	}
	if h.deal(1).Stage != "shortlist" {
		t.Fatalf("stage %q", h.deal(1).Stage)
	}
	// Won, delivered twice: applied once.
	won := cardAction("ca2", "ou_wang", "oc_p2p", "om_card", map[string]any{"cmd": "/deal #1 won"}, "", nil)
	h.send(won)
	v := h.deal(1).Version
	if code, _ := h.send(won); code != http.StatusOK || h.deal(1).Version != v {
		t.Fatalf("re-delivered action: %d, version %d → %d", code, v, h.deal(1).Version)
	}
	if h.deal(1).Status != coach.Won {
		t.Fatal("won button did not close the deal")
	}
	// Someone else's deal: refused with a toast, unchanged.
	h.send(message("ev2", "om_2", "p2p", "oc_li", "ou_li", "新商机 华东电力 80万", false))
	h.waitDeals(2)
	v = h.deal(2).Version
	_, got = h.send(cardAction("ca3", "ou_wang", "oc_p2p", "om_card", map[string]any{"cmd": "/deal #2 won"}, "", nil))
	if h.deal(2).Version != v || !strings.Contains(got, "error") {
		t.Fatalf("someone else's deal: %s", got)
	}
	// A card in an external chat pressed by a person of another tenant:
	// nothing runs, and the toast names nothing internal.
	ext := cardAction("ca7", "ou_partner", "oc_li", "om_card2", map[string]any{"cmd": "/deal #2 won"}, "", nil)
	ext["event"].(map[string]any)["operator"].(map[string]any)["tenant_key"] = "t_partner"
	_, got = h.send(ext)
	if h.deal(2).Version != v || !strings.Contains(got, "组织") || strings.Contains(got, "华东电力") || strings.Contains(got, "#2") {
		t.Fatalf("another tenant's action: %s", got)
	}
	// A form: opened in place of the card, refused field by field, applied.
	_, got = h.send(cardAction("ca4", "ou_li", "oc_li", "om_card2", map[string]any{"form": "edit", "deal": 2}, "", nil))
	if !strings.Contains(got, `"form"`) || !strings.Contains(got, "amount") {
		t.Fatalf("form card: %s", got)
	}
	v = h.deal(2).Version
	_, got = h.send(cardAction("ca5", "ou_li", "oc_li", "om_card2", map[string]any{"form": "edit", "deal": 2}, "",
		map[string]any{"amount": "很多"}))
	if h.deal(2).Version != v || !strings.Contains(got, "error") {
		t.Fatalf("bad amount: %s", got)
	}
	h.send(cardAction("ca6", "ou_li", "oc_li", "om_card2", map[string]any{"form": "edit", "deal": 2}, "",
		map[string]any{"amount": "150万", "stage": "approved"}))
	if d := h.deal(2); d.Amount != coach.Money(1_500_000_00) || d.Stage != "approved" || d.Version != v+1 {
		t.Fatalf("form applied as %+v", d)
	}
}

func TestRateLimitedRepliesWaitAndKeepOrder(t *testing.T) {
	h := newHarness(t)
	h.lark.limit("/reply", 1, false) // code 99991400
	for i, name := range []string{"甲公司", "乙公司", "丙公司"} {
		h.send(message(fmt.Sprint("ev", i), fmt.Sprint("om_", i), "p2p", "oc_p2p", "ou_wang", "新商机 "+name+" 10万", false))
	}
	replies := h.lark.wait(t, "/reply", 3)
	for i, want := range []string{"甲公司", "乙公司", "丙公司"} {
		if !strings.Contains(replies[i].Raw, want) {
			t.Fatalf("reply %d is %s, want %s: order lost", i, replies[i].Raw, want)
		}
	}
}

func TestUserTextCannotMentionAllOrLink(t *testing.T) {
	h := newHarness(t)
	h.send(message("ev1", "om_1", "p2p", "oc_p2p", "ou_wang", `新商机 <at id=all></at> [点我](https://evil.example) 10万`, false))
	reply := h.lark.wait(t, "/reply", 1)[0]
	content, _ := reply.Body["content"].(string)
	if strings.Contains(content, "<at") || strings.Contains(content, "](https://evil") {
		t.Fatalf("reply can mention all or link: %s", content)
	}
}

func TestContactNameAndEventsRecordedBeforeACrash(t *testing.T) {
	h := newHarness(t)
	h.lark.setUser("ou_wang", "王芳", "Asia/Shanghai", "zh_cn")
	// Recorded and acknowledged, then the process died before handling it.
	ev := message("ev1", "om_1", "p2p", "oc_p2p", "ou_wang", "新商机 经信银行 120万", false)
	raw, _ := json.Marshal(ev)
	env, _ := json.Marshal(map[string]any{"kind": "message", "body": json.RawMessage(raw)})
	if fresh, err := h.db.Receive(context.Background(), platform, "msg:om_1", env); err != nil || !fresh {
		t.Fatal(fresh, err)
	}
	h.restart()
	h.lark.wait(t, "/reply", 1)
	if h.count() != 1 {
		t.Fatal("the recorded event was lost")
	}
	p, err := h.db.PersonByName(context.Background(), "王芳")
	if err != nil || p.PlatformID != "ou_wang" || p.Platform != platform {
		t.Fatalf("person %+v %v", p, err)
	}
	// Lark delivers it again after the restart: once.
	h.send(ev)
	time.Sleep(200 * time.Millisecond)
	if h.count() != 1 || len(h.lark.calls("/reply")) != 1 {
		t.Fatalf("handled twice: %d deals, %d replies", h.count(), len(h.lark.calls("/reply")))
	}
}

func TestHTTPModeRefusesToStartWithoutAnEncryptKey(t *testing.T) {
	h := newHarness(t)
	cfg := h.a.cfg
	cfg.EncryptKey, cfg.AllowPlain = "", false
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "LARK_ENCRYPT_KEY") {
		t.Fatalf("New without a key: %v", err)
	}
	cfg.AllowPlain = true
	a, err := New(cfg)
	if err != nil {
		t.Fatalf("explicitly allowed: %v", err)
	}
	a.Close(context.Background())
	cfg.Mode = ModeWS
	cfg.AllowPlain = false
	if a, err = New(cfg); err != nil {
		t.Fatalf("long connection needs no key: %v", err)
	}
	a.Close(context.Background())
}

// The verifier's one reading of a callback is what is dispatched: an
// event of a type not handled may carry fields named like the handled
// events' in other shapes, and is acknowledged, not refused; a handled
// event whose fields are not of their documented type is answered 500
// (Lark sends it again), as the SDK's dispatcher answered it.
func TestEventsReadOnceAndDispatched(t *testing.T) {
	h := newHarness(t)
	other := map[string]any{
		"schema": "2.0",
		"header": map[string]any{"event_id": "ev-other", "event_type": "im.message.recalled_v1", "create_time": "1764000000000",
			"token": testToken, "app_id": "cli_test", "tenant_key": "736588c9260f175e"},
		"event": map[string]any{"message": "om_recalled", "action": 3, "operator": "nobody"},
	}
	if code, body := h.send(other); code != http.StatusOK {
		t.Fatalf("an event of another type: %d %s", code, body)
	}
	bad := message("ev-bad", "om_bad", "p2p", "oc_bad", "ou_wang", "新商机 经信银行 120万", false)
	bad["event"].(map[string]any)["message"].(map[string]any)["chat_id"] = 42
	if code, _ := h.send(bad); code != http.StatusInternalServerError {
		t.Fatalf("a malformed message event: %d, want 500", code)
	}
	if code, body := h.send(message("ev-good", "om_good", "p2p", "oc_good", "ou_wang", "新商机 经信银行 120万", false)); code != http.StatusOK || body != `{"msg":"success"}` {
		t.Fatalf("a message: %d %s", code, body)
	}
	if r := h.lark.wait(t, "/reply", 1); !strings.Contains(r[0].Path, "om_good") || !strings.Contains(r[0].Raw, "经信银行") {
		t.Fatalf("reply: %s %s", r[0].Path, r[0].Raw)
	}
	if n := h.count(); n != 1 {
		t.Fatalf("%d deals, want 1", n)
	}
}
