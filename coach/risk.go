package coach

// FlagKind names a risk on a deal.
type FlagKind string

// The risks coach computes. Reminders and digests use the same list.
const (
	FlagStale          FlagKind = "stale"            // in its stage longer than the stage allows; N = days
	FlagNextOverdue    FlagKind = "next_overdue"     // N = days overdue
	FlagNextMissing    FlagKind = "next_missing"     // no next step, or no date for it
	FlagClosePassed    FlagKind = "close_passed"     // expected close date is behind us; N = days
	FlagUnanswered     FlagKind = "unanswered"       // required questions of its stage unanswered; N = how many
	FlagNoExitCriteria FlagKind = "no_exit_criteria" // advanced without the exit criteria of an earlier stage; N = how many
	FlagNoDecider      FlagKind = "no_decision_maker"
	FlagWarnings       FlagKind = "w_factors" // N = how many W marks
)

// Flag is one risk, with a number where it has one.
type Flag struct {
	Kind FlagKind
	N    int
}

// DealFacts is what the risk rules read beyond the deal row.
type DealFacts struct {
	Answers  map[string]Answer
	Marks    map[string]Mark
	Contacts []Contact
	Left     []string // stages the deal has left behind, from its history
}

// deciderFrom is the win rate from which a deal without a known decision
// maker is a risk: shortlisted (50%) in the seven steps.
const deciderFrom = 50

// Flags lists the risks of an open deal on day today. Closed deals have none.
func (p *Playbook) Flags(d Deal, f DealFacts, today Date) []Flag {
	if d.Status != Open {
		return nil
	}
	var out []Flag
	add := func(k FlagKind, n int) { out = append(out, Flag{k, n}) }
	s, _ := p.Stage(d.Stage)
	if days := DateOf(d.StageSince).DaysUntil(today); s.StaleDays > 0 && days > s.StaleDays {
		add(FlagStale, days)
	}
	switch {
	case d.NextStep == "" || d.NextStepDue.IsZero():
		add(FlagNextMissing, 0)
	case d.NextStepDue.Before(today):
		add(FlagNextOverdue, d.NextStepDue.DaysUntil(today))
	}
	if !d.ExpectedClose.IsZero() && d.ExpectedClose.Before(today) {
		add(FlagClosePassed, d.ExpectedClose.DaysUntil(today))
	}
	if n := len(p.Unanswered(d, d.Stage, f.Answers)); n > 0 {
		add(FlagUnanswered, n)
	}
	n := 0
	for _, st := range f.Left {
		if p.Index(st) >= p.Index(d.Stage) {
			continue
		}
		for _, q := range p.Unanswered(d, st, f.Answers) {
			if !IsNextStepQuestion(q) { // that next step was then, not now
				n++
			}
		}
	}
	if n > 0 {
		add(FlagNoExitCriteria, n)
	}
	if s.WinRate >= deciderFrom && !hasRole(f.Contacts, "decision_maker") {
		add(FlagNoDecider, 0)
	}
	if w := Assess(p.FactorKeys(), f.Marks).W; w > 0 {
		add(FlagWarnings, w)
	}
	return out
}

func hasRole(cs []Contact, role string) bool {
	for _, c := range cs {
		if c.Role == role {
			return true
		}
	}
	return false
}

// FactorKeys lists the playbook's qualification factors in order.
func (p *Playbook) FactorKeys() []string {
	out := make([]string, len(p.Factors))
	for i, f := range p.Factors {
		out[i] = f.Key
	}
	return out
}
