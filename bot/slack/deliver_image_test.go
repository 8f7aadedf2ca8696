package slack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/adapter/outbox"
)

// fileSlack is the part of Slack's Web API the outbox uses, over loopback:
// conversations.open and .history, chat.postMessage, and the files v2
// upload (files.getUploadURLExternal, the POST to the upload URL,
// files.completeUploadExternal), whose shared files show in the history
// as Slack shows them: a message with files, named as uploaded.
type fileSlack struct {
	srv *httptest.Server

	mu       sync.Mutex
	calls    []apiCall
	uploads  map[string]fileUpload                  // file id → what was asked and sent
	history  map[string][]map[string]any            // channel → messages, oldest first
	failures map[string][]func(http.ResponseWriter) // method → answers to give instead, in turn
	n        int
}

// fileUpload is one file of the v2 flow.
type fileUpload struct {
	name, alt string
	length    int
	body      []byte // the multipart file part's bytes; nil until POSTed
	part      string // the multipart file part's file name
	shared    bool
}

func newFileSlack(t testing.TB) *fileSlack {
	f := &fileSlack{uploads: map[string]fileUpload{}, history: map[string][]map[string]any{},
		failures: map[string][]func(http.ResponseWriter){}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// fail makes the next call of method answer with w instead.
func (f *fileSlack) fail(method string, w func(http.ResponseWriter)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[method] = append(f.failures[method], w)
}

func slackError(code string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ok":false,"error":%q}`, code)
	}
}

func rateLimited(seconds int) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Retry-After", fmt.Sprint(seconds))
		w.WriteHeader(http.StatusTooManyRequests)
	}
}

func (f *fileSlack) serve(w http.ResponseWriter, r *http.Request) {
	if id, ok := strings.CutPrefix(r.URL.Path, "/upload/"); ok {
		f.receive(w, r, id)
		return
	}
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	raw, _ := io.ReadAll(r.Body)
	c := apiCall{Method: method, Raw: string(raw)}
	c.Form, _ = url.ParseQuery(string(raw))
	f.mu.Lock()
	if fs := f.failures[method]; len(fs) > 0 {
		f.failures[method] = fs[1:]
		f.mu.Unlock()
		fs[0](w)
		return
	}
	f.calls = append(f.calls, c)
	f.n++
	ts := fmt.Sprintf("%d.%06d", testNow.Unix(), f.n)
	answer := f.answer(c, ts)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(answer)
}

// answer is a Web API method's answer; f.mu is held.
func (f *fileSlack) answer(c apiCall, ts string) map[string]any {
	switch c.Method {
	case "conversations.open":
		return map[string]any{"ok": true, "channel": map[string]any{"id": "D" + c.Form.Get("users")}}
	case "chat.postMessage":
		m := map[string]any{"type": "message", "ts": ts, "text": c.Form.Get("text")}
		if md := c.Form.Get("metadata"); md != "" {
			m["metadata"] = json.RawMessage(md)
		}
		ch := c.Form.Get("channel")
		f.history[ch] = append(f.history[ch], m)
		return map[string]any{"ok": true, "channel": ch, "ts": ts}
	case "conversations.history":
		var msgs []map[string]any
		all := f.history[c.Form.Get("channel")]
		for i := len(all) - 1; i >= 0; i-- { // newest first
			msgs = append(msgs, all[i])
		}
		return map[string]any{"ok": true, "messages": msgs, "has_more": false}
	case "files.getUploadURLExternal":
		length := 0
		fmt.Sscan(c.Form.Get("length"), &length)
		id := fmt.Sprintf("F%04d", f.n)
		f.uploads[id] = fileUpload{name: c.Form.Get("filename"), alt: c.Form.Get("alt_txt"), length: length}
		return map[string]any{"ok": true, "upload_url": f.srv.URL + "/upload/" + id, "file_id": id}
	case "files.completeUploadExternal":
		var files []struct{ ID, Title string }
		if err := json.Unmarshal([]byte(c.Form.Get("files")), &files); err != nil || len(files) != 1 {
			return map[string]any{"ok": false, "error": "invalid_arguments"}
		}
		u, ok := f.uploads[files[0].ID]
		if !ok || u.body == nil || len(u.body) != u.length {
			return map[string]any{"ok": false, "error": "upload_not_complete"} // hypothetical; Slack answers an error
		}
		u.shared = true
		f.uploads[files[0].ID] = u
		ch := c.Form.Get("channel_id")
		f.history[ch] = append(f.history[ch], map[string]any{"type": "message", "subtype": "file_share", "ts": ts,
			"text":  c.Form.Get("initial_comment"),
			"files": []map[string]any{{"id": files[0].ID, "name": u.name, "title": files[0].Title, "mimetype": "image/png"}}})
		return map[string]any{"ok": true, "files": []map[string]any{{"id": files[0].ID, "title": files[0].Title}}}
	}
	return map[string]any{"ok": false, "error": "unknown_method"}
}

