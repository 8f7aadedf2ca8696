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
