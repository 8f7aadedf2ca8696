package parse

import (
	"cmp"
	"slices"
)

// field is what a keyword sets in an update.
type field uint8

const (
	fStage field = iota + 1
	fAmount
	fNext
	fClose
	fNote
	fTitle
	fWon
	fLost
	fReason // why a stage changed; counts only after a stage ("moved back to interest because …")
)

// keyword introduces a field. A weak keyword ("is", "到了", "budget",
// "signed") counts only when what follows it is wholly what the field needs,
// so "the CFO is happy" stays plain text.
type keyword struct {
	word  string
	field field
	weak  bool
}

// The update vocabulary, lower case. Full-width punctuation is folded before
// matching, so "下一步：" is "下一步:".
var keywordList = slices.Concat(
	kws(fStage, false,
		"推进到", "推进至", "推到", "推至", "进入", "进到", "进展到", "升到", "升至", "升级到", "晋级到",
		"退回到", "退回", "回到", "退到", "倒退到", "降到", "降为", "降级到", "阶段", "处于", "目前处于",
		"moved to", "move to", "moving to", "moves to", "moved into", "moved up to", "moved back to",
		"move back to", "moved forward to", "advanced to", "advance to", "advancing to", "progressed to",
		"pushed to", "promoted to", "upgraded to", "downgraded to", "dropped to", "dropped back to",
		"fell back to", "went back to", "regressed to", "stage", "at stage", "in stage", "set stage",
		"->", "→", "=>"),
	kws(fStage, true, "到了", "推进", "已到", "现在是", "目前是", "现在在", "目前在",
		"is at", "is in", "is now", "is now at", "is now in", "now at", "now in", "at", "is",
		"reached", "has reached", "got to", "back to", "now"),
	kws(fAmount, false, "金额", "预计金额", "合同金额", "合同额", "项目金额", "订单金额", "总金额", "总价",
		"amount", "deal size", "deal value", "deal amount", "contract value", "total value"),
	kws(fAmount, true, "预算", "规模", "value", "size", "budget", "worth", "is worth"),
	kws(fNext, false, "下一步", "下一步计划", "下一步行动", "下步", "接下来",
		"next step", "next steps", "next action", "next", "todo", "to-do"),
	kws(fClose, false, "预计", "预计签约", "预计成交", "预计签单", "预计关单", "预计下单", "预计签合同",
		"预计签约时间", "预计成交时间", "预计签约日期", "计划签约", "签约时间", "签约日期", "成交时间",
		"成交日期", "关单时间", "关单日期",
		"close", "close date", "closing", "closing date", "closes", "expected close", "expected close date",
		"expected closing", "expected to close", "expect to close", "expecting to close", "should close",
		"will close", "target close", "target close date", "estimated close", "est close", "est. close"),
	kws(fNote, false, "备注", "记录", "记一下", "补充", "备忘", "note", "notes", "note that", "memo", "comment", "comments"),
	kws(fTitle, false, "标题", "项目名称", "项目名", "title", "rename to", "renamed to", "project name"),
	kws(fWon, false, "赢单", "赢了", "签了", "签单了", "签约了", "已签约", "已签单", "成交了", "已成交",
		"拿下", "中标", "合同签了", "合同已签", "签下来了", "签下了",
		"won", "we won", "closed won", "closed-won", "deal won"),
	kws(fWon, true, "signed", "搞定了"),
	kws(fLost, false, "丢单", "丢了", "输了", "输单", "输给", "黄了", "丢标", "落标", "没中标", "未中标",
		"没签成", "飞单", "没拿下", "lost", "we lost", "closed lost", "closed-lost", "lost the deal", "lost it"),
	kws(fReason, true, "because", "because of", "due to", "reason", "reason is", "reason was", "the reason is",
		"原因", "原因是", "原因为", "因为", "由于"),
)

func kws(f field, weak bool, words ...string) []keyword {
	out := make([]keyword, len(words))
	for i, w := range words {
		out[i] = keyword{word: w, field: f, weak: weak}
	}
	return out
}

// keywordIndex lists the keywords by first byte, longest first, so the scan
// tries few candidates at each position.
var keywordIndex = func() (idx [256][]keyword) {
	for _, k := range keywordList {
		idx[k.word[0]] = append(idx[k.word[0]], k)
	}
	for i := range idx {
		slices.SortStableFunc(idx[i], func(a, b keyword) int { return cmp.Compare(len(b.word), len(a.word)) })
	}
	return idx
}()

