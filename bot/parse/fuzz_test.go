package parse

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dealcoach/dealcoach/coach"
)

// errKeys are the only error keys Parse may return.
var errKeys = map[string]bool{
	"err.amount": true, "err.date": true, "err.stage": true, "err.need_customer": true,
	"err.need_deal": true, "err.too_long": true, "err.mark": true, "err.contact": true,
	"err.snooze": true, "err.snooze_past": true, "err.snooze_far": true,
	"err.team_usage": true, "err.hour": true, "err.tz": true, "err.target": true, "err.digest_where": true,
}

// scheduleSeeds are the team, reminder and done forms, for the fuzzer to
// start from beside the table tests'.
var scheduleSeeds = []string{"/deal team add <@U1|ann> bob", "/deal team target 2026-Q4 5M", "/deal team hour 8pm",
	"/deal team tz Europe/Berlin", "/deal digest here", "周报发到这里", "/deal remind off", "remind me at 7am",
	"每天早上7点提醒我", "my time zone is Asia/Tokyo", "我的时区是 Asia/Shanghai", "#12 done", "经信银行 下一步完成了"}

// FuzzParse checks that Parse never panics and keeps its promises on any
// input: a known kind and language, tidy strings, amounts that survive a
// round trip, and no fields beside an error. Every input is read twice: as
// before factors and contacts, and with the factors of the coaching tests
// and the people vocabulary. The seed corpus is in testdata/fuzz/FuzzParse;
// more seeds come from the table tests.
func FuzzParse(f *testing.F) {
	for _, tc := range slices.Concat(parseCases, coachCases) {
		f.Add(tc.in)
	}
	for _, in := range scheduleSeeds {
		f.Add(in)
	}
	plain := testContext(f, "seven-step")
	people := coachContext(f)
	f.Fuzz(func(t *testing.T, in string) {
		for _, c := range []Context{plain, people} {
			checkCommand(t, c, in, Parse(in, c))
		}
		ClassifyAnswer(in)
	})
}

// checkCommand checks the promises of one parsed command.
func checkCommand(t *testing.T, c Context, in string, cmd Command) {
	t.Helper()
	if cmd.Kind < Unknown || int(cmd.Kind) >= len(kindNames) {
		t.Fatalf("kind %d out of range", cmd.Kind)
	}
	if cmd.Lang != "" && cmd.Lang != "zh" && cmd.Lang != "en" {
		t.Fatalf("lang %q", cmd.Lang)
	}
	checkStrings(t, in, cmd)
	if cmd.HasAmount {
		if cmd.Amount < 0 || cmd.Amount > maxMinor {
			t.Fatalf("amount %d out of range", cmd.Amount)
		}
		if m, ok := ParseAmount(cmd.Amount.String()); !ok || m != cmd.Amount {
			t.Fatalf("amount %d does not round-trip: %q → %d %v", cmd.Amount, cmd.Amount.String(), m, ok)
		}
	}
	if cmd.Stage != "" {
		if _, ok := c.Playbook.Stage(cmd.Stage); !ok {
			t.Fatalf("stage %q is not a key", cmd.Stage)
		}
	}
	checkCoaching(t, c, cmd)
	checkSnooze(t, c, cmd)
	checkSchedule(t, cmd)
	if cmd.Err != nil {
		if !errKeys[cmd.Err.Key] {
			t.Fatalf("error key %q", cmd.Err.Key)
		}
		if cmd.Err.Key != "err.need_deal" && (cmd.HasAmount || cmd.HasNext || cmd.Stage != "" ||
			!cmd.Close.IsZero() || cmd.Note != "" || cmd.Customer != "" || cmd.Marks != nil || cmd.Contact != nil ||
			!cmd.SnoozeUntil.IsZero()) {
			t.Fatalf("fields set beside %s: %+v", cmd.Err.Key, cmd)
		}
	}
	if cmd.HasNext != (cmd.NextStep != "" || !cmd.NextDue.IsZero()) {
		t.Fatalf("HasNext %v with step %q due %v", cmd.HasNext, cmd.NextStep, cmd.NextDue)
	}
}

// checkCoaching: marks name factors of the playbook with C, F or W; a
// contact has a name and keys of people.yaml; each only with its kind.
func checkCoaching(t *testing.T, c Context, cmd Command) {
	t.Helper()
	if len(cmd.Marks) > 0 && cmd.Kind != Qualify || cmd.Contact != nil && cmd.Kind != Contact {
		t.Fatalf("marks or contact on a %s: %+v", cmd.Kind, cmd)
	}
	for _, m := range cmd.Marks {
		known := slices.ContainsFunc(c.Playbook.Factors, func(f coach.Factor) bool { return f.Key == m.Factor })
		if !known || (m.Value != "C" && m.Value != "F" && m.Value != "W") {
			t.Fatalf("mark %+v", m)
		}
	}
	if ci := cmd.Contact; ci != nil {
		if ci.Name == "" || ci.Name != strings.TrimSpace(ci.Name) {
			t.Fatalf("contact name %q", ci.Name)
		}
		for _, k := range []struct {
			key  string
			list []coach.Term
		}{{ci.Role, c.People.Roles}, {ci.Relationship, c.People.Relationships}, {ci.Style, c.People.Styles}} {
			isKey := slices.ContainsFunc(k.list, func(t coach.Term) bool { return t.Key == k.key })
			if k.key != "" && !isKey {
				t.Fatalf("contact %+v: %q is no key", ci, k.key)
			}
		}
	}
}

