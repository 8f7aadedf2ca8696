package parse

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// appendFold builds an index's names without the message machinery: it
// must fold them exactly as messages are folded.
func TestAppendFoldIsFoldName(t *testing.T) {
	for _, s := range []string{"", "Acme Corp", "  ACME   corp ", "Acme\tCorp\n", "华信科技", "ＡＣＭＥ　科技", "a\u200bb",
		"Ümlaut GmbH", "x\x7fy", "中信 · 云平台", "bad \xff utf8", "“Quoted” — name", "<!channel>", "全角１２３"} {
		if got, want := string(appendFold(nil, s)), foldName(s); got != want {
			t.Errorf("appendFold(%q) = %q, foldName %q", s, got, want)
		}
		if got, want := string(appendFold(nil, []byte(s))), foldName(s); got != want {
			t.Errorf("appendFold([]byte %q) = %q, foldName %q", s, got, want)
		}
	}
}

func FuzzAppendFold(f *testing.F) {
	f.Add("Acme Corp")
	f.Add("ＡＣＭＥ　科技\u200b")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendFold(nil, s)), foldName(s); got != want {
			t.Fatalf("appendFold(%q) = %q, foldName %q", s, got, want)
		}
	})
}

func TestShortForm(t *testing.T) {
	for in, want := range map[string]string{
		"acme corp": "acme", "oceanic airlines": "oceanic", "wayne enterprises": "wayne", "globex": "",
		"the big co": "the big", "the co": "", "umbrella corp inc.": "umbrella", "华信科技": "华信", "经信银行": "经信", "中信": "",
		"江南水务集团有限公司": "江南", "恒信证券": "恒信", "new co": "",
	} {
		if got := shortForm(in); got != want {
			t.Errorf("shortForm(%q) = %q, want %q", in, got, want)
		}
	}
}

// The packed index finds what it holds, whichever way deals are added:
// twice, out of order, with long and shared names.
func TestNamesPacked(t *testing.T) {
	b := NewNamesBuilder(0)
	b.Add(9, "Acme Corp", "CRM rollout")
	b.AddBytes(3, []byte("经信银行"), []byte("数据中台"))
	b.Add(4, "经信银行", "核心系统")
	b.Add(9, "Acme Corp", "CRM rollout")
	b.Add(5, strings.Repeat("长", 100), "")
	b.Add(6, "HP", "")
	n := b.Names()
	if n.Len() != 5 {
		t.Fatalf("Len = %d, want 5", n.Len())
	}
	for text, want := range map[string][]int64{
		"acme to contract":       {9},
		"ACME CORP 200k":         {9},
		"crm rollout done":       {9},
		"经信银行 数据中台 推进到入围":        {3},
		"经信 金额300万":              {3, 4},
		"核心系统":                   {4},
		strings.Repeat("长", 100): {5},
		"hp won":                 {6},
		"acmes and hpx":          nil,
	} {
		got := n.Find(text)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("Find(%q) = %v, want %v", text, got, want)
		}
	}
	if d, ok := n.Deal(3); !ok || d.Customer != "经信银行" || d.Title != "数据中台" {
		t.Errorf("Deal(3) = %+v %v", d, ok)
	}
	if _, ok := n.Deal(7); ok {
		t.Error("Deal(7) found")
	}
}

// BenchmarkNamesBuild indexes the names of 1,000 deals, as the chat does
// for a speaker the first time they write (or after their deals changed).
func BenchmarkNamesBuild(b *testing.B) {
	cust, title := make([][]byte, 1000), make([][]byte, 1000)
	for i := range 1000 {
		if i%2 == 0 {
			cust[i], title[i] = fmt.Appendf(nil, "客户%03d科技", i), []byte("核心系统")
		} else {
			cust[i], title[i] = fmt.Appendf(nil, "Customer %03d Corp", i), []byte("CRM rollout")
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		nb := NewNamesBuilder(1000)
		for i := range 1000 {
			nb.AddBytes(int64(i+1), cust[i], title[i])
		}
		if nb.Names().Len() != 1000 {
			b.Fatal("not 1000")
		}
	}
}

// A name typed with another character of the same sound is a near miss,
// never a name: the reader asks.
func TestHomophoneNearMisses(t *testing.T) {
	names := NewNames([]DealName{
		{ID: 1, Customer: "中信", Title: "云平台"},
		{ID: 2, Customer: "华信科技", Title: "核心系统"},
		{ID: 3, Customer: "恒信证券", Title: "数据中台"},
		{ID: 4, Customer: "江南水务", Title: "智慧水务"},
		{ID: 5, Customer: "北方重工", Title: "ERP升级"},
	})
	for in, want := range map[string][]int64{
		"忠信 赢单了":             {1}, // zhong xin, first character another
		"衡信证券 金额300万":        {3}, // heng xin zheng quan
		"衡信 推进到入围":           {3}, // the short form, by sound
		"华鑫 推进到立项":           {2}, // hua xin
		"画心科技 下周三拜访":         {2}, // hua xin ke ji: every character sounds the same
		"江南税务 推进到入围":         {4}, // one character, same sound
		"江楠水雾 金额200万":        {4}, // two characters, same sounds
		"北方中工 签了合同":          {5}, // bei fang zhong gong
		"东方红 推进到入围":          nil, // nothing sounds like it
		"天气不错":               nil,
		"恒信证券 退回到立项 客户要重新评估": nil, // chong xin inside words is not 中信
		"中兴 赢单了":             {1}, // one character off (zhong xing): as before
		"华为 推进到立项":           nil, // hua wei: one character, another sound, of a short name
		"江南电力 推进到入围":         nil, // two of four characters, other sounds
		"横心正犬 推进到入围":         {3}, // heng xin zheng quan, every character another
		"恒信 赢单了, 忠信 金额5万":    nil, // a deal named exactly: no near miss is asked for
	} {
		rd := Read(in, readContext(t), names, 0)
		var got []int64
		if rd.Kind == ReadNearMiss {
			got = rd.Candidates
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: near misses %v (kind %d), want %v", in, got, rd.Kind, want)
		}
		if rd.Kind == ReadUpdate {
			for _, u := range rd.Updates {
				if slices.Contains(want, u.Ref.ID) {
					t.Errorf("%q: a homophone applied to #%d", in, u.Ref.ID)
				}
			}
		}
	}
}

func TestSoundOf(t *testing.T) {
	for _, p := range [][2]rune{{'中', '忠'}, {'信', '鑫'}, {'恒', '衡'}, {'华', '画'}, {'务', '雾'}, {'绿', '律'}} {
		if soundOf(p[0]) != soundOf(p[1]) {
			t.Errorf("%c and %c do not sound the same", p[0], p[1])
		}
	}
	for _, p := range [][2]rune{{'中', '兴'}, {'信', '星'}, {'华', '为'}, {'a', 'b'}} {
		if soundOf(p[0]) == soundOf(p[1]) {
			t.Errorf("%c and %c sound the same", p[0], p[1])
		}
	}
}
