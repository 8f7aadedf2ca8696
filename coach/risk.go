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
	return p.appendFlags(nil, d, f, today)
}

// appendFlags is Flags appending to out, so that the morning reminders,
// which ask for every open deal, can keep them on the stack.
func (p *Playbook) appendFlags(out []Flag, d Deal, f DealFacts, today Date) []Flag {
	if d.Status != Open {
		return out
	}
	var stale, winRate int
	if s := p.stage(d.Stage); s != nil {
		stale, winRate = s.StaleDays, s.WinRate
	}
	if days := DateOf(d.StageSince).DaysUntil(today); stale > 0 && days > stale {
		out = append(out, Flag{FlagStale, days})
	}
	switch {
	case d.NextStep == "" || d.NextStepDue.IsZero():
		out = append(out, Flag{FlagNextMissing, 0})
	case d.NextStepDue.Before(today):
		out = append(out, Flag{FlagNextOverdue, d.NextStepDue.DaysUntil(today)})
	}
	if !d.ExpectedClose.IsZero() && d.ExpectedClose.Before(today) {
		out = append(out, Flag{FlagClosePassed, d.ExpectedClose.DaysUntil(today)})
	}
	if n, _ := p.countUnanswered(d, d.Stage, f.Answers); n > 0 {
		out = append(out, Flag{FlagUnanswered, n})
	}
	n := 0
	for _, st := range f.Left {
		if p.Index(st) >= p.Index(d.Stage) {
			continue
		}
		all, next := p.countUnanswered(d, st, f.Answers)
		n += all - next // that next step was then, not now
	}
	if n > 0 {
		out = append(out, Flag{FlagNoExitCriteria, n})
	}
	if winRate >= deciderFrom && !hasRole(f.Contacts, "decision_maker") {
		out = append(out, Flag{FlagNoDecider, 0})
	}
	if len(f.Marks) > 0 { // no marks, no W
		if w := Assess(p.FactorKeys(), f.Marks).W; w > 0 {
			out = append(out, Flag{FlagWarnings, w})
		}
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
