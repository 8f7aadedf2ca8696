package slack

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/bottest"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// testNow is the core's fixed clock (DEALCOACH_NOW in the binary).
var testNow = time.Date(2026, 11, 24, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

// apiCall is one request the adapter made to the fake Slack.
type apiCall struct {
	Method string // "chat.postMessage", … or "respond" for a response URL
	Form   url.Values
	JSON   map[string]any
	Raw    string
}

// text is everything the call would show: its text and blocks.
func (c apiCall) text() string {
	if c.JSON != nil {
		return c.Raw
	}
	return c.Form.Get("text") + "\n" + c.Form.Get("blocks")
}

type fakeUser struct{ Name, TZ, Locale, Team string }

// fakeSlack is Slack's Web API over loopback, answering as Slack documents
// and recording every call.
type fakeSlack struct {
	srv *httptest.Server

	mu      sync.Mutex
	calls   []apiCall
	limited map[string]int // method → 429 answers still to give
	users   map[string]fakeUser
	changed chan struct{}
	socket  string // the URL apps.connections.open hands out
	opened  int    // how many times it did

	posted      map[string][]fakeMessage // channel → messages chat.postMessage took, oldest first
	gone        map[string]bool          // channels answering channel_not_found
	epoch       int64                    // seconds of the ts chat.postMessage hands out; 0 for 1764000000
	historyPage int                      // most messages a conversations.history page holds; 0 for its limit
}

// fakeMessage is a posted message as conversations.history shows it.
type fakeMessage struct {
	TS, Text string
	Metadata json.RawMessage
}

func newFakeSlack(t testing.TB) *fakeSlack {
	f := &fakeSlack{limited: map[string]int{}, users: map[string]fakeUser{}, changed: make(chan struct{}, 1),
		posted: map[string][]fakeMessage{}, gone: map[string]bool{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	method, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok {
		method = "respond"
	}
	c := apiCall{Method: method, Raw: string(raw)}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		json.Unmarshal(raw, &c.JSON)
	} else {
		c.Form, _ = url.ParseQuery(string(raw))
	}
	f.mu.Lock()
	if f.limited[method] > 0 {
		f.limited[method]--
		f.mu.Unlock()
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	f.calls = append(f.calls, c)
	u := f.users[c.Form.Get("user")]
	n := len(f.calls)
	channel := c.Form.Get("channel")
	gone := f.gone[channel]
	ts := fmt.Sprintf("%d.%06d", cmp.Or(f.epoch, 1764000000), n)
	if method == "chat.postMessage" && !gone {
		var meta json.RawMessage
		if m := c.Form.Get("metadata"); m != "" {
			meta = json.RawMessage(m)
		}
		f.posted[channel] = append(f.posted[channel], fakeMessage{TS: ts, Text: c.Form.Get("text"), Metadata: meta})
	}
	f.mu.Unlock()
	select {
	case f.changed <- struct{}{}:
	default:
	}
	w.Header().Set("Content-Type", "application/json")
	switch method {
	case "users.info":
		if u.Name == "" {
			fmt.Fprint(w, `{"ok":false,"error":"user_not_found"}`)
			return
		}
		user := map[string]any{"id": c.Form.Get("user"), "name": strings.ToLower(u.Name), "real_name": u.Name, "tz": u.TZ,
			"locale": u.Locale, "profile": map[string]any{"display_name": u.Name}}
		if u.Team != "" {
			user["team_id"] = u.Team
		}
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "user": user})
	case "auth.test":
		fmt.Fprint(w, `{"ok":true,"url":"https://example.slack.com/","team":"Example","user":"dealcoach","team_id":"T0001","user_id":"UBOT","bot_id":"B0001"}`)
	case "chat.postMessage":
		if gone {
			fmt.Fprint(w, `{"ok":false,"error":"channel_not_found"}`)
			return
		}
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, channel, ts)
	case "conversations.open":
		// A person's DM with the bot; its id is made up from theirs.
		fmt.Fprintf(w, `{"ok":true,"channel":{"id":"D%s"}}`, c.Form.Get("users"))
	case "conversations.history":
		if gone {
			fmt.Fprint(w, `{"ok":false,"error":"channel_not_found"}`)
			return
		}
		json.NewEncoder(w).Encode(f.history(c.Form))
	case "chat.postEphemeral":
		fmt.Fprintf(w, `{"ok":true,"message_ts":"1764000000.%06d"}`, n)
	case "apps.connections.open":
		f.mu.Lock()
		f.opened++
		u := f.socket
		f.mu.Unlock()
		fmt.Fprintf(w, `{"ok":true,"url":%q}`, u)
	case "views.open":
		fmt.Fprint(w, `{"ok":true,"view":{"id":"V0001"}}`)
	case "respond":
		fmt.Fprint(w, `ok`)
	default:
		fmt.Fprint(w, `{"ok":false,"error":"unknown_method"}`)
	}
}

