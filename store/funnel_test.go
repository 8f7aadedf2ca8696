package store

import (
	"context"
	"testing"

	"github.com/dealcoach/dealcoach/coach"
)

func TestFunnel(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	a, b := rep(t, db, "A"), rep(t, db, "B")
	today := coach.Date{Year: 2026, Month: 11, Day: 24}
	deals := []coach.Deal{
		{Customer: "no step", OwnerID: a.ID, Stage: "interest", Amount: coach.Major(100)},
		{Customer: "step, no date", OwnerID: a.ID, Stage: "interest", Amount: coach.Major(200), NextStep: "call"},
		{Customer: "overdue", OwnerID: a.ID, Stage: "shortlist", Amount: coach.Major(300), NextStep: "call", NextStepDue: today.AddDays(-1)},
		{Customer: "due today", OwnerID: a.ID, Stage: "shortlist", Amount: coach.Major(400), NextStep: "call", NextStepDue: today},
		{Customer: "won", OwnerID: a.ID, Stage: "won", Status: coach.Won, Amount: coach.Major(999)},
		{Customer: "someone else's", OwnerID: b.ID, Stage: "interest", Amount: coach.Major(50)},
	}
	for i := range deals {
		deals[i].Currency = "CNY"
	}
	if err := db.CreateDeals(ctx, deals, a.ID); err != nil {
		t.Fatal(err)
	}
	fu, err := db.Funnel(ctx, DealFilter{OwnerID: a.ID}, today)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]StageTotal{}
	for _, st := range fu.Stages {
		got[st.Stage] = st
	}
	if len(got) != 2 || got["interest"].Count != 2 || got["interest"].Amount != coach.Major(300) ||
		got["shortlist"].Count != 2 || got["shortlist"].Amount != coach.Major(700) || fu.NoNext != 2 || fu.Overdue != 1 {
		t.Fatalf("funnel = %+v", fu)
	}
	// Only deals without any due date: the overdue count must still be a number.
	fu, err = db.Funnel(ctx, DealFilter{OwnerID: b.ID}, today)
	if err != nil || fu.NoNext != 1 || fu.Overdue != 0 {
		t.Fatalf("funnel of B = %+v, %v", fu, err)
	}
}
