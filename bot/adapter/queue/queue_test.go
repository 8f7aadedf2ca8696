package queue

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// rateLimited stands for a platform's 429 with Retry-After.
type rateLimited struct{ after time.Duration }

func (e *rateLimited) Error() string { return fmt.Sprintf("rate limited, retry after %s", e.after) }

var (
	errPermanent = errors.New("channel_not_found")
	errTransient = errors.New("connection reset")
)

// classify is what an adapter would pass: wait when asked, give up on
// permanent errors, back off on the rest.
func classify(err error) (bool, time.Duration) {
	var rl *rateLimited
	switch {
	case errors.As(err, &rl):
		return true, rl.after
	case errors.Is(err, errPermanent):
		return false, 0
	}
	return true, 0
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// event is one job run: its name and the fake time since the test began.
type event struct {
	Name string
	At   time.Duration
}

// recorder collects job runs and dropped jobs from any goroutine.
type recorder struct {
	start time.Time

	mu      sync.Mutex
	events  []event
	dropped []string // "key: err"
	errs    []error
}

func newRecorder() *recorder { return &recorder{start: time.Now()} }

func (r *recorder) add(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event{name, time.Since(r.start)})
}

// job returns a job that records name and then returns the errors in fails,
// one per run, then nil.
func (r *recorder) job(name string, fails ...error) func(context.Context) error {
	return func(context.Context) error {
		r.add(name)
		if len(fails) == 0 {
			return nil
		}
		err := fails[0]
		fails = fails[1:]
		return err
	}
}

func (r *recorder) giveUp(key string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dropped = append(r.dropped, fmt.Sprintf("%s: %v", key, err))
	r.errs = append(r.errs, err)
}

// drops returns the errors passed to OnGiveUp and their "key: err" texts.
func (r *recorder) drops() ([]error, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...), append([]string(nil), r.dropped...)
}

// of returns the events whose name starts with prefix, in run order.
func (r *recorder) of(prefix string) []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []event
	for _, e := range r.events {
		if strings.HasPrefix(e.Name, prefix) {
			out = append(out, e)
		}
	}
	return out
}

func (q *Queue) lanesLeft() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.lanes)
}

func TestOrderKeptUnderRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		// MaxDelay below the Retry-After: the platform's delay is not capped.
		q := New(Config{Classify: classify, MaxDelay: time.Second, Log: discard(), OnGiveUp: rec.giveUp})
		limit := &rateLimited{30 * time.Second}
		mustSend(t, q, "C1", rec.job("C1/1", limit, limit))
		mustSend(t, q, "C1", rec.job("C1/2"))
		mustSend(t, q, "C2", rec.job("C2/1"))
		mustSend(t, q, "C1", rec.job("C1/3"))

		if err := q.Close(context.Background()); err != nil {
			t.Fatalf("Close: %v", err)
		}
		wantC1 := []event{
			{"C1/1", 0},
			{"C1/1", 30 * time.Second},
			{"C1/1", 60 * time.Second},
			{"C1/2", 60 * time.Second},
			{"C1/3", 60 * time.Second},
		}
		if diff := cmp.Diff(wantC1, rec.of("C1/")); diff != "" {
			t.Errorf("C1 runs (-want +got):\n%s", diff)
		}
		// C2 was sent while C1 was limited and finished before C1's wait ended.
		if diff := cmp.Diff([]event{{"C2/1", 0}}, rec.of("C2/")); diff != "" {
			t.Errorf("C2 runs (-want +got):\n%s", diff)
		}
		_, dropped := rec.drops()
		if len(dropped) != 0 {
			t.Errorf("dropped %q, want none", dropped)
		}
	})
}

func TestSlowKeyDoesNotBlockOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		q := New(Config{Log: discard()})
		release := make(chan struct{})
		mustSend(t, q, "C1", func(context.Context) error {
			rec.add("C1/1")
			<-release
			return nil
		})
		mustSend(t, q, "C1", rec.job("C1/2"))
		mustSend(t, q, "C2", rec.job("C2/1"))
		mustSend(t, q, "C2", rec.job("C2/2"))

		synctest.Wait() // everything that can run has run
		if got := names(rec.of("")); !sameSet(got, "C1/1", "C2/1", "C2/2") {
			t.Fatalf("while C1/1 hangs, ran %q; want C1/1, C2/1, C2/2", got)
		}
		close(release)
		if err := q.Close(context.Background()); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if diff := cmp.Diff([]string{"C1/1", "C1/2"}, names(rec.of("C1/"))); diff != "" {
			t.Errorf("C1 runs (-want +got):\n%s", diff)
		}
	})
}

func TestBackoffDoublesAndCaps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		q := New(Config{BaseDelay: time.Second, MaxDelay: 5 * time.Second, MaxAttempts: 6, Log: discard(), OnGiveUp: rec.giveUp})
		q.jitter = func(d time.Duration) time.Duration { return d }
		mustSend(t, q, "C1", func(context.Context) error {
			rec.add("C1/1")
			return errTransient
		})
		if err := q.Close(context.Background()); err != nil {
			t.Fatalf("Close: %v", err)
		}
		want := []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
		if diff := cmp.Diff(want, gaps(rec.of("C1/"))); diff != "" {
			t.Errorf("waits between attempts (-want +got):\n%s", diff)
		}
		_, dropped := rec.drops()
		if diff := cmp.Diff([]string{"C1: connection reset"}, dropped); diff != "" {
			t.Errorf("dropped (-want +got):\n%s", diff)
		}
	})
}

func TestBackoffJitter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		q := New(Config{BaseDelay: time.Second, MaxDelay: 4 * time.Second, MaxAttempts: 6, Log: discard()})
		mustSend(t, q, "C1", func(context.Context) error {
			rec.add("C1/1")
			return errTransient
		})
		if err := q.Close(context.Background()); err != nil {
			t.Fatalf("Close: %v", err)
		}
		ceilings := []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second}
		got := gaps(rec.of("C1/"))
		if len(got) != len(ceilings) {
			t.Fatalf("got %d waits %v, want %d", len(got), got, len(ceilings))
		}
		exact := 0
		for i, c := range ceilings {
			if got[i] < c/2 || got[i] > c {
				t.Errorf("wait %d = %v, want in [%v, %v]", i+1, got[i], c/2, c)
			}
			if got[i] == c {
				exact++
			}
		}
		if exact == len(ceilings) {
			t.Errorf("waits %v have no jitter", got)
		}
	})
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		base, max time.Duration
		attempt   int
		want      time.Duration
	}{
		{500 * time.Millisecond, 30 * time.Second, 1, 500 * time.Millisecond},
		{500 * time.Millisecond, 30 * time.Second, 2, time.Second},
		{500 * time.Millisecond, 30 * time.Second, 3, 2 * time.Second},
		{500 * time.Millisecond, 30 * time.Second, 6, 16 * time.Second},
		{500 * time.Millisecond, 30 * time.Second, 7, 30 * time.Second},
		{500 * time.Millisecond, 30 * time.Second, 1000, 30 * time.Second},
		{time.Minute, 30 * time.Second, 1, 30 * time.Second},
		{1 << 62, math.MaxInt64, 3, math.MaxInt64},
	}
	for _, tt := range tests {
		if got := backoff(tt.base, tt.max, tt.attempt); got != tt.want {
			t.Errorf("backoff(%v, %v, %d) = %v, want %v", tt.base, tt.max, tt.attempt, got, tt.want)
		}
	}
}

func TestEqualJitter(t *testing.T) {
	for _, d := range []time.Duration{1, 2, 3, time.Second, 30 * time.Second} {
		for range 1000 {
			if got := equalJitter(d); got < d/2 || got > d {
				t.Fatalf("equalJitter(%v) = %v, want in [%v, %v]", d, got, d/2, d)
			}
		}
	}
}

func TestPermanentErrorGivesUpAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		q := New(Config{Classify: classify, Log: discard(), OnGiveUp: rec.giveUp})
		mustSend(t, q, "C1", rec.job("C1/1", fmt.Errorf("post message: %w", errPermanent)))
		mustSend(t, q, "C1", rec.job("C1/2"))
		if err := q.Close(context.Background()); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if diff := cmp.Diff([]event{{"C1/1", 0}, {"C1/2", 0}}, rec.of("C1/")); diff != "" {
			t.Errorf("runs (-want +got):\n%s", diff)
		}
		errs, dropped := rec.drops()
		if len(errs) != 1 || !errors.Is(errs[0], errPermanent) {
			t.Errorf("OnGiveUp got %q, want one call with channel_not_found", dropped)
		}
	})
}

func TestMaxAttempts(t *testing.T) {
	tests := []struct {
		name        string
		cfg         Config
		err         error
		wantRuns    int
		wantElapsed time.Duration // until the last run
	}{
		{"default, transient", Config{}, errTransient, 5, 0},
		{"rate limits count", Config{MaxAttempts: 3, Classify: classify}, &rateLimited{time.Second}, 3, 2 * time.Second},
		{"one attempt", Config{MaxAttempts: 1}, errTransient, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec := newRecorder()
				tt.cfg.Log, tt.cfg.OnGiveUp = discard(), rec.giveUp
				q := New(tt.cfg)
				mustSend(t, q, "C1", func(context.Context) error {
					rec.add("C1/1")
					return tt.err
				})
				mustSend(t, q, "C1", rec.job("C1/2"))
				if err := q.Close(context.Background()); err != nil {
					t.Fatalf("Close: %v", err)
				}
				runs := rec.of("C1/1")
				if len(runs) != tt.wantRuns {
					t.Fatalf("job ran %d times, want %d", len(runs), tt.wantRuns)
				}
				if tt.wantElapsed > 0 && runs[len(runs)-1].At != tt.wantElapsed {
					t.Errorf("last run at %v, want %v", runs[len(runs)-1].At, tt.wantElapsed)
				}
				errs, dropped := rec.drops()
				if len(errs) != 1 || !errors.Is(errs[0], tt.err) {
					t.Errorf("OnGiveUp got %q, want one call with %v", dropped, tt.err)
				}
				if len(rec.of("C1/2")) != 1 {
					t.Errorf("the next job of the key did not run after the drop")
				}
			})
		})
	}
}

func TestDefaults(t *testing.T) {
	q := New(Config{})
	if q.cfg.MaxAttempts != 5 || q.cfg.BaseDelay != 500*time.Millisecond || q.cfg.MaxDelay != 30*time.Second {
		t.Errorf("defaults: MaxAttempts %d, BaseDelay %v, MaxDelay %v; want 5, 500ms, 30s",
			q.cfg.MaxAttempts, q.cfg.BaseDelay, q.cfg.MaxDelay)
	}
	if q.cfg.Log != slog.Default() {
		t.Errorf("Log is not slog.Default()")
	}
	if retry, after := q.cfg.Classify(errPermanent); !retry || after != 0 {
		t.Errorf("default Classify = %v, %v; want true, 0", retry, after)
	}
}

func TestCloseDrains(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		q := New(Config{Classify: classify, Log: discard(), OnGiveUp: rec.giveUp})
		var cancelled atomic.Int32
		for _, key := range []string{"C1", "C2", "C3"} {
			for i := range 3 {
				name := fmt.Sprintf("%s/%d", key, i)
				job := rec.job(name)
				if name == "C2/0" {
					job = rec.job(name, &rateLimited{10 * time.Second})
				}
				mustSend(t, q, key, func(ctx context.Context) error {
					if ctx.Err() != nil {
						cancelled.Add(1)
					}
					return job(ctx)
				})
			}
		}
		if err := q.Close(context.Background()); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if got := time.Since(rec.start); got != 10*time.Second {
			t.Errorf("Close returned after %v, want 10s (the pending Retry-After)", got)
		}
		for _, key := range []string{"C1/", "C3/"} {
			if got := names(rec.of(key)); len(got) != 3 {
				t.Errorf("%s runs %q, want 3", key, got)
			}
		}
		if diff := cmp.Diff([]string{"C2/0", "C2/0", "C2/1", "C2/2"}, names(rec.of("C2/"))); diff != "" {
			t.Errorf("C2 runs (-want +got):\n%s", diff)
		}
		if n := cancelled.Load(); n != 0 {
			t.Errorf("%d jobs got a cancelled ctx", n)
		}
		if n := q.lanesLeft(); n != 0 {
			t.Errorf("%d keys left after Close", n)
		}
		if err := q.Close(context.Background()); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
}

