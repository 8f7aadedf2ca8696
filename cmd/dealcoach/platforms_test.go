package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	larkbot "github.com/dealcoach/dealcoach/bot/lark"
)

// The payloads in testdata/platforms are shaped as Slack and Lark document
// them (see its README), and are replayed here through the real "dealcoach
// serve" over loopback, signed (and for Lark encrypted) as the platforms
// do, against fake Web APIs. Each case checks what the deal store holds
// (through "dealcoach export") and what the bot sent.

// platformFixture reads a payload of testdata/platforms.
func platformFixture(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "platforms", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// sent is one message the bot sent through a fake platform.
type sent struct {
	Method, Channel, Body string
}

// platformAPI is a fake Slack Web API and Lark open platform in one
// (their paths do not overlap): it records what the bot sends.
type platformAPI struct {
	mu   sync.Mutex
	sent []sent
}

func (f *platformAPI) record(s sent) {
	f.mu.Lock()
	f.sent = append(f.sent, s)
	f.mu.Unlock()
}

func (f *platformAPI) all() []sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sent(nil), f.sent...)
}

// wait waits until n messages were sent, and returns them.
func (f *platformAPI) wait(t *testing.T, n int, logs fmt.Stringer) []sent {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for len(f.all()) < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	got := f.all()
	if len(got) < n {
		t.Fatalf("%d messages sent, want %d: %v\n%s", len(got), n, got, logs)
	}
	return got
}

// personTeam is the team users.info names for a person: the partner
// organisation's for the Slack Connect person, the workspace's for the rest.
func personTeam(user string) string {
	if user == "U0PARTNER" {
		return "T0PARTNER"
	}
	return "T0HOME"
}

func (f *platformAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(raw))
	w.Header().Set("Content-Type", "application/json")
	p := r.URL.Path
	switch {
	// Slack
	case strings.HasSuffix(p, "/auth.test"):
		fmt.Fprint(w, `{"ok":true,"url":"https://home.slack.com/","team":"Home","user":"dealcoach","team_id":"T0HOME","user_id":"UBOT","bot_id":"B0DEAL"}`)
	case strings.HasSuffix(p, "/users.info"):
		fmt.Fprintf(w, `{"ok":true,"user":{"id":%q,"team_id":%q,"name":"rita","tz":"Asia/Shanghai","locale":"en-US","profile":{"display_name":"Rita"}}}`, form.Get("user"), personTeam(form.Get("user")))
	case strings.HasSuffix(p, "/chat.postMessage"), strings.HasSuffix(p, "/chat.postEphemeral"):
		f.record(sent{Method: p[strings.LastIndex(p, "/")+1:], Channel: form.Get("channel"), Body: form.Get("text") + " " + form.Get("blocks")})
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1.%d","message_ts":"1.%d"}`, form.Get("channel"), time.Now().UnixNano(), time.Now().UnixNano())
	case strings.HasPrefix(p, "/api/"):
		fmt.Fprint(w, `{"ok":true}`)
	// Lark
	case strings.Contains(p, "tenant_access_token"):
		fmt.Fprint(w, `{"code":0,"msg":"ok","tenant_access_token":"t-e2e","expire":7200}`)
	case strings.HasSuffix(p, "/bot/v3/info"):
		fmt.Fprint(w, `{"code":0,"msg":"ok","bot":{"activate_status":2,"app_name":"dealcoach","avatar_url":"","ip_white_list":[],"open_id":"ou_bot"}}`)
	case strings.Contains(p, "/contact/"):
		fmt.Fprint(w, `{"code":0,"msg":"success","data":{"user":{"name":"王芳","time_zone":"Asia/Shanghai"}}}`)
	case strings.Contains(p, "/im/v1/messages"):
		f.record(sent{Method: r.Method + " " + p, Body: string(raw)})
		fmt.Fprintf(w, `{"code":0,"msg":"success","data":{"message_id":"om_reply_%d"}}`, time.Now().UnixNano())
	default:
		http.NotFound(w, r)
	}
}

// exportedDeals reads the deal store through "dealcoach export".
func exportedDeals(t *testing.T, db string) []exported {
	t.Helper()
	out, errOut, code := dealcoach(t, db, "", "export")
	var deals []exported
	if err := json.NewDecoder(strings.NewReader(out)).Decode(&deals); err != nil || code != 0 {
		t.Fatalf("export: %d %v %s %s", code, err, out, errOut)
	}
	return deals
}

