package lark

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dealcoach/dealcoach/bot"
)

// Hostile user text: each would mention everyone, ping someone, forge a
// link or restyle the card if it reached card markdown as it is.
var hostile = []string{
	"<at id=all></at>",
	`<at user_id="ou_x"></at>`,
	"<at ids=ou_1,ou_2></at> <at email=a@b.example></at>",
	"[click](https://evil.example)",
	"![img](img_v2_key)",
	"<a href='https://evil'>x</a>",
	"<link url='https://evil'>x</link> <font color=red>red</font> <text_tag color='red'>t</text_tag>",
	"<person id='ou_x'></person> <number_tag url='https://evil'>1</number_tag>",
	"**bold** *it* __b__ ~~del~~ `code` :OK: | a | b |",
	"&lt;at id=all&gt;&lt;/at&gt; &#60;at id=all&#62; R&D &reg;",
	"# title\n> quote\n- item\n+ item\n1. one\n2) two\n    code\n---\n===\n```\nfence",
	"\\<at id=all></at> $x$ \x00\x1b\r\n",
}

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<at id=all></at>", "&#60;at id=all&#62;&#60;/at&#62;"},
		{`<at user_id="ou_x"></at>`, `&#60;at user&#95;id="ou&#95;x"&#62;&#60;/at&#62;`},
		{"[click](https://evil.example)", "&#91;click&#93;&#40;https&#58;//evil.example&#41;"},
		{"<a href='https://evil'>x</a>", "&#60;a href='https&#58;//evil'&#62;x&#60;/a&#62;"},
		{"**bold**", "&#42;&#42;bold&#42;&#42;"},
		{"R&D &lt;", "R&#38;D &#38;lt;"},
		{"~~x~~ `c` _i_ a|b \\ :OK: $5!", "&#126;&#126;x&#126;&#126; &#96;c&#96; &#95;i&#95; a&#124;b &#92; &#58;OK&#58; &#36;5&#33;"},
		{"# h\n- a\n+ b\n= c\n1. one\n12. twelve\n  x", "&#35; h\n&#45; a\n&#43; b\n&#61; c\n1&#46; one\n12&#46; twelve\n&nbsp;&nbsp;x"},
		{"Deal #12 — 2026-12-10, 1.5M, a-b+c=d", "Deal #12 — 2026-12-10, 1.5M, a-b+c=d"}, // mid-line: nothing to read
		{"2026-12-10 demo", "2026-12-10 demo"},
		{"\t- nested", "&nbsp;&#45; nested"},
		{"a\x00b\r\nc\x7f", "ab\nc"},
		{"经信银行 · 核心系统", "经信银行 · 核心系统"},
		{"", ""},
	} {
		if got := Escape(tc.in); got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, s := range hostile {
		checkInert(t, "Escape", Escape(s))
	}
}

// entityRE is what an escaped text's & may begin; orderedRE, an ordered
// list's item.
var (
	entityRE  = regexp.MustCompile(`^&(#[0-9]+|nbsp);`)
	orderedRE = regexp.MustCompile(`^[0-9]+[.)]`)
)

// checkInert fails unless s, escaped text, has nothing card markdown
// would read: no raw syntax character, no entity but ours, no line that
// starts a block.
func checkInert(t *testing.T, name, s string) {
	t.Helper()
	if i := strings.IndexAny(s, "<>[]()!*_~`\\|:$"); i >= 0 {
		t.Errorf("%s: raw %q in %q", name, s[i], s)
	}
	for i := range len(s) {
		if s[i] == '&' && !entityRE.MatchString(s[i:]) {
			t.Errorf("%s: & not ours at %d in %q", name, i, s)
		}
	}
	for _, line := range strings.Split(s, "\n") {
		if line != "" && strings.ContainsAny(line[:1], " \t#-+=") || orderedRE.MatchString(line) {
			t.Errorf("%s: line %q starts a block", name, line)
		}
	}
}

// walk calls f for every object in a card, with its parent's tag.
func walk(v any, parent string, f func(m map[string]any, parent string)) {
	switch v := v.(type) {
	case map[string]any:
		f(v, parent)
		if tag, ok := v["tag"].(string); ok {
			parent = tag
		}
		for _, c := range v {
			walk(c, parent, f)
		}
	case []any:
		for _, c := range v {
			walk(c, parent, f)
		}
	}
}

// roundTrip is a card as Lark reads it: JSON, decoded.
func roundTrip(t *testing.T, card map[string]any) (map[string]any, int) {
	t.Helper()
	raw, err := json.Marshal(card)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out, len(raw)
}

