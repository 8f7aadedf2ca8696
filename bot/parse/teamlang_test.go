package parse

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dealcoach/dealcoach/coach"
)

func TestParseTeamLang(t *testing.T) {
	c := testContext(t, "seven-step")
	set := func(lang string, slash bool, to string) Command {
		return Command{Kind: Team, Lang: lang, Slash: slash, Team: &TeamCmd{Op: TeamLang, Lang: to}}
	}
	bad := func(lang string, slash bool, text string) Command {
		return Command{Kind: Team, Lang: lang, Slash: slash, Err: coach.Errorf(coach.Invalid, "err.team_lang", "text", text)}
	}
	for _, tt := range []struct {
		in   string
		want Command
	}{
		{"/deal team lang zh", set("en", true, "zh")},
		{"/deal team lang EN", set("en", true, "en")},
		{"/deal team language english", set("en", true, "en")},
		{"/deal 团队 语言 中文", set("zh", true, "zh")},
		{"team language en", set("en", false, "en")},
		{"set the team language to Chinese", set("en", false, "zh")},
		{"团队语言 中文", set("zh", false, "zh")},
		{"团队语言改成英文", set("zh", false, "en")},
		{"团队语言:zh", set("zh", false, "zh")},
		{"/deal team lang fr", bad("en", true, "fr")},
		{"团队语言 法语", bad("zh", false, "法语")},
	} {
		if diff := cmp.Diff(tt.want, Parse(tt.in, c)); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.in, diff)
		}
	}
}
