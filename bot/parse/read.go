package parse

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/dealcoach/dealcoach/coach"
)

// ReadKind is what a free-text message turned out to be.
type ReadKind int

// What Read can return.
const (
	ReadNothing  ReadKind = iota // no deal and nothing to change: the caller treats it as unknown
	ReadUpdate                   // changes to apply, each to one deal: Updates
	ReadShow                     // a question about a deal, or just its name: show Deal
	ReadAsk                      // a reading to confirm before anything changes: Updates with Doubts
	ReadNearMiss                 // no deal named exactly, but some nearly: Candidates (the rest in Updates[0])
	ReadWhich                    // a name that fits several deals: Candidates
	ReadGuarded                  // negation, a hypothetical: nothing changes; Guard says why
)

// Reading is how one free-text message was read against the speaker's deals.
type Reading struct {
	Kind ReadKind
	// Updates holds one command per deal named, in the order of the
	// message; each has Ref.ID set (but for ReadNearMiss and ReadWhich,
	// whose deal is to be picked).
	Updates    []Command
	Deal       int64   // ReadShow: the deal asked about
	Candidates []int64 // ReadNearMiss, ReadWhich
	Named      string  // ReadNearMiss, ReadWhich: the words that (nearly) named the deal, as typed
	Doubts     []Doubt // ReadAsk: why the reading is not certain
	Guard      string  // ReadGuarded: "negation", "hypothetical"
	Question   bool    // the message asks rather than tells
	Focused    bool    // no deal named: the updates are the focus deal's
	Err        *coach.Error
}

// Doubt is one reason to ask before applying: Key is a catalogue key,
// Text the words concerned, as typed.
type Doubt struct {
	Key  string
	Text string
}

// Read reads a free-text message against the deals the speaker can name.
// It finds the deals anywhere in the message, longest name first, gives
// each deal the clauses that follow its name, and reads each clause's
// slots (stage, outcome, amount, dates, next step, note) in any order.
// focus is the deal the conversation is about (0: none): an update that
// names no deal applies to it.
//
// Read never guesses: a near miss, a name fitting two deals, words it
// cannot place between the values it read, a past or ambiguous date or a
// tentative tone make it ask (ReadAsk and friends) rather than apply.
func Read(msg string, c Context, names *Names, focus int64) Reading {
	if len(msg) > maxInput {
		return Reading{Err: coach.Errorf(coach.Invalid, "err.too_long")}
	}
	idx := c.Stages
	if idx == nil || idx.pb != c.Playbook {
		idx = IndexStages(c.Playbook)
	}
	r := reader{p: &parser{pb: c.Playbook, people: c.People, today: coach.DateOf(c.Now)}, names: names, t: newText(msg),
		stages: &idx.first, joined: idx.joined}
	return r.read(focus)
}

type reader struct {
	p     *parser
	names *Names
	t     text
	used  []bool // bytes of t.low already read as part of a value or a name

	stages *[256][]stageName // the playbook's stage names by first byte
	joined []string          // stage names with " and " or "," in them: never split
}

// region is the part of a message about one deal.
type region struct {
	start, end int
	ids        []int64 // the deal (several: ambiguous)
	named      string  // the name as typed
	shared     bool    // reads the next region's words too ("A和B都…")
}

func (r *reader) read(focus int64) Reading {
	low := r.t.low
	r.used = make([]bool, len(low)+1)
	if strings.TrimSpace(low) == "" {
		return Reading{}
	}
	r.markup(low)
	ms := r.names.find(low)
	ms = slices.DeleteFunc(ms, func(m mention) bool { return m.nearly }) // read as a near miss below
	ms = r.byID(low, ms)
	for _, m := range ms {
		r.mark(m.start, m.end)
	}
	question := isQuestion(low)
	if len(ms) == 0 {
		// No deal named: the conversation's deal, a near miss, or nothing.
		one := r.readRegion(region{start: 0, end: len(low)})
		hasSlots := one.cmd.Changes()
		if near := r.names.nearMisses(low, func(i int) bool { return r.used[i] }); len(near) > 0 && (hasSlots || one.onlyName) {
			if question {
				return Reading{Kind: ReadNearMiss, Candidates: near, Named: one.named}
			}
			return Reading{Kind: ReadNearMiss, Candidates: near, Updates: []Command{one.cmd}, Named: one.named}
		}
		if !hasSlots || question {
			if one.cmd.Err != nil && focus != 0 && !question {
				return Reading{Err: one.cmd.Err}
			}
			return Reading{}
		}
		if focus == 0 {
			return Reading{Kind: ReadAsk, Updates: []Command{one.cmd}, Doubts: []Doubt{{Key: "read.no_deal"}}}
		}
		one.cmd.Ref = Ref{ID: focus}
		out := r.finish([]regionRead{one}, question)
		out.Focused = true
		return out
	}
	regions, split := r.regions(low, ms)
	var reads []regionRead
	for _, g := range regions {
		var saved []bool
		if g.shared {
			saved = slices.Clone(r.used) // the next deal reads the same words
		}
		rr := r.readRegion(g)
		rr.region = g
		reads = append(reads, rr)
		if saved != nil {
			r.used = saved
		}
	}
	// A name fitting several deals: ask which.
	for _, rr := range reads {
		if len(rr.region.ids) > 1 {
			cmd := rr.cmd
			return Reading{Kind: ReadWhich, Candidates: rr.region.ids, Updates: []Command{cmd}, Named: rr.region.named}
		}
	}
	for i := range reads {
		reads[i].cmd.Ref = Ref{ID: reads[i].region.ids[0]}
	}
	if question {
		return Reading{Kind: ReadShow, Deal: reads[0].region.ids[0], Question: true}
	}
	out := r.finish(reads, question)
	if !split && out.Kind == ReadUpdate && len(reads) > 1 {
		out.Kind = ReadAsk
		out.Doubts = append(out.Doubts, Doubt{Key: "read.split"})
	}
	return out
}

