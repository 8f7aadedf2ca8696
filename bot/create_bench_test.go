package bot

import (
	"context"
	"fmt"
	"testing"

	"github.com/dealcoach/dealcoach/coach"
)

// BenchmarkCreate is one "/deal new" end to end — parse, the duplicate
// check among the speaker's open deals, and one commit of the deal, its
// first event and the coaching conversation's state — on an empty file
// and on one of 100,000 deals (1,000 of them the speaker's): a create must
// cost the same on both.
//
//	go test -run=NONE -bench=Create -benchtime=5000x ./bot/
func BenchmarkCreate(b *testing.B) {
	for _, n := range []int{0, benchDeals} {
		b.Run(fmt.Sprintf("deals=%d", n), func(b *testing.B) {
			h := newHarness(b)
			seedDeals(b, h, n)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				m := Message{Platform: "console", Team: "t", Channel: "c", UserID: "rep0",
					Text: fmt.Sprintf("/deal new Acme-%d %d", i, 50_000+i)}
				r, err := h.bot.Handle(ctx, m)
				if err != nil || r.DealID == 0 {
					b.Fatalf("%q: %v %s", m.Text, err, r.PlainText())
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
		})
	}
}

// seedDeals gives the harness's database n deals owned in turn by 100
// reps (rep0 … rep99).
func seedDeals(b *testing.B, h *harness, n int) {
	ctx := context.Background()
	var owners []coach.Person
	for i := range 100 {
		p, err := h.db.EnsurePerson(ctx, coach.Person{Platform: "console", PlatformID: fmt.Sprintf("rep%d", i), Name: fmt.Sprintf("rep%d", i)})
		if err != nil {
			b.Fatal(err)
		}
		owners = append(owners, p)
	}
	stages := []string{"prospect", "interest", "approved", "shortlist", "contract"}
	batch := make([]coach.Deal, 0, 10_000)
	for i := range n {
		o := owners[i%len(owners)]
		batch = append(batch, coach.Deal{Customer: fmt.Sprintf("Customer %06d", i), OwnerID: o.ID,
			Amount: coach.Major(int64(10_000 + i)), Currency: "CNY", Stage: stages[i%len(stages)]})
		if len(batch) == cap(batch) || i == n-1 {
			if err := h.db.CreateDeals(ctx, batch, o.ID); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}
