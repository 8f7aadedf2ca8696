package parse

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// text is a stretch of a message. The rules match on low, the message
// normalised (full-width folded, ASCII lower-cased) so that offsets of all
// rules agree; what we hand back to the caller is cut from the user's own
// bytes through src, so "，" and "ＡＣＭＥ" come back as typed.
type text struct {
	low string
	src *source
	off int // offset of low[0] in the normalised message
}

// source is the whole message: the original and a map from normalised byte
// offsets to original ones (nil when normalising changed nothing).
type source struct {
	orig string
	pos  []int32
	// work counts the stretches the rules cut from the message: a
	// measure of the parser's work that tests bound without a clock (a
	// rule trying every cut of every cut shows here as quadratic).
	work int
}

func (s *source) at(i int) int {
	if s.pos == nil {
		return i
	}
	return int(s.pos[i])
}

// newText normalises a message. Work is linear in its length.
func newText(s string) text {
	src := &source{orig: s}
	norm := s
	if !plainASCII(s) {
		norm, src.pos = normalize(s)
	}
	return text{low: lowerASCII(norm), src: src}
}

// raw is the user's own text for t.
func (t text) raw() string {
	return t.src.orig[t.src.at(t.off):t.src.at(t.off+len(t.low))]
}

func (t text) slice(i, j int) text {
	if t.src != nil {
		t.src.work++
	}
	return text{low: t.low[i:j], src: t.src, off: t.off + i}
}

func (t text) from(i int) text { return t.slice(i, len(t.low)) }

func (t text) empty() bool { return t.low == "" }

// trim drops spaces, sentence punctuation and emoji at both ends.
func (t text) trim() text {
	i, j := 0, len(t.low)
	for i < j {
		r, n := utf8.DecodeRuneInString(t.low[i:j])
		if !isTrimRune(r) {
			break
		}
		i += n
	}
	for j > i {
		r, n := utf8.DecodeLastRuneInString(t.low[i:j])
		if !isTrimRune(r) && r != '-' {
			break
		}
		j -= n
	}
	return t.slice(i, j)
}

// isTrimRune is what may surround a value without being part of it. '-' is
// trimmed at the end only, so that "-5万" keeps its sign (and is refused).
func isTrimRune(r rune) bool {
	switch r {
	case ' ', '\n', ',', ';', ':', '.', '!', '?', '~', '"', '\'', '(', ')', '[', ']', '*', '…', '=':
		return true
	}
	if r <= 0x7f || r == utf8.RuneError || (r >= 0x3400 && r <= 0x9fff) { // Han is never trimmed
		return false
	}
	return unicode.In(r, unicode.So, unicode.Sk, unicode.Mn, unicode.Cf)
}

func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || (c < ' ' && c != '\n') || c == 0x7f {
			return false
		}
	}
	return true
}

// normalize folds the many ways people type the same thing: full-width
// ASCII, the ideographic space, Chinese sentence marks, curly quotes. It
// returns the folded text and, for every byte of it, the offset in s.
func normalize(s string) (string, []int32) {
	var b strings.Builder
	b.Grow(len(s))
	pos := make([]int32, 0, len(s)+1)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r = foldRune(r); r >= 0 {
			k := utf8.RuneLen(r)
			if k < 0 { // not a valid rune: written as U+FFFD
				k = 3
			}
			for ; k > 0; k-- {
				pos = append(pos, int32(i))
			}
			b.WriteRune(r)
		}
		i += n
	}
	pos = append(pos, int32(len(s)))
	return b.String(), pos
}

// foldRune maps one rune; -1 drops it (zero-width format characters).
func foldRune(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII block
		return r - 0xFEE0
	case r == '\n':
		return r
	case r < ' ' || r == 0x7f || r == 0x3000 || (r > 0x7f && unicode.IsSpace(r)):
		return ' '
	case r > 0x7f && unicode.Is(unicode.Cf, r):
		return -1
	}
	switch r {
	case '。', '｡':
		return '.'
	case '、':
		return ','
	case '‘', '’', '′':
		return '\''
	case '“', '”':
		return '"'
	case '￥':
		return '¥'
	case '—', '–':
		return '-'
	case '【':
		return '['
	case '】':
		return ']'
	}
	return r
}

// lowerASCII lower-cases ASCII letters only, so byte offsets never move.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// isWordByte tells whether c continues an English word or a number.
func isWordByte(c byte) bool { return isDigit(c) || isLetter(c) }

func isHan(r rune) bool { return r > 0x7f && unicode.Is(unicode.Han, r) }

// detectLang is "zh" when s has a Han character, "en" when it has Latin
// letters, "" otherwise.
func detectLang(s string) string {
	latin := false
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			latin = latin || isLetter(byte(r))
		case isHan(r):
			return "zh"
		case unicode.Is(unicode.Latin, r):
			latin = true
		}
	}
	if latin {
		return "en"
	}
	return ""
}

// clean tidies text we hand back: no surrounding punctuation or spaces,
// inner runs of white space as one space.
func clean(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool {
		return r == '-' || unicode.IsSpace(r) || isTrimRune(foldRune(r))
	})
	prevSpace := false
	for _, r := range s {
		sp := unicode.IsSpace(r)
		if sp && (r != ' ' || prevSpace) {
			return collapseSpaces(s)
		}
		prevSpace = sp
	}
	return s
}

func collapseSpaces(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// hasWordPrefix reports whether low starts with w as a whole word: an
// English word must not run on into more letters ("note" is not "notes").
func hasWordPrefix(low, w string) bool {
	if !strings.HasPrefix(low, w) {
		return false
	}
	return len(low) == len(w) || !isWordByte(w[len(w)-1]) || !isWordByte(low[len(w)])
}

// hasWordSuffix is hasWordPrefix at the end.
func hasWordSuffix(low, w string) bool {
	if !strings.HasSuffix(low, w) {
		return false
	}
	i := len(low) - len(w)
	return i == 0 || !isWordByte(w[0]) || !isWordByte(low[i-1])
}

// stripLead removes any of words (longest first) from the start of t,
// again and again, trimming punctuation in between.
func stripLead(t text, words []string) text {
	for {
		t = t.trim()
		cut := false
		for _, w := range words {
			if hasWordPrefix(t.low, w) {
				t, cut = t.from(len(w)), true
				break
			}
		}
		if !cut {
			return t
		}
	}
}

// stripTail is stripLead at the end.
func stripTail(t text, words []string) text {
	for {
		t = t.trim()
		cut := false
		for _, w := range words {
			if hasWordSuffix(t.low, w) {
				t, cut = t.slice(0, len(t.low)-len(w)), true
				break
			}
		}
		if !cut {
			return t
		}
	}
}

func hasHan(s string) bool {
	for _, r := range s {
		if isHan(r) {
			return true
		}
	}
	return false
}

func countHan(s string) int {
	n := 0
	for _, r := range s {
		if isHan(r) {
			n++
		}
	}
	return n
}