// finish turns the regions' readings into the message's.
func (r *reader) finish(reads []regionRead, question bool) Reading {
	out := Reading{Kind: ReadUpdate}
	for _, rr := range reads {
		if rr.cmd.Err != nil {
			return Reading{Err: rr.cmd.Err, Updates: []Command{rr.cmd}}
		}
		if rr.guard != "" {
			if rr.guard == "tentative" && rr.cmd.Changes() {
				out.Doubts = append(out.Doubts, Doubt{Key: "read.tentative", Text: rr.guardText})
			} else {
				return Reading{Kind: ReadGuarded, Guard: rr.guard, Deal: rr.cmd.Ref.ID}
			}
		}
		out.Doubts = append(out.Doubts, rr.doubts...)
		if rr.cmd.Changes() {
			out.Updates = append(out.Updates, rr.cmd)
		}
	}
	if len(out.Updates) == 0 {
		if len(out.Doubts) > 0 {
			return Reading{Kind: ReadAsk, Doubts: out.Doubts, Updates: []Command{reads[0].cmd}}
		}
		return Reading{Kind: ReadShow, Deal: reads[0].cmd.Ref.ID}
	}
	if len(out.Doubts) > 0 {
		out.Kind = ReadAsk
	}
	return out
}

// byID adds "#12" references as mentions.
func (r *reader) byID(low string, ms []mention) []mention {
	for i := 0; i < len(low); i++ {
		if low[i] != '#' || i+1 >= len(low) || !isDigit(low[i+1]) {
			continue
		}
		j := i + 1
		var id int64
		for j < len(low) && isDigit(low[j]) && id < 1e15 {
			id = id*10 + int64(low[j]-'0')
			j++
		}
		if j < len(low) && isLetter(low[j]) {
			continue
		}
		overlap := false
		for _, m := range ms {
			if m.start < j && i < m.end {
				overlap = true
			}
		}
		if !overlap {
			ms = append(ms, mention{start: i, end: j, ids: []int64{id}})
		}
	}
	slices.SortFunc(ms, func(a, b mention) int { return a.start - b.start })
	return ms
}

func (r *reader) unmark(i, j int) {
	for k := i; k < j && k < len(r.used); k++ {
		r.used[k] = false
	}
}

func (r *reader) mark(i, j int) {
	for k := i; k < j && k < len(r.used); k++ {
		r.used[k] = true
	}
}

// regions gives each deal named the clauses about it: from the clause
// break before its name to the break before the next deal's name. split
// is false when two deals' names share one clause, with nothing to tell
// which words are whose.
func (r *reader) regions(low string, ms []mention) ([]region, bool) {
	split := true
	var out []region
	for k, m := range ms {
		named := r.t.slice(m.start, m.end).raw()
		if len(out) > 0 {
			// the same deal named again ("测试客户 … 做试点汇报": its words stay in
			// the text), or named more precisely ("#5 经信", "经信银行 … 数据中台那个")
			if both := intersect(out[len(out)-1].ids, m.ids); len(both) > 0 {
				if len(both) == len(out[len(out)-1].ids) && len(both) == len(m.ids) {
					r.unmark(m.start, m.end)
				}
				out[len(out)-1].ids = both
				continue
			}
		}
		if len(out) == 0 {
			out = append(out, region{start: 0, ids: m.ids, named: named})
			continue
		}
		prev := &out[len(out)-1]
		if sharedAfter(low, ms[k-1].end, m.start, m.end) {
			prev.shared = true // "恒信证券和江南水务都进入合同阶段": both read the words after the second
		}
		cut := lastBreak(low, ms[k-1].end, m.start)
		if cut < 0 && runeLen(strings.TrimSpace(low[ms[k-1].end:m.start])) >= 2 {
			cut = m.start // "测试客户 10万 华信科技 50万": the first deal has its own words
		}
		if cut < 0 {
			split = false
			cut = m.start
		}
		prev.end = cut
		out = append(out, region{start: cut, ids: m.ids, named: named})
	}
	out[len(out)-1].end = len(low)
	for i := len(out) - 2; i >= 0; i-- {
		if out[i].shared {
			out[i].start, out[i].end = out[i+1].start, out[i+1].end
		}
	}
	return out, split
}

