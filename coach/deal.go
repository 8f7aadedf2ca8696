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
	CreatedAt     time.Time
	UpdatedAt     time.Time
	StageSince    time.Time // when the deal entered its current stage
	Version       int64     // bumped on every write, for optimistic concurrency
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
