package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
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
)

// fakeSlackAPI answers the Web API calls serve makes, and records the
// messages posted.
type fakeSlackAPI struct {
	mu    sync.Mutex
	posts []string // "channel: text"
}

func (f *fakeSlackAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	switch {
	case strings.HasSuffix(r.URL.Path, "/users.info"):
		fmt.Fprint(w, `{"ok":true,"user":{"id":"U1","name":"rita","tz":"Asia/Shanghai","locale":"en-US","profile":{"display_name":"Rita"}}}`)
	case strings.HasSuffix(r.URL.Path, "/conversations.open"):
		fmt.Fprintf(w, `{"ok":true,"channel":{"id":"D%s"}}`, r.Form.Get("users"))
	case strings.HasSuffix(r.URL.Path, "/conversations.history"):
		fmt.Fprint(w, `{"ok":true,"messages":[]}`)
	case strings.HasSuffix(r.URL.Path, "/chat.postMessage"):
		f.mu.Lock()
		f.posts = append(f.posts, r.Form.Get("channel")+": "+r.Form.Get("blocks"))
		f.mu.Unlock()
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1.%d"}`, r.Form.Get("channel"), time.Now().UnixNano())
	default:
		fmt.Fprint(w, `{"ok":true}`)
	}
}

func (f *fakeSlackAPI) posted() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.posts...)
}

// startServe starts serve with Slack over HTTP against the fake Web API
// at apiURL, with more environment after the defaults.
func startServe(t *testing.T, db, apiURL, now string, env ...string) *serveProc {
	t.Helper()
	return runServe(t, db, append([]string{"DEALCOACH_NOW=" + now, "DEALCOACH_ADMINS=U1", "DEALCOACH_LANG=en",
		"DEALCOACH_FONT=/nonexistent.ttf", "SLACK_BOT_TOKEN=xoxb-e2e", "SLACK_SIGNING_SECRET=e2e-secret",
		"SLACK_API_URL=" + apiURL + "/api/"}, env...)...)
}

// command posts a signed /deal and returns the answer, failing on any
// status but 200.
func (p *serveProc) command(channel, text string) string {
	p.t.Helper()
	code, body := p.post(channel, text, true)
	if code != http.StatusOK {
		p.t.Fatalf("%s: %d %s", text, code, body)
	}
	return body
}

