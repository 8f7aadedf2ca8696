package parse

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dealcoach/dealcoach/coach"
)

// markWords are the ways to say a mark, lower case: the letter, or a word
// for it in either language.
var markWords = map[string]string{
	"c": "C", "clear": "C", "confirmed": "C", "清楚": "C", "很清楚": "C", "明确": "C", "已明确": "C", "确认": "C",
	"已确认": "C", "确定": "C", "清晰": "C",
	"f": "F", "fuzzy": "F", "unclear": "F", "not clear": "F", "unknown": "F", "not sure": "F", "tbd": "F",
	"模糊": "F", "不清楚": "F", "不太清楚": "F", "不明确": "F", "未知": "F", "不确定": "F", "待确认": "F", "不知道": "F",
	"w": "W", "warning": "W", "risk": "W", "at risk": "W", "against us": "W", "警告": "W", "风险": "W",
	"有风险": "W", "不利": "W", "对我们不利": "W", "危险": "W",
}

var (
	// markList is markWords longest first, for suffix matches.
	markList = func() []string {
		var ws []string
		for w := range markWords {
			ws = append(ws, w)
		}
		slices.Sort(ws) // a fixed order among words of one length
		return byLen(ws...)
	}()
	// markLast and markLastHan are the last characters of the mark words:
	// most clauses are ruled out with one look.
	markLast = func() (set [256]bool) {
		for w := range markWords {
			set[w[len(w)-1]] = true
		}
		return set
	}()
	markLastHan = func() []rune {
		var rs []rune
		for w := range markWords {
			if r, _ := utf8.DecodeLastRuneInString(w); r >= 0x80 && !slices.Contains(rs, r) {
				rs = append(rs, r)
			}
		}
		slices.Sort(rs)
		return rs
	}()
	// markLink are the words between a factor and its mark: "budget is C",
	// "预算为C", "竞争还不清楚".
	markLink = byLen("is", "are", "was", "is now", "now", "=", ":", "-", "->", "→", "marked", "marked as", "set to",
		"still", "是", "为", "很", "比较", "还", "还是", "仍", "仍然", "目前", "现在", "已", "已经", "标记为", "标为")
	// markErrLead are the links left off the text of err.mark: "竞争 很激烈"
	// shows "很激烈".
	markErrLead = byLen("is", "are", "was", "=", ":", "-", "是", "为")
	// markConj join two marks in one clause: "budget C and timeline W".
	markConj = byLen("and", "&", "然后", "还有", "另外", "并且", "同时", "和", "以及")
)

// markStatus is what marks found.
type markStatus int

const (
	marksNone markStatus = iota // not marks: other rules read the message
	marksOK                     // a Qualify command with marks (or err.need_deal)
	marksBad                    // clearly marks, but one is wrong: err.mark
)

// marks reads factor marks: "Acme budget F", "#12 decision maker C",
// "Acme: budget is C, timeline W", "经信银行 决策者 C，预算 F，竞争 W".
// The deal is named before the first mark (or in the clause before it:
// "Acme, budget C"); every clause after it must be marks too. ref is the
// deal when the slash grammar already named it.
func (p *parser) marks(t text, ref Ref) (Command, markStatus) {
	if p.pb == nil || len(p.pb.Factors) == 0 || !hasMarkEnd(t) {
		return Command{}, marksNone
	}
	cs := p.markClauses(t)
	k, region, first := -1, text{}, []Mark(nil)
	for i, c := range cs {
		if region, first = p.peelMarks(c); len(first) > 0 {
			k = i
			break
		}
	}
	if k < 0 {
		return Command{}, marksNone
	}
	r, bad, st := p.markDeal(cs, k, region, ref)
	if st != marksOK {
		return bad, st
	}
	cmd := Command{Kind: Qualify, Ref: r, Marks: first}
	for _, c := range cs[k+1:] {
		if c.empty() || isSmallTalk(c) {
			continue
		}
		if rest, ms := p.peelMarks(c); len(ms) > 0 && rest.empty() {
			cmd.Marks = append(cmd.Marks, ms...)
			continue
		}
		_, v, ok := p.factorValue(c, false)
		if !ok {
			v = c
		}
		return markErr(cmd.Ref, v), marksBad
	}
	if cmd.Ref.IsZero() {
		cmd.Err = coach.Errorf(coach.Invalid, "err.need_deal")
	}
	return cmd, marksOK
}

