// Package coach is the sales domain: deals, people, playbooks and the rules
// that apply to them. It does no I/O, so every rule is a table test away.
package coach

import (
	"strings"
	"time"
)

// Status is where a deal ended up.
type Status string

// Deal statuses.
const (
	Open Status = "open"
	Won  Status = "won"
	Lost Status = "lost"
)

// Deal is one sales opportunity in a rep's funnel.
type Deal struct {
	ID            int64
	Customer      string
	Title         string
	OwnerID       int64
	Owner         string // owner's display name, filled by reads
	TeamID        int64
	Amount        Money
	Currency      string
	Stage         string // the playbook's stage key
	Status        Status
	LostReason    string
	NextStep      string
	NextStepDue   Date
	ExpectedClose Date
	SnoozedUntil  Date // reminders resume on this day; zero: not snoozed (see Snoozed)
	CreatedAt     time.Time
	UpdatedAt     time.Time
	StageSince    time.Time // when the deal entered its current stage
	Version       int64     // bumped on every write, for optimistic concurrency
}

// MaxSnoozeDays is how far ahead a deal may be snoozed: a deal quiet for
// longer than a quarter is better marked lost.
const MaxSnoozeDays = 90

// Snoozed reports whether reminders about the deal are held back on day
// today: from the day the snooze was set through the day before
// SnoozedUntil. On SnoozedUntil itself reminders resume, so "snooze 3 days"
// on Monday (SnoozedUntil Thursday) is quiet Monday to Wednesday.
func (d Deal) Snoozed(today Date) bool {
	return !d.SnoozedUntil.IsZero() && today.Before(d.SnoozedUntil)
}

// CheckSnooze tells whether a deal may be snoozed until day until, asked
// on day today: the day must be later than today and at most MaxSnoozeDays
// after it. The zero day (no snooze) is always fine.
func CheckSnooze(today, until Date) *Error {
	switch {
	case until.IsZero():
		return nil
	case !today.Before(until):
		return Errorf(Invalid, "err.snooze_past", "date", until.String(), "max", MaxSnoozeDays)
	case today.DaysUntil(until) > MaxSnoozeDays:
		return Errorf(Invalid, "err.snooze_far", "date", until.String(), "max", MaxSnoozeDays)
	}
	return nil
}

// Name is how a deal is shown in one line: the customer, and the title when
// there is one.
func (d Deal) Name() string {
	if d.Title == "" || d.Title == d.Customer {
		return d.Customer
	}
	return d.Customer + " · " + d.Title
}

// NormalizeName folds a customer or title for lookup: lower case, inner
// white space collapsed, full-width ASCII folded to half-width.
func NormalizeName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.TrimSpace(s) {
		if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII block
			r -= 0xFEE0
		}
		if r == '\u3000' || r == ' ' || r == '\t' || r == '\n' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteString(strings.ToLower(string(r)))
	}
	return b.String()
}
