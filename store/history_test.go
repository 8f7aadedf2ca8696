package store

import (
	"context"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

func TestHistoryBefore(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	before := func(at time.Time) bool {
		t.Helper()
		had, err := db.HistoryBefore(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		return had
	}
	if before(testNow.Add(time.Hour)) {
		t.Fatal("an empty store has history")
	}
	bob := rep(t, db, "Bob")
	if _, err := db.CreateDeal(ctx, coach.Deal{Customer: "Acme", OwnerID: bob.ID, Amount: coach.Major(1000), Currency: "CNY", Stage: "interest"}, bob.ID); err != nil {
		t.Fatal(err)
	}
	// The deal was made at testNow: history before anything later, not
	// before testNow itself.
	if before(testNow) || !before(testNow.Add(time.Microsecond)) {
		t.Fatalf("history before %v: %v, before a microsecond later: %v", testNow, before(testNow), before(testNow.Add(time.Microsecond)))
	}
	if plan, want := queryPlan(t, db.read, historyBefore, fmtTime(testNow)), "SCAN CONSTANT ROW; SCALAR SUBQUERY 1; SEARCH deal_events USING COVERING INDEX deal_events_at (at<?)"; plan != want {
		t.Fatalf("plan %q, want %q", plan, want)
	}
}