// receive takes the POST of a file's bytes to its upload URL, as Slack
// does: a multipart form whose file part is the file, answered in plain
// text.
func (f *fileSlack) receive(w http.ResponseWriter, r *http.Request, id string) {
	f.mu.Lock()
	if fs := f.failures["upload"]; len(fs) > 0 {
		f.failures["upload"] = fs[1:]
		f.mu.Unlock()
		fs[0](w)
		return
	}
	f.mu.Unlock()
	file, hdr, err := r.FormFile("file")
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	body, _ := io.ReadAll(file)
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.uploads[id]
	if !ok || r.Header.Get("Authorization") != "Bearer xoxb-test" {
		http.Error(w, "unknown upload", http.StatusNotFound)
		return
	}
	u.body, u.part = body, hdr.Filename
	f.uploads[id] = u
	f.calls = append(f.calls, apiCall{Method: "upload/" + id})
	fmt.Fprintf(w, "OK - %d", len(body))
}

// methods lists the calls' methods in order, the upload POSTs as "upload".
func (f *fileSlack) methods() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		m := c.Method
		if strings.HasPrefix(m, "upload/") {
			m = "upload"
		}
		out = append(out, m)
	}
	return out
}

func (f *fileSlack) of(method string) []apiCall {
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

// shared lists the files shared, by name.
func (f *fileSlack) shared() map[string]fileUpload {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]fileUpload{}
	for _, u := range f.uploads {
		if u.shared {
			out[u.name] = u
		}
	}
	return out
}

// fileEnv is the harness talking to fileSlack, on a clock the test moves.
type fileEnv struct {
	*harness
	files *fileSlack
	now   time.Time
}

func newFileEnv(t *testing.T) *fileEnv {
	files := newFileSlack(t)
	return &fileEnv{harness: newHarnessAt(t, files.srv.URL+"/api/"), files: files, now: testNow}
}

func (e *fileEnv) sender() *outbox.Sender { return e.harness.sender(&e.now) }

// chartPNG is a PNG's signature and some bytes that no text encoding
// would carry intact (NUL, CR LF, high bytes).
func chartPNG(n int) []byte {
	b := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, n)...)
	for i := 8; i < len(b); i++ {
		b[i] = byte(i * 7)
	}
	return b
}

func chart() *bot.Image {
	return &bot.Image{PNG: chartPNG(5000), Name: "funnel-2026-W48.png", Alt: "Funnel: 12 leads, 5 proposals, 2 won"}
}

// wantName is imageName written out: the stem, 8 hex digits of the key's
// SHA-256, the extension.
func wantName(stem, key, ext string) string {
	sum := sha256.Sum256([]byte(key))
	return stem + "-" + hex.EncodeToString(sum[:])[:8] + ext
}

