package coach

import (
	"testing"
	"time"
)

// TestApply checks the change of a deal worked out as data: the fields
// set, the status that follows the stage, the events and the stamps.
func TestApply(t *testing.T) {
	pb := sevenStep(t)
	then := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	open := Deal{ID: 7, Customer: "Acme", Currency: "CNY", Stage: "interest", Status: Open, NextStep: "call",
		NextStepDue: Date{2026, 11, 27}, UpdatedAt: then, StageSince: then, Version: 3}
	lost := open
	lost.Status, lost.LostReason = Lost, "price"
	cases := []struct {
		name    string
		d       Deal
		c       Change
		want    func(d *Deal)
		events  []EventKind
		notes   int
		errCode Code
	}{
		{name: "stage", d: open, c: Change{Stage: "approved"},
			want: func(d *Deal) { d.Stage, d.UpdatedAt, d.StageSince = "approved", now, now }, events: []EventKind{EvStage}},
		{name: "final stage wins", d: open, c: Change{Stage: pb.Final().Key},
			want: func(d *Deal) { d.Stage, d.Status, d.UpdatedAt, d.StageSince = pb.Final().Key, Won, now, now }, events: []EventKind{EvStage, EvWon}},
		{name: "a stage reopens", d: lost, c: Change{Stage: "approved"},
			want: func(d *Deal) {
				d.Stage, d.Status, d.LostReason, d.UpdatedAt, d.StageSince = "approved", Open, "", now, now
			},
			events: []EventKind{EvStage, EvReopened}},
		{name: "amount", d: open, c: Change{HasAmount: true, Amount: Major(5), Currency: "CNY"},
			want: func(d *Deal) { d.Amount, d.UpdatedAt = Major(5), now }, events: []EventKind{EvAmount}},
		{name: "another currency", d: open, c: Change{HasAmount: true, Amount: Major(5), Currency: "USD"}, errCode: Invalid},
		{name: "the same step keeps its date", d: open, c: Change{HasNext: true, NextStep: "Call"}},
		{name: "a date alone", d: open, c: Change{HasNext: true, NextDue: Date{2026, 12, 1}},
			want: func(d *Deal) { d.NextStepDue, d.UpdatedAt = Date{2026, 12, 1}, now }, events: []EventKind{EvNextStep}},
		{name: "lost with a note", d: open, c: Change{Lost: true, Reason: "budget", Notes: []string{"cut"}},
			want: func(d *Deal) { d.Status, d.LostReason, d.UpdatedAt = Lost, "budget", now }, events: []EventKind{EvLost}, notes: 1},
		{name: "a note alone", d: open, c: Change{Notes: []string{"met"}}, want: func(d *Deal) { d.UpdatedAt = now }, notes: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, err := pb.Apply(c.d, c.c, now)
			if ErrorCode(err) != c.errCode && (err != nil || c.errCode != "") {
				t.Fatalf("error %v, want code %q", err, c.errCode)
			}
			if err != nil {
				return
			}
			want := c.d
			if c.want != nil {
				c.want(&want)
			}
			if u.Before != c.d || u.After != want {
				t.Errorf("before %+v\nafter %+v\nwant %+v", u.Before, u.After, want)
			}
			var kinds []EventKind
			for _, e := range u.Events {
				kinds = append(kinds, e.Kind)
			}
			if len(kinds) != len(c.events) || len(u.Notes) != c.notes {
				t.Fatalf("events %v notes %d, want %v and %d", kinds, len(u.Notes), c.events, c.notes)
			}
			for i := range kinds {
				if kinds[i] != c.events[i] {
					t.Errorf("events %v, want %v", kinds, c.events)
				}
			}
		})
	}
}
