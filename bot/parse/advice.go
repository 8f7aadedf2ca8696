package parse

import (
	"strings"

	"github.com/dealcoach/dealcoach/coach"
)

// Advice on request: "how do I push Acme?", "what next on #12?", "我该怎么推
// 进经信银行?", "经信银行 下一步怎么做?". The bot answers from the deal
// itself; "coach" stays the full walk through the questions.

var (
	// advicePrefixes come before the deal; the longest first where one
	// starts another.
	advicePrefixes = []string{
		"what should i do next on ", "what should i do next with ", "what should i do next for ", "what should i do about ",
		"what do i do next on ", "what do i do next with ", "what to do next on ", "what to do next with ",
		"what's next on ", "what's next for ", "whats next on ", "whats next for ", "what next on ", "what next for ",
		"how do i push ", "how can i push ", "how should i push ", "how to push ", "how do i move ", "how can i move ",
		"how do i advance ", "how do i win ", "how can i win ", "how to win ", "advice on ", "advise me on ",
		"any advice on ", "tips for ", "tips on ", "give me advice on ", "coach me on how to push ",
		"我该怎么推进", "我应该怎么推进", "我要怎么推进", "该怎么推进", "应该怎么推进", "怎么推进", "如何推进", "怎样推进",
		"怎么拿下", "如何拿下", "怎么赢下", "给我点建议", "给点建议", "给些建议", "建议一下", "帮我看看",
	}
	// adviceSuffixes come after the deal.
	adviceSuffixes = []string{
		" next steps", " next step advice", " advice", " tips",
		"下一步怎么做", "下一步该怎么做", "下一步应该怎么做", "下一步做什么", "下一步该做什么", "下一步怎么办",
		"该怎么推进", "应该怎么推进", "要怎么推进", "怎么推进", "如何推进", "怎样推进", "怎么推",
		"怎么拿下", "怎么赢", "有什么建议", "有啥建议", "给点建议", "推进建议",
	}
	// adviceMoveTails end an English sentence after the deal: "how do I
	// move Acme forward?".
	adviceMoveTails = []string{" forward", " ahead", " along", " on", " next"}
	slashAdvice     = setOf("advice", "advise", "tips", "建议", "怎么推进")
	// adviceIt is "the deal we are talking about": the bot takes it from
	// the conversation.
	adviceIt = setOf("it", "this", "this deal", "this one", "that deal", "这个", "这个商机", "这单", "它")
)

// advice reads a request for advice on one deal.
func (p *parser) advice(t text) (Command, bool) {
	q := t.trim()
	for _, pre := range advicePrefixes {
		if strings.HasPrefix(q.low, pre) {
			deal := q.from(len(pre)).trim()
			for _, tail := range adviceMoveTails {
				if strings.HasSuffix(deal.low, tail) {
					deal = deal.slice(0, len(deal.low)-len(tail)).trim()
					break
				}
			}
			return adviceOn(deal), true
		}
	}
	for _, suf := range adviceSuffixes {
		if strings.HasSuffix(q.low, suf) && len(q.low) > len(suf) {
			return adviceOn(q.slice(0, len(q.low)-len(suf)).trim()), true
		}
	}
	return Command{}, false
}

// slashAdviceCmd reads "/deal advice #12", "/deal 建议 经信银行".
func (p *parser) slashAdviceCmd(w string, rest text) (Command, bool) {
	if !slashAdvice[w] {
		return Command{}, false
	}
	return adviceOn(rest.trim()), true
}

// adviceOn is the advice command on the deal named by t; none, or "it",
// asks for the deal (the bot may take it from the conversation).
func adviceOn(t text) Command {
	t = stripTail(t, []string{"的", "呢", "吗"})
	ref, pronoun := cleanRef(t)
	if pronoun || ref.IsZero() || adviceIt[strings.ToLower(ref.Name)] {
		return Command{Kind: Advice, Err: coach.Errorf(coach.Invalid, "err.need_deal")}
	}
	return Command{Kind: Advice, Ref: ref}
}
