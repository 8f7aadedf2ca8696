package parse

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// readWorld is the deals the reader tests read against.
var readWorld = []DealName{
	{1, "中信", "云平台"}, {2, "江南水务", "智慧水务"}, {3, "恒信证券", "数据中台"}, {4, "华信科技", "核心系统"},
	{5, "经信银行", "数据中台"}, {6, "经信银行", "核心系统"}, {7, "Acme Corp", "CRM rollout"},
	{8, "Oceanic Airlines", "Fleet analytics"}, {9, "测试客户", "试点"}, {10, "Globex", "Data platform"},
	{11, "Umbrella", "Security audit"}, {12, "<!channel>", ""},
}

func readContext(t testing.TB) Context {
	c := testContext(t, "seven-step")
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	c.Now = time.Date(2026, 12, 4, 10, 0, 0, 0, sh) // a Friday
	c.Stages = IndexStages(c.Playbook)
	return c
}

// want is one deal's expected change, written short: "stage=shortlist amount=3000000".
func describeUpdate(c Command) string {
	var parts []string
	add := func(k, v string) { parts = append(parts, k+"="+v) }
	switch c.Kind {
	case Won:
		add("won", "")
	case Lost:
		add("lost", c.Reason)
	}
	if c.Stage != "" {
		add("stage", c.Stage)
	}
	if c.HasAmount {
		add("amount", fmt.Sprint(int64(c.Amount)/100))
	}
	if c.HasNext {
		add("next", c.NextStep+"@"+c.NextDue.String())
	}
	if !c.Close.IsZero() {
		add("close", c.Close.String())
	}
	return fmt.Sprintf("#%d %s", c.Ref.ID, strings.Join(parts, " "))
}

// The traps of the issue, one by one: what must apply, what must be asked,
// and what must change nothing.
func TestReadTraps(t *testing.T) {
	c := readContext(t)
	names := NewNames(readWorld)
	apply := map[string][]string{
		"江南水务 推进到入围; 恒信证券 金额300万": {"#2 stage=shortlist", "#3 amount=3000000"},
		"Acme 1,200,000":                   {"#7 amount=1200000"},
		"move acme to contract":            {"#7 stage=contract"},
		"Acme to contract, 200k":           {"#7 stage=contract amount=200000"},
		"acme amt 1.5m":                    {"#7 amount=1500000"},
		"测试客户 ¥80,000":                     {"#9 amount=80000"},
		"测试客户 80,000":                      {"#9 amount=80000"},
		"江南水务 搞定了":                         {"#2 won="},
		"Oceanic 凉了":                       {"#8 lost="},
		"Globex lost to a cheaper vendor":  {"#10 lost=a cheaper vendor"},
		"华信 三百二十万":                         {"#4 amount=3200000"},
		"恒信证券 谈到150万":                      {"#3 amount=1500000"},
		"中信 报价 80万":                        {"#1 amount=800000"},
		"江南水务 本周五 演示":                      {"#2 next=演示@2026-12-04"},
		"华信 下下周三 拜访":                       {"#4 next=拜访@2026-12-16"},
		"中信 12月18号 交流":                     {"#1 next=交流@2026-12-18"},
		"acme 1/15 call":                   {"#7 next=call@2027-01-15"},
		"Acme demo next Thu":               {"#7 next=demo@2026-12-10"},
		"globex close end of next quarter": {"#10 close=2027-03-31"},
		"江南水务 年底前签约":                       {"#2 close=2026-12-31"},
		"Acme signed the contract":         {"#7 stage=contract"},
		"经信银行 数据中台 推进到入围, 金额180万, 下一步下周三 技术交流": {"#5 stage=shortlist amount=1800000 next=技术交流@2026-12-09"},
		"<!channel> moved to shortlist": {"#12 stage=shortlist"},
		"#7 won":                        {"#7 won="},
	}
	for msg, want := range apply {
		rd := Read(msg, c, names, 0)
		var got []string
		for _, u := range rd.Updates {
			got = append(got, describeUpdate(u))
		}
		if rd.Kind != ReadUpdate || !slices.Equal(got, want) {
			t.Errorf("%q: kind %d %q (doubts %v, err %v), want %q", msg, rd.Kind, got, rd.Doubts, rd.Err, want)
		}
	}
	notApplied := map[string]ReadKind{
		"中兴 赢单了":                     ReadNearMiss,
		"Umbrela moved to shortlist": ReadNearMiss,
		"Zenith moved to contract":   ReadAsk,
		"经信银行 推进到入围":                 ReadWhich,
		"江南水务 还没立项":                  ReadGuarded,
		"Acme isn't at contract yet": ReadGuarded,
		"如果恒信证券能签就好了":                ReadGuarded,
		"if Acme signs we're golden": ReadGuarded,
		"Acme might sign next week":  ReadAsk,
		"江南水务 可能下个月签":                ReadAsk,
		"江南水务什么时候能签?":                ReadShow,
		"has Acme been approved?":    ReadShow,
		"Acme 3":                     ReadAsk,
		"Acme 3/4 demo":              ReadAsk,
		"Acme demo 2026-11-01":       ReadAsk,
		"江南水务 恒信证券 金额500万":           ReadAsk,
	}
	for msg, want := range notApplied {
		if rd := Read(msg, c, names, 0); rd.Kind != want {
			t.Errorf("%q: kind %d, want %d (%+v)", msg, rd.Kind, want, rd)
		}
	}
	if rd := Read("Acme -5", c, names, 0); rd.Err == nil || rd.Err.Args["text"] != "-5" {
		t.Errorf("Acme -5: %+v", rd)
	}
	// With a deal in focus (a coaching question waits), an update naming no deal applies to it.
	if rd := Read("客户说下周三再聊", c, names, 2); rd.Kind != ReadUpdate || describeUpdate(rd.Updates[0]) != "#2 next=客户说 再聊@2026-12-09" {
		t.Errorf("focus: %+v", rd)
	}
}

