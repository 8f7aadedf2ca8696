package prompts

import (
	"github.com/dealcoach/dealcoach/coach"

	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func mustLoad(t *testing.T, nameOrPath string) *coach.Playbook {
	t.Helper()
	p, err := LoadPlaybook(nameOrPath)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func roleList(t *testing.T) []string {
	t.Helper()
	roles, err := roleKeys()
	if err != nil {
		t.Fatal(err)
	}
	return roles
}

func TestBuiltinPlaybooks(t *testing.T) {
	want := map[string]string{
		"seven-step": "prospect interest approved shortlist contract won",
		"project-8":  "met found confirmed criteria proposal commit accept paid",
	}
	wantFactors := "insider initiator decision_maker relationship pain budget timeline criteria competition"
	for _, k := range BuiltinPlaybooks() {
		t.Run(k, func(t *testing.T) {
			p := mustLoad(t, k)
			var keys, factors []string
			for _, s := range p.Stages {
				keys = append(keys, s.Key)
			}
			for _, f := range p.Factors {
				factors = append(factors, f.Key)
			}
			if got := strings.Join(keys, " "); got != want[k] {
				t.Errorf("stages = %q, want %q", got, want[k])
			}
			if got := strings.Join(factors, " "); got != wantFactors {
				t.Errorf("factors = %q, want the nine %q", got, wantFactors)
			}
			if last := p.Stages[len(p.Stages)-1]; last.WinRate != 100 {
				t.Errorf("final stage win rate %d", last.WinRate)
			}
			testFactors(t, p)
			for i, s := range p.Stages {
				testStage(t, s, i == len(p.Stages)-1)
			}
		})
	}
}

// testFactors checks that every factor is complete and that some question
// informs it, so the guided walk can fill it from the rep's answers.
func testFactors(t *testing.T, p *coach.Playbook) {
	t.Helper()
	informed := map[string]bool{}
	for _, s := range p.Stages {
		for _, q := range s.Questions {
			informed[q.Factor] = true
		}
	}
	for _, f := range p.Factors {
		if !complete(f.Name) || !complete(f.Question) || len(f.Aliases) < 2 || f.Line == 0 {
			t.Errorf("factor %s is incomplete: %+v", f.Key, f)
		}
		if !informed[f.Key] {
			t.Errorf("factor %s: no question informs it", f.Key)
		}
	}
}

func testStage(t *testing.T, s coach.Stage, final bool) {
	t.Helper()
	if !complete(s.Goal) || !complete(s.Exit) || len(s.People) == 0 || s.Line == 0 {
		t.Errorf("stage %s needs a goal, an exit, people and a line", s.Key)
	}
	if n := len(s.Tips); n < 3 || n > 6 {
		t.Errorf("stage %s has %d tips, want 3–6", s.Key, n)
	}
	if final != (s.StaleDays == 0) {
		t.Errorf("stage %s: stale_days %d (only the final stage never goes stale)", s.Key, s.StaleDays)
	}
	if n := len(s.Questions); n < 5 || n > 9 {
		t.Fatalf("stage %s has %d questions, want 5–9", s.Key, n)
	}
	required := 0
	for _, q := range s.Questions {
		if !strings.HasPrefix(q.Key, s.Key+".") {
			t.Errorf("question %s is not keyed <stage>.<slug>", q.Key)
		}
		if !strings.HasSuffix(q.Text.ZH, "?") || !strings.HasSuffix(q.Text.EN, "?") {
			t.Errorf("question %s: %q / %q should each end with a question mark", q.Key, q.Text.ZH, q.Text.EN)
		}
		if q.Line == 0 {
			t.Errorf("question %s has no line", q.Key)
		}
		if q.Required {
			required++
		}
	}
	last := s.Questions[len(s.Questions)-1]
	if last.Key != s.Key+".next_step" || !last.Required || last.Text.EN != "What is my next step, and when?" {
		t.Errorf("stage %s should end with the required next-step question, not %+v", s.Key, last)
	}
	if required--; !final && (required < 2 || required > 3) || final && required < 1 {
		t.Errorf("stage %s has %d required questions besides the next step, want 2–3", s.Key, required)
	}
}

func TestBuiltinReferencesResolve(t *testing.T) {
	roles := roleList(t)
	for _, k := range BuiltinPlaybooks() {
		p := mustLoad(t, k)
		seen := map[string]bool{}
		for _, s := range p.Stages {
			for _, r := range s.People {
				if !slices.Contains(roles, r) {
					t.Errorf("%s: stage %s: unknown role %q", k, s.Key, r)
				}
			}
			for _, q := range s.Questions {
				if seen[q.Key] {
					t.Errorf("%s: question key %s used twice", k, q.Key)
				}
				seen[q.Key] = true
				if _, ok := p.Factor(q.Factor); q.Factor != "" && !ok {
					t.Errorf("%s: %s: unknown factor %q", k, q.Key, q.Factor)
				}
				if q.Role != "" && !slices.Contains(roles, q.Role) {
					t.Errorf("%s: %s: unknown role %q", k, q.Key, q.Role)
				}
			}
		}
	}
}

func TestPlaybookLookups(t *testing.T) {
	p := mustLoad(t, "seven-step")
	q, s, ok := p.Question("approved.insider")
	if !ok || s.Key != "approved" || q.Role != "insider" {
		t.Errorf("Question(approved.insider) = %+v, %s, %v", q, s.Key, ok)
	}
	if _, _, ok := p.Question("approved.nope"); ok {
		t.Error("Question(approved.nope) found")
	}
	if _, ok := p.Factor("next_step"); ok {
		t.Error("next_step is not one of the nine factors")
	}
}

// baseYAML is a valid playbook; each error case below edits some of its
// lines in place (so line numbers stay put) or appends lines.
var baseYAML = []string{
	/* 1 */ "key: x",
	/* 2 */ "name: {zh: 测试, en: Test}",
	/* 3 */ "factors:",
	/* 4 */ "  - key: pain",
	/* 5 */ "    name: {zh: 痛点, en: Pain}",
	/* 6 */ "    question: {zh: 痛点确认了吗, en: Is the pain confirmed}",
	/* 7 */ "stages:",
	/* 8 */ "  - key: a",
	/* 9 */ "    name: {zh: 甲, en: A}",
	/* 10 */ "    win_rate: 10",
	/* 11 */ "    questions:",
	/* 12 */ "      - key: a.one",
	/* 13 */ "        text: {zh: 一, en: One}",
	/* 14 */ "  - key: b",
	/* 15 */ "    name: {zh: 乙, en: B}",
	/* 16 */ "    win_rate: 100",
}

// variant returns baseYAML with lines replaced (1-based) and extra appended.
func variant(edit map[int]string, extra ...string) string {
	lines := slices.Clone(baseYAML)
	for n, s := range edit {
		lines[n-1] = s
	}
	return strings.Join(append(lines, extra...), "\n") + "\n"
}

func TestPlaybookErrorsNameTheLine(t *testing.T) {
	if _, err := ParsePlaybook("ok.yaml", []byte(variant(nil))); err != nil {
		t.Fatalf("base playbook: %v", err)
	}
	roles := "(roles: initiator, user, designer, evaluator, decision_maker, executor, approver, insider)"
	bQuestion := []string{"    questions:", "      - key: b.one", "        text: {zh: 一, en: One}"}
	noFactors := map[int]string{3: "#", 4: "#", 5: "#", 6: "#"}
	tests := []struct {
		name, yaml, want string
	}{
		{"empty file", "", "bad.yaml: line 1: the playbook is empty"},
		{"syntax", "key: x\nstages: [\n", "bad.yaml: yaml: line "},
		{"unknown field", variant(map[int]string{2: "nmae: {zh: 测试, en: Test}"}),
			"bad.yaml: yaml: unmarshal errors:\n  line 2: field nmae not found"},
		{"wrong type", variant(map[int]string{10: "    win_rate: high"}),
			"bad.yaml: yaml: unmarshal errors:\n  line 10: cannot unmarshal !!str `high` into int"},
		{"no playbook key", variant(map[int]string{1: `key: ""`}), "bad.yaml: line 1: playbook has no key"},
		{"playbook key", variant(map[int]string{1: "key: two words"}),
			`bad.yaml: line 1: playbook key "two words" must be one word`},
		{"playbook name", variant(map[int]string{2: "name: {zh: 测试}"}),
			"bad.yaml: line 2: playbook x needs a name in zh and en"},
		{"one stage", variant(map[int]string{14: "#", 15: "#", 16: "#"}),
			"bad.yaml: line 8: playbook x needs at least two stages"},
		{"stage key", variant(map[int]string{8: "  - key: a b"}),
			`bad.yaml: line 8: stage 1: key "a b" must be a non-empty word`},
		{"duplicate stage", variant(map[int]string{14: "  - key: a"}),
			`bad.yaml: line 14: stage key "a" already used on line 8`},
		{"stage name", variant(map[int]string{9: "    name: {zh: 甲}"}),
			"bad.yaml: line 8: stage a needs a name in zh and en"},
		{"win rate range", variant(map[int]string{16: "    win_rate: 120"}),
			"bad.yaml: line 14: stage b: win_rate 120 is not within 0–100"},
		{"win rate order", variant(map[int]string{16: "    win_rate: 5"}),
			"bad.yaml: line 14: stage b: win_rate 5 is lower than the stage before (10)"},
		{"stage alias", variant(map[int]string{14: "  - {key: b, name: {zh: 乙, en: B}, aliases: [A], win_rate: 100}", 15: "#", 16: "#"}),
			`bad.yaml: line 14: stage b: "A" already names stage a`},
		{"stale days", variant(map[int]string{10: "    stale_days: -1"}),
			"bad.yaml: line 10: stage a: stale_days -1 is negative"},
		{"people", variant(map[int]string{10: "    people: [user, boss]"}),
			`bad.yaml: line 10: stage a: people: unknown role "boss" ` + roles},
		{"goal", variant(map[int]string{10: "    goal: {zh: 目标}"}),
			"bad.yaml: line 10: stage a: goal needs zh and en"},
		{"exit", variant(map[int]string{10: "    exit: {en: Signed}"}),
			"bad.yaml: line 10: stage a: exit needs zh and en"},
		{"tip", variant(map[int]string{10: "    tips: [{en: Call}]"}),
			"bad.yaml: line 10: stage a: tip 1 needs zh and en"},
		{"question key", variant(map[int]string{12: "      - required: true"}),
			`bad.yaml: line 12: stage a: question key "" must be a non-empty word`},
		{"question text", variant(map[int]string{13: "        text: {zh: 一}"}),
			"bad.yaml: line 12: question a.one needs text in zh and en"},
		{"duplicate question", variant(nil, "    questions:", "      - key: a.one", "        text: {zh: 一, en: One}"),
			`bad.yaml: line 18: question key "a.one" already used on line 12`},
		{"question factor", variant(nil, append(bQuestion, "        factor: money")...),
			`bad.yaml: line 20: question b.one: unknown factor "money" (factors: pain)`},
		{"factor without factors", variant(noFactors, append(bQuestion, "        factor: pain")...),
			`bad.yaml: line 20: question b.one: unknown factor "pain" (the playbook defines no factors)`},
		{"question role", variant(nil, append(bQuestion, "        role: boss")...),
			`bad.yaml: line 20: question b.one: unknown role "boss" ` + roles},
		{"factor key", variant(map[int]string{4: `  - key: ""`}),
			`bad.yaml: line 4: factor 1: key "" must be a non-empty word`},
		{"duplicate factor", variant(map[int]string{
			4: "  - {key: pain, name: {zh: 痛点, en: Pain}, question: {zh: 有吗, en: Any}}",
			5: "  - {key: pain, name: {zh: 痛, en: Hurt}, question: {zh: 有吗, en: Any}}", 6: "#"}),
			`bad.yaml: line 5: factor key "pain" already used on line 4`},
		{"factor name", variant(map[int]string{5: "    name: {en: Pain}"}),
			"bad.yaml: line 4: factor pain needs a name in zh and en"},
		{"factor question", variant(map[int]string{6: "    question: {zh: 有吗}"}),
			"bad.yaml: line 6: factor pain: question needs zh and en"},
		{"factor alias", variant(map[int]string{
			4: "  - {key: pain, name: {zh: 痛点, en: Pain}, question: {zh: 有吗, en: Any}}",
			5: "  - {key: value, name: {zh: 价值, en: Value}, aliases: [PAIN], question: {zh: 有吗, en: Any}}", 6: "#"}),
			`bad.yaml: line 5: factor value: "PAIN" already names factor pain`},
	}
	for _, tt := range tests {
		_, err := ParsePlaybook("bad.yaml", []byte(tt.yaml))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: error = %v\nwant prefix %q", tt.name, err, tt.want)
		}
	}
}

func TestCustomPlaybook(t *testing.T) {
	path := filepath.Join("testdata", "custom.yaml")
	p := mustLoad(t, path)
	var keys []string
	for _, s := range p.Stages {
		keys = append(keys, s.Key)
	}
	if got := strings.Join(keys, " "); got != "lead demo trial signed" || len(p.Factors) != 0 {
		t.Errorf("stages = %q, factors = %d", got, len(p.Factors))
	}
	// Lines point at the "- key:" line of each question.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	for _, s := range p.Stages {
		for _, q := range s.Questions {
			if got := lines[q.Line-1]; !strings.Contains(got, "- key: "+q.Key) {
				t.Errorf("question %s: line %d is %q", q.Key, q.Line, got)
			}
		}
	}
}

