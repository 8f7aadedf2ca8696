package parse

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dealcoach/dealcoach/coach"
)

// regionRead is what the clauses about one deal say.
type regionRead struct {
	region    region
	cmd       Command
	doubts    []Doubt
	guard     string // "negation", "hypothetical", "tentative"
	guardText string
	onlyName  bool   // nothing but a (nearly) name was said
	named     string // the words left when nothing else was read: a near miss's name
}

// The words of a free-text update, lower case, longest first where it
// matters. They are read anywhere in a clause.
var (
	wonPhrases = newPhrases("赢单了", "赢单", "赢了", "成交了", "已成交", "拿下了", "拿下", "签约了",
		"已签约", "签约成功", "签单了", "已签单", "中标了", "中标", "下单了", "已下单", "签下来了", "签下了", "落单了",
		"we won", "won it", "won the deal", "deal won", "closed won", "closed-won", "we got it", "got the deal",
		"got it signed and won", "it's a win", "its a win", "won", "win!", "closed the deal", "we closed it", "they bought",
		"they signed and paid", "po received", "got the po")
	lostPhrases = newPhrases("丢单了", "丢单", "丢了", "输了", "输单", "输给", "黄了", "凉了", "没戏了", "没戏", "丢标", "落标",
		"没中标", "未中标", "没签成", "飞单", "被抢了", "放弃了", "不做了", "不买了", "选了别家", "选了别人",
		"选了友商", "选择了友商", "跟别人签了", "和别人签了", "取消了采购", "项目取消", "项目取消了", "砍掉了", "被砍了",
		"we lost", "lost it", "lost the deal", "lost to", "lost", "closed lost", "closed-lost", "passed on us",
		"they passed", "passed on it", "went with", "chose another", "chose a competitor", "picked another",
		"picked a competitor", "it's dead", "its dead", "is dead", "deal is dead", "dead", "no go", "no-go",
		"killed the project", "project cancelled", "project canceled", "deal cancelled", "walked away", "said no", "turned us down", "rejected us",
		"gone with", "signed with a competitor", "signed with someone else", "went elsewhere")
	// signing the contract is the contract stage: won comes after it
	contractPhrases = newPhrases("签了合同", "合同签了", "合同已签", "签合同了", "签完合同", "合同签完", "已签合同", "签了",
		"signed the contract", "contract signed", "signed contract", "signed the deal", "signed",
		"contract is signed", "contracts signed", "inked")
	closeCues = newPhrases("预计签约", "预计成交", "预计签单", "预计关单", "预计下单", "预计签合同", "计划签约",
		"签约时间", "签约日期", "成交时间", "关单", "签约", "签单", "成交", "签合同", "落单", "下单", "签下来", "签",
		"expected close", "expected to close", "expect to close", "close date", "closing date", "target close",
		"est close", "est. close", "close by", "closes", "closing", "close", "sign by", "signing", "to sign", "sign",
		"will sign", "should sign", "signed by", "signature", "ecd", "po by", "decision by")
	nextCues = newPhrases("下一步计划", "下一步行动", "下一步", "下步", "接下来", "next steps", "next step",
		"next action", "nxt step", "nxt", "next:", "todo", "to-do", "to do")
	noteCues   = newPhrases("备注", "记录一下", "记一下", "补充", "备忘", "note:", "notes:", "note", "notes", "fyi", "memo")
	reasonCues = newPhrases("because of", "because", "due to", "reason:", "reason is", "reason was", "reason", "since",
		"原因是", "原因为", "原因", "因为", "由于", "理由")
	amountCues = newPhrases("金额", "预计金额", "合同金额", "合同额", "项目金额", "订单金额", "总金额", "总价", "预算",
		"报价", "谈到", "价格", "价钱", "规模", "金额改为", "金额是", "谈成", "报了", "报给", "降到", "压到",
		"amount", "amt", "deal size", "deal value", "contract value", "total value", "value", "size", "budget",
		"price", "priced at", "quote", "quoted", "worth", "at", "for", "for about", "around", "about", "~", "approx")
	regressCues = newPhrases("退回到", "退回", "回到", "退到", "倒退到", "降级到", "降到", "掉回", "打回", "moved back to",
		"move back to", "back to", "fell back to", "dropped back to", "dropped to", "downgraded to", "regressed to",
		"went back to", "slipped back to", "slipped to")
	hypoWords = newPhrases("如果", "要是", "假如", "假设", "万一", "就好了", "的话", "if ", "would", "wish", "hope ",
		"hoping", "unless", "in case", "assuming", "suppose", "fingers crossed")
	tentWords = newPhrases("可能", "也许", "或许", "大概", "说不定", "估计会", "应该会", "应该能", "应该", "争取下", "有望", "争取", "might", "maybe",
		"perhaps", "possibly", "probably", "hopefully", "likely", "could", "may ", "pending", "waiting for",
		"等待", "等客户", "待定", "not sure", "不确定", "看情况")
	negWords = newPhrases("还没有", "还没", "没有", "并没", "尚未", "未能", "不是", "没", "未", "不会", "别", "isn't", "isnt",
		"is not", "not yet", "not", "hasn't", "hasnt", "haven't", "havent", "didn't", "didnt", "won't", "wont", "never",
		"no longer", "aren't", "wasn't", "doesn't", "don't", "yet to", "has yet")
	// negation words that do not negate an update
	negHarmless = newPhrases("没问题", "没事", "不错", "不过", "不用", "不少", "不断", "没想到", "not bad", "no problem",
		"not only")
	fillers = newPhrases(
		// Chinese
		"推进到", "推进至", "推进", "推到", "推至", "进展到", "进展至", "进入到", "进入", "进到", "升到", "升至", "升级到",
		"晋级到", "到了", "已到", "到", "更新一下", "更新为", "更新", "改成", "改为", "改到", "设为", "设置为", "设置",
		"调整为", "调整到", "调整一下", "调整", "调到", "改一下", "改下", "改", "变成", "变为", "阶段", "状态", "客户", "项目", "商机", "这个", "那个", "这单",
		"那单", "单子", "一下", "已经", "已", "现在是", "现在在", "现在", "目前是", "目前在", "目前", "刚刚", "刚", "终于",
		"总算", "预计", "了", "的", "啦", "吧", "啊", "哈", "呀", "哦", "嗯", "把", "将", "给", "是", "为", "在", "也", "都", "又",
		"还", "处于", "好消息", "太好了", "耶", "哈哈", "请", "帮我", "帮忙",
		// English
		"the", "a", "an", "to", "is", "was", "has", "have", "been", "now", "just", "finally", "moved", "move", "moving",
		"moves", "push", "pushed", "pushing", "advance", "advanced", "advancing", "progressed", "promoted", "set",
		"update", "updated", "change", "changed", "stage", "deal", "account", "opp", "opportunity", "project", "it",
		"its", "it's", "we", "our", "they", "with", "of", "on", "in", "into", "and", "so", "ok",
		"okay", "please", "pls", "also", "too", "then", "up", "status", "hey", "hi", "btw", "great", "good", "news",
		"yay", "guys", "team", "officially", "over", "went", "got", "get", "are", "be", "bump", "bumped", "mark",
		"marked", "as", "by", "from", "reached", "hit", "entered", "re", "is now", "now at", "now in", "at stage",
		"->", "→", "=>", "!", "-", ":", "=", "+", "~", "/", "@")
	// edgeFillers are dropped from the ends of a next step's text only
	edgeFillers = newPhrases("还是", "仍然", "依然", "了", "的", "是", "为", "到", "把", "将", "也", "就", "还", "the", "to",
		"is", "and", "then", "set", "still", "next", "-", ":", "=", "—", "–", "·")
	fromWords = newPhrases("from ", "从")
	// telling how things were: a stage or outcome among them is history, asked
	storyWords = newPhrases("以前", "原来", "本来", "之前是", "后来", "当时", "used to", "previously", "originally", "back then",
		"at first")
	// around an amount, words that make it someone else's or something else's: asked
	amountDoubts = newPhrases("竞争对手", "对手", "友商", "竞品", "别家", "比", "去年", "每年", "一年", "年费", "回款", "首付",
		"预付", "定金", "已付", "付了", "competitor", "competition", "rival", "incumbent", "vendor",
		"last year", "per year", "a year", "/year", "annually", "annual", "paid", "deposit",
		"cheaper", "lower than", "higher than")
	// stage aliases that are everyday words: a stage only after a move word or alone at a clause's end
	weakStages = setOf("lead", "leads", "new lead", "interest", "opportunity", "approval", "win", "negotiation",
		"first meeting", "contracting", "prospects", "prospecting", "contract", "interested", "合同", "兴趣", "线索", "意向")
	moveCues = newPhrases("to ", "into ", "at ", "now ", "is ", "in ", "as ", "->", "→", "=>", "到", "进", "为", "成", "是",
		"入", "转")
	gaoding = newPhrases("搞定了", "搞定")
	// a next step done: "拜访CIO 完成了", "legal review done"
	stepDone = newPhrases("完成了", "已完成", "做完了", "办完了", "拜访完了", "聊完了", "开完了", "交完了", "完了",
		"done", "completed", "finished", "✅", "✔")
	// the past: a dated clause about what happened is a note, not a next step
	pastWords = newPhrases("上周", "上个月", "上礼拜", "上星期", "昨天", "前天", "刚才", "截至", "截止", "as of", "last week",
		"last month", "yesterday", "ago", "earlier today", "this morning", "was cancelled", "got cancelled", "was canceled")
	// what a next step is made of; a date with none of these is asked about
	actionWords = newPhrases("拜访", "演示", "交流", "电话", "沟通", "开会", "会议", "汇报", "述标", "讲标", "投标", "报价",
		"方案", "见", "聊", "谈", "约", "发", "送", "交", "提交", "签", "评审", "测试", "试点", "培训", "考察", "参观",
		"调研", "答疑", "对接", "确认", "跟进", "催", "回访", "吃饭", "饭局", "启动", "上线", "验收", "立项", "招标",
		"上门", "勘查", "现场", "审核", "法务", "签字", "盖章", "面谈", "拜会", "出差", "送样", "报告", "材料", "资料",
		"文件", "标书", "合同", "过会", "上会", "决策", "评估", "宣讲", "路演", "走访", "见面", "去", "来", "看", "做",
		"开", "讲", "测", "审", "问", "打", "写", "改", "准备", "安排", "协调", "申请", "采购", "付款", "回款", "复盘",
		"会", "谈判", "商务", "技术", "述职",
		"demo", "call", "meet", "meeting", "visit", "send", "present", "presentation", "review", "workshop", "lunch",
		"dinner", "proposal", "quote", "pitch", "poc", "pilot", "kickoff", "kick-off", "sync", "follow up", "follow-up",
		"check in", "check-in", "submit", "deliver", "negotiat", "sign", "onsite", "on-site", "training", "trial", "bafo",
		"rfp", "rfq", "deck", "contract", "legal", "security", "exec", "cfo", "cto", "ceo", "cio", "due", "plan",
		"go-live", "golive", "install", "rollout", "roll-out", "briefing", "brief", "intro", "discovery", "session",
		"email", "ping", "chat", "talk", "touch base", "prep", "prepare", "draft", "finalize", "approve", "board", "audit",
		"test", "walkthrough", "walk-through", "evaluation", "eval", "handover", "renewal", "invoice", "payment", "po")
)