// markDeal reads the deal of marks that begin in clause k of cs: region is
// what comes before them in it ("Acme" of "Acme budget C"), or, when that
// is empty, the clause before ("Acme, budget C"). Clauses before the deal
// may only be small talk. It returns the deal, or the error of a bad mark
// in the deal's clause ("Acme budget soon, timeline W").
func (p *parser) markDeal(cs []text, k int, region text, ref Ref) (Ref, Command, markStatus) {
	head := k
	if region.empty() {
		if k == 0 {
			return ref, Command{}, marksOK
		}
		head, region = k-1, cs[k-1]
	}
	for _, c := range cs[:head] {
		if !c.empty() && !isSmallTalk(c) {
			return Ref{}, Command{}, marksNone
		}
	}
	if head < k {
		if i, v, ok := p.factorValue(region, true); ok {
			r, _ := p.markRef(region.slice(0, i), ref)
			return Ref{}, markErr(r, v), marksBad
		}
	}
	r, st := p.markRef(region, ref)
	return r, Command{}, st
}

// peelMarks takes the marks off the end of a clause, one after another
// ("经信银行 时间表 F 预算 C"), and returns what is left before them.
func (p *parser) peelMarks(c text) (text, []Mark) {
	var ms []Mark
	c = c.trim()
	for !c.empty() {
		at, m, ok := p.markTail(c)
		if !ok {
			break
		}
		ms = append(ms, m)
		c = c.slice(0, at).trim()
	}
	slices.Reverse(ms)
	return c, ms
}

// markRef reads the deal before the marks. With a deal already named by
// the slash grammar there must be nothing.
func (p *parser) markRef(region text, ref Ref) (Ref, markStatus) {
	region = region.trim()
	switch {
	case region.empty():
		return ref, marksOK
	case !ref.IsZero():
		return Ref{}, marksNone
	}
	r, ok := nameRef(region, false, p.pb)
	if !ok {
		return Ref{}, marksNone
	}
	return r, marksOK
}

func markErr(ref Ref, v text) Command {
	return Command{Kind: Qualify, Ref: ref, Err: coach.Errorf(coach.Invalid, "err.mark", "text", clean(v.raw()))}
}

// hasMarkEnd reports whether a clause of t ends with a mark: the cheap
// test that rules out almost every message that holds none.
func hasMarkEnd(t text) bool {
	low, start := t.low, 0
	for i := 0; i < len(low); i++ {
		switch low[i] {
		case ',', ';', '\n', '!', '?', '.': // the separators of chunks without keywords
			if n := sepLen(low, i, nil); n > 0 {
				if markEnd(t.slice(start, i)) {
					return true
				}
				start = i + n
			}
		}
	}
	return markEnd(t.from(start))
}

// markEnd reports whether c ends with a mark word.
func markEnd(c text) bool {
	low := c.low
	j := len(low)
	for j > 0 && strings.IndexByte(" ,;:.!?~\"')]*=", low[j-1]) >= 0 {
		j--
	}
	if j > 0 && low[j-1] >= 0x80 {
		low = c.slice(0, j).trim().low // emoji and the like
	} else {
		low = low[:j]
	}
	_, n := markSuffix(low)
	return n > 0
}

// markSuffix finds a mark word at the end of low: the mark and the word's length.
func markSuffix(low string) (string, int) {
	if low == "" {
		return "", 0
	}
	if c := low[len(low)-1]; c < 0x80 && !markLast[c] {
		return "", 0
	} else if c >= 0x80 {
		r, _ := utf8.DecodeLastRuneInString(low)
		if !slices.Contains(markLastHan, r) {
			return "", 0
		}
	}
	for _, w := range markList {
		if hasWordSuffix(low, w) {
			return markWords[w], len(w)
		}
	}
	return "", 0
}

// markClauses splits t into clauses at separators, and inside a clause
// between a mark and the next factor ("budget C and timeline W").
func (p *parser) markClauses(t text) []text {
	var out []text
	for _, c := range chunks(t, t, nil) {
		for {
			c = c.trim()
			i, n := p.markSplit(c)
			if i < 0 {
				break
			}
			out = append(out, c.slice(0, i).trim())
			c = c.from(i + n)
		}
		out = append(out, c)
	}
	return out
}

