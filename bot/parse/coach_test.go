package parse

import (
	"slices"
	"strings"
	"testing"

	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/prompts"
	"github.com/google/go-cmp/cmp"
)

// factorPlaybookYAML is a playbook of our own for the coaching tests: the
// seven-step stages and nine factors, so that these tests do not follow
// the built-in playbooks as they change.
const factorPlaybookYAML = `
key: test-8c1f0w
name: {zh: 测试, en: Test}
factors:
  - key: insider
    name: {zh: 内线, en: Insider}
    aliases: [向导, guide, inside contact]
    question: {zh: "有内线吗?", en: "Do we have an insider?"}
  - key: initiator
    name: {zh: 发起者, en: Initiator}
    aliases: [需求发起者, 发起人, sponsor]
    question: {zh: "谁发起的?", en: "Who initiated it?"}
  - key: decision_maker
    name: {zh: 决策者, en: Decision maker}
    aliases: [决策人, 拍板人, 老板, dm, economic buyer]
    question: {zh: "决策者是谁?", en: "Who decides?"}
  - key: relationship
    name: {zh: 关系, en: Relationship}
    aliases: [客户关系, rapport]
    question: {zh: "关系如何?", en: "How close are we?"}
  - key: pain
    name: {zh: 痛点, en: Pain}
    aliases: [业务痛点, pain points]
    question: {zh: "痛点是什么?", en: "What is the pain?"}
  - key: budget
    name: {zh: 预算, en: Budget}
    aliases: [金额, money]
    question: {zh: "预算清楚吗?", en: "Is the budget known?"}
  - key: timeline
    name: {zh: 时间表, en: Timeline}
    aliases: [时间, 进度, schedule, timing]
    question: {zh: "时间表呢?", en: "What is the timeline?"}
  - key: criteria
    name: {zh: 采购指标, en: Criteria}
    aliases: [指标, 选型标准, buying criteria]
    question: {zh: "指标对我们有利吗?", en: "Do the criteria favour us?"}
  - key: competition
    name: {zh: 竞争, en: Competition}
    aliases: [竞争对手, 对手, competitor, competitors]
    question: {zh: "竞争清楚吗?", en: "Do we know the competition?"}
stages:
  - key: prospect
    name: {zh: 待开发客户, en: Prospect}
    aliases: [待开发, 线索, lead]
    win_rate: 0
  - key: interest
    name: {zh: 意向客户, en: Interested}
    aliases: [意向, 有意向, interested, interest]
    win_rate: 10
  - key: approved
    name: {zh: 立项客户, en: Project approved}
    aliases: [立项, 已立项, approved]
    win_rate: 25
  - key: shortlist
    name: {zh: 入围客户, en: Shortlisted}
    aliases: [入围, 已入围, shortlist]
    win_rate: 50
  - key: contract
    name: {zh: 合同客户, en: Contract}
    aliases: [合同, contracting]
    win_rate: 90
  - key: won
    name: {zh: 成交, en: Won}
    aliases: [赢单, 签约, closed won]
    win_rate: 100
`

func factorPlaybook(tb testing.TB) *coach.Playbook {
	tb.Helper()
	pb, err := prompts.ParsePlaybook("test-8c1f0w.yaml", []byte(factorPlaybookYAML))
	if err != nil {
		tb.Fatal(err)
	}
	return pb
}

func testPeople(tb testing.TB) *coach.People {
	tb.Helper()
	people, err := prompts.LoadPeople()
	if err != nil {
		tb.Fatal(err)
	}
	return people
}

// coachContext reads with the factors of factorPlaybookYAML and the people
// vocabulary of people.yaml.
func coachContext(tb testing.TB) Context {
	return Context{Now: tue, Playbook: factorPlaybook(tb), People: testPeople(tb)}
}

// withFactors is the seven-step playbook of the other tests with the
// factors of factorPlaybookYAML: their stages, our factors.
func withFactors(tb testing.TB) *coach.Playbook {
	tb.Helper()
	raw := *testPlaybook(tb, "seven-step")
	raw.Factors = factorPlaybook(tb).Factors
	pb, err := coach.NewPlaybook(&raw)
	if err != nil {
		tb.Fatal(err)
	}
	return pb
}

