package outbox

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/store"
)

// fakePlatform records deliveries and fails as told.
type fakePlatform struct {
	mu        sync.Mutex
	sent      []string         // idempotency keys, in delivery order
	fail      map[string]error // key → error of its next delivery
	delivered map[string]bool  // what Delivered answers
}

var errLimited = errors.New("rate limited")
var errGone = errors.New("channel_not_found")

func (f *fakePlatform) Deliver(ctx context.Context, m Message, r bot.Reply) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail[m.IdemKey]; err != nil {
		delete(f.fail, m.IdemKey)
		return err
	}
	f.sent = append(f.sent, m.IdemKey+"="+r.PlainText())
	return nil
}

func (f *fakePlatform) Delivered(ctx context.Context, m Message) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.delivered[m.IdemKey], nil
}

func (f *fakePlatform) Classify(err error) (bool, time.Duration) {
	switch {
	case errors.Is(err, errLimited):
		return true, 30 * time.Second
	case errors.Is(err, errGone):
		return false, 0
	}
	return true, 0
}

func (f *fakePlatform) keys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.sent...)
}

type env struct {
	t   *testing.T
	db  *store.DB
	now time.Time
	p   *fakePlatform
	d   Deliverer
	s   *Sender
}

func newEnv(t *testing.T) *env {
	e := &env{t: t, now: time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC),
		p: &fakePlatform{fail: map[string]error{}, delivered: map[string]bool{}}}
	clock := func() time.Time { return e.now }
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "outbox.db"), store.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.db = db
	e.s = NewSender(db, "slack", e.p, Config{Now: clock, Lease: time.Minute, MaxAttempts: 3,
		BaseDelay: 10 * time.Second, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return e
}

func (e *env) enqueue(key, channel, text string) {
	e.t.Helper()
	payload, err := Payload(bot.Reply{Lang: "en", Blocks: []bot.Block{{Kind: bot.TextBlock, Text: text}}})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.Enqueue(context.Background(), store.OutboxMessage{IdemKey: key, Platform: "slack", Channel: channel, Payload: payload}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) once() int {
	e.t.Helper()
	n, err := e.s.Once(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestSenderKeepsOrderPerChannelThroughRateLimits(t *testing.T) {
	e := newEnv(t)
	e.enqueue("a1", "C1", "first to C1")
	e.enqueue("b1", "C2", "first to C2")
	e.enqueue("a2", "C1", "second to C1")
	e.p.fail["a1"] = errLimited
	if n := e.once(); n != 1 {
		t.Fatalf("sent %d, want 1 (C2's; C1 waits)", n)
	}
	e.now = e.now.Add(10 * time.Second)
	if n := e.once(); n != 0 {
		t.Fatal("retried before the platform's delay")
	}
	e.now = e.now.Add(25 * time.Second)
	if n := e.once(); n != 2 {
		t.Fatalf("sent %d after the delay, want 2", n)
	}
	if m, _ := e.db.OutboxByKey(context.Background(), "a2"); m.Attempts != 1 {
		t.Fatalf("waiting behind a1 cost a2 attempts: %d", m.Attempts)
	}
	want := []string{"b1=first to C2", "a1=first to C1", "a2=second to C1"}
	if got := e.p.keys(); len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("delivered %v, want %v", got, want)
	}
	if n := e.once(); n != 0 {
		t.Fatal("a sent message was sent again")
	}
}

func TestSenderBacksOffThenGivesUp(t *testing.T) {
	e := newEnv(t)
	e.enqueue("k", "C1", "hello")
	e.enqueue("gone", "C9", "to nowhere")
	e.p.fail["gone"] = errGone
	for i := range 3 {
		e.p.fail["k"] = errors.New("timeout")
		e.once()
		m, _ := e.db.OutboxByKey(context.Background(), "k")
		if i < 2 && (m.NextAttemptAt.Before(e.now.Add(5*time.Second)) || m.NextAttemptAt.After(e.now.Add(time.Duration(10<<i)*time.Second))) {
			t.Fatalf("attempt %d: next at %v, want a jittered %v backoff", i+1, m.NextAttemptAt.Sub(e.now), time.Duration(10<<i)*time.Second)
		}
		e.now = e.now.Add(time.Hour)
	}
	e.once()
	if len(e.p.keys()) != 0 {
		t.Fatalf("delivered %v", e.p.keys())
	}
	for _, key := range []string{"k", "gone"} {
		m, _ := e.db.OutboxByKey(context.Background(), key)
		if !m.SentAt.IsZero() || m.LastError == "" {
			t.Fatalf("%s: %+v", key, m)
		}
	}
	if m, _ := e.db.OutboxByKey(context.Background(), "gone"); m.Attempts != 1 {
		t.Fatalf("a permanent failure was retried: %d attempts", m.Attempts)
	}
}

// A sender that died between delivering and marking leaves a claim: after
// its lease the message comes back in doubt, and is sent again only if the
// platform does not have it.
func TestSenderSettlesMessagesInDoubt(t *testing.T) {
	e := newEnv(t)
	e.enqueue("delivered", "C1", "already there")
	e.enqueue("lost", "C2", "never went out")
	if ms, err := e.db.Claim(context.Background(), "slack", e.now, time.Minute, 10); err != nil || len(ms) != 2 {
		t.Fatalf("claim: %v %v", ms, err)
	}
	e.p.delivered["delivered"] = true // it went out before the crash
	if n := e.once(); n != 0 {
		t.Fatal("handed out within the lease")
	}
	e.now = e.now.Add(2 * time.Minute)
	if n := e.once(); n != 2 {
		t.Fatalf("settled %d, want 2", n)
	}
	if got := e.p.keys(); len(got) != 1 || got[0] != "lost=never went out" {
		t.Fatalf("delivered %v: the one already there must not go twice", got)
	}
	for _, key := range []string{"delivered", "lost"} {
		if m, _ := e.db.OutboxByKey(context.Background(), key); m.SentAt.IsZero() {
			t.Fatalf("%s not marked sent", key)
		}
	}
}

func TestSenderGivesUpAnUnreadableMessage(t *testing.T) {
	e := newEnv(t)
	e.db.Enqueue(context.Background(), store.OutboxMessage{IdemKey: "bad", Platform: "slack", Channel: "C1", Payload: []byte("{not json")})
	e.once()
	if m, _ := e.db.OutboxByKey(context.Background(), "bad"); m.LastError == "" || !m.SentAt.IsZero() {
		t.Fatalf("%+v", m)
	}
	e.now = e.now.Add(24 * time.Hour)
	if n := e.once(); n != 0 || len(e.p.keys()) != 0 {
		t.Fatal("an unreadable message was retried")
	}
}

// An attempt that failed may still have delivered (a timeout after Slack
// posted): the retry asks the platform first. When the platform cannot
// tell, the message is sent rather than never.
func TestSenderAsksThePlatformBeforeARetry(t *testing.T) {
	e := newEnv(t)
	e.enqueue("timed-out", "C1", "posted, but the answer was lost")
	e.enqueue("unknown", "C2", "cannot tell")
	e.p.fail["timed-out"] = errors.New("timeout")
	e.p.fail["unknown"] = errors.New("timeout")
	e.once()
	e.p.delivered["timed-out"] = true
	e.d = &failingCheck{e.p}
	e.s.d = e.d
	e.now = e.now.Add(time.Hour)
	if n := e.once(); n != 2 {
		t.Fatalf("settled %d, want 2", n)
	}
	if got := e.p.keys(); len(got) != 1 || got[0] != "unknown=cannot tell" {
		t.Fatalf("delivered %v: the timed-out one must not go twice, the unknown one must go", got)
	}
}

// failingCheck cannot look up "unknown" (a missing scope, say).
type failingCheck struct{ *fakePlatform }

func (f *failingCheck) Delivered(ctx context.Context, m Message) (bool, error) {
	if m.IdemKey == "unknown" {
		return false, errors.New("missing_scope")
	}
	return f.fakePlatform.Delivered(ctx, m)
}