// history answers conversations.history as Slack documents it: messages
// after oldest; with oldest alone, the page closest to it, newest first
// within the page; metadata only when include_all_metadata is set.
func (f *fakeSlack) history(form url.Values) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	oldest := slackTime(form.Get("oldest"), time.Time{})
	var after []fakeMessage
	for _, m := range f.posted[form.Get("channel")] {
		if slackTime(m.TS, time.Time{}).After(oldest) {
			after = append(after, m)
		}
	}
	limit, _ := strconv.Atoi(form.Get("limit"))
	if limit <= 0 || limit > 999 {
		limit = 100
	}
	if f.historyPage > 0 {
		limit = min(limit, f.historyPage)
	}
	start, _ := strconv.Atoi(form.Get("cursor"))
	start = min(start, len(after))
	end := min(start+limit, len(after))
	msgs := []map[string]any{}
	for i := end - 1; i >= start; i-- {
		m := map[string]any{"type": "message", "ts": after[i].TS, "text": after[i].Text, "bot_id": "B0001"}
		if after[i].Metadata != nil && form.Get("include_all_metadata") == "1" {
			m["metadata"] = after[i].Metadata
		}
		msgs = append(msgs, m)
	}
	next := ""
	if end < len(after) {
		next = strconv.Itoa(end)
	}
	return map[string]any{"ok": true, "messages": msgs, "has_more": next != "",
		"response_metadata": map[string]any{"next_cursor": next}}
}

// wait returns the calls of method once there are n of them.
func (f *fakeSlack) wait(t testing.TB, method string, n int) []apiCall {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		if got := f.of(method); len(got) >= n {
			return got
		}
		select {
		case <-f.changed:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("waited for %d %s calls, got %d: %v", n, method, len(f.of(method)), f.all())
		}
	}
}

func (f *fakeSlack) of(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeSlack) all() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		out = append(out, c.Method)
	}
	return out
}

// harness is the adapter over a real store on disk, served over loopback,
// talking to the fake Slack.
type harness struct {
	t    testing.TB
	path string
	db   *store.DB
	bot  *bot.Bot
	a    *Adapter
	api  *fakeSlack
	srv  *httptest.Server
	seq  int

	ackWithin time.Duration // the adapter's AckWithin; 0 for its default
	apiURL    string        // the adapter's APIURL; "" for api's
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	return newHarnessAt(t, "")
}

// newHarnessAt is newHarness with the adapter calling the Web API at
// apiURL ("" for the harness's fake), for another fake of it.
func newHarnessAt(t testing.TB, apiURL string) *harness {
	t.Helper()
	h := &harness{t: t, path: filepath.Join(t.TempDir(), "slack.db"), api: newFakeSlack(t), apiURL: apiURL}
	h.start()
	t.Cleanup(h.stop)
	return h
}