// readVocabulary is every word the reader knows, so that a near miss is
// never looked for among them.
var readVocabulary = func() map[string]bool {
	m := map[string]bool{}
	for _, list := range []phrases{wonPhrases, lostPhrases, contractPhrases, closeCues, nextCues, noteCues,
		reasonCues, amountCues, regressCues, hypoWords, tentWords, negWords, fillers} {
		for _, w := range list.all {
			for _, f := range strings.Fields(w) {
				m[f] = true
			}
		}
	}
	for _, w := range strings.Fields("came come comes coming went goes going sent send sends plan plans back slip slipped " +
		"closing close closed signs signed sign said says told tell call calls called meet meets meeting still just " +
		"about after before again also always asked away best both bring brought busy cant care case cash check clear " +
		"could cost date days deal deals does done down each else even ever every fine first from gave give glad good " +
		"great hand hard have here high hold hope into items keep kind last late later lead left less like line list " +
		"long look lost made make many maybe mean more most much must need next nice note only open over part pass " +
		"past paid pick play push quiet quite ready real said same says seem seen send sent shot show side sign since " +
		"slow some soon sort spec step stop sure take team tell than that them then they this time told took true " +
		"turn unit upon very wait want week well went were what when will wish with word work yeah year your " +
		"demo call meeting visit lunch dinner send sent proposal quote contract next week month " +
		"friday monday tuesday wednesday thursday saturday sunday today tomorrow customer client their about " +
		"shortlist shortlisted interest interested approved approval prospect contract won lost stage amount") {
		m[w] = true
	}
	return m
}()

