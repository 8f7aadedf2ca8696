package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

func TestStats(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	a := rep(t, db, "A")
	s, err := db.Stats(ctx)
	if err != nil || len(s.Outbox)+len(s.Inbox)+len(s.Deals) != 0 {
		t.Fatalf("empty database: %+v, %v", s, err)
	}
	for i, st := range []string{"prospect", "prospect", "approved"} {
		if _, err := db.CreateDeal(ctx, coach.Deal{Customer: fmt.Sprint("C", i), OwnerID: a.ID, Currency: "CNY", Stage: st}, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := editDeal(ctx, db, 3, a.ID, func(d *coach.Deal) ([]coach.Event, error) { d.Status = coach.Won; return nil, nil }); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := db.Enqueue(ctx, OutboxMessage{IdemKey: fmt.Sprint("k", i), Platform: "slack", Channel: "C1", Payload: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	m, _ := db.OutboxByKey(ctx, "k0")
	if err := db.MarkSent(ctx, m.ID, testNow); err != nil {
		t.Fatal(err)
	}
	m, _ = db.OutboxByKey(ctx, "k1")
	if err := db.GiveUp(ctx, m.ID, "channel_not_found"); err != nil {
		t.Fatal(err)
	}
	for _, ev := range []string{"e1", "e2"} {
		if _, err := db.Receive(ctx, "lark", ev, []byte("{}")); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.MarkProcessed(ctx, "lark", "e1"); err != nil {
		t.Fatal(err)
	}
	s, err = db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Outbox) != 1 || s.Outbox[0] != (QueueStat{Platform: "slack", Pending: 1, GivenUp: 1, Oldest: testNow}) {
		t.Errorf("outbox %+v", s.Outbox)
	}
	if len(s.Inbox) != 1 || s.Inbox[0].Platform != "lark" || s.Inbox[0].Pending != 1 || !s.Inbox[0].Oldest.Equal(testNow) {
		t.Errorf("inbox %+v", s.Inbox)
	}
	want := []DealCount{{"approved", "won", 1}, {"prospect", "open", 2}}
	if fmt.Sprint(s.Deals) != fmt.Sprint(want) {
		t.Errorf("deals %v, want %v", s.Deals, want)
	}
}

// BenchmarkStats: a scrape's queries over 100,000 deals: the queues
// (every scrape) and the deals' counts (once a minute).
func BenchmarkStats(b *testing.B) {
	ctx := context.Background()
	db := openTest(b)
	a := rep(b, db, "A")
	stages := []string{"prospect", "interest", "approved", "shortlist", "negotiation", "contract", "won"}
	ds := make([]coach.Deal, 100_000)
	for i := range ds {
		ds[i] = coach.Deal{Customer: fmt.Sprint("C", i), OwnerID: a.ID, Currency: "CNY", Stage: stages[i%len(stages)],
			CreatedAt: testNow.Add(-time.Duration(i) * time.Minute)}
	}
	if err := db.CreateDeals(ctx, ds, a.ID); err != nil {
		b.Fatal(err)
	}
	b.Run("queues", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.Queues(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("deals", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.DealCounts(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