// checkMarkdownInert checks every markdown element of a card, our own
// markup (bold labels, grey small print, list marks) set aside.
func checkMarkdownInert(t *testing.T, name string, card map[string]any) {
	t.Helper()
	walk(card, "", func(m map[string]any, _ string) {
		switch m["tag"] {
		case "lark_md":
			t.Errorf("%s: lark_md text %v", name, m)
		case "markdown":
			c := strings.NewReplacer("**", "", greyOpen, "", greyClose, "").Replace(m["content"].(string))
			var lines []string
			for _, l := range strings.Split(c, "\n") {
				l, _ = strings.CutPrefix(l, "- ")
				l, _ = strings.CutPrefix(l, "  ")
				lines = append(lines, l)
			}
			checkInert(t, name, strings.Join(lines, "\n"))
		}
	})
}

// A reply whose every part carries hostile text renders with no live
// mention, link or markup: markdown holds it escaped; the title, button
// labels and menu texts hold it as plain_text, which Lark never reads.
func TestCardEscapesUserText(t *testing.T) {
	for _, evil := range hostile {
		r := bot.Reply{Blocks: []bot.Block{
			{Kind: bot.HeaderBlock, Text: "#1 " + evil},
			{Kind: bot.TextBlock, Text: "Updated #1 " + evil},
			{Kind: bot.FieldsBlock, Fields: []bot.Field{{Label: "Next " + evil, Value: evil}}},
			{Kind: bot.ListBlock, Items: []string{evil, "ok"}},
			{Kind: bot.ContextBlock, Text: evil},
			{Kind: bot.HeaderBlock, Text: evil},
			{Kind: bot.ButtonsBlock, Buttons: []bot.Button{
				{Label: evil, Value: "/deal #1 won", Style: "primary"},
				{Label: evil, Options: []bot.Button{{Label: evil, Value: "/deal #1 snooze 3d"}}},
			}},
		}}
		card, _ := roundTrip(t, Card(r, "%d more "+evil))
		checkMarkdownInert(t, fmt.Sprintf("%q", evil), card)
		title := card["header"].(map[string]any)["title"].(map[string]any)
		if title["tag"] != "plain_text" || title["content"] != bot.Clip(oneLine("#1 "+evil), maxHeaderText) {
			t.Errorf("%q: title %v", evil, title)
		}
		labels := 0
		walk(card, "", func(m map[string]any, parent string) {
			if (parent == "button" || parent == "select_static") && m["tag"] == "plain_text" {
				labels++
				if m["content"] != bot.Clip(oneLine(evil), maxButtonText) {
					t.Errorf("%q: label %q", evil, m["content"])
				}
			}
		})
		if labels != 3 { // button text, menu placeholder, option text
			t.Errorf("%q: %d plain_text labels", evil, labels)
		}
	}
}

// dealReply is a deal card as bot.show builds it.
func dealReply() bot.Reply {
	cmd := func(v string) string { return "/deal #12 " + v }
	return bot.Reply{Lang: "en", DealID: 12, Blocks: []bot.Block{
		{Kind: bot.HeaderBlock, Text: "#12 Acme — core banking"},
		{Kind: bot.FieldsBlock, Fields: []bot.Field{{Label: "Stage", Value: "Shortlisted 50%"},
			{Label: "Amount", Value: "¥1,200,000"}, {Label: "Next step", Value: "demo Friday"}}},
		{Kind: bot.ContextBlock, Text: "Flags"},
		{Kind: bot.ListBlock, Items: []string{"No next step for 14 days", "Close date passed"}},
		{Kind: bot.ButtonsBlock, Buttons: []bot.Button{
			{Label: "Move to…", Options: []bot.Button{{Label: "Qualified 10%", Value: cmd("stage qualify")},
				{Label: "Proposal 70%", Value: cmd("stage proposal")}, {Label: "dup", Value: cmd("stage proposal")}, {Label: "none"}}},
			{Label: "Next step", Value: cmd("next step"), Form: bot.FormNext, DealID: 12},
			{Label: "Coach", Value: cmd("coach"), Form: bot.FormCoach, DealID: 12},
			{Label: "Edit", Value: "/deal #12", Form: bot.FormEdit, DealID: 12},
			{Label: "Snooze", Options: []bot.Button{{Label: "3 days", Value: cmd("snooze 3d")}}},
			{Label: "Won", Value: cmd("won"), Style: "primary"},
			{Label: "Lost", Value: cmd("lost"), Style: "danger"},
			{Label: "Nothing to send"},
		}},
	}}
}

// callbackValue is a control's callback value as Lark sends it back.
func callbackValue(t *testing.T, el map[string]any) map[string]any {
	t.Helper()
	for _, b := range el["behaviors"].([]any) {
		if b := b.(map[string]any); b["type"] == "callback" {
			return b["value"].(map[string]any)
		}
	}
	t.Fatalf("no callback in %v", el)
	return nil
}

