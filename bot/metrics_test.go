package bot

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dealcoach/dealcoach/store"
)

// scrape is reg's /metrics text.
func scrape(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

// sample is the value of the sample of name whose labels include every
// label="value" given, or -1 when there is none.
func sample(text, name string, labels ...string) float64 {
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(line[:i], l)
		}
		if ok {
			v, _ := strconv.ParseFloat(line[i+1:], 64)
			return v
		}
	}
	return -1
}

func TestTransportCountsAPICalls(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/users.info"):
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		case strings.Contains(r.URL.Path, "/reply"):
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer api.Close()
	slack := &http.Client{Transport: m.Transport("slack")(http.DefaultTransport)}
	lark := &http.Client{Transport: m.Transport("lark")(http.DefaultTransport)}
	for _, u := range []string{"/api/chat.postMessage", "/api/chat.postMessage", "/api/users.info", "/commands/T1/123/abc"} {
		resp, err := slack.Post(api.URL+u, "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err := lark.Post(api.URL+"/open-apis/im/v1/messages/om_3f9a1b2c/reply", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := lark.Get("http://127.0.0.1:1/open-apis/im/v1/messages"); err == nil {
		t.Fatal("a call to a closed port answered")
	}
	text := scrape(t, reg)
	for _, c := range []struct {
		labels []string
		want   float64
	}{
		{[]string{`method="chat.postMessage"`, `platform="slack"`, `result="ok"`}, 2},
		{[]string{`method="users.info"`, `result="rate_limited"`}, 1},
		{[]string{`method="response_url"`, `result="ok"`}, 1},
		{[]string{`method="POST im/v1/messages/:id/reply"`, `platform="lark"`, `result="server_error"`}, 1},
		{[]string{`method="GET im/v1/messages"`, `result="error"`}, 1},
	} {
		if got := sample(text, "dealcoach_platform_api_calls_total", c.labels...); got != c.want {
			t.Errorf("api calls %v = %v, want %v\n%s", c.labels, got, c.want, text)
		}
	}
	if got := sample(text, "dealcoach_platform_api_seconds_count", `platform="slack"`); got != 4 {
		t.Errorf("slack api latency count = %v", got)
	}
	m.OnRetry("slack")("C1", errors.New("429"), true)
	m.OnGiveUp("lark")("oc_1", errors.New("gone"))
	text = scrape(t, reg)
	if sample(text, "dealcoach_platform_retries_total", `reason="rate_limited"`) != 1 || sample(text, "dealcoach_platform_replies_dropped_total", `platform="lark"`) != 1 {
		t.Errorf("retries and drops not counted:\n%s", text)
	}
}

func TestAPIMethodKeepsLabelsFew(t *testing.T) {
	for path, want := range map[string]string{
		"/api/chat.postMessage":                              "chat.postMessage",
		"/api/files.getUploadURLExternal":                    "files.getUploadURLExternal",
		"/commands/T0001/1234/xyz":                           "response_url",
		"/open-apis/auth/v3/tenant_access_token/internal":    "POST auth/v3/tenant_access_token/internal",
		"/open-apis/contact/v3/users/ou_7d8a6e6df7621556ce0": "POST contact/v3/users/:id",
		"/open-apis/im/v1/images":                            "POST im/v1/images",
	} {
		platform := "lark"
		if !strings.HasPrefix(path, "/open-apis") {
			platform = "slack"
		}
		req := httptest.NewRequest("POST", path, nil)
		if got := apiMethod(platform, req); got != want {
			t.Errorf("apiMethod(%s) = %q, want %q", path, got, want)
		}
	}
}

// The store's collector: queues on every scrape, the deals once they
// changed; the messages by kind and outcome; the scheduler's ticks.
func TestMetricsMoveAfterTraffic(t *testing.T) {
	ctx := context.Background()
	now := func() time.Time { return testNow }
	h := newHarness(t)
	db := h.db
	reg := prometheus.NewRegistry()
	col := NewStoreCollector(db, now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	col.(*storeCollector).minGap = 0
	reg.MustRegister(col)
	m := NewMetrics(reg)
	before := scrape(t, reg)
	if sample(before, "dealcoach_store_stats_up") != 1 || sample(before, "dealcoach_deals") != -1 || sample(before, "dealcoach_outbox_pending") != -1 {
		t.Fatalf("before any traffic:\n%s", before)
	}
	c := h.bot.cfg
	c.Metrics = m
	b, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"new deal Acme 10k", "new deal Globex 20k", "Acme moved to approved", "Nonesuch won", "list"} {
		if _, err := b.Handle(ctx, Message{Platform: "slack", Team: "t", Channel: "D1", UserID: "U1", UserName: "Rita", Text: text, Time: testNow}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Enqueue(ctx, store.OutboxMessage{IdemKey: "nudge:1", Platform: "slack", Channel: "U1", Payload: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Receive(ctx, "slack", "Ev1", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	m.SchedulerTick(3, nil)
	m.SchedulerTick(0, errors.New("database is locked"))

	var after string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if after = scrape(t, reg); sample(after, "dealcoach_deals", `status="open"`) >= 1 {
			break
		}
	}
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"dealcoach_messages_total", []string{`kind="new"`, `outcome="ok"`, `platform="slack"`}, 2},
		{"dealcoach_messages_total", []string{`kind="update"`, `outcome="ok"`}, 1},
		{"dealcoach_messages_total", []string{`kind="won"`, `outcome="not_found"`}, 1},
		{"dealcoach_messages_total", []string{`kind="list"`, `outcome="ok"`}, 1},
		{"dealcoach_message_seconds_count", []string{`kind="new"`, `platform="slack"`}, 2},
		{"dealcoach_deals", []string{`stage="prospect"`, `status="open"`}, 1},
		{"dealcoach_deals", []string{`stage="approved"`, `status="open"`}, 1},
		{"dealcoach_outbox_pending", []string{`platform="slack"`}, 1},
		{"dealcoach_outbox_oldest_age_seconds", []string{`platform="slack"`}, 0},
		{"dealcoach_inbox_backlog", []string{`platform="slack"`}, 1},
		{"dealcoach_scheduler_ticks_total", []string{`result="ok"`}, 1},
		{"dealcoach_scheduler_ticks_total", []string{`result="error"`}, 1},
		{"dealcoach_scheduler_messages_enqueued_total", nil, 3},
	} {
		if got := sample(after, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if t.Failed() {
		t.Log(after)
	}
}
