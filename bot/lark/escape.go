package lark

import (
	"fmt"
	"strings"
)

// Escape makes user text safe in card markdown. Every character the
// markdown element may read as syntax becomes its numeric HTML entity, as
// the rich-text doc's "特殊字符转义说明" prescribes (&#60; for <, &#91;
// for [, …; card-json-v2-components/content-components/rich-text):
//   - anywhere: & < > (so no <at>, <a>, <link>, <font>, <person> tag and
//     no entity of the user's own: the FAQ says &reg; and the like are
//     read even in plain text), [ ] ( ) ! (links, images), * _ ~ ` \ |
//     (emphasis, code, escapes, tables), : (Feishu emoji such as :OK:,
//     and scheme colons), $;
//   - at a line's start: leading spaces and tabs (&nbsp;, else an indented
//     code block), and # - + = and the dot of "1." (headings, lists,
//     rules, setext underlines).
//
// Control characters other than newline and tab are dropped.
func Escape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	const (
		lead   = iota // at a line's start, in its indentation
		digits        // after a line's leading digits
		mid
	)
	state := lead
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteByte('\n')
			state = lead
			continue
		case r < ' ' && r != '\t' || r == 0x7f:
			continue
		}
		switch {
		case state == lead && (r == ' ' || r == '\t'):
			b.WriteString("&nbsp;")
			continue
		case state == lead && strings.ContainsRune("#-+=", r):
			b.WriteString(entities[r])
			state = mid
			continue
		case (state == lead || state == digits) && r >= '0' && r <= '9':
			b.WriteRune(r)
			state = digits
			continue
		case state == digits && r == '.':
			b.WriteString(entities[r])
			state = mid
			continue
		}
		state = mid
		if e := entity(r); e != "" {
			b.WriteString(e)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// entity is how card markdown shows r literally wherever it stands, or ""
// when r needs no escape there.
func entity(r rune) string {
	if strings.ContainsRune(anywhere, r) {
		return entities[r]
	}
	return ""
}

// The characters escaped anywhere, and every escapable one's entity.
const anywhere = "&<>[]()!*_~`\\|:$"

var entities = func() (e [128]string) {
	for _, r := range anywhere + "#-+=." {
		e[r] = fmt.Sprintf("&#%d;", r)
	}
	return e
}()

// oneLine makes s a single line of plain characters.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case r < ' ' || r == 0x7f:
			return -1
		}
		return r
	}, s)
}

// buttonRows lays buttons and menus out in rows (column_set, flow), as
// the button doc's example does: JSON 2.0 has no "action" module.
