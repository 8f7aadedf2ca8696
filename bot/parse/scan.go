package parse

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"
)

// hit is a keyword found in a message.
type hit struct {
	start, end int
	kw         *keyword
}

func (h hit) field() field { return h.kw.field }

// hits finds the keywords of t, leftmost and longest first, and drops the
// weak ones whose value does not fit ("the CFO is happy").
func (p *parser) hits(t text) []hit {
	hs := findHits(t.low)
	if len(hs) > 1 && hs[0].start == 0 && hs[0].kw.word == "next" && capitalized(t.from(hs[0].end)) {
		hs = hs[1:] // "Next Corp moved to shortlist" names a deal
	}
	return p.keepHits(t, hs)
}

// keepHits drops, in place, the keywords of t that do not count: a reason
// with no stage before it, a weak keyword whose value does not fit.
func (p *parser) keepHits(t text, hs []hit) []hit {
	n := 0
	for k := range hs {
		if hs[k].field() == fReason { // a reason only explains a stage kept before it
			if slices.ContainsFunc(hs[:n], func(h hit) bool { return h.field() == fStage }) {
				hs[n] = hs[k]
				n++
			}
			continue
		}
		if !hs[k].kw.weak || p.weakFits(t, hs, k) {
			hs[n] = hs[k]
			n++
		}
	}
	return hs[:n]
}

func findHits(low string) []hit {
	var hs []hit
	for i := 0; i < len(low); i++ {
		if low[i]&0xC0 == 0x80 { // inside a multi-byte rune
			continue
		}
		if kw, end := keywordAt(low, i); kw != nil {
			hs = append(hs, hit{start: i, end: end, kw: kw})
			i = end - 1
		}
	}
	return hs
}

// keywordAt is the longest keyword at low[i:] that stands as a whole word.
func keywordAt(low string, i int) (*keyword, int) {
	list := keywordIndex[low[i]]
	for k := range list {
		kw := &list[k]
		if !strings.HasPrefix(low[i:], kw.word) {
			continue
		}
		end := i + len(kw.word)
		if isWordByte(kw.word[0]) && i > 0 && isWordByte(low[i-1]) {
			continue
		}
		if isWordByte(kw.word[len(kw.word)-1]) && end < len(low) && isWordByte(low[end]) {
			continue
		}
		if guard(kw.word, low, i, end) {
			return kw, end
		}
	}
	return nil, 0
}

// capitalized reports whether t starts with a capital letter, as names do.
func capitalized(t text) bool {
	raw := t.trim().raw()
	return raw != "" && 'A' <= raw[0] && raw[0] <= 'Z'
}

// notAfterNext are the words that make "next" a date ("next Friday").
var notAfterNext = setOf("week", "month", "quarter", "year", "time", "weekend", "monday", "mon", "tuesday",
	"tue", "tues", "wednesday", "wed", "thursday", "thu", "thur", "thurs", "friday", "fri", "saturday", "sat",
	"sunday", "sun", "one", "few", "couple", "to", "day")

// guard rejects keywords that are something else in context.
func guard(word, low string, i, end int) bool {
	switch word {
	case "next":
		w, _ := nextWord(low, end)
		return !notAfterNext[w]
	case "close", "closing", "closes":
		w, _ := nextWord(low, end)
		return w != "to" && w != "the" && w != "it" && w != "this"
	case "阶段": // "第3阶段" is a stage, not the keyword
		r, _ := utf8.DecodeLastRuneInString(low[:i])
		_, cn := cnDigit(r)
		return !(r < utf8.RuneSelf && isDigit(byte(r))) && !cn && r != '十'
	}
	return true
}

// weakFits checks the value after a weak keyword.
func (p *parser) weakFits(t text, hs []hit, k int) bool {
	end, _ := valueSpan(t.low, hs, k)
	v := t.slice(hs[k].end, end).trim()
	switch hs[k].field() {
	case fStage:
		_, rest, ok := stagePrefix(stripLead(v, stageLead), p.pb)
		if !ok {
			return false
		}
		rest = stripTail(rest, stageTail)
		return rest.empty() || scanAmount(rest.low, 0).ok
	case fAmount:
		v = stripTail(stripLead(v, amountLead), amountTail)
		a := scanAmount(v.low, 0)
		return a.ok && a.end == len(v.low)
	case fWon:
		return stripLead(v, wonLead).empty()
	}
	return true
}