// byLen sorts a word list longest first, so prefix checks find the longest.
func byLen(words ...string) []string {
	slices.SortStableFunc(words, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return words
}

// Lead-in and trailing words around field values.
var (
	stageLead  = byLen("=", "->", "→", "to", "is", "the", "为", "是", "到", "至", "改为", "改成", "变为", "变成", "了")
	stageTail  = byLen("了", "啦", "阶段", "stage", "now", "already")
	amountLead = byLen("=", "is", "to", "of", "now", "at", "about", "around", "approx", "approximately", "roughly",
		"≈", "为", "是", "改为", "改成", "调整为", "调整到", "更新为", "更新到", "变成", "变为", "提高到", "提高为",
		"增加到", "降到", "降低到", "降为", "减少到", "上调到", "下调到", "涨到", "约", "大约", "大概", "差不多", "约为")
	amountTail = byLen("左右", "了", "or so", "上下")
	closeLead  = byLen("=", "is", "on", "by", "around", "date", "为", "是", "在", "于", "时间", "日期", "大概", "大约")
	closeTail  = byLen("签约", "成交", "签单", "关单", "下单", "签合同", "签", "前", "之前", "以前", "左右", "了", "吧")
	nextLead   = byLen("-", "is", "are", "to", "is to", "=", "是", "为", "would be", "will be", "we", "we'll",
		"we will", "i'll", "i will")
	noteLead  = byLen("-", "一下")
	titleLead = byLen("=", "to", "is", "为", "是", "改为", "改成")
	wonLead   = byLen("了", "啦", "it", "the deal", "the contract", "the project", "this one")
	lostLead  = byLen("-", "to", "because", "because of", "due to", "reason", "reason is", "reason was",
		"输给了", "输给", "原因", "原因是", "原因为", "因为", "由于", "给了", "给", "了", "啦")
	// reasonLead: "原因是预算冻结", "reason: budget cut".
	reasonLead = byLen(":", "-", "=", "is", "was", "是", "为", "在于")
	// closeWords end a zh close date said without 预计: "月底签约".
	closeWords = byLen("签约", "成交", "签单", "关单", "签合同")
	// conjunctions join clauses; they split only when a keyword follows.
	conjunctions = byLen("and", "then", "also", "and then", "然后", "并且", "同时", "另外", "还有", "并", "再")
)

// Words around a deal name that are not part of it.
var (
	refLead = byLen("update", "quick update", "fyi", "btw", "so", "ok", "okay", "good news", "great news",
		"bad news", "the", "deal", "opportunity", "opp", "更新", "更新一下", "汇报", "汇报一下", "好消息",
		"坏消息", "客户", "商机", "我们的", "咱们的", "我的")
	refTail = byLen("deal", "opportunity", "opp", "'s", "has", "have", "has been", "is", "was", "got",
		"just", "now", "already", "finally", "has just", "这单", "这个单子", "这个单", "这单子", "那单",
		"这个项目", "这个商机", "的项目", "的商机", "的单子", "商机", "项目", "的", "已经", "已", "现在",
		"目前", "刚刚", "刚", "终于", "也", "is now", "has now")
	pronouns = []string{"we", "i", "us", "我们", "我", "咱们", "咱"}
)

// Whole messages.
var (
	smallTalk = setOf("hi", "hello", "hey", "hey there", "hi there", "hello there", "yo", "hiya", "morning",
		"good morning", "good afternoon", "good evening", "good night", "gm", "thanks", "thank you",
		"thanks a lot", "thank you very much", "many thanks", "thx", "ty", "tks", "cheers", "ok", "okay", "k",
		"kk", "sure", "cool", "great", "nice", "awesome", "perfect", "got it", "noted", "understood", "bye",
		"goodbye", "see you", "cya", "how are you", "how are you doing", "how's it going", "hows it going",
		"how is it going", "what's up", "whats up", "sup", "lol", "haha", "yes", "no", "yep", "nope",
		"great job", "well done", "thanks bot", "hi bot", "hello bot",
		"你好", "您好", "嗨", "哈喽", "哈啰", "嘿", "早", "早上好", "早安", "上午好", "下午好", "晚上好",
		"晚安", "谢谢", "谢谢你", "谢了", "多谢", "感谢", "辛苦了", "好的", "好", "好滴", "好嘞", "行",
		"可以", "收到", "明白", "了解", "知道了", "嗯", "嗯嗯", "哦", "哈哈", "哈哈哈", "再见", "拜拜",
		"你好吗", "在吗", "在不在", "好的谢谢", "ok了", "没问题", "太好了", "棒")
	helpWords = setOf("help", "help me", "?", "/help", "usage", "commands", "menu", "what can you do",
		"what can i do", "how do i use this", "how does this work", "how to use", "how to use this",
		"帮助", "帮忙", "怎么用", "如何使用", "怎么使用", "使用说明", "说明", "命令", "你能做什么",
		"你会什么", "能做什么", "有什么功能", "功能", "教程", "菜单")
	pipelineWords = []string{"pipeline", "funnel", "forecast", "forecasts", "漏斗", "预测", "业绩", "管道",
		"总览", "汇总"}
)

// Words that tell a sentence from a deal name.
var (
	enStop = setOf("i", "me", "my", "you", "your", "we", "our", "us", "he", "she", "it", "they", "them",
		"this", "that", "these", "those", "is", "are", "am", "was", "were", "be", "been", "do", "does", "did",
		"can", "could", "will", "would", "should", "shall", "may", "might", "must", "what", "who", "whom",
		"why", "how", "when", "where", "which", "a", "an", "of", "to", "for", "with", "about", "please",
		"let", "lets", "let's", "not", "no", "yes", "and", "or", "but", "if", "so", "just", "there", "here",
		"tell", "give", "get", "make", "want", "need", "like", "know", "think", "say", "go", "come",
		"weather", "things", "everything", "anything", "something", "life", "work", "today", "tomorrow",
		"going", "doing", "hi", "hello", "thanks", "ok", "okay", "all", "everyone", "time", "day", "sign",
		"win", "lose")
	zhStop = []string{"我", "你", "他", "她", "它", "吗", "呢", "吧", "啊", "呀", "哦", "嗯", "哈", "说",
		"想", "什么", "怎么", "为什么", "没", "这", "那", "不", "是", "了", "天气", "随便", "谁", "哪"}
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