func TestDeliverUploadsAnImageWithItsCaptionToTheChannel(t *testing.T) {
	e := newFileEnv(t)
	key := "digest-chart/2026-W48/C1"
	img := chart()
	r := bot.Reply{Lang: "en", Image: img, Blocks: []bot.Block{{Kind: bot.TextBlock, Text: "Week 48 <funnel> & more"}}}
	if err := e.a.Deliverer().Deliver(context.Background(), outbox.Message{IdemKey: key, Channel: "C1"}, r); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(e.files.methods(), " "); got != "files.getUploadURLExternal upload files.completeUploadExternal" {
		t.Fatalf("calls: %s", got)
	}
	name := wantName("funnel-2026-W48", key, ".png")
	get := e.files.of("files.getUploadURLExternal")[0].Form
	if get.Get("filename") != name || get.Get("length") != fmt.Sprint(len(img.PNG)) || get.Get("alt_txt") != img.Alt {
		t.Fatalf("files.getUploadURLExternal %v, want %s of %d bytes", get, name, len(img.PNG))
	}
	u, ok := e.files.shared()[name]
	if !ok || !bytes.Equal(u.body, img.PNG) {
		t.Fatalf("shared %v; want %s with the PNG's %d bytes intact", e.files.shared(), name, len(img.PNG))
	}
	done := e.files.of("files.completeUploadExternal")[0].Form
	if done.Get("channel_id") != "C1" || done.Get("initial_comment") != "Week 48 &lt;funnel&gt; &amp; more" ||
		!strings.Contains(done.Get("files"), `"title":"`+img.Alt+`"`) {
		t.Fatalf("files.completeUploadExternal %v", done)
	}
}

func TestDeliverUploadsToAPersonsDM(t *testing.T) {
	e := newFileEnv(t)
	d := e.a.Deliverer()
	for _, week := range []string{"W48", "W49"} {
		m := outbox.Message{IdemKey: "digest-chart/2026-" + week + "/U7", Channel: "U7"}
		if err := d.Deliver(context.Background(), m, bot.Reply{Image: chart()}); err != nil {
			t.Fatal(err)
		}
	}
	if opens := e.files.of("conversations.open"); len(opens) != 1 || opens[0].Form.Get("users") != "U7" {
		t.Fatalf("conversations.open %v, want once for U7", opens)
	}
	for _, c := range e.files.of("files.completeUploadExternal") {
		if c.Form.Get("channel_id") != "DU7" || c.Form.Has("initial_comment") {
			t.Fatalf("shared to %v", c.Form)
		}
	}
	if n := len(e.files.shared()); n != 2 {
		t.Fatalf("%d files shared, want 2 under different names", n)
	}
}

func TestDeliverUploadsTheImageThenPostsTheBlocks(t *testing.T) {
	e := newFileEnv(t)
	key := "digest/2026-W48/C1"
	r := bot.Reply{Lang: "en", Image: chart(), Blocks: []bot.Block{{Kind: bot.HeaderBlock, Text: "Weekly digest"},
		{Kind: bot.ListBlock, Items: []string{"Acme 120k", "Globex 80k"}}}}
	if err := e.a.Deliverer().Deliver(context.Background(), outbox.Message{IdemKey: key, Channel: "C1"}, r); err != nil {
		t.Fatal(err)
	}
	want := "files.getUploadURLExternal upload files.completeUploadExternal chat.postMessage"
	if got := strings.Join(e.files.methods(), " "); got != want {
		t.Fatalf("calls: %s, want %s", got, want)
	}
	if c := e.files.of("files.completeUploadExternal")[0]; c.Form.Has("initial_comment") {
		t.Fatalf("the blocks went into the comment too: %v", c.Form)
	}
	p := e.files.of("chat.postMessage")[0]
	if p.Form.Get("channel") != "C1" || !strings.Contains(p.Form.Get("blocks"), "Globex 80k") || metaOf(t, p).EventPayload.Key != key {
		t.Fatalf("posted %v", p.Form)
	}
}