// markSplit finds a conjunction after a mark and before a factor.
func (p *parser) markSplit(c text) (int, int) {
	low := c.low
	for i := 1; i < len(low); i++ {
		if low[i]&0xC0 == 0x80 || (isWordByte(low[i]) && isWordByte(low[i-1])) {
			continue
		}
		for _, w := range markConj {
			if !hasWordPrefix(low[i:], w) {
				continue
			}
			before := strings.TrimRight(low[:i], " ")
			after := strings.TrimLeft(low[i+len(w):], " ")
			if _, m := markSuffix(before); m > 0 {
				if _, n := p.factorPrefix(after); n > 0 {
					return i, len(w)
				}
			}
		}
	}
	return -1, 0
}

// markTail reads a clause that ends with "<factor> [is] <mark>": where the
// factor starts and the mark.
func (p *parser) markTail(c text) (int, Mark, bool) {
	c = c.trim()
	v, n := markSuffix(c.low)
	if n == 0 {
		return 0, Mark{}, false
	}
	head := c.slice(0, len(c.low)-n)
	if head = stripTail(head, markLink); head.empty() {
		return 0, Mark{}, false
	}
	key, start := p.factorSuffix(head.low)
	if key == "" {
		return 0, Mark{}, false
	}
	return head.off - c.off + start, Mark{Factor: key, Value: v}, true
}

// factorValue finds a factor in c and returns where it starts and what
// follows it, when that is not empty: the text of err.mark. inner looks for
// the factor after the first word ("Acme budget soon"); otherwise it must
// begin c.
func (p *parser) factorValue(c text, inner bool) (int, text, bool) {
	c = c.trim()
	if !inner {
		v, ok := p.valueAfterFactor(c, 0)
		return 0, v, ok
	}
	for i := 1; i < len(c.low); i++ {
		if c.low[i-1] == ' ' && c.low[i] != ' ' {
			if v, ok := p.valueAfterFactor(c, i); ok {
				return i, v, true
			}
		}
	}
	return 0, text{}, false
}

func (p *parser) valueAfterFactor(c text, i int) (text, bool) {
	if _, n := p.factorPrefix(c.low[i:]); n > 0 {
		v := stripLead(c.from(i+n), markErrLead)
		return v, !v.empty()
	}
	return text{}, false
}

// badFactor reads "<deal> <factor> <value>" whose value is no mark: the
// error of a rep who clearly meant a mark ("/deal #12 budget soon"). With
// ref the deal is already named; explicit (after a qualify word) also takes
// a factor without a value ("qualify Acme budget").
func (p *parser) badFactor(t text, ref Ref, explicit bool) (Command, bool) {
	if p.pb == nil || len(p.pb.Factors) == 0 {
		return Command{}, false
	}
	t = t.trim()
	low := t.low
	for i := 0; i < len(low); i++ {
		if low[i]&0xC0 == 0x80 || (i > 0 && isWordByte(low[i]) && isWordByte(low[i-1])) {
			continue
		}
		key, n := p.factorPrefix(low[i:])
		if key == "" {
			continue
		}
		r, st := p.markRef(t.slice(0, i), ref)
		if st != marksOK || r.IsZero() {
			return Command{}, false
		}
		v := stripLead(t.from(i+n), markErrLead)
		if v.empty() {
			if !explicit {
				return Command{}, false // "/deal Acme budget" may name a deal
			}
			v = t.from(i)
		}
		return markErr(r, v), true
	}
	return Command{}, false
}

// factorPrefix finds the longest factor name at the start of low.
func (p *parser) factorPrefix(low string) (string, int) {
	key, best := "", 0
	if low == "" {
		return "", 0
	}
	p.eachFactorName(func(k, name string) {
		if n := foldPrefixLen(low, name); n > best && nameEnds(low, 0, n) {
			key, best = k, n
		}
	})
	return key, best
}

// factorSuffix finds the longest factor name at the end of low, and where
// it starts.
func (p *parser) factorSuffix(low string) (string, int) {
	key, best := "", 0
	p.eachFactorName(func(k, name string) {
		if n := foldSuffixLen(low, name); n > best && nameEnds(low, len(low)-n, n) {
			key, best = k, n
		}
	})
	return key, len(low) - best
}

// eachFactorName calls fn with every way to name every factor: its key,
// its names and its aliases.
func (p *parser) eachFactorName(fn func(key, name string)) {
	if p.pb == nil {
		return
	}
	for _, f := range p.pb.Factors {
		fn(f.Key, f.Key)
		fn(f.Key, f.Name.ZH)
		fn(f.Key, f.Name.EN)
		for _, a := range f.Aliases {
			fn(f.Key, a)
		}
	}
}