// clause is a stretch of a region between commas and the like.
type clause struct{ start, end int }

// clauses splits low[i:j] at clause punctuation, never inside a number
// ("1,200,000", "1.5m").
func clauses(low string, i, j int, joined []string) []clause {
	var out []clause
	s := i
	protect := 0 // inside a stage name such as "proposal and quote" up to here
	for k := i; k < j; k++ {
		if k >= protect && (low[k] == ' ' || low[k] == ',') {
			for _, n := range joined {
				for b := max(i, k-len(n)); b <= k; b++ {
					if strings.HasPrefix(low[b:j], n) {
						protect = b + len(n)
					}
				}
			}
		}
		if k < protect {
			continue
		}
		c := low[k]
		cut := 0
		switch c {
		case ',', '.':
			if k > i && k+1 < j && isDigit(low[k-1]) && isDigit(low[k+1]) {
				continue
			}
			cut = 1
		case ';', '\n', '!', '?', '|':
			cut = 1
		case ' ':
			if strings.HasPrefix(low[k:], " and ") && k+5 <= j {
				cut = 5
			} else if strings.HasPrefix(low[k:], " / ") && k+3 <= j {
				cut = 3
			}
		}
		if cut > 0 {
			if k > s {
				out = append(out, clause{s, k})
			}
			s = k + cut
			k += cut - 1
		}
	}
	if j > s {
		out = append(out, clause{s, j})
	}
	return out
}

// phraseAt finds the first of words (longest first) at low[k:], as a whole
// word where it begins or ends with a letter, on bytes not yet read.
func (r *reader) phraseAt(k, end int, words *phrases) string {
	low := r.t.low[:end]
	if r.used[k] {
		return ""
	}
	for _, w := range words.at(low, k) {
		if wordIn(low, k, w) && !r.anyUsed(k, k+len(w)) {
			return w
		}
	}
	return ""
}

func (r *reader) anyUsed(i, j int) bool {
	for k := i; k < j; k++ {
		if r.used[k] {
			return true
		}
	}
	return false
}

// findPhrase is the first position in [i, j) where one of words starts.
func (r *reader) findPhrase(i, j int, words *phrases) (int, string) {
	for k := i; k < j; k++ {
		if r.t.low[k]&0xC0 == 0x80 {
			continue
		}
		if w := r.phraseAt(k, j, words); w != "" {
			return k, w
		}
	}
	return -1, ""
}

