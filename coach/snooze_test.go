package coach

import "testing"

func TestSnoozed(t *testing.T) {
	mon := Date{2026, 11, 23}
	d := Deal{SnoozedUntil: Date{2026, 11, 26}} // Thursday
	for _, tt := range []struct {
		today Date
		want  bool
	}{
		{mon.AddDays(-1), true}, {mon, true}, {mon.AddDays(2), true}, // through Wednesday
		{mon.AddDays(3), false}, {mon.AddDays(4), false}, // reminders resume on Thursday
	} {
		if got := d.Snoozed(tt.today); got != tt.want {
			t.Errorf("Snoozed(%v) with SnoozedUntil %v = %v, want %v", tt.today, d.SnoozedUntil, got, tt.want)
		}
	}
	if (Deal{}).Snoozed(mon) {
		t.Error("a deal without SnoozedUntil is snoozed")
	}
}

func TestCheckSnooze(t *testing.T) {
	today := Date{2026, 11, 24}
	for _, tt := range []struct {
		until Date
		key   string
	}{
		{Date{}, ""},
		{today.AddDays(1), ""},
		{today.AddDays(MaxSnoozeDays), ""},
		{today, "err.snooze_past"},
		{today.AddDays(-3), "err.snooze_past"},
		{today.AddDays(MaxSnoozeDays + 1), "err.snooze_far"},
	} {
		got := ""
		if err := CheckSnooze(today, tt.until); err != nil {
			got = err.Key
		}
		if got != tt.key {
			t.Errorf("CheckSnooze(%v) = %q, want %q", tt.until, got, tt.key)
		}
	}
}

func TestDiffSnooze(t *testing.T) {
	before := Deal{ID: 1, Customer: "Acme", Stage: "interest", Status: Open}
	after := before
	after.SnoozedUntil = Date{2026, 11, 27}
	evs := Diff(before, after)
	if len(evs) != 1 || evs[0].Kind != EvSnoozed || evs[0].From != "" || evs[0].To != "2026-11-27" {
		t.Fatalf("snooze gave %+v", evs)
	}
	evs = Diff(after, before)
	if len(evs) != 1 || evs[0].Kind != EvSnoozed || evs[0].From != "2026-11-27" || evs[0].To != "" {
		t.Fatalf("unsnooze gave %+v", evs)
	}
}
