package store

import (
	"context"
	"io/fs"
	"testing"

	"github.com/dealcoach/dealcoach/coach"
)

// migrationCount is the number of embedded migrations, numbered 1 to n.
func migrationCount(t testing.TB) int {
	t.Helper()
	files, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("embedded migrations: %v, %d files", err, len(files))
	}
	return len(files)
}

// SnoozedUntil is written on create and update, read back by every read,
// cleared to NULL, and recorded in the history.
func TestSnoozedUntilRoundTrips(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	alice := rep(t, db, "Alice")
	fri := coach.Date{Year: 2026, Month: 11, Day: 27}
	d, err := db.CreateDeal(ctx, coach.Deal{Customer: "Acme", OwnerID: alice.ID, Currency: "CNY",
		Stage: "interest", SnoozedUntil: fri}, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Deal(ctx, d.ID); got.SnoozedUntil != fri {
		t.Fatalf("created: SnoozedUntil = %v, want %v", got.SnoozedUntil, fri)
	}
	later := fri.AddDays(7)
	set := func(day coach.Date) coach.Deal {
		t.Helper()
		_, after, err := editDeal(ctx, db, d.ID, alice.ID, func(d *coach.Deal) ([]coach.Event, error) {
			d.SnoozedUntil = day
			return nil, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return after
	}
	after := set(later)
	for _, read := range []func() (coach.Deal, error){
		func() (coach.Deal, error) { return db.Deal(ctx, d.ID) },
		func() (coach.Deal, error) { ds, err := db.FindDeals(ctx, "acme", 5); return ds[0], err },
		func() (coach.Deal, error) { ds, err := db.Deals(ctx, DealFilter{OwnerID: alice.ID}); return ds[0], err },
	} {
		got, err := read()
		if err != nil || got != after || got.SnoozedUntil != later {
			t.Fatalf("read %+v, %v; want %+v", got, err, after)
		}
	}
	set(coach.Date{})
	var null bool
	if err := db.read.QueryRow("SELECT snoozed_until IS NULL FROM deals WHERE id = ?", d.ID).Scan(&null); err != nil || !null {
		t.Fatalf("cleared snooze stored as NULL: %v, %v", null, err)
	}
	hist, err := db.History(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range hist[1:] {
		got = append(got, string(e.Kind)+":"+e.From+">"+e.To)
	}
	want := []string{"snoozed:2026-11-27>2026-12-04", "snoozed:2026-12-04>"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("history = %q, want %q", got, want)
	}
}
