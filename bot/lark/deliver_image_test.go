package lark

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/adapter/outbox"
)

const imagesPath = "/open-apis/im/v1/images"

// imageLark is the fake open platform with im.v1.image.create in front:
// it takes the multipart upload as Lark documents it (image_type and
// image fields, the tenant token) and hands out a new image_key each
// time; every other call goes through to the fakeLark behind it.
type imageLark struct {
	*fakeLark
	srv *httptest.Server

	mu      sync.Mutex
	uploads []imageUpload
	faults  []func(http.ResponseWriter) // answers for the next uploads, in turn
}

// imageUpload is an image the fake took.
type imageUpload struct {
	imageType, filename string
	body                []byte
	key                 string
}

func newImageLark(t testing.TB) *imageLark {
	f := &imageLark{fakeLark: newFakeLark(t)}
	behind, err := url.Parse(f.fakeLark.url())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(behind)
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == imagesPath {
			f.upload(w, r)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// fail makes the next upload answer status with a JSON body of code (a
// plain-text body when code is 0) and header.
func (f *imageLark) fail(status, code int, header http.Header) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, func(w http.ResponseWriter) {
		for k, vs := range header {
			w.Header()[k] = vs
		}
		if code == 0 {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(status)
			io.WriteString(w, http.StatusText(status))
			return
		}
		writeAnswer(w, larkErr(status, code, "fault"))
	})
}

func (f *imageLark) upload(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+fakeToken {
		writeAnswer(w, larkErr(http.StatusUnauthorized, 99991661, "Missing access token for authorization."))
		return
	}
	f.mu.Lock()
	if len(f.faults) > 0 {
		fault := f.faults[0]
		f.faults = f.faults[1:]
		f.mu.Unlock()
		fault(w)
		return
	}
	f.mu.Unlock()
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		writeAnswer(w, larkErr(http.StatusBadRequest, 234001, "Invalid request param: not a multipart form."))
		return
	}
	file, hdr, err := r.FormFile("image")
	if err != nil {
		writeAnswer(w, larkErr(http.StatusBadRequest, 234001, "Invalid request param: no image."))
		return
	}
	body, _ := io.ReadAll(file)
	typ := r.FormValue("image_type")
	if typ != "message" && typ != "avatar" {
		writeAnswer(w, larkErr(http.StatusBadRequest, 234001, "Invalid request param: image_type."))
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	u := imageUpload{imageType: typ, filename: hdr.Filename, body: body, key: fmt.Sprintf("img_v3_fake_%d", len(f.uploads)+1)}
	f.uploads = append(f.uploads, u)
	writeAnswer(w, success(map[string]any{"image_key": u.key}))
}

func (f *imageLark) taken() []imageUpload {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]imageUpload(nil), f.uploads...)
}

// imageEnv is the outbox over the harness, talking to the open platform
// through imageLark.
type imageEnv struct {
	*outboxEnv
	images *imageLark
}

func newImageEnv(t *testing.T) *imageEnv {
	images := newImageLark(t)
	return &imageEnv{outboxEnv: outboxEnvOn(newHarnessOn(t, images.fakeLark, images.srv.URL)), images: images}
}

// funnelPNG is a PNG's signature and bytes no text encoding would carry
// intact (NUL, CR LF, high bytes).
func funnelPNG(n int) []byte {
	b := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, n)...)
	for i := 8; i < len(b); i++ {
		b[i] = byte(i * 13)
	}
	return b
}

func funnel() *bot.Image {
	return &bot.Image{PNG: funnelPNG(5000), Name: "funnel-2026-W48.png", Alt: "漏斗：12 线索，5 方案，2 赢单"}
}

// imageKeyOf is the image_key of an image message's content.
func imageKeyOf(t *testing.T, c larkCall) string {
	t.Helper()
	var content struct {
		ImageKey string `json:"image_key"`
	}
	s, _ := c.Body["content"].(string)
	if err := json.Unmarshal([]byte(s), &content); err != nil {
		t.Fatalf("content %q: %v", s, err)
	}
	return content.ImageKey
}