func TestCloseDeadline(t *testing.T) {
	t.Run("job waiting for Retry-After", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			rec := newRecorder()
			q := New(Config{Classify: classify, Log: discard(), OnGiveUp: rec.giveUp})
			limit := &rateLimited{time.Hour}
			mustSend(t, q, "C1", rec.job("C1/1", limit))
			mustSend(t, q, "C1", rec.job("C1/2"))
			mustSend(t, q, "C2", rec.job("C2/1"))

			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := q.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Close = %v, want deadline exceeded", err)
			}
			if got := time.Since(rec.start); got != 10*time.Second {
				t.Errorf("Close returned after %v, want 10s", got)
			}
			synctest.Wait() // let the cancelled key wind down
			if diff := cmp.Diff([]string{"C1/1"}, names(rec.of("C1/"))); diff != "" {
				t.Errorf("C1 runs (-want +got):\n%s", diff)
			}
			errs, dropped := rec.drops()
			if len(errs) != 2 || !errors.Is(errs[0], limit) ||
				!errors.Is(errs[1], ErrClosed) || !errors.Is(errs[1], context.DeadlineExceeded) {
				t.Errorf("OnGiveUp got %q, want the rate limit then closed: deadline exceeded", dropped)
			}
			if n := q.lanesLeft(); n != 0 {
				t.Errorf("%d keys left after Close", n)
			}
		})
	})
	t.Run("running job", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			rec := newRecorder()
			q := New(Config{Log: discard(), OnGiveUp: rec.giveUp})
			mustSend(t, q, "C1", func(ctx context.Context) error {
				<-ctx.Done()
				return context.Cause(ctx)
			})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := q.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Close = %v, want deadline exceeded", err)
			}
			synctest.Wait()
			errs, dropped := rec.drops()
			if len(errs) != 1 || !errors.Is(errs[0], ErrClosed) {
				t.Errorf("OnGiveUp got %q, want one call with the close cause", dropped)
			}
		})
	})
}

func TestSendAfterClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		q := New(Config{Log: discard()})
		release := make(chan struct{})
		mustSend(t, q, "C1", func(context.Context) error {
			<-release
			return nil
		})
		closed := make(chan error)
		go func() { closed <- q.Close(context.Background()) }()
		synctest.Wait() // Close is now waiting for C1

		if err := q.Send("C2", rec.job("C2/1")); !errors.Is(err, ErrClosed) {
			t.Errorf("Send while closing = %v, want ErrClosed", err)
		}
		close(release)
		if err := <-closed; err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := q.Send("C1", rec.job("C1/2")); !errors.Is(err, ErrClosed) {
			t.Errorf("Send after Close = %v, want ErrClosed", err)
		}
		synctest.Wait()
		if got := rec.of(""); len(got) != 0 {
			t.Errorf("rejected jobs ran: %v", got)
		}
	})
}

// TestIdleKeyReleased never calls Close: the bubble can only end if the
// key's goroutine exited once its queue was empty.
func TestIdleKeyReleased(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		q := New(Config{Log: discard()})
		mustSend(t, q, "C1", rec.job("C1/1"))
		synctest.Wait()
		if n := q.lanesLeft(); n != 0 {
			t.Fatalf("%d keys held after their work finished", n)
		}
		mustSend(t, q, "C1", rec.job("C1/2"))
		synctest.Wait()
		if diff := cmp.Diff([]string{"C1/1", "C1/2"}, names(rec.of("C1/"))); diff != "" {
			t.Errorf("runs (-want +got):\n%s", diff)
		}
	})
}

