package lark

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
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
	return measure(markdown(greyOpen+Escape(clip(oneLine(fmt.Sprintf(more, left)), maxLabelText))+greyClose, true))
}

// renderReply renders every block: the title, and the body's elements.
func renderReply(r bot.Reply) (title string, units []cardUnit) {
	for i, b := range r.Blocks {
		if i == 0 && b.Kind == bot.HeaderBlock {
			title = clip(oneLine(b.Text), maxHeaderText)
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
			lines = []string{"**" + Escape(clip(t, maxHeaderText)) + "**"}
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
	label := strings.TrimSpace(oneLine(clip(f.Label, maxLabelText)))
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

// clip shortens s to at most n characters, marking the cut. Cut before
// escaping: it never splits an entity.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// buttonRows lays buttons and menus out in rows (column_set, flow), as
// the button doc's example does: JSON 2.0 has no "action" module.
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
	return map[string]any{"tag": "button", "type": kind, "text": plainText(clip(oneLine(label), maxButtonText)),
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
	return map[string]any{"tag": "select_static", "placeholder": plainText(clip(oneLine(b.Label), maxPlaceholder)),
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
		opt := map[string]any{"text": plainText(clip(oneLine(label), maxButtonText)), "value": value}
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

// Names in a form card: unique in the card (form-container doc), and not
// a field's key.
const (
	formName   = "dealcoach_form"
	submitName = "dealcoach_submit"
)

// FormCard renders a form as a card with a form container: one control
// per field named by its key (input, multi-line for long text;
// select_static with the current value as initial option; date_picker),
// required unless optional, a submit button whose callback value is
// {"form": id, "deal": id, "submit": true} with the fields in form_value,
// and below the form a button labelled cancel that shows the deal again
// ({"cmd": "/deal #<id>"}: a button in a form may only submit or reset).
// Texts are plain_text, so nothing in them can mention anyone. Fields
// that would take the card past Lark's limits are left out from the end.
func FormCard(f bot.Form, cancel string) map[string]any {
	var groups [][]any
	seen := map[string]bool{formName: true, submitName: true}
	for _, fd := range f.Fields {
		if fd.Key == "" || seen[fd.Key] {
			continue // a name must be unique, else the form is not sent
		}
		seen[fd.Key] = true
		groups = append(groups, formField(fd))
	}
	c := formCard(f, cancel, groups)
	raw, _ := json.Marshal(c)
	size, tags := len(raw), countTags(c)
	for len(groups) > 0 && (size > maxCardBytes || tags > maxTags) {
		for _, el := range groups[len(groups)-1] {
			u := measure(el.(map[string]any))
			size, tags = size-u.bytes-1, tags-u.tags // the submit row follows: every field has its comma
		}
		groups = groups[:len(groups)-1]
		c = nil
	}
	if c == nil {
		c = formCard(f, cancel, groups)
	}
	return c
}

func formCard(f bot.Form, cancel string, groups [][]any) map[string]any {
	var fields []any
	for _, g := range groups {
		fields = append(fields, g...)
	}
	submit := button(f.Submit, "", map[string]any{"form": f.ID, "deal": f.DealID, "submit": true})
	submit["type"], submit["name"], submit["form_action_type"] = "primary_filled", submitName, "submit"
	fields = append(fields, map[string]any{"tag": "column_set", "flex_mode": "flow", "columns": []any{
		map[string]any{"tag": "column", "width": "auto", "elements": []any{submit}}}})
	var els []any
	if f.Intro != "" {
		els = append(els, greyText(clip(f.Intro, maxContent)))
	}
	els = append(els,
		map[string]any{"tag": "form", "name": formName, "elements": fields},
		button(cancel, "", map[string]any{"cmd": fmt.Sprintf("/deal #%d", f.DealID)}))
	return map[string]any{
		"schema": "2.0",
		"config": map[string]any{"update_multi": true},
		"header": map[string]any{"title": plainText(clip(oneLine(f.Title), maxHeaderText)), "template": "blue"},
		"body":   map[string]any{"elements": els},
	}
}

// greyText is a plain_text line of small grey print (plain-text doc).
func greyText(s string) map[string]any {
	t := plainText(s)
	t["text_size"], t["text_color"] = "notation", "grey"
	return map[string]any{"tag": "div", "text": t}
}

// formField is a field's elements: its control, after a plain_text label
// where the control has no label of its own (only input has one).
func formField(fd bot.FormField) []any {
	label := clip(fd.Label, maxLabelText)
	el := map[string]any{"name": fd.Key, "required": !fd.Optional, "width": "fill"}
	if fd.Hint != "" {
		el["placeholder"] = plainText(clip(oneLine(fd.Hint), maxPlaceholder))
	}
	switch fd.Kind {
	case bot.FieldSelect:
		el["tag"] = "select_static"
		opts := options(fd.Options, func(o bot.Field) (string, string) { return o.Label, o.Value })
		el["options"] = opts
		for _, o := range opts {
			if o.(map[string]any)["value"] == fd.Value {
				el["initial_option"] = fd.Value // the option's value ("默认选项的value字段值", the message-card select doc)
			}
		}
	case bot.FieldDate:
		el["tag"] = "date_picker"
		if isDate(fd.Value) {
			el["initial_date"] = fd.Value // yyyy-MM-dd (date-picker doc)
		}
	default:
		el["tag"] = "input"
		el["label"], el["label_position"] = plainText(label), "top"
		el["max_length"] = maxInputValue
		if fd.Value != "" {
			el["default_value"] = clip(fd.Value, maxInputValue)
		}
		if fd.Kind == bot.FieldLongText {
			el["input_type"], el["rows"], el["auto_resize"] = "multiline_text", 3, true
		}
		return []any{el}
	}
	return []any{map[string]any{"tag": "div", "text": plainText(label)}, el}
}

// isDate reports whether s is a date as YYYY-MM-DD.
func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// Action is what a card callback asks for.
type Action struct {
	Command string // a command line to run as if typed ("/deal #12 won")
	Form    string // a form to open (button with Form) or that was submitted (with Values)
	DealID  int64
	Values  map[string]string // a submitted form's values by field key (dates as YYYY-MM-DD)
	Submit  bool              // Values come from a form submission
}

// maxCommand bounds a command read back: ours render far shorter.
const maxCommand = 4096

// ReadAction reads a card.action.trigger callback's action: its value
// map (the callback value of the button, menu or submit button), the
// option chosen in a menu (select_static), and the form's values
// (form_value, by field name; a date picker's "2024-04-01 +0800" is read
// as "2024-04-01": form-container doc). A value this package did not
// write is an error.
func ReadAction(value map[string]any, option string, formValue map[string]any) (Action, error) {
	switch {
	case value["menu"] != nil:
		if value["menu"] != true {
			return Action{}, fmt.Errorf("lark card action: menu is %v", value["menu"])
		}
		cmd, err := readCommand(option)
		return Action{Command: cmd}, err
	case value["form"] != nil:
		return readForm(value, formValue)
	case value["cmd"] != nil:
		s, ok := value["cmd"].(string)
		if !ok {
			return Action{}, fmt.Errorf("lark card action: cmd is a %T", value["cmd"])
		}
		cmd, err := readCommand(s)
		return Action{Command: cmd}, err
	}
	return Action{}, errors.New("lark card action: its value has no cmd, menu or form")
}

func readCommand(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", errors.New("lark card action: empty command")
	case len(s) > maxCommand || !utf8.ValidString(s):
		return "", fmt.Errorf("lark card action: unreadable command of %d bytes", len(s))
	}
	return s, nil
}

func readForm(value, formValue map[string]any) (Action, error) {
	id, _ := value["form"].(string)
	if id != bot.FormEdit && id != bot.FormNext && id != bot.FormCoach {
		return Action{}, fmt.Errorf("lark card action: unknown form %v", value["form"])
	}
	deal, err := readDealID(value["deal"])
	if err != nil {
		return Action{}, err
	}
	a := Action{Form: id, DealID: deal}
	if formValue == nil && value["submit"] != true {
		return a, nil // a button opening the form
	}
	a.Submit, a.Values = true, make(map[string]string, len(formValue))
	for k, v := range formValue {
		if a.Values[k], err = formString(v); err != nil {
			return Action{}, fmt.Errorf("lark card action: form %s field %q: %w", id, k, err)
		}
	}
	return a, nil
}

// readDealID reads a deal id as JSON brings it: a number (float64, or
// json.Number when decoded with UseNumber), or its digits.
func readDealID(v any) (int64, error) {
	var n int64
	var err error
	switch v := v.(type) {
	case float64:
		if v < 1 || v > 1<<53 || v != math.Trunc(v) {
			return 0, fmt.Errorf("lark card action: deal %v", v)
		}
		n = int64(v)
	case json.Number:
		n, err = v.Int64()
	case string:
		n, err = strconv.ParseInt(v, 10, 64)
	case int64:
		n = v
	case int:
		n = int64(v)
	default:
		return 0, fmt.Errorf("lark card action: deal is a %T", v)
	}
	if err != nil || n < 1 {
		return 0, fmt.Errorf("lark card action: deal %v", v)
	}
	return n, nil
}

// formString is a submitted value as text.
func formString(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		// A date picker sends its date with the zone: "2024-04-01 +0800".
		if d, zone, ok := strings.Cut(v, " "); ok && isDate(d) && len(zone) == 5 &&
			(zone[0] == '+' || zone[0] == '-') && strings.Trim(zone[1:], "0123456789") == "" {
			return d, nil
		}
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case json.Number:
		return v.String(), nil
	}
	return "", fmt.Errorf("a %T", v)
}
