package coach

import (
	"testing"
	"time"
)

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in   string
		want Money
		ok   bool
	}{
		{"0", 0, true}, {"1200000", Major(1_200_000), true}, {"1200000.5", 120000050, true},
		{"0.1", 10, true}, {"1234567.89", 123456789, true}, {"-5", -500, true},
		{"", 0, false}, {"1.+5", 0, false}, {"+5", 0, false}, {"1.-0", 0, false}, {"1.234", 0, false},
		{"1,000", 0, false}, {"abc", 0, false}, {"1.", 0, false}, {".5", 0, false},
		{"99999999999999999999", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseMoney(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseMoney(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if tt.ok && got.String() != tt.in && tt.in != "1200000.5" {
			t.Errorf("Money(%q).String() = %q", tt.in, got.String())
		}
	}
}

func TestDiff(t *testing.T) {
	before := Deal{ID: 1, Customer: "Acme", Stage: "interest", Amount: Major(100), Status: Open}
	after := before
	after.Stage, after.Amount, after.Status = "won", Major(150), Won
	after.NextStep, after.NextStepDue = "kick-off", Date{2026, 12, 1}
	got := Diff(before, after)
	want := []EventKind{EvStage, EvAmount, EvNextStep, EvWon}
	if len(got) != len(want) {
		t.Fatalf("Diff = %+v", got)
	}
	for i, k := range want {
		if got[i].Kind != k {
			t.Errorf("event %d = %s, want %s", i, got[i].Kind, k)
		}
	}
	if got[2].To != "kick-off @2026-12-01" || got[1].From != "100" || got[1].To != "150" {
		t.Errorf("values: %+v", got)
	}
	if evs := Diff(before, before); len(evs) != 0 {
		t.Errorf("no change gave %+v", evs)
	}
	if evs := Diff(Deal{}, before); len(evs) != 1 || evs[0].Kind != EvCreated || evs[0].To != "interest" {
		t.Errorf("create gave %+v", evs)
	}
}

func TestDates(t *testing.T) {
	d := Date{2028, 2, 28}
	if got := d.AddDays(1); got != (Date{2028, 2, 29}) {
		t.Errorf("leap day: %v", got)
	}
	if n := (Date{2026, 12, 31}).DaysUntil(Date{2027, 1, 1}); n != 1 {
		t.Errorf("DaysUntil = %d", n)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	if got := DateOf(time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC).In(sh)); got != (Date{2026, 11, 25}) {
		t.Errorf("DateOf in Shanghai = %v", got)
	}
	if _, err := ParseDate("2026-13-45"); err == nil {
		t.Error("bad date accepted")
	}
}

func TestCanEdit(t *testing.T) {
	d := Deal{OwnerID: 1, TeamID: 7}
	tests := []struct {
		p    Person
		want bool
	}{
		{Person{ID: 1}, true},
		{Person{ID: 2, Role: Rep, TeamID: 7}, false},
		{Person{ID: 3, Role: Manager, TeamID: 7}, true},
		{Person{ID: 4, Role: Manager, TeamID: 8}, false},
		{Person{ID: 5, Role: Manager}, false},
		{Person{ID: 6, Role: Admin}, true},
	}
	for _, tt := range tests {
		if got := tt.p.CanEdit(d); got != tt.want {
			t.Errorf("%+v.CanEdit = %v", tt.p, got)
		}
	}
}

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{"  Acme   Corp ": "acme corp", "ＡＣＭＥ": "acme", "经信银行\u3000核心": "经信银行 核心"} {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}