// checkSchedule: a team or reminder command comes only with its kind, and
// either it or an error; hours are on the clock, zones one word.
func checkSchedule(t *testing.T, cmd Command) {
	t.Helper()
	if cmd.Team != nil && cmd.Kind != Team || cmd.Remind != nil && cmd.Kind != Remind {
		t.Fatalf("team or remind on a %s: %+v", cmd.Kind, cmd)
	}
	switch cmd.Kind {
	case Team:
		if (cmd.Team == nil) == (cmd.Err == nil) {
			t.Fatalf("team command %+v with error %v", cmd.Team, cmd.Err)
		}
		if tc := cmd.Team; tc != nil && (tc.Op == TeamHour && (tc.Hour < 0 || tc.Hour > 23) ||
			tc.Op == TeamTZ && (tc.TZ == "" || strings.ContainsAny(tc.TZ, " \t\n")) ||
			tc.Op == TeamTarget && (tc.Amount <= 0 || tc.Quarter == "") ||
			tc.Op == TeamLang && tc.Lang != "zh" && tc.Lang != "en") {
			t.Fatalf("team command %+v", tc)
		}
	case Remind:
		if (cmd.Remind == nil) == (cmd.Err == nil) {
			t.Fatalf("remind command %+v with error %v", cmd.Remind, cmd.Err)
		}
		if r := cmd.Remind; r != nil && (r.Hour < -1 || r.Hour > 23 || r.Off && r.On ||
			strings.ContainsAny(r.TZ, " \t\n") || r.TZ != strings.TrimSpace(r.TZ)) {
			t.Fatalf("remind command %+v", r)
		}
	case Done:
		if cmd.Ref.ID <= 0 && cmd.Ref.Name == "" {
			t.Fatalf("done without a deal: %+v", cmd)
		}
	}
}

// checkSnooze: a snooze date comes only with a snooze, a real day after
// the message's and at most coach.MaxSnoozeDays after it.
func checkSnooze(t *testing.T, c Context, cmd Command) {
	t.Helper()
	d := cmd.SnoozeUntil
	if d.IsZero() {
		return
	}
	if cmd.Kind != Snooze {
		t.Fatalf("snooze date on a %s: %+v", cmd.Kind, cmd)
	}
	if _, ok := validDate(d.Year, d.Month, d.Day); !ok {
		t.Fatalf("snooze date %v is not a day", d)
	}
	if err := coach.CheckSnooze(coach.DateOf(c.Now), d); err != nil {
		t.Fatalf("snooze date %v: %v", d, err)
	}
}

// checkStrings: every string we hand back is trimmed, and valid UTF-8 when
// the input was.
func checkStrings(t *testing.T, in string, cmd Command) {
	t.Helper()
	for name, s := range map[string]string{
		"Ref.Name": cmd.Ref.Name, "Customer": cmd.Customer, "Title": cmd.Title,
		"NextStep": cmd.NextStep, "Note": cmd.Note, "Reason": cmd.Reason, "Contact.Name": contactName(cmd),
	} {
		if s != strings.TrimSpace(s) {
			t.Fatalf("%s %q is not trimmed", name, s)
		}
		if utf8.ValidString(in) && !utf8.ValidString(s) {
			t.Fatalf("%s %q is not valid UTF-8", name, s)
		}
	}
}

func contactName(cmd Command) string {
	if cmd.Contact == nil {
		return ""
	}
	return cmd.Contact.Name
}

// FuzzParseAmount: no panic; an amount is in range and survives a round
// trip through its String form.
func FuzzParseAmount(f *testing.F) {
	for _, tc := range amountCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		m, ok := ParseAmount(in)
		if !ok {
			if m != 0 {
				t.Fatalf("%q: refused but %d", in, m)
			}
			return
		}
		if m < 0 || m > maxMinor {
			t.Fatalf("%q: %d out of range", in, m)
		}
		if m2, ok := ParseAmount(m.String()); !ok || m2 != m {
			t.Fatalf("%q: %d does not round-trip (%q → %d)", in, m, m.String(), m2)
		}
	})
}

// FuzzParseDate: no panic; a date is a real calendar day and survives a
// round trip through YYYY-MM-DD.
func FuzzParseDate(f *testing.F) {
	for _, tc := range dateCases {
		f.Add(tc.in)
	}
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, shanghai)
	f.Fuzz(func(t *testing.T, in string) {
		d, ok := ParseDate(in, now)
		if !ok {
			if !d.IsZero() {
				t.Fatalf("%q: refused but %v", in, d)
			}
			return
		}
		if _, valid := validDate(d.Year, d.Month, d.Day); !valid {
			t.Fatalf("%q: %v is not a day", in, d)
		}
		if d.Year >= 1000 && d.Year <= 9999 {
			if d2, ok := ParseDate(d.String(), now); !ok || d2 != d {
				t.Fatalf("%q: %v does not round-trip (%v %v)", in, d, d2, ok)
			}
		}
	})
}
