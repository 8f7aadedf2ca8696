package store

import (
	"context"
	"testing"

	"github.com/dealcoach/dealcoach/coach"
)

func TestAnswersMarksContacts(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	a := rep(t, db, "A")
	d, _ := db.CreateDeal(ctx, coach.Deal{Customer: "Acme", OwnerID: a.ID, Currency: "USD", Stage: "interest"}, a.ID)

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.SaveAnswer(ctx, coach.Answer{DealID: d.ID, Question: "interest.cases", Stage: "interest", Status: coach.Skipped}, a.ID))
	must(db.SaveAnswer(ctx, coach.Answer{DealID: d.ID, Question: "interest.cases", Stage: "interest", Status: coach.Answered, Text: "Bank of X"}, a.ID))
	ans, err := db.Answers(ctx, d.ID)
	must(err)
	if got := ans["interest.cases"]; len(ans) != 1 || got.Status != coach.Answered || got.Text != "Bank of X" || got.Person != "A" {
		t.Fatalf("answers = %+v", ans)
	}

	must(db.SetMarks(ctx, d.ID, a.ID, map[string]coach.Mark{"budget": coach.Clear, "timeline": coach.Warning}, []string{"budget", "timeline"}))
	must(db.SetMarks(ctx, d.ID, a.ID, map[string]coach.Mark{"budget": coach.Clear, "timeline": coach.Fuzzy}, []string{"budget", "timeline"}))
	marks, err := db.Marks(ctx, d.ID)
	must(err)
	if marks["budget"] != coach.Clear || marks["timeline"] != coach.Fuzzy || len(marks) != 2 {
		t.Fatalf("marks = %v", marks)
	}

	_, err = db.SaveContact(ctx, coach.Contact{DealID: d.ID, Name: "Jane Doe", Role: "decision_maker"}, a.ID)
	must(err)
	c, err := db.SaveContact(ctx, coach.Contact{DealID: d.ID, Name: "Jane Doe", Relationship: "ally"}, a.ID)
	must(err)
	if c.Role != "decision_maker" || c.Relationship != "ally" {
		t.Fatalf("merged contact = %+v", c)
	}
	cs, err := db.Contacts(ctx, d.ID)
	must(err)
	if len(cs) != 1 || cs[0] != c {
		t.Fatalf("contacts = %+v", cs)
	}
	hist, _ := db.History(ctx, d.ID)
	var kinds []coach.EventKind
	for _, e := range hist {
		kinds = append(kinds, e.Kind)
	}
	// created, skipped, answer, 2 marks, 1 changed mark (budget unchanged), 2 contact changes
	want := []coach.EventKind{coach.EvCreated, coach.EvSkipped, coach.EvAnswer, coach.EvQualified, coach.EvQualified,
		coach.EvQualified, coach.EvContact, coach.EvContact}
	if len(kinds) != len(want) {
		t.Fatalf("history %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("history %v, want %v", kinds, want)
		}
	}
}