// TestParseWithPeople: the factors and the people vocabulary change
// nothing in the language that was there before them.
func TestParseWithPeople(t *testing.T) {
	c := Context{Now: tue, Playbook: withFactors(t), People: testPeople(t)}
	for _, tc := range parseCases {
		if diff := cmp.Diff(tc.want, Parse(tc.in, c)); diff != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

// BenchmarkParsePeople is BenchmarkParse as the bot reads: with factors and
// people, and a few coaching messages in the mix.
func BenchmarkParsePeople(b *testing.B) {
	c := Context{Now: tue, Playbook: withFactors(b), People: testPeople(b)}
	msgs := slices.Concat(benchMessages, []string{"Acme: Jane Doe is the decision maker, ally",
		"经信银行 决策者 C，预算 F，竞争 W", "coach #12", "经信银行 退回到意向, 原因预算冻结"})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Parse(msgs[i%len(msgs)], c)
	}
}

// TestFindTerm: every key, name and alias of the people vocabulary finds
// its term, however it is spaced or cased.
func TestFindTerm(t *testing.T) {
	people := testPeople(t)
	for _, list := range [][]coach.Term{people.Roles, people.Relationships, people.Styles} {
		for _, term := range list {
			for _, s := range append([]string{term.Key, term.Name.ZH, term.Name.EN}, term.Aliases...) {
				for _, v := range []string{s, strings.ToUpper(s), strings.ReplaceAll(s, " ", "_"), strings.ReplaceAll(s, " ", "")} {
					if got, ok := findTerm(list, newText(v).low); !ok || got != term.Key {
						t.Errorf("findTerm(%q) = %q %v, want %q", v, got, ok, term.Key)
					}
				}
			}
		}
	}
	if _, ok := findTerm(people.Roles, "decision makers"); ok {
		t.Error("a longer word is not the term")
	}
}

// TestFactorNames: every name of every factor marks it, in any case and
// with spaces or underscores.
func TestFactorNames(t *testing.T) {
	c := coachContext(t)
	for _, f := range c.Playbook.Factors {
		for _, s := range append([]string{f.Key, f.Name.ZH, f.Name.EN, strings.ToUpper(f.Name.EN)}, f.Aliases...) {
			for _, in := range []string{"#5 " + s + " W", "/deal #5 qualify " + strings.ReplaceAll(s, "_", " ") + ": w"} {
				got := Parse(in, c)
				if got.Err != nil || len(got.Marks) != 1 || got.Marks[0] != (Mark{Factor: f.Key, Value: "W"}) || got.Ref != id(5) {
					t.Errorf("Parse(%q) = %+v, want a W for %s", in, got, f.Key)
				}
			}
		}
	}
}

// TestParseNoPeople: without the people vocabulary no message is a
// contact; without factors none is a mark; nothing panics.
func TestParseNoPeople(t *testing.T) {
	pb := factorPlaybook(t)
	raw := *pb
	raw.Factors = nil
	none, err := coach.NewPlaybook(&raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []Context{{Now: tue, Playbook: pb}, {Now: tue, Playbook: none}, {Now: tue}} {
		for _, tc := range coachCases {
			got := Parse(tc.in, c)
			if got.Kind == Contact || got.Contact != nil {
				t.Errorf("Parse(%q) without people: %+v", tc.in, got)
			}
			if c.Playbook != pb && got.Marks != nil {
				t.Errorf("Parse(%q) without factors: %+v", tc.in, got)
			}
		}
	}
	c := Context{Now: tue, Playbook: pb}
	want := C{Kind: Qualify, Lang: "en", Ref: name("Acme"), Marks: marks("budget", "F")}
	if diff := cmp.Diff(want, Parse("Acme budget F", c)); diff != "" {
		t.Errorf("marks without people (-want +got):\n%s", diff)
	}
}

// coachingWorstUnits are the coaching words whose long repetitions make the
// most work: marks, contacts and terms.
var coachingWorstUnits = []string{"budget C, ", "预算 F ", "决策者C", "Jane is the decision maker, ", "ally and ",
	"decision maker ", "关系 同盟，", "coach ", "qualify ", "Acme budget soon, ", "c ", "是", " is ", ": "}

func coachingWorstInputs(s string) []string {
	return []string{s, "Acme " + s[:len(s)-10], "/deal #1 contact " + s[:len(s)-20],
		"/deal #1 qualify " + s[:len(s)-20], "经信银行 涂主任是" + s[:len(s)-30]}
}

// TestParseCoachingWorstCase: long texts of marks, contacts and terms stay
// within the parser's work budget (counted, not timed).
func TestParseCoachingWorstCase(t *testing.T) {
	c := coachContext(t)
	checkWork(t, c, coachingWorstUnits, coachingWorstInputs)
	for _, unit := range coachingWorstUnits {
		for _, in := range coachingWorstInputs(strings.Repeat(unit, maxInput/len(unit))) {
			ClassifyAnswer(in) // reads the whole message once: linear
		}
	}
}

func BenchmarkParseCoachingWorstCase(b *testing.B) {
	benchWork(b, coachContext(b), coachingWorstUnits, coachingWorstInputs)
}

// TestBuiltinFactorWords: the words reps type for the built-in playbook's
// factors mark them.
func TestBuiltinFactorWords(t *testing.T) {
	c := testContext(t, "seven-step")
	for in, want := range map[string]string{
		"budget": "budget", "预算": "budget", "DM": "decision_maker", "Decision Maker": "decision_maker",
		"决策者": "decision_maker", "内线": "insider", "competitors": "competition", "痛点与价值": "pain",
	} {
		cmd := Parse("#1 "+in+" C", c)
		if cmd.Kind != Qualify || len(cmd.Marks) != 1 || cmd.Marks[0].Factor != want {
			t.Errorf("#1 %s C = %v %+v, want a mark of %s", in, cmd.Kind, cmd.Marks, want)
		}
	}
}