// valueSpan is where the value of hs[k] ends, and the index of the first
// keyword after it. Notes and lost reasons run to the end of the message; a
// keyword right after another is part of its value ("金额降到100万", "next
// step: close the paperwork").
func valueSpan(low string, hs []hit, k int) (end, next int) {
	h := hs[k]
	f := h.field()
	if f == fNote || f == fLost || f == fReason {
		return len(low), len(hs)
	}
	j := k + 1
	if f != fWon {
		for at := h.end; j < len(hs) && leadIn(low, at, hs[j]); j++ {
			at = hs[j].end
		}
	}
	stop := sepAt(low, h.end, hs)
	for ; j < len(hs) && hs[j].start < stop; j++ {
		if splits(f, hs[j], low) {
			return hs[j].start, j
		}
	}
	return stop, j // the keywords passed over are part of the value
}

// leadIn: h follows at with nothing but spaces or a colon between, and it
// is not a keyword that must stand on its own.
func leadIn(low string, at int, h hit) bool {
	switch h.field() {
	case fWon, fLost, fNote:
		return false
	}
	return strings.Trim(low[at:h.start], " :") == ""
}

// splits tells whether keyword h ends the value of a field f.
func splits(f field, h hit, low string) bool {
	switch f {
	case fStage:
		return h.field() != fStage && h.field() != fWon // "moved to closed won", "立项阶段"
	case fClose:
		return h.field() != fWon // "预计月底签约了"
	case fNext: // a next step is free text: only a clearly new field after a space ends it
		switch h.field() {
		case fAmount, fClose, fNote, fTitle:
			return !h.kw.weak && h.start > 0 && low[h.start-1] == ' '
		}
		return false
	}
	return true
}

// sepAt is the first clause separator at or after i, or len(low).
func sepAt(low string, i int, hs []hit) int {
	for ; i < len(low); i++ {
		if sepLen(low, i, hs) > 0 {
			return i
		}
	}
	return len(low)
}

// sepLen is the length of the clause separator at low[i], 0 if none:
// , ; . ! ? and a new line (but not "1,200" or "1.2"), and "and", "然后"
// and the like when a keyword follows them.
func sepLen(low string, i int, hs []hit) int {
	switch c := low[i]; c {
	case '!', '?':
		if i > 0 && low[i-1] == '<' { // "<!channel>" is a name as typed, not two sentences
			return 0
		}
		return 1
	case ';', '\n':
		return 1
	case ',': // "1,200" is a number; so is "1,20,000", malformed
		if i > 0 && isDigit(low[i-1]) && i+1 < len(low) && isDigit(low[i+1]) {
			return 0
		}
		return 1
	case '.':
		if i+1 < len(low) && (isWordByte(low[i+1]) || low[i+1] == '.') {
			return 0
		}
		return 1
	case ' ':
		if i+1 < len(low) && conjStart[low[i+1]] {
			return conjLen(low, i+1, hs, 1)
		}
		return 0
	}
	if conjStart[low[i]] && low[i] >= 0x80 {
		return conjLen(low, i, hs, 0)
	}
	return 0
}

// conjStart marks the first bytes of the conjunctions: most positions are
// ruled out with one look.
var conjStart = func() (set [256]bool) {
	for _, w := range conjunctions {
		set[w[0]] = true
	}
	return set
}()

// conjLen matches a conjunction at low[i] that a keyword follows.
func conjLen(low string, i int, hs []hit, lead int) int {
	for _, w := range conjunctions {
		if !hasWordPrefix(low[min(i, len(low)):], w) || (lead == 0) == isWordByte(w[0]) {
			continue
		}
		j := i + len(w)
		for j < len(low) && (low[j] == ' ' || low[j] == ',' || low[j] == ':') {
			j++
		}
		if hitAt(hs, j) {
			return lead + len(w)
		}
	}
	return 0
}

// hitAt reports whether a keyword starts at j (hits are in order).
func hitAt(hs []hit, j int) bool {
	_, found := slices.BinarySearchFunc(hs, j, func(h hit, j int) int { return cmp.Compare(h.start, j) })
	return found
}

// chunks splits t at clause separators. The hits are positions in whole,
// the message t was cut from.
func chunks(whole, t text, hs []hit) []text {
	var out []text
	start, shift := 0, t.off-whole.off
	for i := 0; i < len(t.low); {
		n := sepLen(whole.low, i+shift, hs)
		if n == 0 {
			i++
			continue
		}
		out = append(out, t.slice(start, i))
		i = min(i+n, len(t.low))
		start = i
	}
	return append(out, t.from(start))
}
