package store

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dealcoach/dealcoach/coach"
)

// TestNudgeDeals checks the morning reminders' read against the full one:
// every open deal once, whichever half of the ids it is in, closed deals
// left out, and the fields it promises equal to Deal's.
func TestNudgeDeals(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	alice, bob := rep(t, db, "Alice"), rep(t, db, "Bob")
	var open []int64
	for i := range 7 { // an odd count: the halves differ
		owner := alice
		if i%2 == 1 {
			owner = bob
		}
		d, err := db.CreateDeal(ctx, coach.Deal{Customer: "客户", Title: string(rune('A' + i)), OwnerID: owner.ID,
			Amount: coach.Major(int64(1000 * (i + 1))), Currency: "CNY", Stage: "interest",
			NextStep: "call", NextStepDue: coach.Date{Year: 2026, Month: 11, Day: 20 + i},
			ExpectedClose: coach.Date{Year: 2027, Month: 1, Day: 1 + i}}, owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		switch i {
		case 2:
			if _, _, err := db.UpdateDeal(ctx, d.ID, owner.ID, func(d *coach.Deal) ([]coach.Event, error) {
				d.Status, d.LostReason = coach.Lost, "price"
				return []coach.Event{{Kind: coach.EvLost, To: "price"}}, nil
			}, nil); err != nil {
				t.Fatal(err)
			}
			continue
		case 4:
			if _, _, err := db.UpdateDeal(ctx, d.ID, owner.ID, func(d *coach.Deal) ([]coach.Event, error) {
				d.SnoozedUntil = coach.Date{Year: 2026, Month: 12, Day: 1}
				return nil, nil
			}, nil); err != nil {
				t.Fatal(err)
			}
		}
		open = append(open, d.ID)
	}
	got, err := db.NudgeDeals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(got, func(a, b coach.Deal) int { return int(a.ID - b.ID) })
	var ids []int64
	for _, d := range got {
		ids = append(ids, d.ID)
		full, err := db.Deal(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := coach.Deal{ID: full.ID, Customer: full.Customer, Title: full.Title, OwnerID: full.OwnerID,
			Amount: full.Amount, Currency: full.Currency, Stage: full.Stage, Status: coach.Open,
			NextStep: full.NextStep, NextStepDue: full.NextStepDue, ExpectedClose: full.ExpectedClose,
			SnoozedUntil: full.SnoozedUntil, StageSince: full.StageSince}
		if diff := cmp.Diff(want, d); diff != "" {
			t.Errorf("deal %d (-full +nudge):\n%s", d.ID, diff)
		}
	}
	if !slices.Equal(ids, open) {
		t.Errorf("open deals read %v, want %v", ids, open)
	}
	if got[3].SnoozedUntil.IsZero() || got[0].StageSince.IsZero() {
		t.Errorf("snooze or stage time not read: %+v", got)
	}
}
