package bot

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// fakeClock is the limiter's clock, moved by the test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// One person sending updates too fast gets a polite answer in their
// language and nothing changes; reading is never refused; others are not
// held back; the bucket fills again with time.
func TestRateLimitPerPerson(t *testing.T) {
	h := newHarness(t)
	reg := prometheus.NewRegistry()
	c := h.bot.cfg
	c.Metrics = NewMetrics(reg)
	c.RateLimit = RateLimit{Burst: 3, Every: 20 * time.Second}
	b, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	b.limit.now = clock.now
	h.bot = b

	for _, text := range []string{"new deal Acme 10k", "Acme 20k", "Acme next step: demo Friday"} {
		if got := h.say("rita", text); strings.Contains(got, "faster") {
			t.Fatalf("%q refused within the burst: %s", text, got)
		}
	}
	v := h.deal(1).Version
	got := h.say("rita", "Acme 30k")
	mustContain(t, got, "faster than I can take them in", "nothing changed")
	if h.deal(1).Version != v {
		t.Fatal("a refused update changed the deal")
	}
	mustContain(t, h.say("rita", "list"), "Acme") // reading is never refused
	mustContain(t, h.say("rita", "经信银行 金额30万"), "太快")
	if got := h.say("bob", "new deal Globex 10k"); strings.Contains(got, "faster") {
		t.Fatalf("another person held back: %s", got)
	}
	clock.add(20 * time.Second) // one more token
	if got := h.say("rita", "Acme 30k"); strings.Contains(got, "faster") {
		t.Fatalf("refused after the bucket refilled: %s", got)
	}
	mustContain(t, h.say("rita", "Acme 40k"), "faster")
	text := scrape(t, reg)
	if n := sample(text, "dealcoach_rate_limited_total", `platform="console"`); n != 3 {
		t.Errorf("rate_limited_total = %v, want 3", n)
	}
	if n := sample(text, "dealcoach_messages_total", `outcome="rate_limited"`); n < 1 {
		t.Errorf("no message counted with outcome rate_limited:\n%s", text)
	}
}

func TestLimiterPrunesFullBuckets(t *testing.T) {
	l := newLimiter(RateLimit{Burst: 2, Every: time.Second})
	clock := &fakeClock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	l.now = clock.now
	for id := range int64(limiterPrune) {
		l.allow(id)
	}
	clock.add(time.Minute)
	l.allow(-1)
	if len(l.buckets) != 1 {
		t.Fatalf("%d buckets kept, want only the new one", len(l.buckets))
	}
}

// Texts over their caps are refused with a clear answer, whatever the way
// in, and change nothing.
func TestTextCapsRefusedClearly(t *testing.T) {
	h := newHarness(t)
	long := strings.Repeat("x", 201)
	mustContain(t, h.say("rita", "new deal "+long+" 10k"), "too long", "201 characters", "at most 200", "nothing changed")
	mustContain(t, h.say("rita", "new deal Acme 10k"), "Acme")
	v := h.deal(1).Version
	mustContain(t, h.say("rita", "Acme note: "+strings.Repeat("word ", 401)), "too long", "at most 2000")
	mustContain(t, h.say("rita", "Acme next step: "+strings.Repeat("call ", 401)), "too long")
	mustContain(t, h.say("wang", "新商机 "+strings.Repeat("长", 201)+" 10万"), "太长了", "最多 200 个字")
	if h.deal(1).Version != v || h.events(1) != 1 {
		t.Fatalf("refused texts changed the deal: version %d, %d events", h.deal(1).Version, h.events(1))
	}
}
