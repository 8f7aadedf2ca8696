// Package work runs the chat adapters' work after an acknowledgement: a
// pool of workers that keeps each conversation's events in order, and a
// cache of what a platform tells of its people.
package work

import (
	"context"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/dealcoach/dealcoach/bot/adapter/logctx"
)

// Task is work on one recorded event.
type Task struct {
	Key   string // the event's inbox id: a key queued or running is not queued again
	Order string // tasks with one order key (a person in a chat) run one at a time, in order
	Run   func(ctx context.Context)
}

// AckWait is how long an event about to be acknowledged may wait for room
// in a worker's backlog: platforms want their answer within 3 seconds.
const AckWait = 2 * time.Second

// Pool runs tasks on a fixed set of goroutines. Long-lived workers also
// spare each event a fresh stack grown to the depth SQLite needs.
type Pool struct {
	log    *slog.Logger
	ctx    context.Context // cancelled when Close gives up waiting
	cancel context.CancelFunc
	queues []chan Task
	wg     sync.WaitGroup

	mu       sync.Mutex
	closed   bool
	inflight map[string]bool
	sending  sync.WaitGroup // Adds past the closed check, still sending
}

// NewPool starts n workers, each with room for backlog tasks.
func NewPool(n, backlog int, log *slog.Logger) *Pool {
	p := &Pool{log: log, inflight: map[string]bool{}}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	for range n {
		ch := make(chan Task, backlog)
		p.queues = append(p.queues, ch)
		p.wg.Add(1)
		go p.worker(ch)
	}
	return p
}

// Ctx is the pool's life: work started outside a task but belonging to
// the adapter runs in it.
func (p *Pool) Ctx() context.Context { return p.ctx }

// Add queues t on its order key's worker, waiting up to wait for room in
// its backlog (the caller has not answered the platform yet: waiting
// slows the platform down rather than letting work pile up). It reports
// false when t was not queued: already queued or running, the pool
// closed, or no room in time. The event stays in the inbox then, for a
// later sweep.
func (p *Pool) Add(t Task, wait time.Duration) bool {
	p.mu.Lock()
	if p.closed || p.inflight[t.Key] {
		p.mu.Unlock()
		return false
	}
	p.inflight[t.Key] = true
	p.sending.Add(1) // Close waits for senders before closing the queues
	p.mu.Unlock()
	defer p.sending.Done()
	h := fnv.New32a()
	h.Write([]byte(t.Order))
	q := p.queues[h.Sum32()%uint32(len(p.queues))]
	select {
	case q <- t:
		return true
	default:
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case q <- t:
		return true
	case <-timer.C:
	case <-p.ctx.Done():
	}
	p.log.Warn("workers busy: event left for the sweep", "event", t.Key)
	p.mu.Lock()
	delete(p.inflight, t.Key)
	p.mu.Unlock()
	return false
}

func (p *Pool) worker(ch chan Task) {
	defer p.wg.Done()
	for t := range ch {
		p.run(t)
	}
}

func (p *Pool) run(t Task) {
	defer func() {
		if r := recover(); r != nil {
			p.log.Error("task panicked", "event", t.Key, "panic", r)
		}
		p.mu.Lock()
		delete(p.inflight, t.Key)
		p.mu.Unlock()
	}()
	t.Run(logctx.With(p.ctx, "event", t.Key)) // on every log line of the turn
}

// Close stops taking tasks and waits for the queued ones until ctx ends;
// then it cancels the rest (their events stay in the inbox).
func (p *Pool) Close(ctx context.Context) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	// Adds already past the check may be waiting for room: let them
	// finish (they give up when the context ends) before closing.
	stop := context.AfterFunc(ctx, p.cancel)
	defer stop()
	p.sending.Wait()
	for _, ch := range p.queues {
		close(ch)
	}
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	p.cancel()
	<-done
	return err
}
