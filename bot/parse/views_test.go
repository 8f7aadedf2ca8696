package parse

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseViews(t *testing.T) {
	c := testContext(t, "seven-step")
	view := func(kind Kind, lang string, slash bool, v ViewCmd) Command {
		return Command{Kind: kind, Lang: lang, Slash: slash, View: &v}
	}
	for _, tt := range []struct {
		in   string
		want Command
	}{
		{"Bob's deals", view(List, "en", false, ViewCmd{Person: PersonRef{Name: "Bob"}})},
		{"show me Bob Smith's deals?", view(List, "en", false, ViewCmd{Person: PersonRef{Name: "Bob Smith"}})},
		{"deals of <@U2|bob>", view(List, "en", false, ViewCmd{Person: PersonRef{ID: "U2", Name: "bob"}})},
		{"list <@U2>", view(List, "en", false, ViewCmd{Person: PersonRef{ID: "U2"}})},
		{"list @bob", view(List, "en", false, ViewCmd{Person: PersonRef{Name: "bob"}})},
		{"pipeline @bob", view(Pipeline, "en", false, ViewCmd{Person: PersonRef{Name: "bob"}})},
		{"pipeline <@U2|bob>", view(Pipeline, "en", false, ViewCmd{Person: PersonRef{ID: "U2", Name: "bob"}})},
		{"how is bob's pipeline?", view(Pipeline, "en", false, ViewCmd{Person: PersonRef{Name: "bob"}})},
		{"team pipeline", view(Pipeline, "en", false, ViewCmd{Team: true})},
		{"How is my team doing?", view(Pipeline, "en", false, ViewCmd{Team: true})},
		{"/deal pipeline @bob", view(Pipeline, "en", true, ViewCmd{Person: PersonRef{Name: "bob"}})},
		{"/deal pipeline team", view(Pipeline, "en", true, ViewCmd{Team: true})},
		{"/deal list <@U2>", view(List, "en", true, ViewCmd{Person: PersonRef{ID: "U2"}})},
		{"李娜的商机", view(List, "zh", false, ViewCmd{Person: PersonRef{Name: "李娜"}})},
		{"看看李娜的商机?", view(List, "zh", false, ViewCmd{Person: PersonRef{Name: "李娜"}})},
		{"张伟的漏斗", view(Pipeline, "zh", false, ViewCmd{Person: PersonRef{Name: "张伟"}})},
		{"团队漏斗", view(Pipeline, "zh", false, ViewCmd{Team: true})},
		{"团队的商机", view(Pipeline, "zh", false, ViewCmd{Team: true})},
		{"/deal 漏斗 团队", view(Pipeline, "zh", true, ViewCmd{Team: true})},

		// Not views: the speaker's own, and updates.
		{"my deals", Command{Kind: List, Lang: "en"}},
		{"我的商机", Command{Kind: List, Lang: "zh"}},
		{"pipeline", Command{Kind: Pipeline, Lang: "en"}},
		{"/deal list", Command{Kind: List, Lang: "en", Slash: true}},
		{"/deal pipeline", Command{Kind: Pipeline, Lang: "en", Slash: true}},
	} {
		if diff := cmp.Diff(tt.want, Parse(tt.in, c)); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.in, diff)
		}
	}
	for _, in := range []string{"Acme's deal moved to shortlist", "list shortlist", "#12 的商机", "我的漏斗怎么样",
		"funnel by stage", "pipeline this quarter", "本周的漏斗"} {
		if cmd := Parse(in, c); cmd.View != nil {
			t.Errorf("%q read as a view: %+v", in, cmd.View)
		}
	}
}
