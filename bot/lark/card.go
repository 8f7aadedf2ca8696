package lark

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/dealcoach/dealcoach/bot"
)

// Card limits. Lark refuses a card past the documented ones; the others
// are ours. Sources:
//   - open.feishu.cn/document/feishu-cards/card-json-v2-structure: a JSON
//     2.0 card holds at most 200 elements (a plain_text text counts) or
//     components;
//   - open.feishu.cn/document/common-capabilities/message-card/message-card
//     (FAQ, "发送卡片有什么限制"): a card's data is at most 30 KB, nested
//     at most five deep (ours nest four: form > column_set > column > button);
//   - open.feishu.cn/document/feishu-cards/card-json-v2-components/
//     interactive-components/button: a button's text is at most 100
//     characters; …/input: max_length 1–1,000 and a placeholder at most
//     100 characters; …/date-picker: the same placeholder limit.
const (
	maxCardBytes   = 28 << 10 // of the documented 30 KB, as json.Marshal encodes it (HTML-escaped, so an upper bound)
	maxTags        = 200
	maxButtonText  = 100
	maxPlaceholder = 100
	maxInputValue  = 1000
	maxHeaderText  = 150     // ours: a title shows four lines at most
	maxLabelText   = 300     // ours: labels are short; keeps a form within one card
	maxContent     = 4000    // ours: none is documented per element; small pieces page finely
	maxUnitBytes   = 8 << 10 // ours: any one element fits in a card with room to spare
	maxOptions     = 100     // ours, as Slack's
	maxRow         = 10      // ours: controls in one row of buttons
)

// grey wraps a line of small print; <font> is one of the HTML tags the
// JSON 2.0 markdown element reads (card-json-v2-components/
// content-components/rich-text). Only escaped text goes inside.
const greyOpen, greyClose = "<font color='grey'>", "</font>"

// Card renders a reply as one interactive card (JSON 2.0) within Lark's
// limits: user text is escaped so that nothing can @ anyone or forge a
// link, long texts are split, and what does not fit is cut with a last
// note, more, a format taking the number of elements left out.
//
// A header that opens the reply becomes the card's title (plain_text,
// never interpreted); any other header is a bold line where it stands,
// since lifting it to the title would reorder the reply.
func Card(r bot.Reply, more string) map[string]any {
	title, units := renderReply(r)
	return fitCard(title, units, more)
}

// Cards renders a reply as cards in order, each within Lark's limits, so
// that a long reply is paged rather than cut; past maxCards the last card
// is cut, with more's note. Only the first card has the title.
func Cards(r bot.Reply, more string, maxCards int) []map[string]any {
	title, units := renderReply(r)
	var cards []map[string]any
	for {
		if len(cards) >= maxCards-1 {
			return append(cards, fitCard(title, units, more))
		}
		bytes, tags := frameSize(title)
		n := max(fitting(units, bytes, tags, 0, 0), 1)
		if n >= len(units) {
			return append(cards, newCard(title, units))
		}
		cards = append(cards, newCard(title, units[:n]))
		title, units = "", units[n:]
	}
}

// cardUnit is one element of a card's body, measured.
type cardUnit struct {
	el    map[string]any
	bytes int // its JSON length
	tags  int // the elements and components it counts as
}

func measure(el map[string]any) cardUnit {
	raw, err := json.Marshal(el)
	if err != nil { // maps of strings, numbers and bools always encode
		panic(fmt.Sprintf("lark card: %v", err))
	}
	return cardUnit{el: el, bytes: len(raw), tags: countTags(el)}
}

// countTags counts what Lark counts against maxTags: every object with a
// tag, at any depth.
func countTags(v any) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["tag"]; ok {
			n++
		}
		for _, c := range v {
			n += countTags(c)
		}
	case []any:
		for _, c := range v {
			n += countTags(c)
		}
	}
	return n
}

func newCard(title string, units []cardUnit) map[string]any {
	els := make([]any, len(units))
	for i, u := range units {
		els[i] = u.el
	}
	c := map[string]any{
		"schema": "2.0",
		"config": map[string]any{"update_multi": true}, // JSON 2.0 takes only true (card-json-v2-structure)
		"body":   map[string]any{"elements": els},
	}
	if title != "" {
		c["header"] = map[string]any{"title": plainText(title), "template": "blue"}
	}
	return c
}

// frameSize is the size and tag count of a card with no elements.
func frameSize(title string) (bytes, tags int) {
	c := newCard(title, nil)
	raw, _ := json.Marshal(c)
	return len(raw), countTags(c)
}

