package parse

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dealcoach/dealcoach/coach"
)

func TestParseTier(t *testing.T) {
	c := testContext(t, "seven-step")
	tier := func(lang string, slash bool, ref Ref, v string) Command {
		return Command{Kind: Tier, Lang: lang, Slash: slash, Ref: ref, Tier: v}
	}
	for _, tt := range []struct {
		in   string
		want Command
	}{
		{"Acme tier A", tier("en", false, Ref{Name: "Acme"}, "A")},
		{"Acme Corp account tier b", tier("en", false, Ref{Name: "Acme Corp"}, "B")},
		{"#12 tier C", tier("en", false, Ref{ID: 12}, "C")},
		{"Acme is an A account", tier("en", false, Ref{Name: "Acme"}, "A")},
		{"/deal tier Acme A", tier("en", true, Ref{Name: "Acme"}, "A")},
		{"经信银行 客户等级 A", tier("zh", false, Ref{Name: "经信银行"}, "A")},
		{"经信银行客户等级B", tier("zh", false, Ref{Name: "经信银行"}, "B")},
		{"经信银行 是A类客户", tier("zh", false, Ref{Name: "经信银行"}, "A")},
		{"经信银行 C类客户", tier("zh", false, Ref{Name: "经信银行"}, "C")},
		{"/deal tier Acme D", Command{Kind: Tier, Lang: "en", Slash: true, Err: coach.Errorf(coach.Invalid, "err.tier", "text", "Acme D")}},
	} {
		if diff := cmp.Diff(tt.want, Parse(tt.in, c)); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.in, diff)
		}
	}
	for _, in := range []string{"Acme tier D", "Acme moved to shortlist", "new deal Acme Tier A 50k", "经信银行 金额 A"} {
		if cmd := Parse(in, c); cmd.Kind == Tier {
			t.Errorf("%q read as a tier: %+v", in, cmd)
		}
	}
}