// slackPost posts body to path on serve, signed with secret at ts (now
// when 0), with more headers; it returns the status and the answer.
func slackPost(t *testing.T, addr, path, contentType, secret string, body []byte, ts int64, header ...string) (int, string) {
	t.Helper()
	if ts == 0 {
		ts = time.Now().Unix()
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+path, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", contentType)
	if secret != "" {
		mac := hmac.New(sha256.New, []byte(secret))
		fmt.Fprintf(mac, "v0:%d:%s", ts, body)
		req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
		req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// TestServeSlackAsItReallySends replays Slack's documented payloads: the
// URL check and ssl_check; DMs plain, with a file and caption, and
// broadcast from a thread; a mention in rich text; the same message again
// under a new event id, as a retry, as an app_mention and as a channel
// message; edits, deletions, bots, joins and other events ignored; a
// request seen before acknowledged with no effect and a forged one
// refused; and people of another organisation (Slack Connect) refused
// without a word of what is inside.
func TestServeSlackAsItReallySends(t *testing.T) {
	const secret = "e2e-secret"
	db := filepath.Join(t.TempDir(), "slack.db")
	api := &platformAPI{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	// 08:00, before the 09:00 reminders: everything the bot sends answers
	// a payload of the test.
	p := startServe(t, db, srv.URL, "2026-11-24T08:00:00+08:00")
	event := func(name string, header ...string) int {
		t.Helper()
		code, body := slackPost(t, p.addr, "/slack/events", "application/json", secret, platformFixture(t, "slack/"+name), 0, header...)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s\n%s", name, code, body, p.logs)
		}
		return code
	}
	// sentinel sends a DM the bot answers, and waits for that answer: all
	// the DM's earlier work is then done (one conversation is handled in
	// order), so what was not sent by then never will be.
	sentinels := 0
	sentinel := func() []sent {
		t.Helper()
		sentinels++
		body := fmt.Sprintf(`{"team_id":"T0HOME","type":"event_callback","event_id":"EvSentinel%d","authorizations":[{"team_id":"T0HOME","user_id":"UBOT","is_bot":true}],"event":{"type":"message","channel":"D0RITA","user":"U1","text":"list","ts":"1764001000.%06d","channel_type":"im"}}`, sentinels, sentinels)
		before := len(api.all())
		if code, _ := slackPost(t, p.addr, "/slack/events", "application/json", secret, []byte(body), 0); code != http.StatusOK {
			t.Fatalf("sentinel: %d", code)
		}
		return api.wait(t, before+1, p.logs)[before:]
	}

	// The URL check, and ssl_check on the command URL (unsigned, as Slack
	// may send it).
	if code, body := slackPost(t, p.addr, "/slack/events", "application/json", secret, platformFixture(t, "slack/url_verification.json"), 0); code != http.StatusOK ||
		body != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("url_verification: %d %q", code, body)
	}
	if code, body := slackPost(t, p.addr, "/slack/commands", "application/x-www-form-urlencoded", "", []byte("ssl_check=1&token=one-long-verification-token"), 0); code != http.StatusOK {
		t.Fatalf("ssl_check: %d %q", code, body)
	}

	// A DM creates a deal and is answered in the DM.
	event("dm_message.json")
	if got := api.wait(t, 1, p.logs); got[0].Channel != "D0RITA" || !strings.Contains(got[0].Body, "Acme") {
		t.Fatalf("DM reply: %+v", got)
	}
	// The same message again: under a new event id with no retry header,
	// as a retry, and as an app_mention of the DM. Acknowledged, once.
	event("dm_message_new_event_id.json")
	event("dm_message.json", "X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout")
	event("dm_app_mention.json")
	if got := sentinel(); len(api.all()) != 2 || strings.Contains(got[0].Body, "Created") {
		t.Fatalf("a message applied twice: %+v", api.all())
	}

	// A mention in a channel, read from its rich_text blocks, with the
	// bot's own mention dropped; the same message as a channel message
	// event is not handled again.
	event("mention_rich_text.json")
	got := api.wait(t, 3, p.logs)
	if got[2].Channel != "C0SALES" || !strings.Contains(got[2].Body, "200,000") {
		t.Fatalf("mention reply: %+v", got[2])
	}
	event("channel_message_same_ts.json")

	// A file shared with a caption, then a thread reply also sent to the
	// conversation.
	event("dm_file_share.json")
	api.wait(t, 4, p.logs)
	event("dm_thread_broadcast.json")
	if got := api.wait(t, 5, p.logs); !strings.Contains(got[4].Body, "60,000") {
		t.Fatalf("thread_broadcast reply: %+v", got[4])
	}

	// Not a person talking to the bot: acknowledged, nothing done, no reply.
	for _, name := range []string{"dm_message_changed.json", "dm_message_deleted.json", "dm_bot_message.json",
		"dm_own_reply.json", "channel_join.json", "reaction_added.json"} {
		event(name)
	}
	sentinel()
	if n := len(api.all()); n != 6 {
		t.Fatalf("ignored events were answered: %+v", api.all()[5:])
	}

	// Seen before (a retry reusing its headers, or a replay): 200 and no
	// effect. Forged: 401.
	body := []byte(`{"team_id":"T0HOME","type":"event_callback","event_id":"EvSigned","authorizations":[{"team_id":"T0HOME","user_id":"UBOT","is_bot":true}],"event":{"type":"message","channel":"D0RITA","user":"U1","text":"#1 amount 300k","ts":"1764002000.000001","channel_type":"im"}}`)
	ts := time.Now().Unix()
	for i := range 2 {
		if code, _ := slackPost(t, p.addr, "/slack/events", "application/json", secret, body, ts); code != http.StatusOK {
			t.Fatalf("signed request, time %d: %d", i+1, code)
		}
	}
	if code, _ := slackPost(t, p.addr, "/slack/events", "application/json", "forged-secret", body, ts); code != http.StatusUnauthorized {
		t.Fatalf("forged: %d", code)
	}
	api.wait(t, 7, p.logs)
	sentinel()
	if n := len(api.all()); n != 8 {
		t.Fatalf("a request seen before was handled again: %+v", api.all()[6:])
	}
	// A slash command signed once and sent twice: the second is
	// acknowledged empty.
	form := []byte(url.Values{"team_id": {"T0HOME"}, "channel_id": {"D0RITA"}, "user_id": {"U1"}, "command": {"/deal"},
		"text": {"show #1"}, "response_url": {srv.URL + "/respond"}, "trigger_id": {"13345224609.738474920.8088930838d88f008e0"}}.Encode())
	ts = time.Now().Unix()
	if code, body := slackPost(t, p.addr, "/slack/commands", "application/x-www-form-urlencoded", secret, form, ts); code != http.StatusOK || !strings.Contains(body, "Acme") {
		t.Fatalf("command: %d %s", code, body)
	}
	if code, body := slackPost(t, p.addr, "/slack/commands", "application/x-www-form-urlencoded", secret, form, ts); code != http.StatusOK || body != "" {
		t.Fatalf("command seen before: %d %q", code, body)
	}

	// Slack Connect: a mention and a DM from another organisation's person,
	// and a slash command from their team. A polite refusal, nothing
	// internal named, nothing changed.
	event("connect_mention.json")
	event("connect_dm.json")
	got = api.wait(t, 10, p.logs)[8:]
	extCmd := []byte(url.Values{"team_id": {"T0PARTNER"}, "team_domain": {"partner"}, "channel_id": {"C0SHARED"}, "user_id": {"U0PARTNER"},
		"command": {"/deal"}, "text": {"show #1"}, "response_url": {srv.URL + "/respond"}, "trigger_id": {"13345224609.738474920.ext"},
		"is_enterprise_install": {"false"}}.Encode())
	code, cmdAnswer := slackPost(t, p.addr, "/slack/commands", "application/x-www-form-urlencoded", secret, extCmd, 0)
	if code != http.StatusOK {
		t.Fatalf("external command: %d", code)
	}
	got = append(got, sent{Method: "command", Channel: "C0SHARED", Body: cmdAnswer})
	for _, s := range got {
		if s.Method == "chat.postMessage" && s.Channel == "C0SHARED" {
			t.Errorf("refusal in a shared channel posted for all to see: %+v", s)
		}
		if !strings.Contains(s.Body, "organization") && !strings.Contains(s.Body, "组织") {
			t.Errorf("not the refusal: %+v", s)
		}
		for _, secret := range []string{"Acme", "Beta", "#1", "Rita", "200,000", "60,000"} {
			if strings.Contains(s.Body, secret) {
				t.Errorf("%q told to another organisation: %+v", secret, s)
			}
		}
	}
	dm := got[1]
	for _, s := range got[:2] { // the two refusals may be sent in either order
		if s.Channel == "D0PARTNER" {
			dm = s
		}
	}
	if !strings.Contains(dm.Body, "组织") {
		t.Errorf("a Chinese message refused in English: %+v", dm)
	}

	p.stop()
	deals := exportedDeals(t, db)
	if len(deals) != 2 || deals[0].Customer != "Acme" || deals[0].Amount != 300000 || deals[1].Customer != "Beta" || deals[1].Amount != 60000 {
		t.Fatalf("deals: %+v", deals)
	}
}

// larkPost posts a Lark callback to serve: payload encrypted with key and
// signed at ts with nonce, or as given when key is "".
func larkPost(t *testing.T, addr, key string, payload []byte, sig func(ts, nonce string, body []byte) string) (int, string, http.Header) {
	t.Helper()
	body := payload
	if key != "" {
		enc, err := larkbot.Encrypt(payload, key)
		if err != nil {
			t.Fatal(err)
		}
		body, _ = json.Marshal(map[string]string{"encrypt": enc})
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/lark/events", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	h := http.Header{}
	if sig != nil {
		ts, nonce := strconv.FormatInt(time.Now().Unix(), 10), fmt.Sprintf("n%d", time.Now().UnixNano())
		h.Set("X-Lark-Request-Timestamp", ts)
		h.Set("X-Lark-Request-Nonce", nonce)
		h.Set("X-Lark-Signature", sig(ts, nonce, body))
		for k, v := range h {
			req.Header[k] = v
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw), h
}

// TestServeLarkAsItReallySends replays Lark's documented payloads: the
// URL check plain, encrypted and unsigned; text and rich-text (post)
// messages in private chats and groups, with the bot's mention (typed, or
// untyped as in the documented event) dropped, a post's title left out,
// its locale wrapper, links, emoji and code read; the same message under a
// new event id applied once; a request seen before acknowledged with no
// effect and a forged one refused; bots, group messages not for the bot
// and other events ignored; and a person of another tenant refused
// without a word of what is inside.
func TestServeLarkAsItReallySends(t *testing.T) {
	const key, token = "e2e key", "e2e-token"
	db := filepath.Join(t.TempDir(), "lark.db")
	api := &platformAPI{}
	platform := httptest.NewServer(api)
	defer platform.Close()
	// 08:00, before the 09:00 reminders (see the Slack test).
	srv := runServe(t, db, "DEALCOACH_NOW=2026-11-24T08:00:00+08:00", "DEALCOACH_LANG=zh", "LARK_APP_ID=cli_e2e",
		"LARK_APP_SECRET=secret", "LARK_VERIFICATION_TOKEN="+token, "LARK_ENCRYPT_KEY="+key, "LARK_BASE_URL="+platform.URL)
	signed := func(ts, nonce string, body []byte) string { return larkbot.Signature(ts, nonce, key, body) }
	event := func(name string) {
		t.Helper()
		if code, body, _ := larkPost(t, srv.addr, key, platformFixture(t, "lark/"+name), signed); code != http.StatusOK {
			t.Fatalf("%s: %d %s\n%s", name, code, body, srv.logs)
		}
	}
	deal := func() exported {
		t.Helper()
		deals := exportedDeals(t, db)
		if len(deals) != 1 {
			t.Fatalf("deals: %+v", deals)
		}
		return deals[0]
	}

	// The URL check: plaintext and unsigned, encrypted and unsigned,
	// encrypted and signed.
	challenge := platformFixture(t, "lark/url_verification.json")
	for _, c := range []struct {
		name string
		key  string
		sig  func(ts, nonce string, body []byte) string
	}{{"plain", "", nil}, {"encrypted", key, nil}, {"encrypted and signed", key, signed}} {
		if code, body, _ := larkPost(t, srv.addr, c.key, challenge, c.sig); code != http.StatusOK || !strings.Contains(body, `"challenge":"ajls384kdjx98XX"`) {
			t.Fatalf("url_verification %s: %d %s", c.name, code, body)
		}
	}

	// A private text message creates the deal; the same message under a
	// new event id changes nothing more.
	event("p2p_text.json")
	api.wait(t, 1, srv.logs)
	event("p2p_text_new_event_id.json")
	// A group post mentioning the bot by an at element, and a group text
	// whose mention has no mentioned_type: the bot's name is not read as
	// part of the deal's.
	event("group_post_at_bot.json")
	got := api.wait(t, 2, srv.logs)
	if d := deal(); d.Amount != 1_500_000 {
		t.Fatalf("group post: %+v, sent %+v", d, got)
	}
	event("group_text_untyped_mention.json")
	api.wait(t, 3, srv.logs)
	if d := deal(); d.Amount != 1_600_000 {
		t.Fatalf("group text with an untyped mention: %+v", d)
	}
	// A post with a title is read as its body; the locale-wrapped post,
	// with a link and an emoji; a post with an empty code block.
	event("p2p_post_title.json")
	api.wait(t, 4, srv.logs)
	if d := deal(); d.Amount != 1_700_000 {
		t.Fatalf("post with a title: %+v", d)
	}
	event("p2p_post_locale.json")
	api.wait(t, 5, srv.logs)
	if d := deal(); !strings.Contains(d.NextStep, "财务总监") {
		t.Fatalf("locale-wrapped post with a link: %+v", d)
	}
	event("p2p_post_mentions_person.json")
	api.wait(t, 6, srv.logs)
	if d := deal(); d.Amount != 1_800_000 {
		t.Fatalf("post: %+v", d)
	}

	// Not for the bot: a bot's message, a group message mentioning only a
	// person, another event. Acknowledged, nothing done.
	event("bot_sender.json")
	event("group_person_only.json")
	event("message_read.json")

	// Seen before: 200, no effect; forged: 401.
	payload := []byte(strings.Replace(string(platformFixture(t, "lark/p2p_post_title.json")), "om_post_title", "om_seen", 1))
	payload = []byte(strings.Replace(string(payload), "170万", "190万", 1))
	enc, _ := larkbot.Encrypt(payload, key)
	body, _ := json.Marshal(map[string]string{"encrypt": enc})
	ts, nonce := strconv.FormatInt(time.Now().Unix(), 10), "fixed-nonce"
	for i := range 2 {
		req, _ := http.NewRequest(http.MethodPost, "http://"+srv.addr+"/lark/events", strings.NewReader(string(body)))
		req.Header.Set("X-Lark-Request-Timestamp", ts)
		req.Header.Set("X-Lark-Request-Nonce", nonce)
		req.Header.Set("X-Lark-Signature", larkbot.Signature(ts, nonce, key, body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("signed request, time %d: %d", i+1, resp.StatusCode)
		}
	}
	if code, _, _ := larkPost(t, srv.addr, key, payload, func(string, string, []byte) string { return strings.Repeat("0", 64) }); code != http.StatusUnauthorized {
		t.Fatalf("forged: %d", code)
	}
	api.wait(t, 7, srv.logs)

	// Another tenant: refused, nothing internal named.
	event("external_tenant.json")
	got = api.wait(t, 8, srv.logs)
	refusal := ""
	for _, m := range got { // replies may be sent in any order across chats
		if strings.Contains(m.Body, "组织") {
			refusal = m.Body
		}
	}
	if refusal == "" {
		t.Fatalf("no refusal among %+v", got)
	}
	for _, secret := range []string{"华信", "#1", "王芳", "190万", "财务"} {
		if strings.Contains(refusal, secret) {
			t.Errorf("%q told to another tenant: %s", secret, refusal)
		}
	}

	srv.stop()
	if n := len(api.all()); n != 8 {
		t.Errorf("%d messages sent, want 8: %+v", n, api.all())
	}
	if d := deal(); d.Amount != 1_900_000 || d.Customer != "华信科技" {
		t.Fatalf("deal: %+v", d)
	}
}