// FuzzRead checks that Read never panics and never changes a deal the
// message did not name: every update's deal is one whose name (or #id)
// is in the text, or the deal in focus.
func FuzzRead(f *testing.F) {
	for _, s := range []string{"江南水务 推进到入围; 恒信证券 金额300万", "中兴 赢单了", "Acme 1,200,000", "#7 won",
		"经信银行 数据中台 推进到入围, 金额180万, 下一步下周三 技术交流", "Acme -5", "Acme 3/4 demo", "<!channel> won"} {
		f.Add(s, int64(0))
	}
	c := readContext(f)
	names := NewNames(readWorld)
	f.Fuzz(func(t *testing.T, in string, focus int64) {
		rd := Read(in, c, names, focus)
		if rd.Kind != ReadUpdate {
			return
		}
		low := newText(in).low
		for _, u := range rd.Updates {
			id := u.Ref.ID
			if id == focus && focus != 0 {
				continue
			}
			if strings.Contains(low, fmt.Sprintf("#%d", id)) {
				continue
			}
			d, ok := names.Deal(id)
			if !ok {
				t.Fatalf("%q: update of unknown deal %d", in, id)
			}
			named := false
			for _, f := range []string{foldName(d.Customer), foldName(d.Title), shortForm(foldName(d.Customer))} {
				named = named || f != "" && strings.Contains(low, f)
			}
			if !named {
				t.Fatalf("%q: updated #%d %s, which it does not name", in, id, d.Customer)
			}
		}
	})
}

// BenchmarkRead reads one 100-character message against a speaker with
// 1,000 visible deals.
func BenchmarkRead(b *testing.B) {
	c := readContext(b)
	var ds []DealName
	for i := range 1000 {
		if i%2 == 0 {
			ds = append(ds, DealName{ID: int64(i + 1), Customer: fmt.Sprintf("客户%03d科技", i), Title: "核心系统"})
		} else {
			ds = append(ds, DealName{ID: int64(i + 1), Customer: fmt.Sprintf("Customer %03d Corp", i), Title: "CRM rollout"})
		}
	}
	names := NewNames(ds)
	msgs := []string{
		"客户042科技 推进到入围, 金额180万, 下一步下周三 技术交流, 客户那边很积极, 预计年底前签约", // about 100 bytes
		"Customer 137 Corp moved to shortlist, 120k, next step: demo next Thu with their CTO",
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if rd := Read(msgs[i%2], c, names, 0); rd.Kind != ReadUpdate {
			b.Fatalf("%q: %+v", msgs[i%2], rd)
		}
	}
}

func TestReadBothDeals(t *testing.T) {
	c := readContext(t)
	names := NewNames(readWorld)
	for msg, want := range map[string][]string{
		"恒信证券和江南水务都进入合同阶段":                  {"#3 stage=contract", "#2 stage=contract"},
		"Acme and Oceanic both shortlisted": {"#7 stage=shortlist", "#8 stage=shortlist"},
	} {
		rd := Read(msg, c, names, 0)
		var got []string
		for _, u := range rd.Updates {
			got = append(got, describeUpdate(u))
		}
		if rd.Kind != ReadUpdate || !slices.Equal(got, want) {
			t.Errorf("%q: kind %d %q %v, want %q", msg, rd.Kind, got, rd.Doubts, want)
		}
	}
}
