package parse

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func marks(ms ...string) []Mark {
	out := make([]Mark, 0, len(ms)/2)
	for i := 0; i+1 < len(ms); i += 2 {
		out = append(out, Mark{Factor: ms[i], Value: ms[i+1]})
	}
	return out
}

func person(name, role, rel, style string) *ContactInfo {
	return &ContactInfo{Name: name, Role: role, Relationship: rel, Style: style}
}

var needDeal = errKey("err.need_deal")

// coachCasesZH are the coaching commands in Chinese, read with
// coachContext: coach, qualify and mark, contacts, and why a stage changed.
var coachCasesZH = []parseCase{
	// coach a deal
	{"辅导 经信银行", C{Kind: Coach, Lang: "zh", Ref: name("经信银行")}},
	{"辅导 #12", C{Kind: Coach, Lang: "zh", Ref: id(12)}},
	{"帮我辅导一下华东电力", C{Kind: Coach, Lang: "zh", Ref: name("华东电力")}},
	{"辅导一下 #7", C{Kind: Coach, Lang: "zh", Ref: id(7)}},
	{"辅导", C{Kind: Coach, Lang: "zh", Err: needDeal}},
	{"/deal #12 辅导", C{Kind: Coach, Lang: "zh", Slash: true, Ref: id(12)}},
	{"/deal 辅导 #12", C{Kind: Coach, Lang: "zh", Slash: true, Ref: id(12)}},
	{"/deal 经信银行 辅导", C{Kind: Coach, Lang: "zh", Slash: true, Ref: name("经信银行")}},
	// qualify: a guided walk, or marks
	{"资格评估 #12", C{Kind: Qualify, Lang: "zh", Ref: id(12)}},
	{"评估 经信银行", C{Kind: Qualify, Lang: "zh", Ref: name("经信银行")}},
	{"评估一下经信银行", C{Kind: Qualify, Lang: "zh", Ref: name("经信银行")}},
	{"8C1F0W 经信银行", C{Kind: Qualify, Lang: "zh", Ref: name("经信银行")}},
	{"经信银行 决策者 C，预算 F，竞争 W", C{Kind: Qualify, Lang: "zh", Ref: name("经信银行"), Marks: marks("decision_maker", "C", "budget", "F", "competition", "W")}},
	{"经信银行 预算清楚", C{Kind: Qualify, Lang: "zh", Ref: name("经信银行"), Marks: marks("budget", "C")}},
	{"经信银行：竞争有风险，时间表不清楚", C{Kind: Qualify, Lang: "zh", Ref: name("经信银行"), Marks: marks("competition", "W", "timeline", "F")}},
	{"经信银行 决策者 不清楚", C{Kind: Qualify, Lang: "zh", Ref: name("经信银行"), Marks: marks("decision_maker", "F")}},
	{"经信银行 老板 明确", C{Kind: Qualify, Lang: "zh", Ref: name("经信银行"), Marks: marks("decision_maker", "C")}},
	{"经信银行 时间表 F 预算 C", C{Kind: Qualify, Lang: "zh", Ref: name("经信银行"), Marks: marks("timeline", "F", "budget", "C")}},
	{"经信银行决策者C预算F", C{Kind: Qualify, Lang: "zh", Ref: name("经信银行"), Marks: marks("decision_maker", "C", "budget", "F")}},
	{"经信银行 指标 W，痛点 C", C{Kind: Qualify, Lang: "zh", Ref: name("经信银行"), Marks: marks("criteria", "W", "pain", "C")}},
	{"#3 内线 警告", C{Kind: Qualify, Lang: "zh", Ref: id(3), Marks: marks("insider", "W")}},
	{"/deal #12 评估 预算 W", C{Kind: Qualify, Lang: "zh", Slash: true, Ref: id(12), Marks: marks("budget", "W")}},
	{"/deal 经信银行 决策者 c", C{Kind: Qualify, Lang: "zh", Slash: true, Ref: name("经信银行"), Marks: marks("decision_maker", "C")}},
	{"决策者 C", C{Kind: Qualify, Lang: "zh", Marks: marks("decision_maker", "C"), Err: needDeal}},
	{"经信银行 预算 冻结了, 竞争 W", C{Kind: Qualify, Lang: "zh", Ref: name("经信银行"), Err: errText("err.mark", "冻结了")}},
	{"经信银行 预算 C，竞争 很激烈", C{Kind: Qualify, Lang: "zh", Ref: name("经信银行"), Err: errText("err.mark", "很激烈")}},
	// questions and roles are not marks
	{"经信银行 预算清楚吗", C{Kind: Unknown, Lang: "zh"}},
	{"评估者是谁", C{Kind: Unknown, Lang: "zh"}},
	// contacts
	{"经信银行 涂主任 是需求发起者, 关系 互动", C{Kind: Contact, Lang: "zh", Ref: name("经信银行"), Contact: person("涂主任", "initiator", "interacting", "")}},
	{"经信银行 涂主任是决策者，关系同盟，风格老虎", C{Kind: Contact, Lang: "zh", Ref: name("经信银行"), Contact: person("涂主任", "decision_maker", "ally", "tiger")}},
	{"经信银行涂主任是决策者", C{Kind: Contact, Lang: "zh", Ref: name("经信银行"), Contact: person("涂主任", "decision_maker", "", "")}},
	{"华东电力 王副行长是我们的内线", C{Kind: Contact, Lang: "zh", Ref: name("华东电力"), Contact: person("王副行长", "insider", "", "")}},
	{"华东电力老王是内线", C{Kind: Contact, Lang: "zh", Ref: name("华东电力"), Contact: person("老王", "insider", "", "")}},
	{"经信银行欧阳主任是评估者", C{Kind: Contact, Lang: "zh", Ref: name("经信银行"), Contact: person("欧阳主任", "evaluator", "", "")}},
	{"经信银行 刘行长，技术论证者，私交", C{Kind: Contact, Lang: "zh", Ref: name("经信银行"), Contact: person("刘行长", "designer", "personal", "")}},
	{"经信银行 涂主任是决策者也是同盟", C{Kind: Contact, Lang: "zh", Ref: name("经信银行"), Contact: person("涂主任", "decision_maker", "ally", "")}},
	{"经信银行 涂主任是内线，沟通风格是孔雀", C{Kind: Contact, Lang: "zh", Ref: name("经信银行"), Contact: person("涂主任", "insider", "", "peacock")}},
	{"/deal #12 联系人 涂主任 决策者 同盟", C{Kind: Contact, Lang: "zh", Slash: true, Ref: id(12), Contact: person("涂主任", "decision_maker", "ally", "")}},
	{"涂主任是决策者", C{Kind: Contact, Lang: "zh", Contact: person("涂主任", "decision_maker", "", ""), Err: needDeal}},
	{"经信银行张三是决策者", C{Kind: Contact, Lang: "zh", Err: errText("err.contact", "经信银行张三")}},
	{"经信银行 涂主任是决策者，关系 铁哥们", C{Kind: Contact, Lang: "zh", Ref: name("经信银行"), Err: errText("err.contact", "铁哥们")}},
	{"经信银行 涂主任不是决策者", C{Kind: Unknown, Lang: "zh"}},
	// why a stage changed
	{"经信银行 退回到意向, 原因预算冻结", C{Kind: Update, Lang: "zh", Ref: name("经信银行"), Stage: "interest", Reason: "预算冻结"}},
	{"华东电力 降到线索，因为客户换了领导", C{Kind: Update, Lang: "zh", Ref: name("华东电力"), Stage: "prospect", Reason: "客户换了领导"}},
	{"经信银行 推进到立项，原因是领导支持", C{Kind: Update, Lang: "zh", Ref: name("经信银行"), Stage: "approved", Reason: "领导支持"}},
	{"经信银行 退回到意向 由于竞争对手降价", C{Kind: Update, Lang: "zh", Ref: name("经信银行"), Stage: "interest", Reason: "竞争对手降价"}},
}