func TestDeliverUploadsTheImageAndSendsItBeforeTheCards(t *testing.T) {
	e := newImageEnv(t)
	d := e.a.Deliverer()
	key := "digest/2026-W48/oc_team"
	m := outbox.Message{ID: 1, IdemKey: key, Platform: platform, Channel: "oc_team", CreatedAt: testNow}
	img := funnel()
	r := bot.Reply{Lang: "zh", Image: img, Blocks: []bot.Block{{Kind: bot.TextBlock, Text: "第 48 周漏斗"}}}
	if err := d.Deliver(context.Background(), m, r); err != nil {
		t.Fatal(err)
	}
	ups := e.images.taken()
	if len(ups) != 1 || ups[0].imageType != "message" || !bytes.Equal(ups[0].body, img.PNG) || ups[0].filename != img.Name {
		t.Fatalf("uploads %+v; want one of type message carrying the PNG's %d bytes intact", ups, len(img.PNG))
	}
	calls := e.lark.calls(createPath)
	if got := receivers(calls); len(got) != 2 || got[0] != "chat_id:oc_team" || got[1] != "chat_id:oc_team" {
		t.Fatalf("sent to %v", got)
	}
	if calls[0].Body["msg_type"] != "image" || imageKeyOf(t, calls[0]) != ups[0].key {
		t.Fatalf("first message %s; want an image message of %s", calls[0].Raw, ups[0].key)
	}
	if u := uuidOf(calls[0]); u != imageUUID(key) || len(u) > 50 || u == uuidOf(calls[1]) {
		t.Fatalf("image message uuid %q, want %q (at most 50 characters, not its card's)", u, imageUUID(key))
	}
	if calls[1].Body["msg_type"] != "interactive" || uuidOf(calls[1]) != outboxUUID(key, 0) ||
		!strings.Contains(calls[1].Body["content"].(string), "第 48 周漏斗") {
		t.Fatalf("second message %s", calls[1].Raw)
	}

	// A retry uploads again (another key) and resends under the same
	// uuids: Lark shows nothing new.
	if err := d.Deliver(context.Background(), m, r); err != nil {
		t.Fatal(err)
	}
	ups, calls = e.images.taken(), e.lark.calls(createPath)
	if len(ups) != 2 || ups[1].key == ups[0].key || imageKeyOf(t, calls[2]) != ups[1].key {
		t.Fatalf("retry: uploads %d, sent %s", len(ups), calls[2].Raw)
	}
	if len(calls) != 4 || uuidOf(calls[2]) != imageUUID(key) || !calls[2].Dup || !calls[3].Dup || len(e.lark.shown(createPath)) != 2 {
		t.Fatalf("retry: %d sends, %d shown", len(calls), len(e.lark.shown(createPath)))
	}
}

func TestDeliverSendsAnImageAloneToAPerson(t *testing.T) {
	e := newImageEnv(t)
	m := outbox.Message{ID: 1, IdemKey: "digest-chart/2026-W48/ou_wang", Platform: platform, Channel: "ou_wang", CreatedAt: testNow}
	if err := e.a.Deliverer().Deliver(context.Background(), m, bot.Reply{Image: funnel()}); err != nil {
		t.Fatal(err)
	}
	calls := e.lark.calls(createPath)
	if got := receivers(calls); len(got) != 1 || got[0] != "open_id:ou_wang" || calls[0].Body["msg_type"] != "image" {
		t.Fatalf("sent %v: %v", got, calls)
	}
	if k := imageKeyOf(t, calls[0]); k != e.images.taken()[0].key {
		t.Fatalf("sent image %q, uploaded %q", k, e.images.taken()[0].key)
	}
}

func TestImageUUIDIsStablePerKey(t *testing.T) {
	a, b := "digest-chart/2026-W48/oc_team", "digest-chart/2026-W49/oc_team"
	if imageUUID(a) != imageUUID(a) || imageUUID(a) == imageUUID(b) || len(imageUUID(a)) > 50 {
		t.Fatalf("imageUUID: %q, %q", imageUUID(a), imageUUID(b))
	}
	for i := range maxCards {
		if imageUUID(a) == outboxUUID(a, i) {
			t.Fatalf("the image and card %d share a uuid", i)
		}
	}
}

