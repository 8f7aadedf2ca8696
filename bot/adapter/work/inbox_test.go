package work

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/store"
)

// openStore opens a store on a new file with clock, closed after the test.
func openStore(t *testing.T, clock func() time.Time) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "inbox.db"), store.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// The sweep hands back events left unprocessed past their age, once, and
// forgets processed events older than a week.
func TestSweepReplaysLeftEventsAndPrunesOldOnes(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	db := openStore(t, clock)
	pool := NewPool(2, 10, quiet)
	var ran atomic.Int32
	in := &Inbox{Store: db, Platform: "test", Pool: pool, Log: quiet, Now: clock}
	in.Decode = func(key, kind string, body []byte) (Task, error) {
		return Task{Key: key, Order: key, Run: func(ctx context.Context) {
			ran.Add(1)
			in.Done(ctx, key)
		}}, nil
	}
	ctx := context.Background()
	for _, id := range []string{"old-done", "left"} {
		if _, err := in.Record(ctx, id, "event", []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	in.Done(ctx, "old-done")
	in.SweepOnce(ctx, 2*time.Minute) // too young to sweep
	time.Sleep(50 * time.Millisecond)
	if ran.Load() != 0 {
		t.Fatal("an event younger than the age was swept")
	}
	now = now.Add(3 * time.Minute)
	in.SweepOnce(ctx, 2*time.Minute) // "left" is handed back
	pool.Close(ctx)
	if ran.Load() != 1 {
		t.Fatalf("%d tasks ran, want 1", ran.Load())
	}
	if left, _ := db.Unprocessed(ctx, "test", now.Add(time.Hour)); len(left) != 0 {
		t.Fatalf("still unprocessed: %v", left)
	}
	now = now.Add(8 * 24 * time.Hour)
	in.Pool = NewPool(1, 1, quiet)
	in.SweepOnce(ctx, 2*time.Minute)
	in.Pool.Close(ctx)
	if fresh, err := in.Record(ctx, "old-done", "event", []byte(`{}`)); err != nil || !fresh {
		t.Fatalf("a week-old processed event was not forgotten: fresh %v, %v", fresh, err)
	}
}

// countingPrunes is a store whose prunes are counted, with their cuts.
type countingPrunes struct {
	InboxStore
	cuts []time.Time
}

func (c *countingPrunes) PruneInbox(ctx context.Context, before time.Time) (int64, error) {
	c.cuts = append(c.cuts, before)
	return c.InboxStore.PruneInbox(ctx, before)
}

// A prune reads every row of the inbox: the sweep, every minute, prunes on
// its first round and then once an hour, each time a week back from then.
func TestSweepPrunesHourly(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	db := openStore(t, clock)
	st := &countingPrunes{InboxStore: db}
	in := &Inbox{Store: st, Platform: "test", Pool: NewPool(1, 1, quiet), Log: quiet, Now: clock}
	defer in.Pool.Close(context.Background())
	var want []time.Time
	for minute := range 150 {
		if minute%60 == 0 {
			want = append(want, now.Add(-inboxKept))
		}
		in.SweepOnce(context.Background(), 2*time.Minute)
		now = now.Add(time.Minute)
	}
	if len(st.cuts) != len(want) {
		t.Fatalf("pruned %d times in 150 minutes (%v), want %d", len(st.cuts), st.cuts, len(want))
	}
	for i := range want {
		if !st.cuts[i].Equal(want[i]) {
			t.Errorf("prune %d cut at %v, want %v", i, st.cuts[i], want[i])
		}
	}
}
