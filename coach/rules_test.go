package coach

import (
	"fmt"
	"testing"
	"time"
)

const rulesYAML = `
key: test
name: {zh: 测试, en: Test}
factors:
  - {key: budget, name: {zh: 预算, en: Budget}}
  - {key: timeline, name: {zh: 时间, en: Timeline}}
  - {key: decision_maker, name: {zh: 决策者, en: Decision maker}}
stages:
  - key: lead
    name: {zh: 线索, en: Lead}
    win_rate: 0
    stale_days: 10
    questions:
      - {key: lead.need, text: {zh: "需求?", en: "Need?"}, required: true}
      - {key: lead.who, text: {zh: "谁?", en: "Who?"}}
      - {key: lead.next_step, text: {zh: "下一步?", en: "Next?"}, required: true}
  - key: demo
    name: {zh: 演示, en: Demo}
    win_rate: 30
    stale_days: 14
    questions:
      - {key: demo.fit, text: {zh: "匹配?", en: "Fit?"}, required: true}
      - {key: demo.next_step, text: {zh: "下一步?", en: "Next?"}, required: true}
  - key: short
    name: {zh: 入围, en: Short}
    win_rate: 50
    stale_days: 20
    questions:
      - {key: short.dm, text: {zh: "决策者?", en: "DM?"}, required: true, role: decision_maker}
  - key: won
    name: {zh: 赢, en: Won}
    win_rate: 100
`

func rulesPlaybook(t *testing.T) *Playbook { return playbookOf(t, "rules.yaml", rulesYAML) }

func TestHealth(t *testing.T) {
	nine := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"}
	marks := func(s string) map[string]Mark {
		m := map[string]Mark{}
		for i, r := range s {
			if r != '.' {
				m[nine[i]] = Mark(string(r))
			}
		}
		return m
	}
	tests := []struct {
		marks    string
		line     string
		winnable bool
	}{
		{"CCCCCCCCC", "9C 0F 0W", true},
		{"CCCCCCCCF", "8C 1F 0W", true},
		{"CCCCCCCC.", "8C 1F 0W", true}, // unmarked is fuzzy
		{"CCCCCCCFF", "7C 2F 0W", false},
		{"CCCCCCCCW", "8C 0F 1W", false},
		{".........", "0C 9F 0W", false},
		{"WWWWWWWWW", "0C 0F 9W", false},
	}
	for _, tt := range tests {
		h := Assess(nine, marks(tt.marks))
		if h.String() != tt.line || h.Winnable() != tt.winnable {
			t.Errorf("%s: %s winnable=%v; want %s %v", tt.marks, h, h.Winnable(), tt.line, tt.winnable)
		}
	}
	if (Health{}).Winnable() {
		t.Error("no factors cannot be winnable")
	}
	if !(Health{C: 3}).Winnable() || (Health{C: 1, F: 2}).Winnable() {
		t.Error("the rule must scale to fewer factors")
	}
}