// readRegion reads the slots of one deal's clauses.
func (r *reader) readRegion(g region) regionRead {
	low := r.t.low
	rr := regionRead{cmd: Command{Kind: Update}, region: g}
	u := &rr.cmd
	if k, w := r.findPhrase(g.start, g.end, &negWords); k >= 0 {
		if h, _ := r.findPhrase(max(g.start, k-9), min(g.end, k+12), &negHarmless); h < 0 && !r.inLost(g, k) {
			rr.guard, rr.guardText = "negation", w
		}
	}
	if k, w := r.findPhrase(g.start, g.end, &hypoWords); k >= 0 && rr.guard == "" {
		rr.guard, rr.guardText = "hypothetical", w
	}
	if k, w := r.findPhrase(g.start, g.end, &tentWords); k >= 0 && rr.guard == "" {
		rr.guard, rr.guardText = "tentative", w
		r.mark(k, k+len(w))
	}
	var notes, remarks, unknown []string
	regress := false
	for _, c := range clauses(low, g.start, g.end, r.joined) {
		if k, w := r.findPhrase(c.start, c.end, &noteCues); k >= 0 {
			r.mark(k, k+len(w))
			if n := r.rest(k+len(w), c.end); n != "" {
				notes = append(notes, n)
			}
			r.mark(k, c.end)
			continue
		}
		nextKW := false
		head := c // where values are read: before a "next step" keyword, whose words are the step's
		if k, w := r.findPhrase(c.start, c.end, &nextCues); k >= 0 {
			r.mark(k, k+len(w))
			nextKW = true
			head.end = k
		}
		if k, w := r.findPhrase(c.start, c.end, &reasonCues); k >= 0 {
			r.mark(k, k+len(w))
			u.Reason = r.rest(k+len(w), c.end)
			r.mark(k, c.end)
		}
		hasDate := false
		if k, _ := r.findPhrase(c.start, c.end, &pastWords); k < 0 || nextKW {
			// "上周二拜访了CIO": a date in the past tense is what happened, not a next step
			hasDate = r.dates(c, &rr, nextKW)
		}
		r.outcome(head, &rr)
		r.amounts(head, &rr)
		if k, w := r.findPhrase(head.start, head.end, &regressCues); k >= 0 {
			regress = true
			r.mark(k, k+len(w))
		}
		r.stage(head, &rr)
		r.done(head, &rr, hasDate)
		slotted := r.anyUsed(c.start, c.end) && rr.cmd.Err == nil
		step := trimFillers(r.rest(c.start, c.end))
		r.dropFillers(c)
		left := r.rest(c.start, c.end)
		switch {
		case left == "":
		case nextKW || hasDate && u.HasNext && u.NextStep == "":
			u.HasNext = true
			u.NextStep = step
			if !nextKW {
				if k, _ := r.findPhrase(c.start, c.end, &actionWords); k < 0 && !hasAction(step) {
					// "张总下个月退休": a date and words that are no sales action: asked
					rr.doubts = append(rr.doubts, Doubt{Key: "read.step", Text: step})
				}
			}
		case !slotted && !isSmallNumber(left):
			// a clause of its own with no value in it ("客户那边很积极"): a remark, kept as a note
			remarks = append(remarks, step)
		default:
			unknown = append(unknown, left)
		}
		if nextKW && !u.HasNext {
			u.HasNext = true
		}
		if nextKW && !hasDate && strings.ContainsAny(u.NextStep, "0123456789") {
			// "下一步 32号 拜访": a number there that is no date
			rr.doubts = append(rr.doubts, Doubt{Key: "read.unknown", Text: u.NextStep})
		}
		if k, w := r.findPhrase(c.start, c.end, &pastWords); k >= 0 && nextKW {
			rr.doubts = append(rr.doubts, Doubt{Key: "read.past_date", Text: clean(r.t.slice(k, k+len(w)).raw())})
		}
	}
	slots := u.Stage != "" || u.HasAmount || u.HasNext || !u.Close.IsZero() || u.Kind != Update
	if k, w := r.findPhrase(g.start, g.end, &storyWords); k >= 0 && slots {
		rr.doubts = append(rr.doubts, Doubt{Key: "read.story", Text: clean(r.t.slice(k, k+len(w)).raw())})
	}
	// Words left between the values: numbers it could not place are asked
	// about; other words ("最终", "pls", "came in at") are let go, but a
	// deal's name among them (nearly) is asked about, never applied.
	var tolerated []string
	for _, w := range unknown {
		if strings.ContainsAny(w, "0123456789") || len(g.ids) == 0 {
			// with no deal named, any word left may be a name it does not know: asked
			key := "read.unknown"
			if isSmallNumber(w) {
				key = "read.number"
			}
			rr.doubts = append(rr.doubts, Doubt{Key: key, Text: w})
			continue
		}
		tolerated = append(tolerated, w)
	}
	if len(g.ids) > 0 && (len(unknown) > 0 || len(remarks) > 0) {
		// a deal's name nearly, among the words left: another deal's (it
		// may be that one's update) or this one's misspelt ("Wayne Retial",
		// "中新 云平台"): asked, never applied
		if near := r.names.nearMisses(low[:g.end], func(i int) bool { return i < g.start || r.used[i] }); len(near) > 0 {
			rr.doubts = append(rr.doubts, Doubt{Key: "read.other_deal", Text: r.rest(g.start, g.end)})
		}
	}
	switch {
	case !slots && len(notes) == 0:
		left := append(tolerated, remarks...)
		if len(left) > 0 {
			rr.named = strings.Join(left, " ")
			rr.onlyName = true
			if len(g.ids) > 0 {
				// "Acme 客户很满意": a remark about the deal; kept as a note only if confirmed
				u.Note = strings.Join(left, "; ")
				rr.doubts = append(rr.doubts, Doubt{Key: "read.note", Text: u.Note})
			}
		}
	case (u.Kind == Lost || regress && u.Stage != "") && u.Reason == "":
		u.Reason = strings.Join(append(tolerated, remarks...), " ")
	default:
		notes = append(notes, remarks...)
	}
	if len(notes) > 0 {
		u.Note = strings.Join(notes, "; ")
	}
	if u.Kind == Update && u.Reason != "" && u.Stage == "" {
		// a reason with nothing it explains: keep it as a note
		u.Note = strings.TrimSpace(strings.Join([]string{u.Note, u.Reason}, " "))
		u.Reason = ""
	}
	if u.Kind == Won {
		u.Stage = ""
	}
	return rr
}

// inLost tells a negation that is part of a lost phrase ("没戏了", "没签成").
func (r *reader) inLost(g region, k int) bool {
	for i := max(g.start, k-12); i <= k; i++ {
		if w := r.phraseAt(i, g.end, &lostPhrases); w != "" && i+len(w) > k {
			return true
		}
	}
	return false
}

// rest is the unread words of low[i:j], as typed, tidied.
func (r *reader) rest(i, j int) string {
	var parts []string
	for k := i; k < j; {
		if r.used[k] {
			k++
			continue
		}
		e := k
		for e < j && !r.used[e] {
			e++
		}
		if s := clean(r.t.slice(k, e).raw()); s != "" && strings.Trim(s, " ,.;:!?-~·'\"") != "" {
			parts = append(parts, strings.Trim(s, " ,;:-~·"))
		}
		k = e
	}
	return strings.TrimSpace(strings.Join(parts, " "))
}