// controls are a card's buttons and menus, in order.
func controls(card map[string]any) []map[string]any {
	var out []map[string]any
	var visit func(v any)
	visit = func(v any) { // in order: walk's map ranging is not
		switch v := v.(type) {
		case map[string]any:
			if v["tag"] == "button" || v["tag"] == "select_static" {
				out = append(out, v)
				return
			}
			for _, k := range []string{"body", "elements", "columns"} {
				visit(v[k])
			}
		case []any:
			for _, c := range v {
				visit(c)
			}
		}
	}
	visit(card)
	return out
}

// Each control of a deal card sends back what ReadAction reads as the
// button's command, the menu's chosen command, or the form to open.
func TestDealCardActionsRoundTrip(t *testing.T) {
	card, size := roundTrip(t, Card(dealReply(), "%d more"))
	if card["schema"] != "2.0" || size > maxCardBytes {
		t.Fatalf("schema %v, %d bytes", card["schema"], size)
	}
	var tags []string
	for _, el := range card["body"].(map[string]any)["elements"].([]any) {
		tags = append(tags, el.(map[string]any)["tag"].(string))
	}
	if want := []string{"markdown", "markdown", "markdown", "column_set"}; !slices.Equal(tags, want) {
		t.Errorf("elements %v, want %v", tags, want)
	}
	md := card["body"].(map[string]any)["elements"].([]any)
	for i, want := range []string{
		"**Stage** Shortlisted 50%\n**Amount** ¥1,200,000\n**Next step** demo Friday",
		greyOpen + "Flags" + greyClose,
		"- No next step for 14 days\n- Close date passed",
	} {
		if got := md[i].(map[string]any)["content"]; got != want {
			t.Errorf("element %d: %q, want %q", i, got, want)
		}
	}
	type click struct {
		tag, kind, option string
		want              Action
	}
	clicks := []click{
		{"select_static", "", "/deal #12 stage proposal", Action{Command: "/deal #12 stage proposal"}},
		{"button", "default", "", Action{Form: bot.FormNext, DealID: 12}},
		{"button", "default", "", Action{Form: bot.FormCoach, DealID: 12}},
		{"button", "default", "", Action{Form: bot.FormEdit, DealID: 12}},
		{"select_static", "", "/deal #12 snooze 3d", Action{Command: "/deal #12 snooze 3d"}},
		{"button", "primary", "", Action{Command: "/deal #12 won"}},
		{"button", "danger", "", Action{Command: "/deal #12 lost"}},
	}
	got := controls(card)
	if len(got) != len(clicks) {
		t.Fatalf("%d controls, want %d: %v", len(got), len(clicks), got)
	}
	for i, c := range clicks {
		el := got[i]
		if el["tag"] != c.tag || c.kind != "" && el["type"] != c.kind {
			t.Errorf("control %d: %v %v, want %s %s", i, el["tag"], el["type"], c.tag, c.kind)
		}
		a, err := ReadAction(callbackValue(t, el), c.option, nil)
		if err != nil || !cmp.Equal(a, c.want) {
			t.Errorf("control %d: %+v, %v; want %+v", i, a, err, c.want)
		}
	}
	var values []string
	for _, o := range got[0]["options"].([]any) {
		values = append(values, o.(map[string]any)["value"].(string))
	}
	if want := []string{"/deal #12 stage qualify", "/deal #12 stage proposal"}; !slices.Equal(values, want) {
		t.Errorf("menu values %q, want %q (unique, none empty)", values, want)
	}
}

func editForm() bot.Form {
	return bot.Form{ID: bot.FormEdit, DealID: 12, Lang: "en", Title: "Edit #12", Submit: "Save",
		Intro: "#12 Acme <at id=all></at> — Shortlisted",
		Fields: []bot.FormField{
			{Key: "stage", Label: "Stage", Kind: bot.FieldSelect, Value: "proposal", Optional: true,
				Options: []bot.Field{{Label: "Qualified 10%", Value: "qualify"}, {Label: "Proposal 70%", Value: "proposal"}}},
			{Key: "amount", Label: "Amount <at id=all></at>", Hint: "e.g. 120k", Value: "¥1,200,000", Optional: true},
			{Key: "next_step", Label: "Next step", Kind: bot.FieldLongText, Value: "demo **Friday**"},
			{Key: "next_due", Label: "Due", Kind: bot.FieldDate, Value: "2026-12-10"},
			{Key: "close", Label: "Expected close", Kind: bot.FieldDate, Optional: true},
			{Key: "stage", Label: "a second stage: left out"},
			{Key: "", Label: "no key: left out"},
		}}
}

