// Package queue delivers jobs in order per key, with retries.
//
// Chat adapters use it to send messages: a key is a channel, a job is one
// API call. Jobs of one key run one at a time in the order they were sent,
// and a failed job is retried (after the delay the platform asked for, or
// with exponential backoff) before any later job of its key runs. Keys are
// independent: each key with pending work has its own goroutine, which exits
// when the key's queue is empty. The package knows nothing of any platform;
// the adapter's Classify tells it how to read an error.
package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// ErrClosed is returned by Send after Close has been called. It is also the
// cause of the job context's cancellation when Close gives up waiting.
var ErrClosed = errors.New("queue: closed")

// Config configures a Queue; zero values get defaults.
type Config struct {
	// Classify tells what to do with a failed job's error: retry after a
	// given delay (after>0: the platform asked for it, e.g. Retry-After),
	// retry with backoff (retry && after==0), or give up (!retry).
	// The default retries every error with backoff.
	Classify func(err error) (retry bool, after time.Duration)
	// MaxAttempts bounds the runs of one job, rate-limited runs included,
	// so a platform that never stops answering 429 cannot stall a key
	// forever. Default 5.
	MaxAttempts int
	// BaseDelay is the first backoff; it doubles per attempt up to MaxDelay.
	// Default 500ms. A delay asked for by the platform is not capped.
	BaseDelay time.Duration
	// MaxDelay caps the backoff. Default 30s.
	MaxDelay time.Duration
	// Log receives a warning per retry and an error per dropped job.
	// Default slog.Default().
	Log *slog.Logger
	// OnGiveUp, if set, is called when a job is dropped: permanent error,
	// attempts used up, or Close's deadline. It runs on the key's goroutine,
	// so later jobs of that key wait for it.
	OnGiveUp func(key string, err error)
	// OnRetry, if set, is called before each retry, rateLimited when the
	// platform asked for the delay (a 429's Retry-After): for the metrics.
	OnRetry func(key string, err error, rateLimited bool)
}

// Queue runs jobs in order per key. Create it with New.
type Queue struct {
	cfg    Config
	jitter func(time.Duration) time.Duration // replaced in tests

	mu      sync.Mutex
	closed  bool
	lanes   map[string]*lane // keys with pending or running work
	drained chan struct{}    // closed once closed is set and lanes is empty
}

// lane is the pending work of one key and the means to cancel its goroutine.
type lane struct {
	jobs   []func(ctx context.Context) error
	cancel context.CancelCauseFunc
}

// New returns a Queue ready to take jobs.
func New(cfg Config) *Queue {
	if cfg.Classify == nil {
		cfg.Classify = func(error) (bool, time.Duration) { return true, 0 }
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.BaseDelay <= 0 {
		cfg.BaseDelay = 500 * time.Millisecond
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = 30 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Queue{
		cfg:     cfg,
		jitter:  equalJitter,
		lanes:   make(map[string]*lane),
		drained: make(chan struct{}),
	}
}

// Send queues job under key (a channel id). Jobs of one key run one at a time
// in Send order; each gets a ctx cancelled by Close's deadline. It never
// blocks on delivery. After Close it returns ErrClosed. A nil job panics.
func (q *Queue) Send(key string, job func(ctx context.Context) error) error {
	if job == nil {
		panic("queue: nil job")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return ErrClosed
	}
	if l, ok := q.lanes[key]; ok {
		l.jobs = append(l.jobs, job)
		return nil
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	l := &lane{jobs: []func(context.Context) error{job}, cancel: cancel}
	q.lanes[key] = l
	go q.run(ctx, key, l)
	return nil
}

// Close stops accepting jobs and waits until every queued job has finished or
// ctx ends; then it cancels running jobs, drops the ones not started (calling
// OnGiveUp for each) and returns ctx.Err(). It does not wait for a cancelled
// job that ignores its ctx. Close may be called more than once.
func (q *Queue) Close(ctx context.Context) error {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		if len(q.lanes) == 0 {
			close(q.drained)
		}
	}
	q.mu.Unlock()

	select {
	case <-q.drained:
		return nil
	case <-ctx.Done():
	}
	select {
	case <-q.drained: // finished just as ctx ended: nothing was cut short
		return nil
	default:
	}
	cause := fmt.Errorf("%w: %w", ErrClosed, ctx.Err())
	q.mu.Lock()
	for _, l := range q.lanes {
		l.cancel(cause)
	}
	q.mu.Unlock()
	return ctx.Err()
}

// run delivers the jobs of one key until its lane is empty.
func (q *Queue) run(ctx context.Context, key string, l *lane) {
	defer l.cancel(nil)
	for {
		job, ok := q.next(key, l)
		if !ok {
			return
		}
		if ctx.Err() != nil {
			q.giveUp(key, 0, context.Cause(ctx))
			continue
		}
		q.deliver(ctx, key, job)
	}
}

// next pops the lane's first job, or removes the lane when it is empty so
// that an idle key holds neither a goroutine nor a map entry.
func (q *Queue) next(key string, l *lane) (func(context.Context) error, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(l.jobs) == 0 {
		delete(q.lanes, key)
		if q.closed && len(q.lanes) == 0 {
			close(q.drained)
		}
		return nil, false
	}
	job := l.jobs[0]
	l.jobs[0] = nil
	l.jobs = l.jobs[1:]
	return job, true
}

// deliver runs job until it succeeds, fails for good, uses up its attempts or
// ctx is cancelled.
func (q *Queue) deliver(ctx context.Context, key string, job func(context.Context) error) {
	for attempt := 1; ; attempt++ {
		err := job(ctx)
		if err == nil {
			return
		}
		if ctx.Err() != nil || attempt >= q.cfg.MaxAttempts {
			q.giveUp(key, attempt, err)
			return
		}
		retry, delay := q.cfg.Classify(err)
		if !retry {
			q.giveUp(key, attempt, err)
			return
		}
		if q.cfg.OnRetry != nil {
			q.cfg.OnRetry(key, err, delay > 0)
		}
		if delay <= 0 {
			delay = q.jitter(backoff(q.cfg.BaseDelay, q.cfg.MaxDelay, attempt))
		}
		q.cfg.Log.Warn("queue: job failed, retrying",
			"key", key, "attempt", attempt, "err", err, "delay", delay)
		if !wait(ctx, delay) {
			q.giveUp(key, attempt, err)
			return
		}
	}
}

// giveUp logs a dropped job and reports it. attempt is 0 for a job dropped
// by Close before it ran.
func (q *Queue) giveUp(key string, attempt int, err error) {
	q.cfg.Log.Error("queue: job dropped", "key", key, "attempt", attempt, "err", err)
	if q.cfg.OnGiveUp != nil {
		q.cfg.OnGiveUp(key, err)
	}
}

// wait waits for d and reports whether it did so without ctx being cancelled.
func wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// backoff is the delay before retry number attempt (from 1): base doubled
// attempt-1 times, capped at max.
func backoff(base, max time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < max; i++ {
		if d > max/2 { // doubling would pass max, or overflow
			return max
		}
		d *= 2
	}
	return min(d, max)
}

// equalJitter returns a random delay in [d/2, d], so that keys failing
// together do not retry together, while still waiting at least half of d.
func equalJitter(d time.Duration) time.Duration {
	return d/2 + rand.N(d-d/2+1)
}
