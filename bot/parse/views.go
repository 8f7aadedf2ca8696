package parse

import (
	"strings"
	"unicode/utf8"
)

// ViewCmd asks for someone else's deals or pipeline, or the team's: a
// manager's and an admin's views. The bot checks who may see what.
type ViewCmd struct {
	Person PersonRef // whose: a mention or a name; zero with Team
	Team   bool      // the speaker's team as a whole
}

var (
	// teamViews are the whole messages asking for the team's pipeline.
	teamViews = setOf("team pipeline", "team's pipeline", "my team's pipeline", "our team's pipeline",
		"the team's pipeline", "team funnel", "team forecast", "how is my team doing", "how is the team doing",
		"team deals", "team's deals", "my team's deals", "团队漏斗", "团队的漏斗", "团队商机", "团队的商机",
		"我团队的商机", "我们团队的商机", "团队业绩", "团队进展", "看看团队", "团队情况", "团队的情况")
	// Around a person's name: "X's deals", "deals of X", "X的商机"…
	viewDealsSuffixEN = []string{"'s deals", "’s deals", "'s opportunities", "'s opps", "'s open deals", "’s open deals"}
	viewDealsPrefixEN = []string{"deals of ", "open deals of ", "list deals of ", "list ", "show ", "show me "}
	viewPipeSuffixEN  = []string{"'s pipeline", "’s pipeline", "'s funnel", "'s forecast"}
	viewPipePrefixEN  = []string{"pipeline of ", "pipeline for ", "pipeline ", "funnel of ", "funnel ", "forecast of "}
	viewDealsSuffixZH = []string{"的商机", "的单子", "的项目", "的所有商机", "的全部商机", "有哪些商机", "的商机列表", "的清单"}
	viewPipeSuffixZH  = []string{"的漏斗", "的业绩", "的漏斗怎么样", "的预测"}
	// viewLead are words before the view that say nothing more.
	viewLead = []string{"看看", "看一下", "查看", "列出", "列一下", "显示", "show me ", "what about ", "how is ", "how's "}
)

// view reads "Bob's deals", "李娜的商机", "pipeline @bob", "bob's
// pipeline", "team pipeline", "团队漏斗". The name must be short and
// without digits: "Acme's deal moved to shortlist" is an update.
func (p *parser) view(t text) (Command, bool) {
	low := strings.TrimRight(t.low, "?？.。!！ ")
	raw := strings.TrimRight(t.raw(), "?？.。!！ ")
	if len(low) != len(raw) { // lower case changed a length: cut both alike
		raw = low
	}
	if teamViews[low] {
		return Command{Kind: Pipeline, View: &ViewCmd{Team: true}}, true
	}
	for _, pre := range viewLead {
		if strings.HasPrefix(low, pre) && len(low) > len(pre) && len(low) == len(raw) {
			low, raw = low[len(pre):], raw[len(pre):]
			break
		}
	}
	if name, ok := around(low, raw, viewPipePrefixEN, viewPipeSuffixEN, viewPipeSuffixZH); ok && p.someone(name) {
		return Command{Kind: Pipeline, View: &ViewCmd{Person: name}}, true
	}
	if name, ok := around(low, raw, viewDealsPrefixEN, viewDealsSuffixEN, viewDealsSuffixZH); ok && p.someone(name) {
		return Command{Kind: List, View: &ViewCmd{Person: name}}, true
	}
	return Command{}, false
}

// someone reports whether a name read before "的商机" may be a person's:
// not a stage ("入围阶段的商机" is a list by stage) nor list words.
func (p *parser) someone(r PersonRef) bool {
	if r.ID != "" {
		return true
	}
	for _, w := range []string{"所有", "全部", "阶段", "哪些", "目前", "现在", "本周", "本月", "本季", "open", "all "} {
		if strings.Contains(strings.ToLower(r.Name), w) {
			return false
		}
	}
	for _, w := range strings.Fields(strings.ToLower(r.Name)) {
		switch w {
		case "by", "stage", "stages", "week", "month", "quarter", "this", "last", "next", "total", "summary", "forecast":
			return false // "funnel by stage", "pipeline this quarter"
		}
	}
	_, stage := MatchStage(r.Name, p.pb)
	return !stage
}

// around finds a person between one of prefixes and the end, or before
// one of the suffixes. A prefix needs a mention after it ("list @bob"),
// or for the pipeline words, any short name ("pipeline bob").
func around(low, raw string, prefixes, suffixesEN, suffixesZH []string) (PersonRef, bool) {
	for _, suf := range append(suffixesEN, suffixesZH...) {
		if strings.HasSuffix(low, suf) {
			if ref, ok := personOf(raw[:len(raw)-len(suf)], false); ok {
				return ref, true
			}
		}
	}
	for _, pre := range prefixes {
		if strings.HasPrefix(low, pre) {
			mention := pre == "list " || pre == "show " || pre == "show me "
			if ref, ok := personOf(raw[len(pre):], mention); ok {
				return ref, true
			}
		}
	}
	return PersonRef{}, false
}

// personOf reads one person: a mention, "@name", or (unless mentionOnly)
// a short name of at most three words with no digits, no "#", and none of
// the words that make a sentence ("my", "our", "the", "team").
func personOf(s string, mentionOnly bool) (PersonRef, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "<@") {
		refs := personRefs(s)
		if len(refs) == 1 && refs[0].ID != "" {
			return refs[0], true
		}
		return PersonRef{}, false
	}
	at := strings.HasPrefix(s, "@")
	s = strings.TrimPrefix(s, "@")
	if s == "" || (mentionOnly && !at) || utf8.RuneCountInString(s) > 40 || len(strings.Fields(s)) > 3 ||
		strings.ContainsAny(s, "#0123456789,，、:：") {
		return PersonRef{}, false
	}
	switch strings.ToLower(s) {
	case "my", "our", "the", "team", "my team", "our team", "the team", "your", "all", "everyone", "everybody",
		"我", "我们", "我的", "你", "团队", "大家", "所有人":
		return PersonRef{}, false
	}
	return PersonRef{Name: s}, true
}

// slashView reads "/deal pipeline @bob", "/deal pipeline team", "/deal
// list @bob" and "/deal 漏斗 团队".
func (p *parser) slashView(w string, rest text) (Command, bool) {
	if rest.empty() || (!slashPipe[w] && !slashList[w]) {
		return Command{}, false
	}
	kind := List
	if slashPipe[w] {
		kind = Pipeline
	}
	switch low := strings.TrimSpace(rest.low); low {
	case "team", "my team", "the team", "团队", "我的团队":
		return Command{Kind: Pipeline, View: &ViewCmd{Team: true}}, true
	}
	if ref, ok := personOf(rest.raw(), kind == List); ok && p.someone(ref) {
		return Command{Kind: kind, View: &ViewCmd{Person: ref}}, true
	}
	return Command{}, false
}