// byName finds a form control by its name.
func byName(card map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	walk(card, "", func(m map[string]any, _ string) {
		if n, ok := m["name"].(string); ok && m["tag"] != nil {
			out[n] = m
		}
	})
	return out
}

func TestFormCard(t *testing.T) {
	card, size := roundTrip(t, FormCard(editForm(), "Cancel"))
	if size > maxCardBytes || countTags(card) > maxTags {
		t.Fatalf("%d bytes, %d tags", size, countTags(card))
	}
	walk(card, "", func(m map[string]any, _ string) {
		if m["tag"] == "markdown" || m["tag"] == "lark_md" {
			t.Errorf("a form card reads no markup, yet has %v", m)
		}
	})
	if title := card["header"].(map[string]any)["title"]; !cmp.Equal(title, map[string]any{"tag": "plain_text", "content": "Edit #12"}) {
		t.Errorf("title %v", title)
	}
	els := byName(card)
	want := map[string]map[string]any{
		"stage": {"tag": "select_static", "required": false, "initial_option": "proposal"},
		"amount": {"tag": "input", "required": false, "default_value": "¥1,200,000",
			"label":       map[string]any{"tag": "plain_text", "content": "Amount <at id=all></at>"},
			"placeholder": map[string]any{"tag": "plain_text", "content": "e.g. 120k"}},
		"next_step": {"tag": "input", "required": true, "default_value": "demo **Friday**", "input_type": "multiline_text"},
		"next_due":  {"tag": "date_picker", "required": true, "initial_date": "2026-12-10"},
		"close":     {"tag": "date_picker", "required": false, "initial_date": nil},
		submitName:  {"tag": "button", "form_action_type": "submit"},
		formName:    {"tag": "form"},
	}
	if len(els) != len(want) {
		t.Errorf("named elements %v, want %d", slices.Sorted(maps.Keys(els)), len(want))
	}
	for name, fields := range want {
		for k, v := range fields {
			if got := els[name][k]; !cmp.Equal(got, v) {
				t.Errorf("%s.%s = %v, want %v", name, k, got, v)
			}
		}
	}
	// Were form_value left out (nothing filled in), the value still says it is a submission.
	if a, err := ReadAction(callbackValue(t, els[submitName]), "", nil); err != nil ||
		!cmp.Equal(a, Action{Form: bot.FormEdit, DealID: 12, Submit: true, Values: map[string]string{}}) {
		t.Errorf("submit: %+v, %v", a, err)
	}
	// The select's and date pickers' labels stand before them, plain.
	form := els[formName]["elements"].([]any)
	var shape []string
	for _, e := range form {
		e := e.(map[string]any)
		s := e["tag"].(string)
		if e["tag"] == "div" {
			s += ":" + e["text"].(map[string]any)["content"].(string)
		}
		shape = append(shape, s)
	}
	if want := []string{"div:Stage", "select_static", "input", "input", "div:Due", "date_picker", "div:Expected close", "date_picker", "column_set"}; !slices.Equal(shape, want) {
		t.Errorf("form elements %q, want %q", shape, want)
	}
	body := card["body"].(map[string]any)["elements"].([]any)
	intro, cancel := body[0].(map[string]any), body[len(body)-1].(map[string]any)
	if intro["text"].(map[string]any)["content"] != "#12 Acme <at id=all></at> — Shortlisted" || intro["text"].(map[string]any)["tag"] != "plain_text" {
		t.Errorf("intro %v", intro)
	}
	if cancel["text"].(map[string]any)["content"] != "Cancel" {
		t.Errorf("cancel %v", cancel)
	}
	if a, err := ReadAction(callbackValue(t, cancel), "", nil); err != nil || !cmp.Equal(a, Action{Command: "/deal #12"}) {
		t.Errorf("cancel: %+v, %v", a, err)
	}
}

// Submitting the form sends form_value by field name, as the
// form-container doc shows; ReadAction reads it into Values.
func TestReadActionFormSubmission(t *testing.T) {
	card, _ := roundTrip(t, FormCard(editForm(), "Cancel"))
	value := callbackValue(t, byName(card)[submitName])
	var formValue map[string]any
	json.Unmarshal([]byte(`{"stage": "qualify", "amount": "150万", "next_step": "send proposal\nthen call",
		"next_due": "2026-12-10 +0800", "close": "2027-01-31 -0500", "flag": true, "n": 3, "none": null}`), &formValue)
	a, err := ReadAction(value, "", formValue)
	want := Action{Form: bot.FormEdit, DealID: 12, Submit: true, Values: map[string]string{
		"stage": "qualify", "amount": "150万", "next_step": "send proposal\nthen call",
		"next_due": "2026-12-10", "close": "2027-01-31", "flag": "true", "n": "3", "none": ""}}
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, a); d != "" {
		t.Errorf("submission (-want +got):\n%s", d)
	}
}