func isSmallNumber(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// dates reads the dates of a clause: with a close or signing cue, the
// expected close; otherwise the next step's due date.
func (r *reader) dates(c clause, rr *regionRead, nextKW bool) bool {
	low := r.t.low
	u := &rr.cmd
	found := false
	for i := c.start; i < c.end; i++ {
		if low[i]&0xC0 == 0x80 || r.used[i] || !dateStart(low, i) {
			continue
		}
		ds := scanDate(low[:c.end], i, r.p.today, false)
		if alt, ok := r.extraDate(low[:c.end], i); ok && (!ds.ok || ds.bad) {
			ds = alt
		}
		if !ds.ok && !ds.bad {
			continue
		}
		if ds.bad {
			u.Err = coach.Errorf(coach.Invalid, "err.date", "text", clean(r.t.slice(i, ds.end).raw()))
			r.mark(i, ds.end)
			return true
		}
		a, b := cutLinks(low[:c.end], i, ds.end)
		if ds.d == r.p.today && !nextKW && (strings.Contains(low[c.start:c.end], "了") || r.pastTense(c)) {
			i = ds.end - 1 // "今天开了评标会": what happened today, not a next step
			continue
		}
		if ambiguousDayMonth(low[i:ds.end]) && r.otherReading(low[i:ds.end]) {
			rr.doubts = append(rr.doubts, Doubt{Key: "read.ambiguous_date", Text: clean(r.t.slice(i, ds.end).raw())})
		}
		span := low[i:ds.end]
		if ds.d.Before(r.p.today) || r.p.today.DaysUntil(ds.d) > 200 && !explicitYear(span) {
			// "11/20" read as next November: most likely last month's, so asked
			rr.doubts = append(rr.doubts, Doubt{Key: "read.past_date", Text: clean(r.t.slice(i, ds.end).raw())})
		}
		r.mark(a, b)
		found = true
		// a close cue next to the date makes it the expected close ("预计年底前签约", "close end of month")
		if k, w := r.findPhrase(max(c.start, a-24), min(c.end, b+24), &closeCues); k >= 0 && !nextKW && !notClose(low, k, w) {
			for k >= 0 && k < b+24 {
				r.mark(k, k+len(w))
				k, w = r.findPhrase(k+len(w), min(c.end, b+24), &closeCues)
			}
			u.Close = ds.d
		} else if u.NextDue.IsZero() { // of two dates, the first is the step's ("下周一 投标 预计月底出结果")
			u.HasNext = true
			u.NextDue = ds.d
		}
		i = b - 1
	}
	return found
}

// ambiguousDayMonth tells "3/4": both numbers could be the month.
func ambiguousDayMonth(s string) bool {
	s = strings.TrimSpace(s)
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '.' })
	if len(parts) != 2 || strings.Contains(s, "-") {
		return false
	}
	a, okA := smallInt(parts[0])
	b, okB := smallInt(parts[1])
	return okA && okB && a <= 12 && b <= 12 && a != b
}