func TestLogs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		q := New(Config{Classify: classify, Log: slog.New(slog.NewJSONHandler(&buf, nil))})
		rec := newRecorder()
		mustSend(t, q, "C1", rec.job("C1/1", &rateLimited{2 * time.Second}, errPermanent))
		if err := q.Close(context.Background()); err != nil {
			t.Fatalf("Close: %v", err)
		}
		var got []map[string]any
		for line := range strings.Lines(buf.String()) {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("log line %q: %v", line, err)
			}
			delete(rec, "time")
			got = append(got, rec)
		}
		want := []map[string]any{
			{"level": "WARN", "msg": "queue: job failed, retrying", "key": "C1", "attempt": 1.0,
				"err": "rate limited, retry after 2s", "delay": float64(2 * time.Second)},
			{"level": "ERROR", "msg": "queue: job dropped", "key": "C1", "attempt": 2.0, "err": "channel_not_found"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("logs (-want +got):\n%s", diff)
		}
	})
}

// TestConcurrentSends runs on the real scheduler, for the race detector:
// many senders, many keys, some retries, and a Close racing the senders.
// Every accepted job must run exactly once, and the jobs one sender queued
// under one key must run in the order it queued them.
func TestConcurrentSends(t *testing.T) {
	const keys, senders, perSender = 40, 16, 300
	q := New(Config{BaseDelay: time.Microsecond, MaxDelay: 20 * time.Microsecond, Log: discard()})

	type run struct{ sender, seq int }
	var (
		mu       sync.Mutex
		runs     = make(map[string][]run)
		accepted atomic.Int64
		rejected atomic.Int64
		wg       sync.WaitGroup
	)
	halfway := make(chan struct{})
	for s := range senders {
		wg.Go(func() {
			for n := range perSender {
				if s == 0 && n == perSender/2 {
					close(halfway)
				}
				key := fmt.Sprintf("C%d", rand.N(keys))
				failures := n % 3 // up to two transient failures before success
				err := q.Send(key, func(context.Context) error {
					if failures > 0 {
						failures--
						return errTransient
					}
					mu.Lock()
					defer mu.Unlock()
					runs[key] = append(runs[key], run{s, n})
					return nil
				})
				switch {
				case err == nil:
					accepted.Add(1)
				case errors.Is(err, ErrClosed):
					rejected.Add(1)
				default:
					t.Errorf("Send: %v", err)
				}
			}
		})
	}
	closed := make(chan error, 1)
	go func() {
		<-halfway
		closed <- q.Close(context.Background())
	}()
	wg.Wait()
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}

	total := 0
	for key, rs := range runs {
		last := make(map[int]int)
		for _, r := range rs {
			if prev, ok := last[r.sender]; ok && r.seq <= prev {
				t.Errorf("key %s: sender %d ran job %d after job %d", key, r.sender, r.seq, prev)
			}
			last[r.sender] = r.seq
		}
		total += len(rs)
	}
	if int64(total) != accepted.Load() {
		t.Errorf("%d jobs ran, %d were accepted", total, accepted.Load())
	}
	if accepted.Load()+rejected.Load() != senders*perSender {
		t.Errorf("accepted %d + rejected %d != %d sent", accepted.Load(), rejected.Load(), senders*perSender)
	}
	if n := q.lanesLeft(); n != 0 {
		t.Errorf("%d keys left after Close", n)
	}
}

func mustSend(t *testing.T, q *Queue, key string, job func(context.Context) error) {
	t.Helper()
	if err := q.Send(key, job); err != nil {
		t.Fatalf("Send(%q): %v", key, err)
	}
}

func names(es []event) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out
}

// gaps returns the time between consecutive events.
func gaps(es []event) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(es); i++ {
		out = append(out, es[i].At-es[i-1].At)
	}
	return out
}

func sameSet(got []string, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	seen := make(map[string]bool)
	for _, g := range got {
		seen[g] = true
	}
	for _, w := range want {
		if !seen[w] {
			return false
		}
	}
	return true
}
