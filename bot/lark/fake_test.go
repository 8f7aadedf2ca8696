package lark

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeToken is the tenant_access_token the fake hands out and requires.
const fakeToken = "t-fake"

// fakeLark is a fake open platform over loopback: the token endpoint, im
// message reply, create and patch, and contact user get, answering in the
// shapes Lark documents. It records the calls it accepted; calls refused by
// the token check, an injected fault or validation are only counted.
//
// Like Lark, it sends at most one message per uuid within an hour (the uuid
// of im.v1.message.create and reply): a call repeating a uuid is answered
// with the message sent first, and recorded with Dup set.
type fakeLark struct {
	srv *httptest.Server

	mu      sync.Mutex
	log     []larkCall
	refused map[string]int // path → calls answered with an error
	faults  []*larkFault
	users   map[string]fakeUser
	outOf   map[string]bool    // chats the bot is not in
	byUUID  map[string]uuidUse // uuid → the message sent under it
	nextID  int
}

// uuidUse is the first message sent under a uuid.
type uuidUse struct {
	data map[string]any
	at   time.Time
}

// larkCall is one request the fake accepted.
type larkCall struct {
	Method, Path string
	Query        url.Values
	Body         map[string]any // the JSON body; nil when there was none
	Raw          string
	Auth         string // the Authorization header
	Dup          bool   // answered with the message sent earlier under its uuid
}

// larkFault answers the next n calls whose path contains path with status,
// header and body instead of the real answer.
type larkFault struct {
	path   string
	n      int
	status int
	header http.Header
	body   string
}

type fakeUser struct{ name, tz, locale string }

// newFakeLark starts a fake open platform, closed when the test ends.
func newFakeLark(t testing.TB) *fakeLark {
	f := &fakeLark{refused: make(map[string]int), users: make(map[string]fakeUser),
		outOf: make(map[string]bool), byUUID: make(map[string]uuidUse)}
	mux := http.NewServeMux()
	f.route(mux, "POST /open-apis/auth/v3/tenant_access_token/internal", false, f.token)
	f.route(mux, "POST /open-apis/im/v1/messages/{message_id}/reply", true, f.reply)
	f.route(mux, "POST /open-apis/im/v1/messages", true, f.create)
	f.route(mux, "PATCH /open-apis/im/v1/messages/{message_id}", true, f.patch)
	f.route(mux, "GET /open-apis/contact/v3/users/{user_id}", true, f.user)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// url is the base URL to give newAPI (LARK_BASE_URL).
func (f *fakeLark) url() string { return f.srv.URL }

// calls returns the accepted calls whose path contains pathContains, in
// the order they arrived.
func (f *fakeLark) calls(pathContains string) []larkCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []larkCall
	for _, c := range f.log {
		if strings.Contains(c.Path, pathContains) {
			out = append(out, c)
		}
	}
	return out
}

// wait waits up to 10 s for n accepted calls whose path contains
// pathContains and returns all such calls (n or more).
func (f *fakeLark) wait(t testing.TB, pathContains string, n int) []larkCall {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := f.calls(pathContains)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("lark fake: %d calls to %q after 10s, want %d; refused: %v", len(got), pathContains, n, f.refusals())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// limit makes the next n calls whose path contains pathContains answer a
// rate limit, as Lark does: HTTP 429 when http429, else HTTP 200, both with
// code 99991400 and x-ogw-ratelimit-reset: 1.
func (f *fakeLark) limit(pathContains string, n int, http429 bool) {
	status := http.StatusOK
	if http429 {
		status = http.StatusTooManyRequests
	}
	h := http.Header{}
	h.Set("x-ogw-ratelimit-limit", "50")
	h.Set("x-ogw-ratelimit-reset", "1")
	f.fail(pathContains, n, status, h, `{"code":99991400,"msg":"request trigger frequency limit"}`)
}

// fail makes the next n calls whose path contains pathContains answer
// status, header and body (JSON or not; the content type follows).
func (f *fakeLark) fail(pathContains string, n, status int, header http.Header, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, &larkFault{path: pathContains, n: n, status: status, header: header, body: body})
}

// leave takes the bot out of a chat: messages to it are refused with
// code 230002, as Lark does.
func (f *fakeLark) leave(chatID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.outOf[chatID] = true
}

// shown returns the accepted calls whose path contains pathContains that
// put a message in a chat: those not answered as a uuid's resend.
func (f *fakeLark) shown(pathContains string) []larkCall {
	var out []larkCall
	for _, c := range f.calls(pathContains) {
		if !c.Dup {
			out = append(out, c)
		}
	}
	return out
}