func TestReadAction(t *testing.T) {
	dec := func(s string) map[string]any {
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		value  map[string]any
		option string
		form   map[string]any
		want   Action
	}{
		{"command", map[string]any{"cmd": " /deal #12 won "}, "", nil, Action{Command: "/deal #12 won"}},
		{"menu", map[string]any{"menu": true}, "/deal #12 snooze 3d", nil, Action{Command: "/deal #12 snooze 3d"}},
		{"form, deal as json.Number", dec(`{"form": "next", "deal": 7}`), "", nil, Action{Form: bot.FormNext, DealID: 7}},
		{"form, deal as digits", map[string]any{"form": "coach", "deal": "7"}, "", nil, Action{Form: bot.FormCoach, DealID: 7}},
		{"submission by form_value alone", map[string]any{"form": "next", "deal": 7.0}, "", map[string]any{"next_due": "2026-02-30 +0800"},
			Action{Form: bot.FormNext, DealID: 7, Submit: true, Values: map[string]string{"next_due": "2026-02-30 +0800"}}}, // not a date: as sent
		{"submission, plain date", dec(`{"form": "edit", "deal": 7, "submit": true}`), "", dec(`{"close": "2026-12-10", "n": 1.50}`),
			Action{Form: bot.FormEdit, DealID: 7, Submit: true, Values: map[string]string{"close": "2026-12-10", "n": "1.50"}}},
	} {
		a, err := ReadAction(tc.value, tc.option, tc.form)
		if err != nil || !cmp.Equal(a, tc.want) {
			t.Errorf("%s: %+v, %v; want %+v", tc.name, a, err, tc.want)
		}
	}
}

func TestReadActionRefusesMalformed(t *testing.T) {
	for name, tc := range map[string]struct {
		value  map[string]any
		option string
		form   map[string]any
	}{
		"nil":               {},
		"empty":             {value: map[string]any{}},
		"unknown key":       {value: map[string]any{"action": "won"}},
		"cmd not a string":  {value: map[string]any{"cmd": 12.0}},
		"cmd empty":         {value: map[string]any{"cmd": "  "}},
		"cmd too long":      {value: map[string]any{"cmd": strings.Repeat("x", maxCommand+1)}},
		"cmd not UTF-8":     {value: map[string]any{"cmd": "/deal \xff"}},
		"menu not true":     {value: map[string]any{"menu": "yes"}, option: "/deal #1 won"},
		"menu no option":    {value: map[string]any{"menu": true}},
		"form unknown":      {value: map[string]any{"form": "delete", "deal": 1.0}},
		"form not a string": {value: map[string]any{"form": 1.0, "deal": 1.0}},
		"form no deal":      {value: map[string]any{"form": "edit"}},
		"deal zero":         {value: map[string]any{"form": "edit", "deal": 0.0}},
		"deal negative":     {value: map[string]any{"form": "edit", "deal": "-3"}},
		"deal fraction":     {value: map[string]any{"form": "edit", "deal": 1.5}},
		"deal huge":         {value: map[string]any{"form": "edit", "deal": 1e300}},
		"deal words":        {value: map[string]any{"form": "edit", "deal": "twelve"}},
		"deal a list":       {value: map[string]any{"form": "edit", "deal": []any{1.0}}},
		"deal huge number":  {value: map[string]any{"form": "edit", "deal": json.Number("99999999999999999999")}},
		"field a list":      {value: map[string]any{"form": "edit", "deal": 1.0}, form: map[string]any{"stage": []any{"a"}}},
		"field an object":   {value: map[string]any{"form": "edit", "deal": 1.0}, form: map[string]any{"stage": map[string]any{}}},
	} {
		if a, err := ReadAction(tc.value, tc.option, tc.form); err == nil {
			t.Errorf("%s: read as %+v", name, a)
		}
	}
}

