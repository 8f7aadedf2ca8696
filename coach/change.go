package coach

import "time"

// Change is what a message asks of a deal, as data. Zero fields leave the
// deal as it is.
type Change struct {
	Stage     string // a stage key of the playbook; "" keeps the stage
	HasAmount bool
	Amount    Money
	Currency  string // the amount's currency as written; "" is the deal's
	HasNext   bool   // NextStep and NextDue say something about the next step
	NextStep  string
	NextDue   Date
	Close     Date // the expected close; zero keeps it
	Won       bool
	Lost      bool
	Reason    string   // why the deal was lost
	Notes     []string // notes to record with the change
}

// Update is a change worked out: the deal before and after, one history
// event per field that changed, and the notes that go with them.
type Update struct {
	Before, After Deal
	Events        []Event // Diff(Before, After)
	Notes         []Event
}

// Changed reports whether the update writes anything.
func (u Update) Changed() bool { return len(u.Events)+len(u.Notes) > 0 }

// NewUpdate is the update from before to after with notes: its events,
// and after stamped at now (the stage's start too when the stage moved)
// when anything changed.
func NewUpdate(before, after Deal, notes []Event, now time.Time) Update {
	u := Update{Before: before, After: after, Events: Diff(before, after), Notes: notes}
	if before.ID != 0 && u.Changed() {
		u.After.UpdatedAt = now.UTC()
		if u.After.Stage != before.Stage {
			u.After.StageSince = u.After.UpdatedAt
		}
	}
	return u
}

// Apply works out change c of deal d at now. Reaching the final stage wins
// the deal; moving the stage of a closed deal reopens it. An amount in a
// currency other than the deal's is refused: converting at a guessed rate
// would be a silent misparse.
func (p *Playbook) Apply(d Deal, c Change, now time.Time) (Update, error) {
	before := d
	if c.Stage != "" {
		if d.Status != Open {
			d.Status, d.LostReason = Open, ""
		}
		d.Stage = c.Stage
		if c.Stage == p.Final().Key {
			d.Status = Won
		}
	}
	if c.HasAmount {
		if c.Currency != "" && c.Currency != d.Currency {
			return Update{Before: before, After: before}, Errorf(Invalid, "err.currency", "given", c.Currency, "currency", d.Currency)
		}
		d.Amount = c.Amount
	}
	if c.HasNext {
		switch {
		case c.NextStep != "" && c.NextDue.IsZero() && NormalizeName(c.NextStep) == NormalizeName(d.NextStep):
			// "下一步还是提交标书": the same step again keeps its date
		case c.NextStep != "":
			d.NextStep, d.NextStepDue = c.NextStep, c.NextDue
		case !c.NextDue.IsZero():
			d.NextStepDue = c.NextDue
		}
	}
	if !c.Close.IsZero() {
		d.ExpectedClose = c.Close
	}
	switch {
	case c.Won:
		d.Status, d.Stage, d.LostReason = Won, p.Final().Key, ""
	case c.Lost:
		d.Status, d.LostReason = Lost, c.Reason
	}
	var notes []Event
	for _, n := range c.Notes {
		notes = append(notes, Event{Kind: EvNote, To: n})
	}
	return NewUpdate(before, d, notes, now), nil
}