// setUser makes contact.v3.user.get know a person. contact.v3 has no
// locale field, so locale is kept but never answered, as on Lark.
func (f *fakeLark) setUser(openID, name, tz, locale string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[openID] = fakeUser{name: name, tz: tz, locale: locale}
}

// refusedCalls counts the calls to paths containing pathContains that
// were answered with an error.
func (f *fakeLark) refusedCalls(pathContains string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for p, k := range f.refused {
		if strings.Contains(p, pathContains) {
			n += k
		}
	}
	return n
}

func (f *fakeLark) refusals() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.refused))
	for p, k := range f.refused {
		out[p] = k
	}
	return out
}

// answer is a handler's reply: HTTP status and JSON body; dup when it is
// the message sent earlier under the call's uuid.
type answer struct {
	status int
	body   map[string]any
	dup    bool
}

func success(data map[string]any) answer {
	body := map[string]any{"code": 0, "msg": "success"}
	if data != nil {
		body["data"] = data
	}
	return answer{status: http.StatusOK, body: body}
}

func larkErr(status, code int, msg string) answer {
	return answer{status: status, body: map[string]any{"code": code, "msg": msg}}
}

// route registers a handler behind the token check (when auth) and the
// injected faults, and records the calls it accepts.
func (f *fakeLark) route(mux *http.ServeMux, pattern string, auth bool, h func(r *http.Request, c larkCall) answer) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		c := larkCall{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Raw: string(raw), Auth: r.Header.Get("Authorization")}
		_ = json.Unmarshal(raw, &c.Body)
		switch {
		case auth && c.Auth == "":
			f.count(c, false)
			writeAnswer(w, larkErr(http.StatusUnauthorized, 99991661, "Missing access token for authorization. Please make a request with token attached."))
		case auth && c.Auth != "Bearer "+fakeToken:
			f.count(c, false)
			writeAnswer(w, larkErr(http.StatusUnauthorized, 99991663, "Invalid access token for authorization. Please make a request with token attached."))
		default:
			if fl := f.takeFault(c.Path); fl != nil {
				f.count(c, false)
				fl.write(w)
				return
			}
			a := h(r, c)
			c.Dup = a.dup
			f.count(c, a.status == http.StatusOK && a.body["code"] == 0)
			writeAnswer(w, a)
		}
	})
}

// count records an accepted call, or counts a refused one.
func (f *fakeLark) count(c larkCall, accepted bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if accepted {
		f.log = append(f.log, c)
	} else {
		f.refused[c.Path]++
	}
}

func writeAnswer(w http.ResponseWriter, a answer) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Tt-Logid", "fake-log-id")
	w.WriteHeader(a.status)
	_ = json.NewEncoder(w).Encode(a.body)
}

// takeFault uses up one call of the first fault matching path.
func (f *fakeLark) takeFault(path string) *larkFault {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, fl := range f.faults {
		if strings.Contains(path, fl.path) {
			fl.n--
			if fl.n <= 0 {
				f.faults = append(f.faults[:i], f.faults[i+1:]...)
			}
			return fl
		}
	}
	return nil
}

func (fl *larkFault) write(w http.ResponseWriter) {
	for k, vs := range fl.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if json.Valid([]byte(fl.body)) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	w.WriteHeader(fl.status)
	_, _ = io.WriteString(w, fl.body)
}

// token answers auth.v3.tenant_access_token.internal.
func (f *fakeLark) token(_ *http.Request, c larkCall) answer {
	if s, _ := c.Body["app_id"].(string); s == "" {
		return larkErr(http.StatusBadRequest, 10003, "invalid param")
	}
	if s, _ := c.Body["app_secret"].(string); s == "" {
		return larkErr(http.StatusBadRequest, 10014, "app secret invalid")
	}
	return answer{status: http.StatusOK, body: map[string]any{"code": 0, "msg": "ok", "tenant_access_token": fakeToken, "expire": 7200}}
}

// reply answers im.v1.message.reply.
func (f *fakeLark) reply(r *http.Request, c larkCall) answer {
	parent := r.PathValue("message_id")
	if bad, ok := badContent(c.Body); !ok {
		return bad
	}
	if a, ok := f.resent(c.Body); ok {
		return a
	}
	m := f.message(c.Body)
	m["root_id"], m["parent_id"] = parent, parent
	m["chat_id"] = "oc_fake"
	if c.Body["reply_in_thread"] == true {
		m["thread_id"] = "omt_" + strings.TrimPrefix(m["message_id"].(string), "om_")
	}
	return f.sent(c.Body, m)
}