// A crash after Lark showed the image but before the outbox marked it:
// the message is sent again under the same uuid, and shows once.
func TestOutboxCrashAfterTheImageShowsItOnce(t *testing.T) {
	e := newImageEnv(t)
	ctx := context.Background()
	key := "digest-chart/2026-W48/oc_team"
	e.enqueue(key, "oc_team", bot.Reply{Image: funnel()})
	claimed, err := e.db.Claim(ctx, platform, e.now, testLease, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v, %v", claimed, err)
	}
	if err := e.a.Deliverer().Deliver(ctx, outbox.MessageOf(claimed[0]), bot.Reply{Image: funnel()}); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.Add(testLease + time.Second)
	if n, err := e.s.Once(ctx); n != 1 || err != nil {
		t.Fatalf("sent %d (%v) after the lease, want 1", n, err)
	}
	if calls := e.lark.calls(createPath); len(calls) != 2 || !calls[1].Dup || len(e.lark.shown(createPath)) != 1 {
		t.Fatalf("%d sends, %d shown; want the image shown once", len(calls), len(e.lark.shown(createPath)))
	}
	if m := e.message(key); !m.SentAt.Equal(e.now) {
		t.Fatalf("%+v, want marked sent", m)
	}
}

func TestOutboxGivesUpAnImageLarkCannotTake(t *testing.T) {
	e := newImageEnv(t)
	e.enqueue("big", "oc_team", bot.Reply{Image: &bot.Image{PNG: funnelPNG(maxImageBytes), Name: "funnel.png"}})
	e.enqueue("empty", "oc_sales", bot.Reply{Image: &bot.Image{Name: "funnel.png"}})
	if n, err := e.s.Once(context.Background()); n != 0 || err != nil {
		t.Fatalf("sent %d (%v)", n, err)
	}
	for key, want := range map[string]string{"big": "over 10485760", "empty": "empty"} {
		if m := e.message(key); !m.SentAt.IsZero() || m.NextAttemptAt.Year() != 9999 || !strings.Contains(m.LastError, want) {
			t.Errorf("%s: sent %v, next %v, error %q; want given up", key, m.SentAt, m.NextAttemptAt, m.LastError)
		}
	}
	if n := len(e.images.taken()) + len(e.lark.calls("/open-apis/im/")); n != 0 {
		t.Fatalf("%d calls for images Lark cannot take", n)
	}
}

func TestCheckImageLimit(t *testing.T) {
	for _, tc := range []struct {
		size int
		ok   bool
	}{{0, false}, {1, true}, {maxImageBytes, true}, {maxImageBytes + 1, false}} {
		if err := checkImage(&bot.Image{PNG: make([]byte, tc.size)}); (err == nil) != tc.ok {
			t.Errorf("%d bytes: %v, want ok %v", tc.size, err, tc.ok)
		}
	}
}

func TestImageUploadFailuresAreClassified(t *testing.T) {
	e := newImageEnv(t)
	d := e.a.Deliverer()
	reset := http.Header{"X-Ogw-Ratelimit-Reset": {"2"}}
	for _, tc := range []struct {
		name         string
		status, code int
		header       http.Header
		retry        bool
		after        time.Duration
	}{
		{"rate limited", http.StatusTooManyRequests, codeRateLimited, reset, true, 2 * time.Second},
		{"gateway page", http.StatusBadGateway, 0, nil, true, 0},
		{"server error", http.StatusInternalServerError, 234009, nil, true, 0},
		{"refused image", http.StatusBadRequest, 234011, nil, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.images.fail(tc.status, tc.code, tc.header)
			m := outbox.Message{IdemKey: "digest-chart/" + tc.name, Channel: "oc_team", CreatedAt: testNow}
			err := d.Deliver(context.Background(), m, bot.Reply{Image: funnel()})
			if err == nil {
				t.Fatal("delivered")
			}
			if retry, after := d.Classify(err); retry != tc.retry || after != tc.after {
				t.Fatalf("Classify(%v) = %v, %v; want %v, %v", err, retry, after, tc.retry, tc.after)
			}
		})
	}
	if n := len(e.lark.calls(createPath)); n != 0 {
		t.Fatalf("sent %d messages after failed uploads", n)
	}
}