// coachCasesEN are coachCasesZH in English.
var coachCasesEN = []parseCase{
	// coach a deal
	{"coach #12", C{Kind: Coach, Lang: "en", Ref: id(12)}},
	{"coach Acme", C{Kind: Coach, Lang: "en", Ref: name("Acme")}},
	{"coach me on Acme", C{Kind: Coach, Lang: "en", Ref: name("Acme")}},
	{"Coach me on Acme Corp!", C{Kind: Coach, Lang: "en", Ref: name("Acme Corp")}},
	{"coach me", C{Kind: Coach, Lang: "en", Err: needDeal}},
	{"/deal #12 coach", C{Kind: Coach, Lang: "en", Slash: true, Ref: id(12)}},
	{"/deal coach #12", C{Kind: Coach, Lang: "en", Slash: true, Ref: id(12)}},
	{"/deal Acme Corp coach", C{Kind: Coach, Lang: "en", Slash: true, Ref: name("Acme Corp")}},
	{"coach me on pricing", C{Kind: Unknown, Lang: "en"}},
	{"Coach moved to shortlist", C{Kind: Update, Lang: "en", Ref: name("Coach"), Stage: "shortlist"}},
	// qualify: a guided walk, or marks
	{"qualify #12", C{Kind: Qualify, Lang: "en", Ref: id(12)}},
	{"qualify Acme", C{Kind: Qualify, Lang: "en", Ref: name("Acme")}},
	{"8C1F0W #12", C{Kind: Qualify, Lang: "en", Ref: id(12)}},
	{"/deal #12 qualify", C{Kind: Qualify, Lang: "en", Slash: true, Ref: id(12)}},
	{"/deal qualify #12", C{Kind: Qualify, Lang: "en", Slash: true, Ref: id(12)}},
	{"#12 decision maker C", C{Kind: Qualify, Lang: "en", Ref: id(12), Marks: marks("decision_maker", "C")}},
	{"Acme budget F", C{Kind: Qualify, Lang: "en", Ref: name("Acme"), Marks: marks("budget", "F")}},
	{"Acme: budget is C, timeline W", C{Kind: Qualify, Lang: "en", Ref: name("Acme"), Marks: marks("budget", "C", "timeline", "W")}},
	{"Acme, budget C, timeline W", C{Kind: Qualify, Lang: "en", Ref: name("Acme"), Marks: marks("budget", "C", "timeline", "W")}},
	{"Acme budget C and competition W", C{Kind: Qualify, Lang: "en", Ref: name("Acme"), Marks: marks("budget", "C", "competition", "W")}},
	{"Acme timeline W, pain C, competitors F", C{Kind: Qualify, Lang: "en", Ref: name("Acme"), Marks: marks("timeline", "W", "pain", "C", "competition", "F")}},
	{"Acme DM w", C{Kind: Qualify, Lang: "en", Ref: name("Acme"), Marks: marks("decision_maker", "W")}},
	{"Acme decision_maker f", C{Kind: Qualify, Lang: "en", Ref: name("Acme"), Marks: marks("decision_maker", "F")}},
	{"Acme: Decision-Maker is unclear", C{Kind: Qualify, Lang: "en", Ref: name("Acme"), Marks: marks("decision_maker", "F")}},
	{"Acme relationship at risk", C{Kind: Qualify, Lang: "en", Ref: name("Acme"), Marks: marks("relationship", "W")}},
	{"/deal #12 qualify budget C", C{Kind: Qualify, Lang: "en", Slash: true, Ref: id(12), Marks: marks("budget", "C")}},
	{"/deal #12 decision maker c", C{Kind: Qualify, Lang: "en", Slash: true, Ref: id(12), Marks: marks("decision_maker", "C")}},
	{"budget C", C{Kind: Qualify, Lang: "en", Marks: marks("budget", "C"), Err: needDeal}},
	{"Acme budget C, timeline soon", C{Kind: Qualify, Lang: "en", Ref: name("Acme"), Err: errText("err.mark", "soon")}},
	{"Acme budget soon, timeline W", C{Kind: Qualify, Lang: "en", Ref: name("Acme"), Err: errText("err.mark", "soon")}},
	{"/deal #12 budget soon", C{Kind: Qualify, Lang: "en", Slash: true, Ref: id(12), Err: errText("err.mark", "soon")}},
	{"/deal #12 qualify budget C, timeline X", C{Kind: Qualify, Lang: "en", Slash: true, Ref: id(12), Err: errText("err.mark", "X")}},
	{"qualify Acme budget", C{Kind: Qualify, Lang: "en", Ref: name("Acme"), Err: errText("err.mark", "budget")}},
	// an amount, a question: no marks
	{"Acme budget $250k", C{Kind: Update, Lang: "en", Ref: name("Acme"), Amount: yuan(250000, 0), HasAmount: true, Currency: "USD"}},
	{"Acme budget C?", C{Kind: Unknown, Lang: "en"}},
	// contacts
	{"Acme: Jane Doe is the decision maker, ally", C{Kind: Contact, Lang: "en", Ref: name("Acme"), Contact: person("Jane Doe", "decision_maker", "ally", "")}},
	{"Acme Jane Doe is our insider, style owl", C{Kind: Contact, Lang: "en", Ref: name("Acme"), Contact: person("Jane Doe", "insider", "", "owl")}},
	{"Acme: Jane Doe is an ally", C{Kind: Contact, Lang: "en", Ref: name("Acme"), Contact: person("Jane Doe", "", "ally", "")}},
	{"Acme: Jane Doe, technical evaluator, interacting", C{Kind: Contact, Lang: "en", Ref: name("Acme"), Contact: person("Jane Doe", "designer", "interacting", "")}},
	{"Acme: Jane Doe is the decision maker and an ally", C{Kind: Contact, Lang: "en", Ref: name("Acme"), Contact: person("Jane Doe", "decision_maker", "ally", "")}},
	{"Acme: Jane Doe is the decision maker, relationship: ally, style: peacock", C{Kind: Contact, Lang: "en", Ref: name("Acme"), Contact: person("Jane Doe", "decision_maker", "ally", "peacock")}},
	{"Acme Corp: Jane Doe is the economic buyer", C{Kind: Contact, Lang: "en", Ref: name("Acme Corp"), Contact: person("Jane Doe", "decision_maker", "", "")}},
	{"Acme: Jane Doe is our coach", C{Kind: Contact, Lang: "en", Ref: name("Acme"), Contact: person("Jane Doe", "insider", "", "")}},
	{"Globex: Tom is the approver and a friend", C{Kind: Contact, Lang: "en", Ref: name("Globex"), Contact: person("Tom", "approver", "personal", "")}},
	{"#12 Bob Smith is a tiger", C{Kind: Contact, Lang: "en", Ref: id(12), Contact: person("Bob Smith", "", "", "tiger")}},
	{"/deal #12 contact Jane Doe decision maker ally", C{Kind: Contact, Lang: "en", Slash: true, Ref: id(12), Contact: person("Jane Doe", "decision_maker", "ally", "")}},
	{"/deal #12 contact Jane Doe, style: tiger", C{Kind: Contact, Lang: "en", Slash: true, Ref: id(12), Contact: person("Jane Doe", "", "", "tiger")}},
	{"/deal #12 contact Jane Doe", C{Kind: Contact, Lang: "en", Slash: true, Ref: id(12), Contact: person("Jane Doe", "", "", "")}},
	{"/deal #12 contact", C{Kind: Contact, Lang: "en", Slash: true, Ref: id(12), Err: errText("err.contact", "")}},
	// without a colon the deal is the first word: a wrong guess names no deal
	{"Acme Corp Jane Doe is the decision maker", C{Kind: Contact, Lang: "en", Ref: name("Acme"), Contact: person("Corp Jane Doe", "decision_maker", "", "")}},
	{"Jane is the decision maker", C{Kind: Contact, Lang: "en", Contact: person("Jane", "decision_maker", "", ""), Err: needDeal}},
	{"Acme: Jane Doe is the decision maker, style unicorn", C{Kind: Contact, Lang: "en", Ref: name("Acme"), Err: errText("err.contact", "unicorn")}},
	{"Acme: Jane Doe is the decision maker, approver", C{Kind: Contact, Lang: "en", Ref: name("Acme"), Err: errText("err.contact", "approver")}},
	{"Acme: Jane Doe is the decision maker, she plays golf", C{Kind: Contact, Lang: "en", Ref: name("Acme"), Err: errText("err.contact", "she plays golf")}},
	{"Acme: Jane Doe is the CFO", C{Kind: Unknown, Lang: "en"}},
	{"I think Jane is the decision maker", C{Kind: Unknown, Lang: "en"}},
	{"who is the decision maker", C{Kind: Unknown, Lang: "en"}},
	// why a stage changed
	{"Acme moved back to interested because the budget was cut", C{Kind: Update, Lang: "en", Ref: name("Acme"), Stage: "interest", Reason: "the budget was cut"}},
	{"Acme dropped to lead due to a reorg", C{Kind: Update, Lang: "en", Ref: name("Acme"), Stage: "prospect", Reason: "a reorg"}},
	{"Acme moved to shortlist, reason: CFO pushed for us", C{Kind: Update, Lang: "en", Ref: name("Acme"), Stage: "shortlist", Reason: "CFO pushed for us"}},
	{"Acme moved back to interested because the close date slipped", C{Kind: Update, Lang: "en", Ref: name("Acme"), Stage: "interest", Reason: "the close date slipped"}},
	{"Acme moved to closed won because they loved the demo", C{Kind: Won, Lang: "en", Ref: name("Acme"), Note: "because they loved the demo"}},
	{"Acme moved to shortlist, next step call the CFO because he asked", C{Kind: Update, Lang: "en", Ref: name("Acme"), Stage: "shortlist", NextStep: "call the CFO because he asked", HasNext: true}},
}

var coachCases = slices.Concat(coachCasesZH, coachCasesEN)

func TestParseCoaching(t *testing.T) {
	c := coachContext(t)
	for _, tc := range coachCases {
		if diff := cmp.Diff(tc.want, Parse(tc.in, c)); diff != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

// TestParseCoachingTable keeps the table big, balanced and free of repeats.
func TestParseCoachingTable(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range slices.Concat(parseCases, coachCases) {
		if seen[tc.in] {
			t.Errorf("%q is in the tables twice", tc.in)
		}
		seen[tc.in] = true
	}
	if len(coachCasesZH) < 40 || len(coachCasesEN) < 40 {
		t.Errorf("want at least 40 coaching cases in each language, have zh %d, en %d", len(coachCasesZH), len(coachCasesEN))
	}
}
