package store

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dealcoach/dealcoach/coach"
)

// TestOwnersNudgeDeals checks the morning reminders' read against the
// full one: the open deals of the owners asked for, owner by owner, closed
// deals and other owners' left out, and the fields it promises equal to
// Deal's; and the answers of those deals.
func TestOwnersNudgeDeals(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	bob, alice, carl := rep(t, db, "Bob"), rep(t, db, "Alice"), rep(t, db, "Carl")
	var open []int64 // Bob's, then Alice's: by owner id
	var bobs []int64
	for i := range 9 {
		owner := []coach.Person{alice, bob, carl}[i%3]
		d, err := db.CreateDeal(ctx, coach.Deal{Customer: "客户", Title: string(rune('A' + i)), OwnerID: owner.ID,
			Amount: coach.Major(int64(1000 * (i + 1))), Currency: "CNY", Stage: "interest",
			NextStep: "call", NextStepDue: coach.Date{Year: 2026, Month: 11, Day: 20 + i},
			ExpectedClose: coach.Date{Year: 2027, Month: 1, Day: 1 + i}}, owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		switch i {
		case 2:
			if _, _, err := editDeal(ctx, db, d.ID, owner.ID, func(d *coach.Deal) ([]coach.Event, error) {
				d.Status, d.LostReason = coach.Lost, "price"
				return []coach.Event{{Kind: coach.EvLost, To: "price"}}, nil
			}); err != nil {
				t.Fatal(err)
			}
			continue
		case 4:
			if _, _, err := editDeal(ctx, db, d.ID, owner.ID, func(d *coach.Deal) ([]coach.Event, error) {
				d.SnoozedUntil = coach.Date{Year: 2026, Month: 12, Day: 1}
				return nil, nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		switch owner.ID {
		case alice.ID:
			open = append(open, d.ID)
		case bob.ID:
			bobs = append(bobs, d.ID)
		}
	}
	open = append(bobs, open...)
	got, err := db.OwnersNudgeDeals(ctx, []int64{alice.ID, bob.ID}, 1)
	if err != nil {
		t.Fatal(err)
	}
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
			SnoozedUntil: full.SnoozedUntil, StageSince: full.StageSince, UpdatedAt: full.UpdatedAt}
		if diff := cmp.Diff(want, d); diff != "" {
			t.Errorf("deal %d (-full +nudge):\n%s", d.ID, diff)
		}
	}
	if !slices.Equal(ids, open) {
		t.Errorf("open deals read %v, want %v", ids, open)
	}
	if !slices.ContainsFunc(got, func(d coach.Deal) bool { return !d.SnoozedUntil.IsZero() }) || got[0].StageSince.IsZero() {
		t.Errorf("snooze or stage time not read: %+v", got)
	}
	if none, err := db.OwnersNudgeDeals(ctx, nil, 0); err != nil || len(none) != 0 {
		t.Errorf("no owners: %v, %v", none, err)
	}
	counts, err := db.OpenDealCounts(ctx)
	if want := map[int64]int{alice.ID: 3, bob.ID: 3, carl.ID: 2}; err != nil || !maps.Equal(counts, want) {
		t.Errorf("open deal counts %v (%v), want %v", counts, err, want)
	}

	// Answers: of the owners' open deals only.
	for _, id := range []int64{open[0], open[len(open)-1], 6} { // Bob's, Alice's, Carl's (open)
		if err := db.SaveAnswer(ctx, coach.Answer{DealID: id, Question: "interest.pain", Stage: "interest",
			Status: coach.Answered, Text: "slow reports"}, alice.ID); err != nil {
			t.Fatal(err)
		}
	}
	answers, err := db.OwnersOpenAnswers(ctx, []int64{alice.ID, bob.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(answers) != 2 || answers[open[0]]["interest.pain"].Text != "slow reports" || answers[open[len(open)-1]] == nil {
		t.Errorf("answers %+v", answers)
	}
	// A team's: Alice's deals move with her into the team; Bob's and
	// Carl's stay out.
	tm, err := db.CreateTeam(ctx, coach.Team{Name: "East"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.JoinTeam(ctx, alice.ID, tm.ID, coach.Rep); err != nil {
		t.Fatal(err)
	}
	team, err := db.TeamOpenAnswers(ctx, tm.ID)
	if err != nil || len(team) != 1 || team[open[len(open)-1]]["interest.pain"].Text != "slow reports" {
		t.Errorf("team answers %+v (%v)", team, err)
	}
}