func TestCheckMove(t *testing.T) {
	pb := rulesPlaybook(t)
	dated := Deal{NextStep: "call", NextStepDue: Date{2026, 12, 1}}
	answered := map[string]Answer{"lead.need": {Status: Answered}}
	skipped := map[string]Answer{"lead.need": {Status: Skipped}}
	tests := []struct {
		name     string
		d        Deal
		from, to string
		answers  map[string]Answer
		want     string
	}{
		{"forward, all answered", dated, "lead", "demo", answered, "fwd skipped=[] unanswered=[]"},
		{"forward, skipped is not answered", dated, "lead", "demo", skipped, "fwd skipped=[] unanswered=[lead.need]"},
		{"forward, no next step", Deal{}, "lead", "demo", answered, "fwd skipped=[] unanswered=[lead.next_step]"},
		{"skipping stages", dated, "lead", "short", answered, "fwd skipped=[demo] unanswered=[]"},
		{"backward", dated, "short", "lead", nil, "back"},
		{"same stage", dated, "demo", "demo", nil, "none"},
		{"unknown stage", dated, "demo", "nowhere", nil, "none"},
	}
	for _, tt := range tests {
		m := pb.CheckMove(tt.d, tt.from, tt.to, tt.answers)
		var got string
		switch {
		case m.Backward:
			got = "back"
		case !m.Forward:
			got = "none"
		default:
			var sk, un []string
			for _, s := range m.Skipped {
				sk = append(sk, s.Key)
			}
			for _, q := range m.Unanswered {
				un = append(un, q.Key)
			}
			got = fmt.Sprintf("fwd skipped=%s unanswered=%s", list(sk), list(un))
		}
		if got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

func list(s []string) string { return fmt.Sprint(append([]string{}, s...)) }

func TestFlags(t *testing.T) {
	pb := rulesPlaybook(t)
	today := Date{2026, 11, 24}
	at := func(d Date) time.Time { return d.In(time.UTC) }
	base := Deal{Status: Open, Stage: "demo", StageSince: at(today.AddDays(-3)),
		NextStep: "call", NextStepDue: today.AddDays(2)}
	ok := map[string]Answer{"demo.fit": {Status: Answered}}
	tests := []struct {
		name  string
		edit  func(d *Deal, f *DealFacts)
		flags string
	}{
		{"healthy", func(d *Deal, f *DealFacts) {}, "[]"},
		{"stale after the stage's days", func(d *Deal, f *DealFacts) { d.StageSince = at(today.AddDays(-15)) }, "[{stale 15}]"},
		{"not stale on the limit", func(d *Deal, f *DealFacts) { d.StageSince = at(today.AddDays(-14)) }, "[]"},
		{"next step overdue", func(d *Deal, f *DealFacts) { d.NextStepDue = today.AddDays(-4) }, "[{next_overdue 4}]"},
		{"next step due today is not overdue", func(d *Deal, f *DealFacts) { d.NextStepDue = today }, "[]"},
		{"no next step", func(d *Deal, f *DealFacts) { d.NextStep, d.NextStepDue = "", Date{} }, "[{next_missing 0} {unanswered 1}]"},
		{"next step without a date", func(d *Deal, f *DealFacts) { d.NextStepDue = Date{} }, "[{next_missing 0} {unanswered 1}]"},
		{"close passed", func(d *Deal, f *DealFacts) { d.ExpectedClose = today.AddDays(-1) }, "[{close_passed 1}]"},
		{"required unanswered", func(d *Deal, f *DealFacts) { f.Answers = nil }, "[{unanswered 1}]"},
		{"left a stage without exit criteria", func(d *Deal, f *DealFacts) { f.Left = []string{"lead"} }, "[{no_exit_criteria 1}]"},
		{"no decision maker by the shortlist", func(d *Deal, f *DealFacts) {
			d.Stage = "short"
			f.Answers = map[string]Answer{"short.dm": {Status: Answered}}
		}, "[{no_decision_maker 0}]"},
		{"decision maker known", func(d *Deal, f *DealFacts) {
			d.Stage = "short"
			f.Answers = map[string]Answer{"short.dm": {Status: Answered}}
			f.Contacts = []Contact{{Name: "Jane", Role: "decision_maker"}}
		}, "[]"},
		{"W factors", func(d *Deal, f *DealFacts) { f.Marks = map[string]Mark{"budget": Warning, "timeline": Warning} }, "[{w_factors 2}]"},
		{"closed deals have no risks", func(d *Deal, f *DealFacts) { d.Status, d.NextStep = Lost, "" }, "[]"},
	}
	for _, tt := range tests {
		d, f := base, DealFacts{Answers: ok}
		tt.edit(&d, &f)
		if got := fmt.Sprint(pb.Flags(d, f, today)); got != tt.flags {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.flags)
		}
	}
}

func TestPending(t *testing.T) {
	pb := rulesPlaybook(t)
	d := Deal{Stage: "lead"}
	keys := func(qs []Question) string {
		var s []string
		for _, q := range qs {
			s = append(s, q.Key)
		}
		return fmt.Sprint(s)
	}
	if got := keys(pb.Pending(d, nil)); got != "[lead.need lead.who lead.next_step]" {
		t.Errorf("pending = %s", got)
	}
	d.NextStep, d.NextStepDue = "call", Date{2026, 12, 1}
	got := keys(pb.Pending(d, map[string]Answer{"lead.need": {Status: Skipped}}))
	if got != "[lead.who]" {
		t.Errorf("pending after a skip and with a next step = %s", got)
	}
}

// playbookOf compiles a test playbook written as YAML.
func playbookOf(t *testing.T, name, yaml string) *Playbook {
	t.Helper()
	data, err := ParsePlaybook(name, []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	pb, err := NewPlaybook(data)
	if err != nil {
		t.Fatal(err)
	}
	return pb
}