// TestBrokenFiles loads each testdata/broken-*.yaml and expects exactly the
// error its first line states ("# want: <path>: line N: reason").
func TestBrokenFiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "broken-*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no broken playbooks: %v", err)
	}
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(b), "\n")
		want, ok := strings.CutPrefix(first, "# want: ")
		if !ok {
			t.Fatalf("%s: first line should be # want: <error>", path)
		}
		want = strings.Replace(want, "<path>", path, 1)
		if _, err := LoadPlaybook(path); err == nil || err.Error() != want {
			t.Errorf("%s:\n got %v\nwant %s", path, err, want)
		}
	}
}

func TestLoadPlaybookSizeLimit(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "custom.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	pad := "# " + strings.Repeat("x", 77) + "\n"
	for len(b)+len(pad) <= maxPlaybookSize {
		b = append(b, pad...)
	}
	b = append(b, strings.Repeat("\n", maxPlaybookSize-len(b))...)
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPlaybook(path); err != nil {
		t.Fatalf("a playbook of exactly 1 MiB: %v", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	want := path + ": the playbook is larger than 1 MiB"
	if _, err := LoadPlaybook(path); err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestLoadPlaybookUnknown(t *testing.T) {
	_, err := LoadPlaybook("no-such-playbook")
	if err == nil || !strings.Contains(err.Error(), "neither built in (seven-step, project-8) nor a readable file") {
		t.Errorf("error = %v", err)
	}
}
