package work

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestPoolKeepsOrderPerKeyAndRunsEachEventOnce(t *testing.T) {
	p := NewPool(4, 1000, quiet)
	var mu sync.Mutex
	got := map[string][]int{}
	for i := range 300 {
		order := []string{"a", "b", "c"}[i%3]
		p.Add(Task{Key: order + string(rune('0'+i%10)) + time.Duration(i).String(), Order: order, Run: func(context.Context) {
			mu.Lock()
			got[order] = append(got[order], i)
			mu.Unlock()
		}}, 0)
	}
	block := make(chan struct{})
	if !p.Add(Task{Key: "slow", Order: "d", Run: func(context.Context) { <-block }}, 0) {
		t.Fatal("not queued")
	}
	if p.Add(Task{Key: "slow", Order: "d", Run: func(context.Context) { t.Error("ran twice") }}, 0) {
		t.Fatal("a task in flight was queued again")
	}
	close(block)
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for order, is := range got {
		for j := 1; j < len(is); j++ {
			if is[j] < is[j-1] {
				t.Fatalf("%s out of order: %v", order, is)
			}
		}
		if len(is) != 100 {
			t.Fatalf("%s ran %d of 100", order, len(is))
		}
	}
	if p.Add(Task{Key: "late", Run: func(context.Context) {}}, 0) {
		t.Fatal("queued after Close")
	}
}

func TestPoolCloseCancelsWhatOutlastsItsDeadline(t *testing.T) {
	p := NewPool(1, 10, quiet)
	stopped := make(chan struct{})
	p.Add(Task{Key: "stuck", Run: func(ctx context.Context) { <-ctx.Done(); close(stopped) }}, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := p.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v", err)
	}
	<-stopped
}

// On a fake clock (synctest): the wait for room is exactly the one asked
// for, however busy the machine.
func TestPoolLeavesWorkWhenTheBacklogIsFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewPool(1, 1, quiet)
		block := make(chan struct{})
		p.Add(Task{Key: "1", Run: func(context.Context) { <-block }}, 0)
		synctest.Wait() // the worker has taken 1
		if !p.Add(Task{Key: "2", Run: func(context.Context) {}}, 0) {
			t.Fatal("backlog of one refused its first task")
		}
		start := time.Now()
		if p.Add(Task{Key: "3", Run: func(context.Context) {}}, 30*time.Millisecond) {
			t.Fatal("a full backlog took more")
		}
		if waited := time.Since(start); waited != 30*time.Millisecond {
			t.Fatalf("gave up after %v, want the 30 ms wait", waited)
		}
		// Room appears while it waits: taken.
		go func() { time.Sleep(20 * time.Millisecond); close(block) }()
		if !p.Add(Task{Key: "4", Run: func(context.Context) {}}, time.Second) {
			t.Fatal("not taken when room appeared")
		}
		p.Close(context.Background())
	})
}

func TestPeopleLookUpOnceAndRemember(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var calls atomic.Int32
	release := make(chan struct{})
	c := NewPeople(func(ctx context.Context, id string) (Person, error) {
		calls.Add(1)
		<-release
		if id == "gone" {
			return Person{}, errors.New("not found")
		}
		return Person{Name: "Wang " + id, TZ: "Asia/Shanghai"}, nil
	}, quiet, clock)
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() { defer wg.Done(); c.Get(context.Background(), "u1") }()
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	if p := c.Get(context.Background(), "u1"); p.Name != "Wang u1" || calls.Load() != 1 {
		t.Fatalf("%+v after %d lookups, want 1", p, calls.Load())
	}
	if p := c.Get(context.Background(), "gone"); p != (Person{}) {
		t.Fatalf("failed lookup gave %+v", p)
	}
	c.Get(context.Background(), "gone")
	if calls.Load() != 2 {
		t.Fatalf("a failed lookup was retried at once: %d calls", calls.Load())
	}
	now = now.Add(personTTL + time.Minute)
	c.Get(context.Background(), "u1")
	c.Get(context.Background(), "gone")
	if calls.Load() != 4 {
		t.Fatalf("expired entries not looked up again: %d calls", calls.Load())
	}
}