// post posts /deal text from U1 in channel, signed or not.
func (p *serveProc) post(channel, text string, signed bool) (int, string) {
	p.t.Helper()
	body := url.Values{"team_id": {"T1"}, "channel_id": {channel}, "user_id": {"U1"}, "user_name": {"rita"},
		"command": {"/deal"}, "text": {text}, "response_url": {"http://127.0.0.1:1/respond"},
		"trigger_id": {strconv.FormatInt(time.Now().UnixNano(), 10)}}.Encode()
	req, _ := http.NewRequest(http.MethodPost, "http://"+p.addr+"/slack/commands", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if signed {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		mac := hmac.New(sha256.New, []byte("e2e-secret"))
		fmt.Fprintf(mac, "v0:%s:%s", ts, body)
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// "dealcoach serve" sends the day's reminder and the week's digest it
// missed while down, once, through Slack; a restart sends nothing again.
// The nudge and digest commands print what would be sent.
func TestServeCatchesUpRemindersAndDigestOnce(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sched.db")
	api := &fakeSlackAPI{}
	srv := httptest.NewServer(api)
	defer srv.Close()

	// Sunday evening: set up a team, its digest channel, and a deal.
	p := startServe(t, db, srv.URL, "2026-11-22T20:00:00+08:00")
	for _, c := range []struct{ channel, text string }{
		{"D1", "team new East"}, {"C9", "digest here"}, {"C9", "team target 2026-Q4 5M"}, {"D1", "new Acme 100k"},
	} {
		if got := p.command(c.channel, c.text); strings.Contains(got, "nothing changed") {
			t.Fatalf("/deal %s: %s", c.text, got)
		}
	}
	p.stop()

	// Printed, not sent: the reminders of Monday and the digest of W47.
	out, errOut, code := dealcoach(t, db, "", "nudge", "--date", "2026-11-23")
	if code != 0 || !strings.Contains(out, "nudge:2026-11-23:slack:U1") || !strings.Contains(out, "Acme") {
		t.Fatalf("nudge: %d %s %s", code, out, errOut)
	}
	if strings.Contains(strings.ToLower(errOut), "font") { // reminders draw no chart
		t.Fatalf("nudge warns of the chart's font:\n%s", errOut)
	}
	out, errOut, code = dealcoach(t, db, "", "nudge", "--date", "2026-11-28")
	if code != 0 || !strings.Contains(out, "No reminders for 2026-11-28: Saturday is a weekend day for your team: no reminders.") {
		t.Fatalf("nudge on a Saturday: %d %s %s", code, out, errOut)
	}
	out, errOut, code = dealcoach(t, db, "", "digest", "--team", "east", "--week", "2026-W47")
	if code != 0 || !strings.Contains(out, "digest:1:2026-W47") || !strings.Contains(out, "slack C9") {
		t.Fatalf("digest: %d %s %s", code, out, errOut)
	}
	if _, _, code := dealcoach(t, db, "", "digest", "--week", "2026-W99"); code == 0 {
		t.Fatal("digest accepted week 99")
	}
	if n := len(api.posted()); n != 0 {
		t.Fatalf("printing posted %d messages", n)
	}

	// Down over Monday 09:00; up again at 11:00: both go out once.
	p = startServe(t, db, srv.URL, "2026-11-23T11:00:00+08:00")
	deadline := time.Now().Add(10 * time.Second)
	for len(api.posted()) < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	p.stop()
	posts := api.posted()
	if len(posts) != 2 {
		t.Fatalf("posted %d messages, want the reminder and the digest: %q\n%s", len(posts), posts, p.logs.String())
	}
	var dm, digest bool
	for _, s := range posts {
		dm = dm || strings.HasPrefix(s, "DU1: ") && strings.Contains(s, "Acme")
		digest = digest || strings.HasPrefix(s, "C9: ") && strings.Contains(s, "East")
	}
	if !dm || !digest {
		t.Fatalf("posts: %q", posts)
	}

	// A restart the same day sends nothing again; --post of a run done is a no-op.
	p = startServe(t, db, srv.URL, "2026-11-23T11:30:00+08:00")
	time.Sleep(1500 * time.Millisecond) // a sender round
	p.stop()
	out, _, code = dealcoach(t, db, "", "digest", "--team", "East", "--week", "2026-W47", "--post")
	if code != 0 || !strings.Contains(out, "Posted: 0 messages") {
		t.Fatalf("digest --post of a sent digest: %d %s", code, out)
	}
	if n := len(api.posted()); n != 2 {
		t.Fatalf("after a restart, %d messages in all", n)
	}
}

// "dealcoach digest" works from the first deal: with no team set up,
// everyone is one default team. Terminal users' digests are printed, and
// --post says so.
func TestDigestBeforeAnyTeam(t *testing.T) {
	db := filepath.Join(t.TempDir(), "fresh.db")
	if out, errOut, code := dealcoach(t, db, "新商机 经信银行 80万\n", "chat", "--as", "小王"); code != 0 {
		t.Fatalf("chat: %d %s %s", code, out, errOut)
	}
	out, errOut, code := dealcoach(t, db, "", "digest", "--week", "2026-W48")
	if code != 0 || !strings.Contains(out, "全员 · 销售周报 2026-W48") || !strings.Contains(out, "小王") || !strings.Contains(out, "digest:0:2026-W48") {
		t.Fatalf("digest: %d %s %s", code, out, errOut)
	}
	out, errOut, code = dealcoach(t, db, "", "digest", "--week", "2026-W48", "--post")
	if code != 0 || !strings.Contains(out, "for terminal users are printed only") {
		t.Fatalf("digest --post: %d %s %s", code, out, errOut)
	}
}
