package parse

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dealcoach/dealcoach/coach"
)

func TestParseAdvice(t *testing.T) {
	c := testContext(t, "seven-step")
	on := func(lang string, slash bool, ref Ref) Command {
		return Command{Kind: Advice, Lang: lang, Slash: slash, Ref: ref}
	}
	for _, tt := range []struct {
		in   string
		want Command
	}{
		{"how do I push Acme?", on("en", false, Ref{Name: "Acme"})},
		{"How do I move Acme Corp forward?", on("en", false, Ref{Name: "Acme Corp"})},
		{"what next on #12?", on("en", false, Ref{ID: 12})},
		{"What's next on Oceanic", on("en", false, Ref{Name: "Oceanic"})},
		{"what should I do next on Oceanic?", on("en", false, Ref{Name: "Oceanic"})},
		{"advice on #7", on("en", false, Ref{ID: 7})},
		{"Oceanic advice", on("en", false, Ref{Name: "Oceanic"})},
		{"/deal advice #12", on("en", true, Ref{ID: 12})},
		{"我该怎么推进江南水务?", on("zh", false, Ref{Name: "江南水务"})},
		{"我该怎么推进江南水务？", on("zh", false, Ref{Name: "江南水务"})},
		{"江南水务 下一步怎么做?", on("zh", false, Ref{Name: "江南水务"})},
		{"江南水务下一步该怎么做", on("zh", false, Ref{Name: "江南水务"})},
		{"江南水务怎么推进", on("zh", false, Ref{Name: "江南水务"})},
		{"#7 怎么推进?", on("zh", false, Ref{ID: 7})},
		{"如何推进经信银行", on("zh", false, Ref{Name: "经信银行"})},
		{"经信银行有什么建议?", on("zh", false, Ref{Name: "经信银行"})},
		{"/deal 建议 经信银行", on("zh", true, Ref{Name: "经信银行"})},
		{"how do I push it?", Command{Kind: Advice, Lang: "en", Err: coach.Errorf(coach.Invalid, "err.need_deal")}},
		{"怎么推进?", Command{Kind: Advice, Lang: "zh", Err: coach.Errorf(coach.Invalid, "err.need_deal")}},
	} {
		if diff := cmp.Diff(tt.want, Parse(tt.in, c)); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.in, diff)
		}
	}
}