// fitting is how many units from the front fit in one card with the given
// frame, leaving room for reserve bytes and tags.
func fitting(units []cardUnit, frameBytes, frameTags, reserveBytes, reserveTags int) int {
	total, tags := frameBytes+reserveBytes, frameTags+reserveTags
	if reserveBytes > 0 {
		total++ // its comma
	}
	for i, u := range units {
		total += u.bytes
		if i > 0 {
			total++
		}
		tags += u.tags
		if total > maxCardBytes || tags > maxTags {
			return i
		}
	}
	return len(units)
}

// fitCard keeps as many units as one card holds; when some are left out,
// a last note says how many.
func fitCard(title string, units []cardUnit, more string) map[string]any {
	bytes, tags := frameSize(title)
	if fitting(units, bytes, tags, 0, 0) == len(units) {
		return newCard(title, units)
	}
	note := noteUnit(more, len(units)) // the widest it can be
	n := fitting(units, bytes, tags, note.bytes, note.tags)
	return newCard(title, append(units[:n:n], noteUnit(more, len(units)-n)))
}

func noteUnit(more string, left int) cardUnit {
	return measure(markdown(greyOpen+Escape(bot.Clip(oneLine(fmt.Sprintf(more, left)), maxLabelText))+greyClose, true))
}

// renderReply renders every block: the title, and the body's elements.
func renderReply(r bot.Reply) (title string, units []cardUnit) {
	for i, b := range r.Blocks {
		if i == 0 && b.Kind == bot.HeaderBlock {
			title = bot.Clip(oneLine(b.Text), maxHeaderText)
			continue
		}
		for _, el := range blockElements(b) {
			units = append(units, measure(el))
		}
	}
	return title, units
}

func blockElements(b bot.Block) []map[string]any {
	var lines []string
	small := false
	switch b.Kind {
	case bot.HeaderBlock:
		if t := strings.TrimSpace(oneLine(b.Text)); t != "" {
			lines = []string{"**" + Escape(bot.Clip(t, maxHeaderText)) + "**"}
		}
	case bot.FieldsBlock:
		for _, f := range b.Fields {
			lines = append(lines, fieldLines(f)...)
		}
	case bot.ListBlock:
		for _, it := range b.Items {
			for j, l := range escapedLines(it, maxContent-2) {
				mark := "- "
				if j > 0 {
					mark = "  " // the item's continuation
				}
				lines = append(lines, mark+l)
			}
		}
	case bot.ContextBlock:
		small = true
		for _, l := range escapedLines(b.Text, maxContent-len(greyOpen+greyClose)) {
			if l != "" {
				l = greyOpen + l + greyClose
			}
			lines = append(lines, l)
		}
	case bot.ButtonsBlock:
		return buttonRows(b.Buttons)
	default:
		lines = escapedLines(b.Text, maxContent)
	}
	var out []map[string]any
	for _, c := range packLines(lines, maxContent) {
		out = append(out, markdown(c, small))
	}
	return out
}

// fieldLines is a field as "**label** value", its value's later lines
// below it.
func fieldLines(f bot.Field) []string {
	label := strings.TrimSpace(oneLine(bot.Clip(f.Label, maxLabelText)))
	head := ""
	if label != "" { // "****" is not bold (the rich-text doc warns)
		head = "**" + Escape(label) + "** "
	}
	lines := escapedLines(f.Value, maxContent-len(head))
	lines[0] = head + lines[0]
	return lines
}

// markdown is a markdown element; small is grey small print.
func markdown(content string, small bool) map[string]any {
	el := map[string]any{"tag": "markdown", "content": content}
	if small {
		el["text_size"] = "notation"
	}
	return el
}

func plainText(s string) map[string]any { return map[string]any{"tag": "plain_text", "content": s} }

// packLines joins lines into as few contents of at most limit bytes as
// they fit. A "\n" breaks the line in card markdown (rich-text doc).
func packLines(lines []string, limit int) []string {
	var out []string
	var cur strings.Builder
	has := false
	flush := func() {
		if strings.TrimSpace(cur.String()) != "" {
			out = append(out, cur.String())
		}
		cur.Reset()
		has = false
	}
	for _, l := range lines {
		if has && cur.Len()+1+len(l) > limit {
			flush()
		}
		if has {
			cur.WriteByte('\n')
		}
		cur.WriteString(l)
		has = true
	}
	flush()
	return out
}