func TestDeliveredFindsTheImageByItsName(t *testing.T) {
	e := newFileEnv(t)
	ctx := context.Background()
	d := e.a.Deliverer()
	msg := func(key, channel string, r bot.Reply) outbox.Message {
		p, err := outbox.Payload(r)
		if err != nil {
			t.Fatal(err)
		}
		return outbox.Message{IdemKey: key, Channel: channel, Payload: p, CreatedAt: testNow}
	}
	w48 := msg("digest-chart/2026-W48/C1", "C1", bot.Reply{Image: chart()})
	if err := d.Deliver(ctx, w48, bot.Reply{Image: chart()}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		m    outbox.Message
		want bool
	}{
		{w48, true},
		// The same picture's name, another week's key.
		{msg("digest-chart/2026-W49/C1", "C1", bot.Reply{Image: chart()}), false},
		// The same key's image in another channel.
		{msg("digest-chart/2026-W48/C1", "C2", bot.Reply{Image: chart()}), false},
		// A reply with blocks after its image: the image alone is not all of it.
		{msg("digest-chart/2026-W48/C1", "C1", bot.Reply{Image: chart(), Blocks: []bot.Block{{Kind: bot.TextBlock, Text: "a"},
			{Kind: bot.TextBlock, Text: "b"}}}), false},
	} {
		got, err := d.Delivered(ctx, tc.m)
		if err != nil || got != tc.want {
			t.Errorf("Delivered(%s in %s) = %v, %v; want %v", tc.m.IdemKey, tc.m.Channel, got, err, tc.want)
		}
	}
}

// A sender uploads the image and dies before marking the message: the
// next one finds the image and uploads nothing.
func TestSenderFindsAnImageSharedBeforeACrash(t *testing.T) {
	e := newFileEnv(t)
	ctx := context.Background()
	key := "digest-chart/2026-W48/U7"
	e.enqueueReply(key, "U7", bot.Reply{Image: chart()})
	ms, err := e.db.Claim(ctx, platform, e.now, time.Minute, 10)
	if err != nil || len(ms) != 1 {
		t.Fatalf("claimed %v (%v)", ms, err)
	}
	if err := e.a.Deliverer().Deliver(ctx, outbox.MessageOf(ms[0]), bot.Reply{Image: chart()}); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(2 * time.Minute)
	if n, err := e.sender().Once(ctx); n != 1 || err != nil {
		t.Fatalf("sent %d (%v), want 1", n, err)
	}
	if n := len(e.files.of("files.completeUploadExternal")); n != 1 {
		t.Fatalf("shared %d times, want once", n)
	}
	if reads := e.files.of("conversations.history"); len(reads) != 1 || reads[0].Form.Get("channel") != "DU7" {
		t.Fatalf("history reads %v", reads)
	}
	if m := e.outboxed(key); !m.SentAt.Equal(e.now) {
		t.Fatalf("%+v, want marked sent", m)
	}
}

// The image is shared, then posting the blocks fails: the retry posts the
// blocks and does not share the image again.
func TestSenderRetryPostsTheBlocksWithoutTheImageAgain(t *testing.T) {
	e := newFileEnv(t)
	key := "digest/2026-W48/C1"
	e.enqueueReply(key, "C1", bot.Reply{Lang: "en", Image: chart(), Blocks: []bot.Block{{Kind: bot.HeaderBlock, Text: "Weekly digest"},
		{Kind: bot.TextBlock, Text: "Acme 120k"}}})
	e.files.fail("chat.postMessage", slackError("internal_error"))
	s := e.sender()
	if n, err := s.Once(context.Background()); n != 0 || err != nil {
		t.Fatalf("sent %d (%v), want 0", n, err)
	}
	m := e.outboxed(key)
	if !m.SentAt.IsZero() || !strings.Contains(m.LastError, "internal_error") || m.NextAttemptAt.Year() == 9999 {
		t.Fatalf("%+v, want retried", m)
	}
	e.now = m.NextAttemptAt
	if n, err := s.Once(context.Background()); n != 1 || err != nil {
		t.Fatalf("sent %d (%v) at the retry, want 1", n, err)
	}
	if n := len(e.files.of("files.getUploadURLExternal")); n != 1 {
		t.Fatalf("uploaded %d times, want once", n)
	}
	if posts := e.files.of("chat.postMessage"); len(posts) != 1 || !strings.Contains(posts[0].Form.Get("blocks"), "Acme 120k") {
		t.Fatalf("posts %v", posts)
	}
}