// FuzzReadAction feeds callbacks Lark could send, or anyone could forge
// past a broken signature check: ReadAction errs or returns a coherent
// action, and never panics.
func FuzzReadAction(f *testing.F) {
	f.Add([]byte(`{"cmd": "/deal #12 won"}`), "", []byte(``), false)
	f.Add([]byte(`{"menu": true}`), "/deal #12 snooze 3d", []byte(``), false)
	f.Add([]byte(`{"form": "edit", "deal": 12, "submit": true}`), "", []byte(`{"next_due": "2026-12-10 +0800", "stage": "qualify"}`), true)
	f.Fuzz(func(t *testing.T, value []byte, option string, form []byte, useNumber bool) {
		decode := func(raw []byte) map[string]any {
			d := json.NewDecoder(bytes.NewReader(raw))
			if useNumber {
				d.UseNumber()
			}
			var m map[string]any
			if d.Decode(&m) != nil {
				return nil
			}
			return m
		}
		a, err := ReadAction(decode(value), option, decode(form))
		if err != nil {
			if !cmp.Equal(a, Action{}) {
				t.Errorf("error %v with action %+v", err, a)
			}
			return
		}
		switch {
		case (a.Command == "") == (a.Form == ""):
			t.Errorf("neither or both command and form: %+v", a)
		case a.Command != "" && (a.Command != strings.TrimSpace(a.Command) || len(a.Command) > maxCommand || a.DealID != 0 || a.Submit):
			t.Errorf("command action %+v", a)
		case a.Form != "" && (a.DealID < 1 || !slices.Contains([]string{bot.FormEdit, bot.FormNext, bot.FormCoach}, a.Form)):
			t.Errorf("form action %+v", a)
		case a.Submit != (a.Values != nil):
			t.Errorf("values without submission, or the reverse: %+v", a)
		}
	})
}

// bigReply is a reply far past one card: 30 KB of text, 400 list lines,
// and escapes that grow in the JSON.
func bigReply() bot.Reply {
	var items []string
	for i := range 400 {
		items = append(items, fmt.Sprintf("#%d Customer %d — Shortlisted 50%% — ¥1,200,000 — next step: demo Friday", i, i))
	}
	return bot.Reply{Blocks: []bot.Block{
		{Kind: bot.HeaderBlock, Text: strings.Repeat("标题", 200)},
		{Kind: bot.TextBlock, Text: strings.Repeat("经信银行核心系统升级项目", 800)}, // 9,600 characters on one line
		{Kind: bot.ListBlock, Items: items},
		{Kind: bot.ContextBlock, Text: strings.Repeat("<at id=all></at>", 600)},
		{Kind: bot.FieldsBlock, Fields: []bot.Field{{Label: "Notes", Value: strings.Repeat("a&b\n", 3000)}}},
		dealReply().Blocks[4],
	}}
}

// contents are a card's markdown texts and control labels, in order.
func contents(card map[string]any) []string {
	var out []string
	for _, el := range card["body"].(map[string]any)["elements"].([]any) {
		el := el.(map[string]any)
		if c, ok := el["content"].(string); ok {
			out = append(out, c)
		}
		for _, c := range controls(el) {
			raw, _ := json.Marshal(c)
			out = append(out, string(raw))
		}
	}
	return out
}

func checkLimits(t *testing.T, name string, card map[string]any) {
	t.Helper()
	card, size := roundTrip(t, card)
	if size > maxCardBytes || countTags(card) > maxTags {
		t.Errorf("%s: %d bytes, %d tags", name, size, countTags(card))
	}
	checkMarkdownInert(t, name, card)
}

// A long reply is paged in order, every card within Lark's limits; past
// the cap, and in Card alone, it is cut with the note.
func TestCardsPageLongReplies(t *testing.T) {
	r := bigReply()
	_, units := renderReply(r)
	var all []string
	for _, u := range units {
		all = append(all, contents(map[string]any{"body": map[string]any{"elements": []any{u.el}}})...)
	}
	cards := Cards(r, "…and %d more", 100)
	if len(cards) < 3 {
		t.Fatalf("%d cards", len(cards))
	}
	var paged []string
	for i, c := range cards {
		checkLimits(t, fmt.Sprintf("card %d", i), c)
		if _, ok := c["header"]; ok != (i == 0) {
			t.Errorf("card %d: header %v", i, c["header"])
		}
		paged = append(paged, contents(c)...)
	}
	if d := cmp.Diff(all, paged); d != "" {
		t.Errorf("pages lose or reorder content (-all +paged):\n%s", d)
	}
	if !strings.Contains(strings.Join(paged, "\n"), "- &#35;399 Customer 399") {
		t.Error("the last list line is missing")
	}

	capped := Cards(r, "…and %d more", 2)
	shown := len(cards[0]["body"].(map[string]any)["elements"].([]any))
	last := capped[1]["body"].(map[string]any)["elements"].([]any)
	note := last[len(last)-1].(map[string]any)["content"].(string)
	if want := fmt.Sprintf("…and %d more", len(units)-shown-len(last)+1); len(capped) != 2 || !strings.Contains(note, want) {
		t.Errorf("capped at 2: %d cards, note %q, want %q", len(capped), note, want)
	}
	checkLimits(t, "capped", capped[1])

	one := Card(r, "…and %d more")
	checkLimits(t, "Card", one)
	els := one["body"].(map[string]any)["elements"].([]any)
	note = els[len(els)-1].(map[string]any)["content"].(string)
	if want := fmt.Sprintf("…and %d more", len(units)-len(els)+1); !strings.Contains(note, want) {
		t.Errorf("Card: note %q, want %q", note, want)
	}
}