// escapedLines escapes text line by line; a line longer than room once
// escaped is split into pieces, each escaped as a line of its own (each
// starts a line where it is placed).
func escapedLines(s string, room int) []string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		esc := Escape(line)
		if len(esc) <= room {
			out = append(out, esc)
			continue
		}
		start, n := 0, 0
		for i, r := range line {
			if w := escapedWidth(r); n+w > room && i > start {
				out = append(out, Escape(line[start:i]))
				start, n = i, 0
			}
			n += escapedWidth(r)
		}
		out = append(out, Escape(line[start:]))
	}
	return out
}

// escapedWidth bounds the bytes Escape writes for r, wherever it stands.
func escapedWidth(r rune) int {
	switch {
	case entity(r) != "":
		return len(entity(r))
	case r == ' ' || r == '\t':
		return len("&nbsp;")
	case r < utf8.RuneSelf && strings.ContainsRune("#-+=.", r):
		return len("&#43;") // a line's marker
	}
	return utf8.RuneLen(r) // 3 for the U+FFFD an invalid byte becomes
}

// Labels are plain_text, never interpreted.
func buttonRows(bs []bot.Button) []map[string]any {
	var out []map[string]any
	var row []any
	size := 0
	flush := func() {
		if len(row) > 0 {
			out = append(out, map[string]any{"tag": "column_set", "flex_mode": "flow", "columns": row})
		}
		row, size = nil, 0
	}
	for _, b := range bs {
		el := control(b)
		if el == nil {
			continue
		}
		col := map[string]any{"tag": "column", "width": "auto", "elements": []any{el}}
		n := measure(col).bytes
		if len(row) == maxRow || size+n > maxUnitBytes {
			flush()
		}
		row = append(row, col)
		size += n + 1
	}
	flush()
	return out
}

// control is a button's element: a button whose callback value is
// {"cmd": command} or {"form": id, "deal": id}, or for a menu a
// select_static whose options' values are the commands (the callback
// brings the chosen one as action.option) and whose value is
// {"menu": true}. A button with nothing to send is left out.
func control(b bot.Button) map[string]any {
	if len(b.Options) > 0 {
		return menu(b)
	}
	var value map[string]any
	switch {
	case b.Form != "" && b.DealID > 0:
		value = map[string]any{"form": b.Form, "deal": b.DealID}
	case b.Value != "":
		value = map[string]any{"cmd": b.Value}
	default:
		return nil
	}
	return button(b.Label, b.Style, value)
}

func button(label, style string, value map[string]any) map[string]any {
	kind := "default"
	if style == "primary" || style == "danger" {
		kind = style
	}
	return map[string]any{"tag": "button", "type": kind, "text": plainText(bot.Clip(oneLine(label), maxButtonText)),
		"behaviors": []any{callbackBehavior(value)}}
}

func callbackBehavior(value map[string]any) map[string]any {
	return map[string]any{"type": "callback", "value": value}
}

func menu(b bot.Button) map[string]any {
	opts := options(b.Options, func(o bot.Button) (string, string) { return o.Label, o.Value })
	if len(opts) == 0 {
		return nil
	}
	return map[string]any{"tag": "select_static", "placeholder": plainText(bot.Clip(oneLine(b.Label), maxPlaceholder)),
		"options": opts, "behaviors": []any{callbackBehavior(map[string]any{"menu": true})}}
}

// options are a select's options: values unique (the select doc: a
// repeated value breaks the menu), none empty, at most maxOptions and
// maxUnitBytes. A value is never cut: a command cut short would be
// another command.
func options[T any](in []T, get func(T) (label, value string)) []any {
	var out []any
	seen := map[string]bool{}
	size := 0
	for _, o := range in {
		label, value := get(o)
		if value == "" || seen[value] {
			continue
		}
		opt := map[string]any{"text": plainText(bot.Clip(oneLine(label), maxButtonText)), "value": value}
		n := measure(opt).bytes + 1
		if len(out) == maxOptions || size+n > maxUnitBytes/2 {
			break
		}
		seen[value] = true
		out = append(out, opt)
		size += n
	}
	return out
}

// inConversation marks every callback on card with thread, the
// conversation the card answers, and returns card. A card.action.trigger
// callback tells the chat and the card's message but not its thread, and
// a button that answers a question (the reader's Apply, a "Did you mean"
// candidate) must reach the conversation where the question waits: in a
// group, the thread of the mention. "" (a private chat, a scheduled
// message) leaves card as it is. The few bytes added per control stay
// within the room maxCardBytes keeps below Lark's limit.
func inConversation(card map[string]any, thread string) map[string]any {
	if thread == "" {
		return card
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if val, ok := v["value"].(map[string]any); ok && v["type"] == "callback" {
				val["thread"] = thread
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(card)
	return card
}
