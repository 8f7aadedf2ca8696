package parse

import (
	"strings"
	"unicode"
)

// isSmallTalk: greetings, thanks and acknowledgements, alone or together
// ("ok thanks", "好的，谢谢"), and messages of emoji only ("👍").
func isSmallTalk(t text) bool {
	q := t.trim()
	if q.empty() {
		for _, r := range t.low {
			if unicode.Is(unicode.So, r) {
				return true
			}
		}
		return false
	}
	if smallTalk[q.low] {
		return true
	}
	parts := strings.FieldsFunc(q.low, isClauseMark)
	for _, c := range parts {
		if !smallTalkWords(strings.Fields(c)) {
			return false
		}
	}
	return len(parts) > 0
}

func isClauseMark(r rune) bool { return r == ',' || r == '.' || r == '!' || r == ';' || r == '?' }

// smallTalkWords reports whether words is a run of small-talk phrases
// ("ok thanks", "hi there bot").
func smallTalkWords(words []string) bool {
	if len(words) == 0 || len(words) > 6 {
		return len(words) == 0
	}
	for j := len(words); j > 0; j-- {
		w := strings.Join(words[:j], " ")
		if (smallTalk[w] || w == "bot" || w == "dealcoach") && smallTalkWords(words[j:]) {
			return true
		}
	}
	return false
}

// isPipeline: the message is about the whole funnel.
func isPipeline(low string) bool {
	for _, w := range pipelineWords {
		for i := 0; i+len(w) <= len(low); {
			j := strings.Index(low[i:], w)
			if j < 0 {
				break
			}
			if hasWordPrefix(low[i+j:], w) && (i+j == 0 || !isWordByte(w[0]) || !isWordByte(low[i+j-1])) {
				return true
			}
			i += j + len(w)
		}
	}
	return false
}

var (
	// Words around a deal name in a question; the name is what remains.
	showPrefixEN = byLen("how is", "how's", "hows", "how are", "how're", "how are things with",
		"how are we doing with", "how about", "what about", "what's up with", "whats up with", "what is up with",
		"what's new with", "what's happening with", "what is happening with", "what's going on with", "what is going on with", "what's the status of",
		"what is the status of", "whats the status of", "what's the latest on", "what's the latest with",
		"what is the latest on", "status of", "status for", "status on", "update on", "any update on",
		"any updates on", "any news on", "news on", "where are we with", "where are we on",
		"where do we stand with", "where do we stand on", "tell me about", "show me", "show", "details of",
		"details for", "details on", "info on", "info about", "look up", "lookup", "find", "check",
		"what's the next step for", "what is the next step for", "what's the next step on", "next step for",
		"what stage is", "which stage is", "what's the stage of", "how much is", "what's the amount of",
		"what is the amount of", "what about the")
	showSuffixEN = byLen("going", "doing", "looking", "progressing", "coming along", "status", "details",
		"info", "in", "at", "now", "worth", "deal", "looking like", "these days", "today", "so far")
	statusSuffixEN = byLen("status", "details", "info", "status update")
	showPrefixZH   = byLen("查看", "查一下", "查询", "看看", "看一下", "说说", "讲讲", "介绍一下", "请问",
		"显示", "打开", "查")
	showSuffixZH = byLen("现在什么情况", "什么情况", "啥情况", "怎么样了", "怎么样", "咋样了", "咋样",
		"进展如何", "进展怎么样", "有什么进展", "什么进展", "进展", "情况如何", "情况怎么样", "情况",
		"到哪了", "到哪一步了", "到哪步了", "到哪个阶段了", "什么阶段", "在什么阶段", "是什么阶段",
		"哪个阶段", "下一步是什么", "下一步呢", "金额是多少", "金额多少", "多少钱", "详情", "状态",
		"最新情况", "最新进展", "如何")
	zhAfterName  = byLen("现在", "目前", "的")
	pipelineSlot = setOf("my pipeline", "pipeline", "the pipeline", "my funnel", "the funnel", "funnel",
		"my forecast", "the forecast", "forecast", "things", "everything", "business", "my numbers", "sales")
	listSlot = setOf("my deals", "all deals", "all my deals", "my opportunities", "deals")
)

