package coach

import (
	"fmt"
	"testing"
	"time"
)

func sevenStep(t *testing.T) *Playbook {
	t.Helper()
	data, err := LoadPlaybook("seven-step")
	if err != nil {
		t.Fatal(err)
	}
	pb, err := NewPlaybook(data)
	if err != nil {
		t.Fatal(err)
	}
	return pb
}

// TestAdvise checks the advice on deals against the seven-step playbook's
// own data: the stage's goal, people, required questions, factors, tips
// and exit criteria, and the one next step picked in order of pressure.
func TestAdvise(t *testing.T) {
	pb := sevenStep(t)
	today := Date{2026, 11, 24}
	approved, _ := pb.Stage("approved")
	shortlist, _ := pb.Stage("shortlist")
	won, _ := pb.Stage("won")
	base := func(stage string) Deal {
		return Deal{ID: 7, Customer: "江南水务", Status: Open, Stage: stage, StageSince: today.AddDays(-3).In(time.UTC),
			NextStep: "POC", NextStepDue: today.AddDays(4)}
	}
	allAnswered := func(s Stage) map[string]Answer {
		m := map[string]Answer{}
		for _, q := range s.Questions {
			m[q.Key] = Answer{Status: Answered}
		}
		return m
	}
	everyone := func(s Stage) []Contact {
		var cs []Contact
		for _, r := range s.People {
			cs = append(cs, Contact{Name: r, Role: r})
		}
		return cs
	}
	allC := func() map[string]Mark {
		m := map[string]Mark{}
		for _, f := range pb.Factors {
			m[f.Key] = Clear
		}
		return m
	}
	required := func(s Stage, skipNext bool) []string {
		var out []string
		for _, q := range s.Questions {
			if q.Required && !(skipNext && IsNextStepQuestion(q)) {
				out = append(out, q.Key)
			}
		}
		return out
	}
	tests := []struct {
		name     string
		deal     Deal
		facts    DealFacts
		stage    Stage
		open     []string // required question keys still open (before the cap)
		missing  int
		factors  string // the first factors listed, "key:mark"
		next     MoveKind
		nextWhat string // the move's question, factor, role or step
	}{
		{"nothing known yet", base("approved"), DealFacts{}, approved, required(approved, true), len(approved.People),
			"[insider:F initiator:F decision_maker:F]", MoveQuestion, required(approved, true)[0]},
		{"a W factor comes first", base("approved"), DealFacts{Marks: map[string]Mark{"budget": Warning, "insider": Fuzzy}},
			approved, required(approved, true), len(approved.People), "[budget:W insider:F initiator:F]", MoveWarning, "budget"},
		{"an overdue next step comes before all", func() Deal { d := base("approved"); d.NextStepDue = today.AddDays(-2); return d }(),
			DealFacts{Marks: map[string]Mark{"budget": Warning}}, approved, required(approved, true), len(approved.People),
			"[budget:W insider:F initiator:F]", MoveOverdue, "POC"},
		{"shortlisted without a decision maker", base("shortlist"),
			DealFacts{Answers: allAnswered(shortlist), Marks: allC(), Contacts: []Contact{{Name: "x", Role: "user"}}},
			shortlist, nil, len(shortlist.People) - 1, "[]", MoveDecider, "decision_maker"},
		{"a person of the stage not reached", base("approved"),
			DealFacts{Answers: allAnswered(approved), Marks: allC(), Contacts: everyone(approved)[1:]},
			approved, nil, 1, "[]", MoveRole, approved.People[0]},
		{"no dated next step", func() Deal { d := base("approved"); d.NextStep = ""; return d }(),
			DealFacts{Answers: map[string]Answer{"approved.decision_chain": {Status: Answered}, "approved.decision_maker": {Status: Answered},
				"approved.shortlist": {Status: Answered}}, Marks: allC(), Contacts: everyone(approved)},
			approved, []string{"approved.next_step"}, 0, "[]", MoveNoNext, ""},
		{"everything done: check the exit criteria", base("approved"),
			DealFacts{Answers: allAnswered(approved), Marks: allC(), Contacts: everyone(approved)}, approved, nil, 0, "[]", MoveExit, ""},
		{"won: the repeat step", func() Deal { d := base("won"); d.Status = Won; return d }(), DealFacts{}, won,
			[]string{"won.satisfaction", "won.helped", "won.improve", "won.new_opportunities", "won.referral", "won.keep_in_touch"},
			len(won.People), "[]", MoveRepeat, "won.satisfaction"},
	}
	for _, tt := range tests {
		a, ok := pb.Advise(tt.deal, tt.facts, today)
		if !ok {
			t.Fatalf("%s: no advice", tt.name)
		}
		if a.Stage.Key != tt.stage.Key || a.Stage.Goal != tt.stage.Goal || a.Stage.Exit != tt.stage.Exit {
			t.Errorf("%s: stage %s, want %s with its goal and exit", tt.name, a.Stage.Key, tt.stage.Key)
		}
		var open []string
		for _, q := range a.Open {
			open = append(open, q.Key)
		}
		wantOpen := tt.open[:min(len(tt.open), AdviceShown)]
		if fmt.Sprint(open) != fmt.Sprint(wantOpen) || a.MoreOpen != max(len(tt.open)-AdviceShown, 0) {
			t.Errorf("%s: open %v (+%d), want %v of %v", tt.name, open, a.MoreOpen, wantOpen, tt.open)
		}
		if len(a.Missing) != tt.missing {
			t.Errorf("%s: missing roles %v, want %d", tt.name, a.Missing, tt.missing)
		}
		var fs []string
		for _, f := range a.Factors {
			fs = append(fs, f.Factor.Key+":"+string(f.Mark))
			if q, _ := pb.Factor(f.Factor.Key); f.Factor.Question != q.Question {
				t.Errorf("%s: factor %s without its question", tt.name, f.Factor.Key)
			}
		}
		if got := fmt.Sprint(fs); got != tt.factors && !(got == "[]" && tt.factors == "[]") {
			t.Errorf("%s: factors %s, want %s", tt.name, got, tt.factors)
		}
		what := a.Next.Question.Key + a.Next.Factor.Key + a.Next.Role + a.Next.Text
		if a.Next.Kind != tt.next || what != tt.nextWhat {
			t.Errorf("%s: next %s %q, want %s %q", tt.name, a.Next.Kind, what, tt.next, tt.nextWhat)
		}
		if len(tt.stage.Tips) > 0 && a.Next.Tip != tt.stage.Tips[0] {
			t.Errorf("%s: tip %v, want the stage's first", tt.name, a.Next.Tip)
		}
		for _, r := range a.Risks {
			if r.Kind == FlagUnanswered || r.Kind == FlagWarnings {
				t.Errorf("%s: risk %s repeats a list", tt.name, r.Kind)
			}
		}
	}
	if _, ok := pb.Advise(Deal{Status: Lost, Stage: "approved"}, DealFacts{}, today); ok {
		t.Error("advice on a lost deal")
	}
}
