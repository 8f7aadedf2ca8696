package lark

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/dealcoach/dealcoach/bot"
)

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
		els = append(els, greyText(bot.Clip(f.Intro, maxContent)))
	}
	els = append(els,
		map[string]any{"tag": "form", "name": formName, "elements": fields},
		button(cancel, "", map[string]any{"cmd": fmt.Sprintf("/deal #%d", f.DealID)}))
	return map[string]any{
		"schema": "2.0",
		"config": map[string]any{"update_multi": true},
		"header": map[string]any{"title": plainText(bot.Clip(oneLine(f.Title), maxHeaderText)), "template": "blue"},
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
	label := bot.Clip(fd.Label, maxLabelText)
	el := map[string]any{"name": fd.Key, "required": !fd.Optional, "width": "fill"}
	if fd.Hint != "" {
		el["placeholder"] = plainText(bot.Clip(oneLine(fd.Hint), maxPlaceholder))
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
			el["default_value"] = bot.Clip(fd.Value, maxInputValue)
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