func smallInt(s string) (int, bool) {
	if s == "" || len(s) > 2 {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, true
}

// amounts reads the amounts of a clause: marked by a currency or a unit,
// written with thousands separators, after a cue word, or large enough to
// be nothing else.
func (r *reader) amounts(c clause, rr *regionRead) {
	low := r.t.low
	u := &rr.cmd
	for i := c.start; i < c.end; i++ {
		if r.used[i] || low[i]&0xC0 == 0x80 {
			continue
		}
		if low[i] == '-' && i+1 < c.end && isDigit(low[i+1]) && (i == 0 || low[i-1] == ' ' || low[i-1] >= 0x80) {
			// "-5": a negative amount is refused, quoted as typed
			if a := scanAmount(low[:c.end], i+1); a.ok && !r.dateAt(i+1, c.end) {
				u.Err = coach.Errorf(coach.Invalid, "err.amount", "text", strings.TrimSpace(r.t.slice(i, a.end).raw()))
				r.mark(i, a.end)
				return
			}
		}
		if !amountStart(low, i) && !(i > 0 && (low[i-1] == '#')) && !startsCN(low, i) {
			continue
		}
		if i > 0 && (low[i-1] == '#' || isWordByte(low[i-1]) && isDigit(low[i])) {
			continue
		}
		neg := i > 0 && low[i-1] == '-' && (i == 1 || low[i-2] == ' ' || low[i-2] >= 0x80)
		a := scanAmount(low[:c.end], i)
		if !a.ok && !a.bad {
			continue
		}
		cueAt := r.cueBefore(i, c.start)
		if a.bad {
			if a.marked || cueAt >= 0 {
				u.Err = coach.Errorf(coach.Invalid, "err.amount", "text", clean(r.t.slice(i, max(a.end, i+1)).raw()))
				r.mark(i, max(a.end, i+1))
				return
			}
			continue
		}
		span := low[i:a.end]
		grouped := strings.Contains(span, ",")
		big := a.m >= 100000 // 1,000 in minor units
		if !(a.marked || cueAt >= 0 || grouped || big && !strings.Contains(span, ".")) {
			continue
		}
		if neg {
			u.Err = coach.Errorf(coach.Invalid, "err.amount", "text", clean(r.t.slice(i-1, a.end).raw()))
			r.mark(i-1, a.end)
			return
		}
		if a.cur != "" && a.cur != "CNY" {
			u.Currency = a.cur
		}
		if k, w := r.findPhrase(max(c.start, i-24), min(c.end, a.end+24), &amountDoubts); k >= 0 {
			rr.doubts = append(rr.doubts, Doubt{Key: "read.amount_context", Text: clean(r.t.slice(k, k+len(w)).raw())})
		}
		if long := digitRun(span); long >= 8 && !a.marked && cueAt < 0 {
			rr.doubts = append(rr.doubts, Doubt{Key: "read.number", Text: clean(r.t.slice(i, a.end).raw())})
		}
		if !a.marked && a.m < 100000 {
			// "金额 5", "at 2": too small to be a deal's amount without a unit
			rr.doubts = append(rr.doubts, Doubt{Key: "read.number", Text: clean(r.t.slice(i, a.end).raw())})
		}
		u.Amount, u.HasAmount = a.m, true
		start := i
		if cueAt >= 0 {
			start = cueAt
		}
		r.mark(start, a.end)
		for k, w := r.findPhrase(c.start, c.end, &amountCues); k >= 0; k, w = r.findPhrase(k+len(w), c.end, &amountCues) {
			if !isWordByte(w[0]) || len(w) > 3 { // "金额改成150万": the cue is the amount's; "at", "for" only next to it
				r.mark(k, k+len(w))
			}
		}
		i = a.end - 1
	}
}

// startsCN tells a Chinese numeral that may start an amount ("三百二十万").
func startsCN(low string, i int) bool {
	_, _, ok := scanCN(low, i)
	return ok
}

// cueBefore is where an amount cue word ends right before i ("金额300万",
// "budget: 2m"), or -1.
func (r *reader) cueBefore(i, from int) int {
	low := r.t.low
	j := i
	for j > from && (low[j-1] == ' ' || low[j-1] == ':' || low[j-1] == '=') {
		j--
	}
	for _, h := range []string{"是", "为", "到", "了", "约", "大概"} {
		if strings.HasSuffix(low[from:j], h) && !r.anyUsed(j-len(h), j) {
			k := j - len(h)
			for _, w := range amountCues.all {
				if strings.HasSuffix(low[from:k], w) && !r.anyUsed(k-len(w), k) {
					return k - len(w)
				}
			}
		}
	}
	for _, w := range amountCues.all {
		if strings.HasSuffix(low[from:j], w) && !r.anyUsed(j-len(w), j) {
			k := j - len(w)
			if isWordByte(w[0]) && k > 0 && isWordByte(low[k-1]) {
				continue
			}
			return k
		}
	}
	return -1
}

// outcome reads won and lost, with the reason after a loss.
func (r *reader) outcome(c clause, rr *regionRead) {
	u := &rr.cmd
	if k, w := r.findPhrase(c.start, c.end, &lostPhrases); k >= 0 {
		r.mark(k, k+len(w))
		u.Kind = Lost
		reason := r.restTrim(k+len(w), c.end, "to ", "给", "了", ":", "because ", "因为", "原因")
		if reason != "" {
			u.Reason = reason
			r.mark(k, c.end)
		}
		return
	}
	if k, w := r.findPhrase(c.start, c.end, &contractPhrases); k >= 0 {
		r.mark(k, k+len(w))
		u.Stage = "contract"
		return
	}
	if k, w := r.findPhrase(c.start, c.end, &wonPhrases); k >= 0 {
		r.mark(k, k+len(w))
		u.Kind = Won
	}
}

// restTrim is rest with leading link words dropped.
func (r *reader) restTrim(i, j int, lead ...string) string {
	s := r.rest(i, j)
	for changed := true; changed; {
		changed = false
		for _, l := range lead {
			if strings.HasPrefix(strings.ToLower(s), l) {
				s, changed = strings.TrimSpace(s[len(l):]), true
			}
		}
	}
	return s
}

// stage reads a stage named anywhere in a clause: its key, name, alias,
// "stage 3", "第三阶段". A stage word that qualifies an amount ("合同金额")
// is not a move.
func (r *reader) stage(c clause, rr *regionRead) {
	low := r.t.low
	u := &rr.cmd
	if u.Stage != "" || u.Kind != Update || r.p.pb == nil {
		return
	}
	bestK, bestLen, bestKey := -1, 0, ""
	for k := c.start; k < c.end && bestK < 0; k++ {
		if low[k]&0xC0 == 0x80 || r.used[k] {
			continue
		}
		bestK, bestLen, bestKey = r.stageAt(k, c.end)
		if bestK >= 0 && !r.stageMeant(c, bestK, bestK+bestLen) {
			k, bestK = bestK+bestLen-1, -1
		}
	}
	if bestK < 0 {
		if k, n, key := r.stageNumber(c); k >= 0 {
			bestK, bestLen, bestKey = k, n, key
		}
	}
	if bestK < 0 {
		return
	}
	after := low[bestK+bestLen : c.end]
	for _, w := range []string{"金额", "额", "价", "书", " amount", " value", " size", " rate", " worth"} {
		if strings.HasPrefix(after, w) { // "合同金额": the contract's amount, not the stage
			return
		}
	}
	r.mark(bestK, bestK+bestLen)
	r.markVerbBefore(c, bestK)
	if bestKey == r.p.pb.Final().Key {
		u.Kind = Won
		return
	}
	u.Stage = bestKey
	// a second stage later in the clause is the target: "from interest to shortlist"
	fromK, _ := r.findPhrase(c.start, bestK, &fromWords)
	if fromK < 0 {
		// "入围→合同", "shortlist to contract": an arrow between two stages
		after := strings.TrimLeft(low[bestK+bestLen:c.end], " ")
		for _, w := range []string{"→", "->", "=>", "到", "转", "to ", "- "} {
			if strings.HasPrefix(after, w) {
				fromK = bestK
			}
		}
	}
	for k := bestK + bestLen; k < c.end && fromK >= 0; k++ {
		if low[k]&0xC0 == 0x80 || r.used[k] {
			continue
		}
		if k2, n2, key := r.stageAt(k, c.end); k2 >= 0 {
			r.mark(k2, k2+n2)
			u.Stage = key
			if key == r.p.pb.Final().Key {
				u.Stage, u.Kind = "", Won
			}
			break
		}
	}
	for range 2 {
		if k, w := r.findPhrase(c.start, c.end, &fromWords); k >= 0 {
			r.mark(k, k+len(w))
		}
	}
}

// stageNumber reads "stage 3" and "第3阶段".
func (r *reader) stageNumber(c clause) (int, int, string) {
	low := r.t.low[:c.end]
	for k := c.start; k < c.end; k++ {
		for _, w := range []string{"stage ", "第"} {
			if !wordIn(low, k, strings.TrimSpace(w)) || r.used[k] {
				continue
			}
			j := k + len(w)
			e := j
			for e < len(low) && (isDigit(low[e]) || low[e] >= 0x80 && !strings.HasPrefix(low[e:], "阶段") && e-j < 9) {
				if low[e] < 0x80 {
					e++
				} else {
					e += 3
				}
			}
			if e == j {
				continue
			}
			end := e
			if strings.HasPrefix(low[e:], "阶段") {
				end = e + len("阶段")
			} else if w == "第" {
				continue
			}
			if key, ok := matchStage(low[k:end], r.p.pb); ok {
				return k, end - k, key
			}
		}
	}
	return -1, 0, ""
}

// dropFillers marks the words that carry no value of their own ("推进到",
// "moved", "the") as read.
func (r *reader) dropFillers(c clause) {
	low := r.t.low
	for k := c.start; k < c.end; k++ {
		if r.used[k] || low[k]&0xC0 == 0x80 {
			continue
		}
		if w := r.phraseAt(k, c.end, &fillers); w != "" {
			r.mark(k, k+len(w))
			k += len(w) - 1
		}
	}
}

// trimFillers drops filler words at both ends of a next step's text:
// "了 拜访刘总" is "拜访刘总", but "给刘总发方案" keeps its "给".
func trimFillers(s string) string {
	for changed := true; changed && s != ""; {
		changed = false
		low := lowerASCII(s)
		for _, w := range edgeFillers.all {
			if len(w) < len(low) && strings.HasPrefix(low, w) && (!isWordByte(w[len(w)-1]) || !isWordByte(low[len(w)])) {
				s, changed = strings.TrimSpace(s[len(w):]), true
				break
			}
			if len(w) < len(low) && strings.HasSuffix(low, w) && (!isWordByte(w[0]) || !isWordByte(low[len(low)-len(w)-1])) {
				s, changed = strings.TrimSpace(s[:len(s)-len(w)]), true
				break
			}
		}
	}
	return s
}

// dateAt tells a date starting at i ("-12-05" is not an amount).
func (r *reader) dateAt(i, end int) bool {
	ds := scanDate(r.t.low[:end], i, r.p.today, false)
	return ds.ok || ds.bad
}

// phrases is a list of words and phrases, longest first, indexed by first
// byte so that a scan tries few of them at each position.
type phrases struct {
	all   []string
	first [128][]string       // ASCII first byte
	wide  map[uint16][]string // the first two bytes of a multi-byte first rune
}

func newPhrases(words ...string) phrases {
	p := phrases{all: byLen(words...), wide: map[uint16][]string{}}
	for _, w := range p.all {
		if w[0] < utf8.RuneSelf {
			p.first[w[0]] = append(p.first[w[0]], w)
		} else if len(w) > 1 {
			k := uint16(w[0])<<8 | uint16(w[1])
			p.wide[k] = append(p.wide[k], w)
		}
	}
	return p
}

// at lists the phrases that may start at low[k:].
func (p *phrases) at(low string, k int) []string {
	if c := low[k]; c < utf8.RuneSelf {
		return p.first[c]
	} else if k+1 < len(low) {
		return p.wide[uint16(c)<<8|uint16(low[k+1])]
	}
	return nil
}

// stageName is one way to name a stage, lower case.
type stageName struct{ key, low string }

// stageNames lists every name and alias of every stage, longest first,
// by first byte.
func stageNames(pb *coach.Playbook) *[256][]stageName {
	var idx [256][]stageName
	if pb == nil {
		return &idx
	}
	var all []stageName
	eachName(pb, func(key, name string) bool {
		if n := strings.ToLower(strings.TrimSpace(name)); n != "" {
			all = append(all, stageName{key, n})
		}
		return true
	})
	slices.SortStableFunc(all, func(a, b stageName) int { return len(b.low) - len(a.low) })
	for _, n := range all {
		idx[n.low[0]] = append(idx[n.low[0]], n)
	}
	return &idx
}

// stageAt is the longest stage name at low[k:end] not yet read, or -1.
func (r *reader) stageAt(k, end int) (int, int, string) {
	low := r.t.low[:end]
	for _, n := range r.stages[low[k]] {
		if wordIn(low, k, n.low) && !r.anyUsed(k, k+len(n.low)) {
			return k, len(n.low), n.key
		}
	}
	return -1, 0, ""
}

// hasAction tells a next step's text that names a sales action.
func hasAction(step string) bool {
	low := newText(step).low
	for i := 0; i < len(low); i++ {
		for _, w := range actionWords.at(low, i) {
			if strings.HasPrefix(low[i:], w) {
				return true
			}
		}
	}
	return false
}

// done reads "拜访CIO 完成了", "legal review done": the deal's next step is
// done. "搞定了" with nothing else is the deal won.
func (r *reader) done(c clause, rr *regionRead, hasDate bool) {
	u := &rr.cmd
	if u.Kind != Update || u.Stage != "" || u.HasAmount || hasDate {
		return
	}
	k, w := r.findPhrase(c.start, c.end, &stepDone)
	if k < 0 {
		if k, w = r.findPhrase(c.start, c.end, &gaoding); k < 0 {
			return
		}
	}
	r.mark(k, k+len(w))
	r.dropFillers(c)
	bare := r.rest(c.start, c.end) == ""
	switch {
	case bare && (w == "搞定了" || w == "搞定") && len(rr.region.ids) > 0:
		u.Kind = Won // "江南水务 搞定了"
		return
	case bare && len(rr.region.ids) == 0:
		r.unmark(k, k+len(w)) // "done" alone ends a coaching walk; it marks no step done
		return
	}
	u.Kind = Done
	r.mark(c.start, c.end) // the step's words: it is the one done
}

// explicitYear tells a date written with its year.
func explicitYear(span string) bool {
	if strings.Contains(span, "年") || strings.Contains(span, "year") {
		return true
	}
	n := 0
	for i := 0; i < len(span); i++ {
		if isDigit(span[i]) {
			if n++; n == 4 {
				return true
			}
		} else {
			n = 0
		}
	}
	return false
}

// digitRun is the longest run of digits in s.
func digitRun(s string) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// stageMeant tells a stage word used as a stage: a name that is no
// everyday word, or one after a move word ("moved to interest", "进合同"),
// or alone at the end of its clause ("Acme interest"). "their IT lead
// Priya" and "contract review December 30" name no stage.
func (r *reader) stageMeant(c clause, i, j int) bool {
	low := r.t.low
	word := low[i:j]
	if !weakStages[word] {
		// a Latin stage name run on into another word ("shortlist demo") is still a stage
		return true
	}
	before := strings.TrimRight(low[c.start:i], " ")
	for _, w := range moveCues.all {
		if strings.HasSuffix(before+" ", w) || strings.HasSuffix(before, strings.TrimSpace(w)) {
			return true
		}
	}
	if k, _ := r.findPhrase(c.start, i, &regressCues); k >= 0 {
		return true
	}
	rest := strings.TrimSpace(low[j:c.end])
	for _, w := range []string{"了", "阶段", "stage", "!", "."} {
		rest = strings.TrimSpace(strings.TrimPrefix(rest, w))
	}
	return rest == ""
}

// pastTense tells an English clause told in the past ("we met them today").
func (r *reader) pastTense(c clause) bool {
	for _, w := range []string{" was ", " were ", " had ", " did ", " met ", " went ", " sent ", " got ", "ed "} {
		if strings.Contains(r.t.low[c.start:c.end]+" ", w) {
			return true
		}
	}
	return false
}

// notClose tells a close cue that is part of another word: "续签" (a
// renewal), "sign-off".
func notClose(low string, k int, w string) bool {
	switch {
	case w == "签" && k >= 3 && low[k-3:k] == "续":
		return true
	case w == "sign" && (strings.HasPrefix(low[k+len(w):], "-off") || strings.HasPrefix(low[k+len(w):], "off") || strings.HasPrefix(low[k+len(w):], " off")):
		return true
	}
	return false
}

// stageVerbs move a deal: read with the stage after them, never left in a
// next step's text.
var stageVerbs = newPhrases("推进到", "推进至", "推到", "推至", "进展到", "进入到", "进入", "进到", "进了", "进", "升到", "升至",
	"转成", "转为", "转到", "挪到", "改到", "到了", "到", "moved to", "move to", "moving to", "moves to", "moved into",
	"pushed to", "push to", "advanced to", "advance to", "now at", "now in", "is at", "is in", "into", "to", "at")

// markVerbBefore marks the move word right before a stage ("进合同", "moved to contract").
func (r *reader) markVerbBefore(c clause, k int) {
	low := r.t.low
	j := k
	for j > c.start && low[j-1] == ' ' {
		j--
	}
	for _, w := range stageVerbs.all {
		if j-len(w) >= c.start && low[j-len(w):j] == w && !r.anyUsed(j-len(w), j) &&
			(!isWordByte(w[0]) || j-len(w) == 0 || !isWordByte(low[j-len(w)-1])) {
			r.mark(j-len(w), j)
			return
		}
	}
}

// otherReading tells a month/day date whose day/month reading is also a
// day in the coming months: "3/4" (March 4 or April 3), not "12/11" (its
// other reading, November 12, has passed).
func (r *reader) otherReading(s string) bool {
	parts := strings.FieldsFunc(strings.TrimSpace(s), func(c rune) bool { return c == '/' || c == '.' })
	if len(parts) != 2 {
		return false
	}
	m, _ := smallInt(parts[1])
	d, _ := smallInt(parts[0])
	ds := scanDate(fmt.Sprintf("%d/%d", m, d), 0, r.p.today, true)
	if !ds.ok {
		return false
	}
	days := r.p.today.DaysUntil(ds.d)
	return days >= 0 && days <= 200
}

// extraDate reads the forms people type that the date grammar leaves
// out: day first with a year ("31/12/2026", never ambiguous: the day is
// over 12), "12.18" (month.day), and "the 16th" (this month's, or next
// month's once passed).
func (r *reader) extraDate(low string, i int) (dateScan, bool) {
	today := r.p.today
	if isDigit(low[i]) {
		a, e1, ok1 := scanInt(low, i)
		if !ok1 || e1 >= len(low) || (low[e1] != '/' && low[e1] != '.') {
			return dateScan{}, false
		}
		b, e2, ok2 := scanInt(low, e1+1)
		if !ok2 {
			return dateScan{}, false
		}
		if e2 < len(low) && low[e2] == low[e1] { // a/b/yyyy
			y, e3, ok3 := scanInt(low, e2+1)
			if ok3 && y >= 2000 && y < 2100 && a > 12 && b <= 12 && (e3 == len(low) || !isWordByte(low[e3])) {
				return foundValid(y, time.Month(b), a, e3), true
			}
			return dateScan{}, false
		}
		if am := scanAmount(low, i); am.ok && am.marked {
			return dateScan{}, false // "1.2亿", "1.6 mil": an amount
		}
		if low[e1] == '.' && a >= 1 && a <= 12 && b >= 1 && b <= 31 && (e2 == len(low) || !isWordByte(low[e2])) &&
			(i == 0 || !isDigit(low[i-1]) && low[i-1] != '.') {
			return rollYear(today, time.Month(a), b, e2), true
		}
		return dateScan{}, false
	}
	if strings.HasPrefix(low[i:], "the ") {
		d, e, ok := scanInt(low, i+4)
		if !ok || d < 1 || d > 31 {
			return dateScan{}, false
		}
		for _, suf := range []string{"st", "nd", "rd", "th"} {
			if strings.HasPrefix(low[e:], suf) {
				e += len(suf)
				if e < len(low) && isWordByte(low[e]) {
					return dateScan{}, false
				}
				return rollMonth(today, d, e), true
			}
		}
	}
	return dateScan{}, false
}
