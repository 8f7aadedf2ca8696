package parse

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/prompts"
	"github.com/google/go-cmp/cmp"
)

// C keeps the expectation tables short.
type C = Command

type parseCase struct {
	in   string
	want Command
}

func name(s string) Ref                  { return Ref{Name: s} }
func id(n int64) Ref                     { return Ref{ID: n} }
func wan(n int64) coach.Money            { return coach.Major(n * 10_000) }
func errKey(key string) *coach.Error     { return coach.Errorf(coach.Invalid, key) }
func errText(key, s string) *coach.Error { return coach.Errorf(coach.Invalid, key, "text", s) }

// parseCases is the product's language test: one table, Chinese and English.
var parseCases = slices.Concat(parseCasesZH, parseCasesEN)

func testPlaybook(tb testing.TB, key string) *coach.Playbook {
	tb.Helper()
	pb, err := prompts.LoadPlaybook(key)
	if err != nil {
		tb.Fatal(err)
	}
	return pb
}

func testContext(tb testing.TB, playbook string) Context {
	return Context{Now: tue, Playbook: testPlaybook(tb, playbook)}
}

func TestParse(t *testing.T) {
	c := testContext(t, "seven-step")
	for _, tc := range parseCases {
		if diff := cmp.Diff(tc.want, Parse(tc.in, c)); diff != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

// TestParseTable keeps the table big and balanced between the languages.
func TestParseTable(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range parseCases {
		if seen[tc.in] {
			t.Errorf("%q is in the table twice", tc.in)
		}
		seen[tc.in] = true
	}
	if len(parseCasesZH) < 120 || len(parseCasesEN) < 120 {
		t.Errorf("want at least 120 cases in each language, have zh %d, en %d", len(parseCasesZH), len(parseCasesEN))
	}
}

// project8Cases use the project-type playbook: other stage names, the same
// language.
var project8Cases = []parseCase{
	{"经信银行 推进到方案报价", C{Kind: Update, Lang: "zh", Ref: name("经信银行"), Stage: "proposal"}},
	{"经信银行 推进到报价", C{Kind: Update, Lang: "zh", Ref: name("经信银行"), Stage: "proposal"}},
	{"经信银行 发现机会了", C{Kind: Update, Lang: "zh", Ref: name("经信银行"), Stage: "found"}},
	{"经信银行 阶段 第4阶段", C{Kind: Update, Lang: "zh", Ref: name("经信银行"), Stage: "criteria"}},
	{"经信银行回款了", C{Kind: Won, Lang: "zh", Ref: name("经信银行")}},
	{"经信银行 推进到入围", C{Kind: Update, Lang: "zh", Ref: name("经信银行"), Err: errText("err.stage", "入围")}},
	{"新商机 华东电力 80万 阶段 见到客户", C{Kind: New, Lang: "zh", Customer: "华东电力", Amount: wan(80), HasAmount: true, Stage: "met"}},
	{"/deal #4 阶段 验收", C{Kind: Update, Lang: "zh", Slash: true, Ref: id(4), Stage: "accept"}},
	{"/deal 列表 客户承诺", C{Kind: List, Lang: "zh", Slash: true, Stage: "commit"}},
	{"我的方案报价商机", C{Kind: List, Lang: "zh", Stage: "proposal"}},
	{"Acme moved to proposal", C{Kind: Update, Lang: "en", Ref: name("Acme"), Stage: "proposal"}},
	{"Acme moved to stage 3", C{Kind: Update, Lang: "en", Ref: name("Acme"), Stage: "confirmed"}},
	{"Acme moved to 60%", C{Kind: Update, Lang: "en", Ref: name("Acme"), Stage: "commit"}},
	{"Acme is qualified", C{Kind: Update, Lang: "en", Ref: name("Acme"), Stage: "confirmed"}},
	{"Acme confirmed", C{Kind: Update, Lang: "en", Ref: name("Acme"), Stage: "confirmed"}},
	{"Acme moved to paid", C{Kind: Won, Lang: "en", Ref: name("Acme")}},
	{"Acme moved to shortlist", C{Kind: Update, Lang: "en", Ref: name("Acme"), Err: errText("err.stage", "shortlist")}},
	{"/deal #4 stage criteria", C{Kind: Update, Lang: "en", Slash: true, Ref: id(4), Stage: "criteria"}},
	{"/deal #4 stage 9", C{Kind: Update, Lang: "en", Slash: true, Ref: id(4), Err: errText("err.stage", "9")}},
	{"new deal Acme at proposal $50k", C{Kind: New, Lang: "en", Customer: "Acme", Amount: yuan(50_000, 0), HasAmount: true, Currency: "USD", Stage: "proposal"}},
	{"list deals in acceptance", C{Kind: List, Lang: "en", Stage: "accept"}},
	// "meeting" is an alias, but a name and a noun make no update in English
	{"Acme meeting", C{Kind: Show, Lang: "en", Ref: name("Acme meeting")}},
}

func TestParseProject8(t *testing.T) {
	c := testContext(t, "project-8")
	for _, tc := range project8Cases {
		if diff := cmp.Diff(tc.want, Parse(tc.in, c)); diff != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

// TestParseNow: relative dates follow the calendar of Now's location.
func TestParseNow(t *testing.T) {
	pb := testPlaybook(t, "seven-step")
	for _, tc := range []struct {
		now  time.Time
		in   string
		want Command
	}{
		{fri, "Acme next step demo Friday", C{Kind: Update, Lang: "en", Ref: name("Acme"), NextStep: "demo", NextDue: day(2026, 12, 4), HasNext: true}},
		{fri, "经信银行 下一步 今天 拜访", C{Kind: Update, Lang: "zh", Ref: name("经信银行"), NextStep: "拜访", NextDue: day(2026, 11, 27), HasNext: true}},
		{sun, "经信银行 下一步 下周一 拜访", C{Kind: Update, Lang: "zh", Ref: name("经信银行"), NextStep: "拜访", NextDue: day(2026, 11, 30), HasNext: true}},
		{dec, "经信银行 预计1月5日签约", C{Kind: Update, Lang: "zh", Ref: name("经信银行"), Close: day(2027, 1, 5)}},
		{feb, "Acme expected close end of month", C{Kind: Update, Lang: "en", Ref: name("Acme"), Close: day(2028, 2, 29)}},
		{sha, "Acme next step call tomorrow", C{Kind: Update, Lang: "en", Ref: name("Acme"), NextStep: "call", NextDue: day(2026, 11, 26), HasNext: true}},
	} {
		got := Parse(tc.in, Context{Now: tc.now, Playbook: pb})
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Parse(%q) at %s (-want +got):\n%s", tc.in, tc.now, diff)
		}
	}
}

func TestParseTooLong(t *testing.T) {
	c := testContext(t, "seven-step")
	long := "Acme note: " + strings.Repeat("很长的备注", 300)
	want := C{Lang: "zh", Err: errKey("err.too_long")}
	if diff := cmp.Diff(want, Parse(long, c)); diff != "" {
		t.Errorf("too long (-want +got):\n%s", diff)
	}
	if got := Parse(long[:maxInput-4], c); got.Err != nil || got.Kind != Update {
		t.Errorf("just under the limit: %+v", got)
	}
}

// TestParseNoPlaybook: without a playbook no stage matches, nothing panics.
func TestParseNoPlaybook(t *testing.T) {
	c := Context{Now: tue}
	want := C{Kind: Update, Lang: "en", Ref: name("Acme"), Err: errText("err.stage", "shortlist")}
	if diff := cmp.Diff(want, Parse("Acme moved to shortlist", c)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, tc := range parseCases {
		Parse(tc.in, c)
	}
}

// TestParseKeepsUserText: what we hand back is the user's own text:
// full-width punctuation and letters stay as typed.
func TestParseKeepsUserText(t *testing.T) {
	c := testContext(t, "seven-step")
	got := Parse("Ｈｏｏｌｉ 备注：客户很急，需要下周给报价！", c)
	if got.Ref.Name != "Ｈｏｏｌｉ" || got.Note != "客户很急，需要下周给报价" {
		t.Errorf("got ref %q note %q", got.Ref.Name, got.Note)
	}
	if bad := Parse("Acme note: \xff\xfe broken", c); bad.Note != "\xff\xfe broken" {
		t.Errorf("invalid UTF-8 note: %q", bad.Note)
	}
	if !utf8.ValidString(got.Note) {
		t.Error("note is not UTF-8")
	}
}

func TestKindString(t *testing.T) {
	if Won.String() != "won" || Kind(99).String() != "kind(?)" {
		t.Errorf("Kind.String: %q %q", Won, Kind(99))
	}
}

// benchMessages is a mix like a rep's day: updates in both languages,
// questions, small talk and slash commands.
var benchMessages = []string{
	"经信银行 推进到立项, 金额150万, 下一步周五拜访刘行长",
	"Acme moved to shortlist, $120k, next step: demo Friday",
	"Globex lost to a cheaper vendor",
	"经信银行 赢单了",
	"how is my pipeline?",
	"经信银行现在什么情况?",
	"/deal #12 next call CFO Friday",
	"新建 经信银行 核心系统升级 120万 预计月底签约",
	"thanks!",
	"Hooli note: CFO is on leave until Jan",
	"华东电力 下一步 下周三 技术交流",
	"what is the weather",
}

func BenchmarkParse(b *testing.B) {
	c := testContext(b, "seven-step")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Parse(benchMessages[i%len(benchMessages)], c)
	}
}

// updateWorstUnits are keywords, separators and numbers whose long
// repetitions make the most work for the update rules.
var updateWorstUnits = []string{"is at and ", "next step and ", "到了然后", "推进到立项,", "1,", "金额",
	"stage stage ", "周五", "the ", "#1 ", "lost ", "and moved to ", "万", "note:", "下一步周五拜访 然后 ", "a?"}

func updateWorstInputs(s string) []string {
	return []string{s, "Acme " + s[:len(s)-10], "Acme next step " + s[:len(s)-20], "new deal " + s[:len(s)-20]}
}

// TestParseWorstCase: the longest texts full of keywords, separators and
// numbers stay within the parser's work budget (the scanners must stay near
// linear).
func TestParseWorstCase(t *testing.T) {
	checkWork(t, testContext(t, "seven-step"), updateWorstUnits, updateWorstInputs)
}

func BenchmarkParseWorstCase(b *testing.B) {
	benchWork(b, testContext(b, "seven-step"), updateWorstUnits, updateWorstInputs)
}