// sharedAfter tells two deals' names joined by "and" with "both" after
// the second: "A和B都…", "A and B both …".
func sharedAfter(low string, aEnd, bStart, bEnd int) bool {
	gap := strings.TrimSpace(low[aEnd:bStart])
	switch gap {
	case "和", "与", "跟", "及", "以及", "还有", "and", "&", ",", "/", "+":
	default:
		return false
	}
	rest := low[bEnd:]
	if i := strings.IndexAny(rest, ";.,\n"); i >= 0 {
		rest = rest[:i]
	}
	for _, w := range []string{"都", "均", "两家", "俩", "both", "all"} {
		if strings.Contains(rest, w) {
			return true
		}
	}
	return false
}

// intersect is the ids in both a and b.
func intersect(a, b []int64) []int64 {
	var out []int64
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// clauseBreaks separate clauses; between two deals' names they separate
// the deals.
var clauseBreaks = byLen(";", ".", "\n", "!", ",", "|", " and ", " also ", " & ", " plus ", " then ", " while ",
	"和", "另外", "还有", "然后", "同时", "以及", "另", "跟", "与", "外加", "并且", "而")

// lastBreak is the position of the last clause break in low[i:j], or -1.
func lastBreak(low string, i, j int) int {
	best := -1
	for k := i; k < j; k++ {
		for _, w := range clauseBreaks {
			if k+len(w) <= j && low[k:k+len(w)] == w {
				best = k
				break
			}
		}
	}
	return best
}

// isQuestion tells a message that asks rather than tells.
func isQuestion(low string) bool {
	s := strings.TrimRight(low, " .!~")
	if strings.HasSuffix(s, "?") || strings.HasSuffix(s, "吗") || strings.HasSuffix(s, "么") ||
		strings.HasSuffix(s, "呢") || strings.HasSuffix(s, "没") || strings.HasSuffix(s, "没有") {
		return true
	}
	if i := strings.Index(s, "吗"); i >= 0 && (i+3 == len(s) || !isHan(rune0(s[i+3:]))) {
		return true // "进合同了吗 还是在意向"
	}
	for _, w := range zhQuestionWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	f := s
	if i := strings.IndexFunc(f, func(r rune) bool { return r == ' ' }); i > 0 {
		f = f[:i]
	}
	return enQuestionStarts[f]
}

var (
	zhQuestionWords  = []string{"什么时候", "多少", "是否", "有没有", "能不能", "会不会", "是不是", "怎么样", "什么情况", "咋样", "如何了", "进展如何", "几时", "哪天", "为什么", "为啥"}
	enQuestionStarts = setOf("what", "when", "how", "is", "has", "have", "does", "did", "do", "can", "could",
		"will", "would", "should", "are", "was", "were", "where", "who", "why", "which", "any", "whats", "what's", "hows", "how's")
)

// wordAt reports whether low has w at i as a whole word where w starts or
// ends with a letter.
func wordIn(low string, i int, w string) bool {
	if i+len(w) > len(low) || low[i:i+len(w)] != w {
		return false
	}
	if isWordByte(w[0]) && i > 0 && isWordByte(low[i-1]) {
		return false
	}
	if e := i + len(w); isWordByte(w[len(w)-1]) && e < len(low) && isWordByte(low[e]) {
		return false
	}
	return true
}

// Updates tells a command that changes a deal's values, not only its notes.
func (c Command) Updates() bool {
	return c.Stage != "" || c.HasAmount || c.HasNext || !c.Close.IsZero() || c.Kind == Won || c.Kind == Lost || c.Kind == Done
}

// Changes tells a command that changes a deal.
func (c Command) Changes() bool {
	return c.Updates() || c.Note != ""
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// markup marks what chat markup adds around words: a mention of the bot
// ("<@U07BOT>"), code and emphasis marks.
func (r *reader) markup(low string) {
	for i := 0; i < len(low); i++ {
		switch low[i] {
		case '`', '*':
			r.used[i] = true
		case '_':
			if i == 0 || i+1 == len(low) || !isWordByte(low[i-1]) || !isWordByte(low[i+1]) {
				r.used[i] = true
			}
		case '<':
			if strings.HasPrefix(low[i:], "<@") {
				if j := strings.IndexByte(low[i:], '>'); j > 0 {
					r.mark(i, i+j+1)
					i += j
				}
			}
		}
	}
}

func rune0(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// StageIndex is a playbook's stage names ready for Read: worked out once
// per playbook (Context.Stages) rather than per message.
type StageIndex struct {
	pb     *coach.Playbook
	first  [256][]stageName
	joined []string // names with " and " or "," in them: never split
}

// IndexStages indexes the stage names of pb.
func IndexStages(pb *coach.Playbook) *StageIndex {
	idx := &StageIndex{pb: pb, first: *stageNames(pb)}
	for _, n := range idx.first {
		for _, s := range n {
			if strings.Contains(s.low, " and ") || strings.Contains(s.low, ",") {
				idx.joined = append(idx.joined, s.low)
			}
		}
	}
	return idx
}
