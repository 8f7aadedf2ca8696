package parse

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dealcoach/dealcoach/coach"
)

// errKeys are the only error keys Parse may return.
var errKeys = map[string]bool{
	"err.amount": true, "err.date": true, "err.stage": true, "err.need_customer": true,
	"err.need_deal": true, "err.too_long": true,
}

// FuzzParse checks that Parse never panics and keeps its promises on any
// input: a known kind and language, tidy strings, amounts that survive a
// round trip, and no fields beside an error. The seed corpus is in
// testdata/fuzz/FuzzParse; more seeds come from the table test.
func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.in)
	}
	c := testContext(f, "seven-step")
	f.Fuzz(func(t *testing.T, in string) {
		cmd := Parse(in, c)
		if cmd.Kind < Unknown || cmd.Kind > Lost {
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
		if cmd.Err != nil {
			if !errKeys[cmd.Err.Key] {
				t.Fatalf("error key %q", cmd.Err.Key)
			}
			if cmd.Err.Key != "err.need_deal" && (cmd.HasAmount || cmd.HasNext || cmd.Stage != "" ||
				!cmd.Close.IsZero() || cmd.Note != "" || cmd.Customer != "") {
				t.Fatalf("fields set beside %s: %+v", cmd.Err.Key, cmd)
			}
		}
		if cmd.HasNext != (cmd.NextStep != "" || !cmd.NextDue.IsZero()) {
			t.Fatalf("HasNext %v with step %q due %v", cmd.HasNext, cmd.NextStep, cmd.NextDue)
		}
	})
}

// checkStrings: every string we hand back is trimmed, and valid UTF-8 when
// the input was.
func checkStrings(t *testing.T, in string, cmd Command) {
	t.Helper()
	for name, s := range map[string]string{
		"Ref.Name": cmd.Ref.Name, "Customer": cmd.Customer, "Title": cmd.Title,
		"NextStep": cmd.NextStep, "Note": cmd.Note, "Reason": cmd.Reason,
	} {
		if s != strings.TrimSpace(s) {
			t.Fatalf("%s %q is not trimmed", name, s)
		}
		if utf8.ValidString(in) && !utf8.ValidString(s) {
			t.Fatalf("%s %q is not valid UTF-8", name, s)
		}
	}
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

var _ = coach.Date{}