// question reads read-only questions about one deal: "how is Acme going?",
// "经信银行现在什么情况?", "status of #12". A question whose subject is not
// a deal ("how is the weather") is Unknown.
func (p *parser) question(t text) (Command, bool) {
	x, ok := showSlot(t.trim())
	if !ok {
		return Command{}, false
	}
	x = x.trim()
	switch {
	case pipelineSlot[x.low]:
		return Command{Kind: Pipeline}, true
	case listSlot[x.low]:
		return Command{Kind: List}, true
	case x.empty() || strings.ContainsAny(x.low, ",;\n"):
		return Command{}, false
	}
	for _, h := range p.hits(x) {
		if !h.kw.weak {
			return Command{}, false // an update with a question word in it
		}
	}
	ref, ok := nameRef(x, false, p.pb)
	if !ok {
		return Command{}, true
	}
	return Command{Kind: Show, Ref: ref}, true
}

// showSlot cuts the question words around the deal's name.
func showSlot(q text) (text, bool) {
	for _, w := range showPrefixEN {
		if hasWordPrefix(q.low, w) {
			return stripTail(q.from(len(w)), showSuffixEN), true
		}
	}
	for _, w := range showPrefixZH {
		if !strings.HasPrefix(q.low, w) {
			continue
		}
		if _, isID := onlyID(q.from(len(w))); isID { // "查看 #12"
			return q.from(len(w)), true
		}
		if hasHan(q.low[len(w):]) {
			x, _ := zhQuestion(q.from(len(w)))
			return x, true
		}
	}
	if hasHan(q.low) {
		if x, ok := zhQuestion(q); ok {
			return x, true
		}
	}
	if x := stripTail(q, statusSuffixEN); len(x.low) < len(q.low) {
		return x, true
	}
	return q, false
}

// zhQuestion cuts a Chinese question phrase ("现在什么情况", "怎么样了") or a
// final 呢 from q. Other particles alone ("签了吗") do not make a question
// about the deal's state: that is a yes/no question (see asking).
func zhQuestion(q text) (text, bool) {
	x := stripTail(q, []string{"吗", "啊", "呀"})
	for _, w := range showSuffixZH {
		if strings.HasSuffix(x.low, w) {
			return stripTail(x.slice(0, len(x.low)-len(w)), zhAfterName), true
		}
	}
	if strings.HasSuffix(x.low, "呢") {
		return x.slice(0, len(x.low)-len("呢")), true
	}
	return q, false
}

var (
	askEndZH = byLen("吗", "么", "了没", "没有啊")
	auxEN    = setOf("did", "does", "do", "is", "are", "was", "were", "has", "have", "had", "can", "could",
		"will", "would", "should")
)

// asking tells a yes/no question ("经信银行签了吗", "is Acme won?", "Acme
// moved to shortlist?") and returns it without the question words. A
// question never changes a deal, whatever keywords it holds.
func asking(t text) (text, bool) {
	q := t.trim()
	mark := endsWithQuestionMark(t.low)
	for _, w := range askEndZH {
		if strings.HasSuffix(q.low, w) {
			return q.slice(0, len(q.low)-len(w)), true
		}
	}
	if w, k := wordAt(q.low, 0); auxEN[w] && mark {
		return q.from(k), true
	}
	return q, mark
}

// endsWithQuestionMark looks past spaces and emoji ("Acme won? 🤔").
func endsWithQuestionMark(low string) bool {
	low = strings.TrimRightFunc(low, func(r rune) bool { return r != '?' && isTrimRune(r) })
	return strings.HasSuffix(low, "?")
}

// askAbout answers a yes/no question about a deal by showing it.
func (p *parser) askAbout(q text) Command {
	hs := p.hits(q)
	if len(hs) == 0 {
		if cmd, ok := p.bare(q); ok {
			return Command{Kind: Show, Ref: cmd.Ref}
		}
		if ref, ok := nameRef(q, true, p.pb); ok { // "Acme?"; but "asdf?" is no deal
			return Command{Kind: Show, Ref: ref}
		}
		return Command{}
	}
	region := q.slice(0, hs[0].start)
	if ref, ok := nameRef(region, false, p.pb); ok {
		return Command{Kind: Show, Ref: ref}
	}
	return Command{}
}
