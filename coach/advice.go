package coach

import (
	"slices"
)

// Advice is what the method says about one deal now, from the deal itself
// and the playbook's data: short and ranked, for "how do I push X?". The
// full walk through the questions stays with coaching.
type Advice struct {
	Stage       Stage          // the deal's stage: its goal, people, tips and exit criteria
	Missing     []string       // roles of the stage's people with no contact in that role, in the stage's order
	Open        []Question     // required questions of the stage still open, in order, at most AdviceShown
	MoreOpen    int            // required questions left out by the cap
	Factors     []FactorAdvice // factors not C: W first, then F, each in playbook order; at most AdviceShown
	MoreFactors int            // factors left out by the cap
	Marked      bool           // the deal has 8C1F0W marks at all
	Risks       []Flag         // the deal's risk flags (Flags)
	Next        NextMove       // the one suggested next step
}

// AdviceShown caps each list of advice: a rep reads three things, not ten.
const AdviceShown = 3

// FactorAdvice is a factor that is not C yet, and the question whose
// answer "yes" would make it C.
type FactorAdvice struct {
	Factor Factor
	Mark   Mark // Warning or Fuzzy (unmarked counts as Fuzzy)
}

// MoveKind is what the suggested next step is about.
type MoveKind string

// The suggested next steps, most pressing first.
const (
	MoveOverdue  MoveKind = "overdue"  // the next step is overdue: do it or re-date it (Text: the step)
	MoveWarning  MoveKind = "warning"  // a factor is W: turn it (Factor)
	MoveDecider  MoveKind = "decider"  // the decision maker is unknown or not reached at this stage
	MoveQuestion MoveKind = "question" // find out the first open required question (Question)
	MoveRole     MoveKind = "role"     // reach a missing person of the stage (Role)
	MoveNoNext   MoveKind = "no_next"  // set a dated next step
	MoveExit     MoveKind = "exit"     // the stage's exit criteria look met: confirm them and move on
	MoveRepeat   MoveKind = "repeat"   // a won account: the repeat step's first open question (Question)
)

// NextMove is the one suggested next step.
type NextMove struct {
	Kind     MoveKind
	Text     string   // MoveOverdue: the deal's next step
	Factor   Factor   // MoveWarning
	Question Question // MoveQuestion, MoveRepeat
	Role     string   // MoveRole, MoveDecider: a role key
	Tip      Text     // the stage's first tip, to go with the move; may be empty
}

// Advise works out the advice on deal d with its facts on day today. A won
// deal is advised on the playbook's last stage (the repeat step, the
// account after the win); a lost deal has none (ok false).
func (p *Playbook) Advise(d Deal, f DealFacts, today Date) (Advice, bool) {
	if d.Status == Lost {
		return Advice{}, false
	}
	s := p.stage(d.Stage)
	if d.Status == Won {
		s = &p.Stages[len(p.Stages)-1]
	}
	if s == nil {
		return Advice{}, false
	}
	a := Advice{Stage: *s, Marked: len(f.Marks) > 0}
	for _, fl := range p.Flags(d, f, today) {
		if fl.Kind != FlagUnanswered && fl.Kind != FlagWarnings { // the advice lists those itself
			a.Risks = append(a.Risks, fl)
		}
	}
	for _, role := range s.People {
		if !hasRole(f.Contacts, role) {
			a.Missing = append(a.Missing, role)
		}
	}
	var open []Question
	for _, q := range s.Questions {
		// Open: required (on a won account, every repeat question), not
		// answered, and not the next-step question of a dated next step.
		dated := IsNextStepQuestion(q) && d.NextStep != "" && !d.NextStepDue.IsZero()
		if (q.Required || d.Status == Won) && f.Answers[q.Key].Status != Answered && !dated {
			open = append(open, q)
		}
	}
	a.Open, a.MoreOpen = open[:min(len(open), AdviceShown)], max(len(open)-AdviceShown, 0)
	if d.Status == Open {
		var ws, fs []FactorAdvice
		for _, fc := range p.Factors {
			switch f.Marks[fc.Key] {
			case Clear:
			case Warning:
				ws = append(ws, FactorAdvice{fc, Warning})
			default:
				fs = append(fs, FactorAdvice{fc, Fuzzy})
			}
		}
		all := append(ws, fs...)
		a.Factors, a.MoreFactors = all[:min(len(all), AdviceShown)], max(len(all)-AdviceShown, 0)
	}
	a.Next = p.nextMove(d, a, open)
	if len(s.Tips) > 0 {
		a.Next.Tip = s.Tips[0]
	}
	return a, true
}

// nextMove picks the one next step: the most pressing thing the advice
// found, in the order of MoveKind's constants.
func (p *Playbook) nextMove(d Deal, a Advice, open []Question) NextMove {
	if d.Status == Won {
		if len(open) > 0 {
			return NextMove{Kind: MoveRepeat, Question: open[0]}
		}
		return NextMove{Kind: MoveExit}
	}
	has := func(k FlagKind) bool { return slices.ContainsFunc(a.Risks, func(f Flag) bool { return f.Kind == k }) }
	switch {
	case has(FlagNextOverdue):
		return NextMove{Kind: MoveOverdue, Text: d.NextStep}
	case len(a.Factors) > 0 && a.Factors[0].Mark == Warning:
		return NextMove{Kind: MoveWarning, Factor: a.Factors[0].Factor}
	case has(FlagNoDecider):
		return NextMove{Kind: MoveDecider, Role: "decision_maker"}
	case len(open) > 0 && !IsNextStepQuestion(open[0]):
		return NextMove{Kind: MoveQuestion, Question: open[0]}
	case len(a.Missing) > 0:
		return NextMove{Kind: MoveRole, Role: a.Missing[0]}
	case has(FlagNextMissing):
		return NextMove{Kind: MoveNoNext}
	}
	return NextMove{Kind: MoveExit}
}