// Past 200 elements a card is cut even when it is small.
func TestCardKeepsToTheElementLimit(t *testing.T) {
	var many []bot.Block
	for range 250 {
		many = append(many, bot.Block{Kind: bot.TextBlock, Text: "short"})
	}
	card := Card(bot.Reply{Blocks: many}, "…and %d more")
	els := card["body"].(map[string]any)["elements"].([]any)
	if n := countTags(card); n != maxTags || len(els) != maxTags {
		t.Errorf("%d tags in %d elements", n, len(els))
	}
	if note := els[len(els)-1].(map[string]any)["content"].(string); !strings.Contains(note, "…and 51 more") {
		t.Errorf("note %q", note)
	}
	if cards := Cards(bot.Reply{Blocks: many}, "%d", 5); len(cards) != 2 {
		t.Errorf("250 texts in %d cards", len(cards))
	}
	if cards := Cards(bot.Reply{}, "%d", 5); len(cards) != 1 || countTags(cards[0]) != 0 {
		t.Errorf("empty reply: %v", cards)
	}
}

// A form with many long fields is trimmed from the end to fit one card.
func TestFormCardFitsLimits(t *testing.T) {
	f := bot.Form{ID: bot.FormCoach, DealID: 3, Title: "Coach", Submit: "Save"}
	for i := range 120 {
		f.Fields = append(f.Fields, bot.FormField{Key: fmt.Sprintf("q%d", i), Label: strings.Repeat("问", 400),
			Kind: bot.FieldLongText, Value: strings.Repeat("答", 2000)})
	}
	card, size := roundTrip(t, FormCard(f, "Cancel"))
	names := byName(card)
	if size > maxCardBytes || countTags(card) > maxTags || names["q0"] == nil || names[submitName] == nil {
		t.Errorf("%d bytes, %d tags, %d names", size, countTags(card), len(names))
	}
	kept := len(names) - 2 // the form and its submit button
	var groups [][]any
	for _, fd := range f.Fields[:kept+1] {
		groups = append(groups, formField(fd))
	}
	raw, _ := json.Marshal(formCard(f, "Cancel", groups))
	if len(raw) <= maxCardBytes {
		t.Errorf("kept %d fields, yet %d fit in %d bytes", kept, kept+1, len(raw))
	}
}

// Attributes as documented per tag (the "字段说明" tables under
// open.feishu.cn/document/feishu-cards/card-json-v2-components/…): JSON
// 2.0 refuses any other ("传入不支持的属性将报错",
// card-json-v2-breaking-changes-release-notes).
var documented = map[string][]string{
	"markdown":      {"tag", "element_id", "margin", "content", "text_size", "text_align", "icon"},
	"plain_text":    {"tag", "content", "text_size", "text_color", "text_align", "lines"},
	"div":           {"tag", "element_id", "margin", "width", "text", "icon"},
	"column_set":    {"tag", "element_id", "margin", "horizontal_spacing", "horizontal_align", "flex_mode", "background_style", "action", "columns"},
	"column":        {"tag", "element_id", "background_style", "width", "weight", "horizontal_spacing", "horizontal_align", "vertical_align", "vertical_spacing", "direction", "padding", "margin", "action", "elements"},
	"button":        {"tag", "element_id", "margin", "type", "size", "width", "text", "icon", "hover_tips", "disabled", "disabled_tips", "confirm", "behaviors", "name", "form_action_type"},
	"select_static": {"tag", "element_id", "margin", "type", "name", "required", "disabled", "initial_option", "initial_index", "placeholder", "width", "behaviors", "options", "confirm"},
	"input":         {"tag", "element_id", "margin", "name", "required", "disabled", "disabled_tips", "placeholder", "default_value", "width", "behaviors", "max_length", "input_type", "rows", "auto_resize", "max_rows", "show_icon", "label", "label_position", "value", "confirm"},
	"date_picker":   {"tag", "element_id", "margin", "name", "required", "disabled", "width", "behaviors", "initial_date", "placeholder", "value", "confirm"},
	"form":          {"tag", "element_id", "direction", "horizontal_spacing", "vertical_spacing", "horizontal_align", "vertical_align", "padding", "margin", "name", "elements"},
}

// nests are the parent → child tags the nesting rules allow ("嵌套规则":
// buttons, selects, inputs and date pickers in columns and forms; the
// form only at the root; columns only in a column_set).
var nests = map[string][]string{
	"":           {"markdown", "div", "column_set", "form", "button", "plain_text"},
	"column_set": {"column"},
	"column":     {"button", "select_static", "markdown", "div"},
	"form":       {"input", "select_static", "date_picker", "div", "column_set", "markdown"},
}