// create answers im.v1.message.create.
func (f *fakeLark) create(_ *http.Request, c larkCall) answer {
	switch c.Query.Get("receive_id_type") {
	case "open_id", "user_id", "union_id", "email", "chat_id":
	default:
		return larkErr(http.StatusBadRequest, 230001, "Your request contains an invalid request parameter, receive_id_type is invalid.")
	}
	receiver, _ := c.Body["receive_id"].(string)
	if receiver == "" {
		return larkErr(http.StatusBadRequest, 230001, "Your request contains an invalid request parameter, receive_id is empty.")
	}
	if bad, ok := badContent(c.Body); !ok {
		return bad
	}
	f.mu.Lock()
	out := f.outOf[receiver]
	f.mu.Unlock()
	if out {
		return larkErr(http.StatusBadRequest, 230002, "Bot/User can NOT be out of the chat.")
	}
	if a, ok := f.resent(c.Body); ok {
		return a
	}
	m := f.message(c.Body)
	if c.Query.Get("receive_id_type") == "chat_id" {
		m["chat_id"] = receiver
	}
	return f.sent(c.Body, m)
}

// patch answers im.v1.message.patch, whose data is empty.
func (f *fakeLark) patch(_ *http.Request, c larkCall) answer {
	if s, _ := c.Body["content"].(string); !json.Valid([]byte(s)) {
		return larkErr(http.StatusBadRequest, 230001, "Your request contains an invalid request parameter, content is invalid.")
	}
	return success(map[string]any{})
}

// user answers contact.v3.user.get; a person it does not know is outside
// the app's contact scope.
func (f *fakeLark) user(r *http.Request, c larkCall) answer {
	if t := c.Query.Get("user_id_type"); t != "" && t != "open_id" {
		return larkErr(http.StatusBadRequest, 40001, "param error: fake knows open_id only")
	}
	id := r.PathValue("user_id")
	f.mu.Lock()
	u, found := f.users[id]
	f.mu.Unlock()
	if !found {
		return larkErr(http.StatusBadRequest, 41050, "no user authority error")
	}
	return success(map[string]any{"user": map[string]any{
		"open_id": id, "union_id": "on_" + strings.TrimPrefix(id, "ou_"),
		"name": u.name, "en_name": u.name, "time_zone": u.tz,
		"status": map[string]any{"is_frozen": false, "is_resigned": false, "is_activated": true, "is_exited": false, "is_unjoin": false},
	}})
}

// badContent checks an im body's msg_type and content, which must be a
// JSON string.
func badContent(body map[string]any) (answer, bool) {
	typ, _ := body["msg_type"].(string)
	content, _ := body["content"].(string)
	if typ == "" || !json.Valid([]byte(content)) {
		return larkErr(http.StatusBadRequest, 230001, "Your request contains an invalid request parameter, msg_type or content is invalid."), false
	}
	return answer{}, true
}

// resent answers a call whose uuid was sent under within the hour with
// that message.
func (f *fakeLark) resent(body map[string]any) (answer, bool) {
	uuid, _ := body["uuid"].(string)
	if uuid == "" {
		return answer{}, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.byUUID[uuid]
	if !ok || time.Since(u.at) >= uuidWindow {
		return answer{}, false
	}
	a := success(u.data)
	a.dup = true
	return a, true
}

// sent keeps a new message under its call's uuid and answers it.
func (f *fakeLark) sent(body, m map[string]any) answer {
	if uuid, _ := body["uuid"].(string); uuid != "" {
		f.mu.Lock()
		f.byUUID[uuid] = uuidUse{data: m, at: time.Now()}
		f.mu.Unlock()
	}
	return success(m)
}

// message is the data of a message the fake sends.
func (f *fakeLark) message(body map[string]any) map[string]any {
	f.mu.Lock()
	f.nextID++
	id := fmt.Sprintf("om_fake_%d", f.nextID)
	f.mu.Unlock()
	now := strconv.FormatInt(time.Now().UnixMilli(), 10)
	return map[string]any{
		"message_id": id, "msg_type": body["msg_type"],
		"create_time": now, "update_time": now, "deleted": false, "updated": false,
		"sender":   map[string]any{"id": "cli_fake", "id_type": "app_id", "sender_type": "app", "tenant_key": "fake_tenant"},
		"body":     map[string]any{"content": body["content"]},
		"mentions": []any{},
	}
}
