package parse

import (
	"strings"

	"github.com/dealcoach/dealcoach/coach"
)

// TeamLang sets the language of the team's digest and channel messages:
// "/deal team lang zh", "team language en", "团队语言 中文".
const TeamLang TeamOp = TeamDigestHere + 1

var (
	teamLangWords = setOf("lang", "language", "语言")
	langNames     = map[string]string{
		"zh": "zh", "cn": "zh", "chinese": "zh", "中文": "zh", "汉语": "zh", "简体中文": "zh", "zh-cn": "zh",
		"en": "en", "english": "en", "英文": "en", "英语": "en",
	}
	// teamLangPrefixes start the free-text form; the longest first.
	teamLangPrefixes = []string{"set the team language to ", "set team language to ", "team language is ",
		"team language: ", "team language ", "团队语言改成", "团队语言改为", "团队语言设为", "团队语言:", "团队语言：", "团队语言"}
)

// teamLang reads the words after "/deal team lang": zh or en.
func teamLang(w string, rest text) (Command, bool) {
	if !teamLangWords[w] {
		return Command{}, false
	}
	return teamLangCmd(rest.low), true
}

// teamLangCmd is the team language command for the language named in s.
func teamLangCmd(s string) Command {
	s = strings.TrimRight(strings.TrimSpace(s), ".!。！")
	lang, ok := langNames[s]
	if !ok {
		return Command{Kind: Team, Err: coach.Errorf(coach.Invalid, "err.team_lang", "text", s)}
	}
	return Command{Kind: Team, Team: &TeamCmd{Op: TeamLang, Lang: lang}}
}

// freeTeamLang reads "team language en", "团队语言 中文".
func freeTeamLang(t text) (Command, bool) {
	for _, pre := range teamLangPrefixes {
		if rest, ok := strings.CutPrefix(t.low, pre); ok {
			return teamLangCmd(rest), true
		}
	}
	return Command{}, false
}