// docForm is the form-container doc's JSON 2.0 example (its comments
// dropped): our form card must have its shape.
const docForm = `{"schema": "2.0", "body": {"elements": [{"tag": "form", "name": "form_1", "elements": [
  {"tag": "input", "name": "reason", "required": true},
  {"tag": "column_set", "columns": [
    {"tag": "column", "width": "auto", "elements": [{"tag": "button", "type": "primary", "text": {"tag": "plain_text", "content": "提交"},
      "behaviors": [{"type": "callback", "value": {"key": "value"}}], "form_action_type": "submit", "name": "Button_m8pn9lbf"}]},
    {"tag": "column", "width": "auto", "elements": [{"tag": "button", "type": "default", "text": {"tag": "plain_text", "content": "取消"},
      "form_action_type": "reset", "name": "Button_m8pn9lbg"}]}]}]}]}}`

// checkDocumented fails on a tag, an attribute or a nesting the docs do
// not have.
func checkDocumented(t *testing.T, name string, card map[string]any) {
	t.Helper()
	for k := range card {
		if !slices.Contains([]string{"schema", "config", "card_link", "header", "body"}, k) {
			t.Errorf("%s: card attribute %q", name, k)
		}
	}
	walk(card, "", func(m map[string]any, parent string) {
		tag, ok := m["tag"].(string)
		if !ok {
			return
		}
		keys, known := documented[tag]
		if !known {
			t.Errorf("%s: undocumented tag %q", name, tag)
		}
		for k := range m {
			if !slices.Contains(keys, k) {
				t.Errorf("%s: %s has undocumented %q", name, tag, k)
			}
		}
		if tag != "plain_text" && !slices.Contains(nests[parent], tag) {
			t.Errorf("%s: %s inside %q", name, tag, parent)
		}
	})
}

func TestCardsKeepToDocumentedShapes(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(docForm), &doc); err != nil {
		t.Fatal(err)
	}
	checkDocumented(t, "the doc's form", doc)
	checkDocumented(t, "deal card", Card(dealReply(), "%d more"))
	checkDocumented(t, "form card", FormCard(editForm(), "Cancel"))
	for i, c := range Cards(bigReply(), "%d more", 2) {
		checkDocumented(t, fmt.Sprintf("page %d", i), c)
	}
	// The submit button sits as in the doc: form > column_set > column.
	if got, want := submitPath(FormCard(editForm(), "Cancel")), submitPath(doc); got != want || want != "form/column_set/column" {
		t.Errorf("submit button in %q, the doc's in %q", got, want)
	}
	for name, c := range map[string]map[string]any{"deal card": Card(dealReply(), "%d"), "form card": FormCard(editForm(), "Cancel")} {
		if d := depth(c); d > 5 { // components nest at most five deep (FAQ)
			t.Errorf("%s: nested %d deep", name, d)
		}
		for k := range c["config"].(map[string]any) {
			if !slices.Contains([]string{"streaming_mode", "streaming_config", "summary", "locales", "enable_forward", "update_multi",
				"width_mode", "use_custom_translation", "enable_forward_interaction", "style"}, k) {
				t.Errorf("%s: config has %q", name, k)
			}
		}
		for k := range c["header"].(map[string]any) {
			if !slices.Contains([]string{"title", "subtitle", "text_tag_list", "i18n_text_tag_list", "template", "icon", "padding"}, k) {
				t.Errorf("%s: header has %q", name, k)
			}
		}
	}
}

// depth is how deep tagged objects nest in v.
func depth(v any) int {
	d := 0
	switch v := v.(type) {
	case map[string]any:
		for _, c := range v {
			d = max(d, depth(c))
		}
		if _, ok := v["tag"]; ok && v["tag"] != "plain_text" {
			d++
		}
	case []any:
		for _, c := range v {
			d = max(d, depth(c))
		}
	}
	return d
}

// submitPath is the tags enclosing a card's submit button.
func submitPath(card map[string]any) string {
	var found string
	var visit func(v any, path []string)
	visit = func(v any, path []string) {
		switch v := v.(type) {
		case map[string]any:
			if v["form_action_type"] == "submit" {
				found = strings.Join(path, "/")
			}
			if tag, ok := v["tag"].(string); ok {
				path = append(path[:len(path):len(path)], tag)
			}
			for _, c := range v {
				visit(c, path)
			}
		case []any:
			for _, c := range v {
				visit(c, path)
			}
		}
	}
	visit(card, nil)
	return found
}