func (h *harness) start() {
	h.t.Helper()
	now := func() time.Time { return testNow }
	c := bottest.Open(h.t, h.path, now, "en")
	db, b, cat, log := c.DB, c.Bot, c.Catalog, c.Log
	apiURL := h.apiURL
	if apiURL == "" {
		apiURL = h.api.srv.URL + "/api/"
	}
	a, err := New(Config{Bot: b, Store: db, Catalog: cat, Token: "xoxb-test", SigningSecret: testSecret,
		APIURL: apiURL, DefaultLang: "en", Log: log, Now: now, AckWithin: h.ackWithin})
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

// restart is a new process on the same database file.
func (h *harness) restart() {
	h.stop()
	h.start()
}

// sign signs body as Slack does, at time ts.
func sign(body string, ts int64) (timestamp, signature string) {
	timestamp = strconv.FormatInt(ts, 10)
	mac := hmac.New(sha256.New, []byte(testSecret))
	fmt.Fprintf(mac, "v0:%s:%s", timestamp, body)
	return timestamp, "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// post sends a request signed now to path; header pairs are added.
func (h *harness) post(path, contentType, body string, header ...string) (int, string) {
	h.t.Helper()
	ts, sig := sign(body, time.Now().Unix())
	return h.postSigned(path, contentType, body, ts, sig, header...)
}

func (h *harness) postSigned(path, contentType, body, ts, sig string, header ...string) (int, string) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if ts != "" {
		req.Header.Set("X-Slack-Request-Timestamp", ts)
	}
	if sig != "" {
		req.Header.Set("X-Slack-Signature", sig)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

const formType = "application/x-www-form-urlencoded"

// commandForm is Slack's documented slash command payload.
func (h *harness) commandForm(user, channel, text string) string {
	h.seq++
	return url.Values{
		"token": {"gIkuvaNzQIHg97ATvDxqgjtO"}, "team_id": {"T0001"}, "team_domain": {"example"},
		"channel_id": {channel}, "channel_name": {"sales"}, "user_id": {user}, "user_name": {strings.ToLower(user)},
		"command": {"/deal"}, "text": {text},
		"response_url": {h.api.srv.URL + "/commands/1234/5678"},
		"trigger_id":   {fmt.Sprintf("13345224609.738474920.%d", h.seq)}, "api_app_id": {"A123456"},
	}.Encode()
}

// command sends /deal text and returns the status and the JSON answer.
func (h *harness) command(user, channel, text string) (int, map[string]any) {
	h.t.Helper()
	code, body := h.post("/slack/commands", formType, h.commandForm(user, channel, text))
	var out map[string]any
	if body != "" {
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			h.t.Fatalf("answer is not JSON: %q", body)
		}
	}
	return code, out
}

// eventBody is Slack's documented event_callback envelope around inner.
func eventBody(id string, inner map[string]any) string {
	raw, _ := json.Marshal(map[string]any{
		"token": "ZZZZZZWSxiZZZ2yIvs3peJ", "team_id": "T0001", "api_app_id": "A123ABC456",
		"event": inner, "type": "event_callback", "event_id": id, "event_time": 1515449522,
		"authed_users": []string{"U0LAN0Z89"},
	})
	return string(raw)
}

func mention(user, channel, text, ts string) map[string]any {
	return map[string]any{"type": "app_mention", "user": user, "text": "<@U0LAN0Z89> " + text,
		"ts": ts, "channel": channel, "event_ts": ts}
}

func dm(user, channel, text, ts string) map[string]any {
	return map[string]any{"type": "message", "channel": channel, "user": user, "text": text,
		"ts": ts, "event_ts": ts, "channel_type": "im"}
}

// interactionBody is Slack's interaction form: the payload as JSON.
func interactionBody(payload map[string]any) string {
	raw, _ := json.Marshal(payload)
	return url.Values{"payload": {string(raw)}}.Encode()
}

// blockAction is Slack's documented block_actions payload for one action
// on a message.
func (h *harness) blockAction(user, channel, msgTS string, action map[string]any) map[string]any {
	h.seq++
	return map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T0001", "domain": "example"},
		"user":       map[string]any{"id": user, "username": strings.ToLower(user), "team_id": "T0001"},
		"api_app_id": "AABA1ABCD", "token": "9s8d9as89d8as9d8as989",
		"container":    map[string]any{"type": "message", "message_ts": msgTS, "channel_id": channel, "is_ephemeral": false},
		"trigger_id":   fmt.Sprintf("12321423423.333649436676.%d", h.seq),
		"channel":      map[string]any{"id": channel, "name": "sales"},
		"message":      map[string]any{"type": "message", "ts": msgTS, "text": "card"},
		"response_url": h.api.srv.URL + "/actions/AABA1ABCD/1232321423432/D09sSasdasdAS9091209",
		"actions":      []any{action},
	}
}

// deal reads a deal from the store.
func (h *harness) deal(id int64) coach.Deal {
	h.t.Helper()
	d, err := h.db.Deal(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return d
}

func (h *harness) count() int {
	h.t.Helper()
	n, err := h.db.CountDeals(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}