func TestImageUploadFailuresAreClassified(t *testing.T) {
	e := newFileEnv(t)
	ctx := context.Background()
	d := e.a.Deliverer().(*deliverer)
	m := outbox.Message{IdemKey: "digest-chart/2026-W48/C1", Channel: "C1"}
	for _, tc := range []struct {
		name   string
		method string
		answer func(http.ResponseWriter)
		img    *bot.Image
		retry  bool
		after  time.Duration
	}{
		{"rate limited", "files.getUploadURLExternal", rateLimited(3), chart(), true, 3 * time.Second},
		{"upload URL failing", "upload", func(w http.ResponseWriter) { w.WriteHeader(http.StatusServiceUnavailable) }, chart(), true, 0},
		{"server error", "files.completeUploadExternal", func(w http.ResponseWriter) { w.WriteHeader(http.StatusBadGateway) }, chart(), true, 0},
		{"not in the channel", "files.completeUploadExternal", slackError("not_in_channel"), chart(), false, 0},
		{"empty image", "", nil, &bot.Image{Name: "funnel.png"}, false, 0},
		{"image over the limit", "", nil, &bot.Image{PNG: chartPNG(maxFileBytes / 1024), Name: "funnel.png"}, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(e.files.methods())
			if tc.method != "" {
				e.files.fail(tc.method, tc.answer)
			}
			d.maxImage = maxFileBytes / 1024 // 1 MB: the test's stand-in for Slack's 1 GB
			err := d.Deliver(ctx, m, bot.Reply{Image: tc.img})
			if err == nil {
				t.Fatal("delivered")
			}
			retry, after := d.Classify(err)
			if retry != tc.retry || after != tc.after {
				t.Fatalf("Classify(%v) = %v, %v; want %v, %v", err, retry, after, tc.retry, tc.after)
			}
			if tc.method == "" && len(e.files.methods()) != before {
				t.Fatalf("called Slack for an image it cannot take: %v", e.files.methods()[before:])
			}
		})
	}
	if len(e.files.shared()) != 0 {
		t.Fatalf("shared %v", e.files.shared())
	}
}

func TestSenderGivesUpAnImageOverTheLimit(t *testing.T) {
	e := newFileEnv(t)
	key := "digest-chart/2026-W48/C1"
	e.enqueueReply(key, "C1", bot.Reply{Image: &bot.Image{PNG: chartPNG(64), Name: "funnel.png"}})
	d := e.a.Deliverer().(*deliverer)
	d.maxImage = 32
	s := outbox.NewSender(e.db, platform, d, outbox.Config{Now: func() time.Time { return e.now },
		Lease: time.Minute, Log: slog.New(slog.DiscardHandler)})
	if n, err := s.Once(context.Background()); n != 0 || err != nil {
		t.Fatalf("sent %d (%v)", n, err)
	}
	if m := e.outboxed(key); !m.SentAt.IsZero() || m.NextAttemptAt.Year() != 9999 || !strings.Contains(m.LastError, "over 32") {
		t.Fatalf("%+v, want given up", m)
	}
	if calls := e.files.methods(); len(calls) != 0 {
		t.Fatalf("called %v", calls)
	}
}

func TestImageName(t *testing.T) {
	key := "digest-chart/2026-W48/C1"
	for _, tc := range []struct{ name, want string }{
		{"funnel-2026-W48.png", wantName("funnel-2026-W48", key, ".png")},
		{"funnel", wantName("funnel", key, ".png")},
		{"", wantName("image", key, ".png")},
		{"../charts/funnel.jpeg", wantName("funnel", key, ".jpeg")},
	} {
		if got := imageName(key, tc.name); got != tc.want {
			t.Errorf("imageName(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	if imageName(key, "funnel.png") == imageName("digest-chart/2026-W49/C1", "funnel.png") {
		t.Fatal("two keys, one name")
	}
}
