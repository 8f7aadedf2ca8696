package prompts

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"text/template"
)

func TestCatalogComplete(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if m := c.Missing(); len(m) > 0 {
		t.Fatalf("missing translations: %v", m)
	}
	for _, k := range c.Keys() {
		zh, en := c.Args("zh", k), c.Args("en", k)
		if strings.Join(zh, ",") != strings.Join(en, ",") {
			t.Errorf("%s: zh takes %v, en takes %v", k, zh, en)
		}
		args := map[string]any{}
		for _, a := range en {
			args[a] = 2
		}
		for _, lang := range Langs() {
			if got := c.Text(lang, k, args); got == k || got == "" || strings.Contains(got, "<no value>") {
				t.Errorf("%s:%s renders %q", lang, k, got)
			}
		}
	}
}

// mustTemplate is message k's template in lang.
func mustTemplate(t *testing.T, c *Catalog, lang, k string) *template.Template {
	t.Helper()
	tm, ok := c.template(lang, k)
	if !ok {
		t.Fatalf("%s:%s: no template", lang, k)
	}
	return tm
}

// Only the messages that need text/template keep one compiled; the
// others (plain text, or text and string arguments) are compiled again
// when a template is asked for, the same.
func TestCatalogKeepsTemplatesOnlyWhereNeeded(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Langs() {
		for k := range c.src[lang] {
			_, plain := c.plain[lang][k]
			_, fields := c.fields[lang][k]
			_, kept := c.msgs[lang][k]
			if kept == (plain || fields) {
				t.Errorf("%s:%s: plain %v, fields %v, template kept %v", lang, k, plain, fields, kept)
			}
		}
		if len(c.msgs[lang])*5 > len(c.src[lang]) {
			t.Errorf("%s: %d of %d templates kept", lang, len(c.msgs[lang]), len(c.src[lang]))
		}
	}
}

// TestPlainMessagesRenderAsTemplates checks the shortcut Text takes for
// messages without actions against running their templates, in every
// language, and that an unknown language still falls back to English.
func TestPlainMessagesRenderAsTemplates(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, lang := range Langs() {
		for k, text := range c.plain[lang] {
			n++
			var b strings.Builder
			if err := mustTemplate(t, c, lang, k).Execute(&b, nil); err != nil {
				t.Fatalf("%s:%s: %v", lang, k, err)
			}
			if want := strings.TrimRight(b.String(), "\n"); text != want {
				t.Errorf("%s:%s: plain %q, template %q", lang, k, text, want)
			}
			if lang == "en" {
				if got := c.Text("fr", k, nil); got != text {
					t.Errorf("fr:%s = %q, want the English %q", k, got, text)
				}
			}
		}
		for k := range c.src[lang] {
			if _, plain := c.plain[lang][k]; !plain && len(c.Args(lang, k)) == 0 && !strings.Contains(mustTemplate(t, c, lang, k).Root.String(), "{{") {
				t.Errorf("%s:%s has no actions but is not plain", lang, k)
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d plain messages: the shortcut is not taken", n)
	}
}

// TestFieldMessagesRenderAsTemplates checks the shortcut Text takes for
// messages that only put arguments in text against running their
// templates: with every argument a string (the shortcut), with one
// missing or not a string (the template runs), in every language.
func TestFieldMessagesRenderAsTemplates(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, lang := range Langs() {
		for k, segs := range c.fields[lang] {
			n++
			args := map[string]any{}
			for i, a := range c.Args(lang, k) {
				args[a] = fmt.Sprintf("<%s %d & \n{{.x}}>", a, i)
			}
			if _, ok := fill(segs, mapArg(args)); !ok {
				t.Errorf("%s:%s: the shortcut is not taken with string arguments", lang, k)
			}
			run := func(args map[string]any) string {
				var b strings.Builder
				if err := mustTemplate(t, c, lang, k).Execute(&b, args); err != nil {
					t.Fatalf("%s:%s: %v", lang, k, err)
				}
				return strings.TrimRight(b.String(), "\n")
			}
			if got, want := c.Text(lang, k, args), run(args); got != want {
				t.Errorf("%s:%s: %q, template %q", lang, k, got, want)
			}
			for a := range args {
				other := maps.Clone(args)
				other[a] = 42
				if got, want := c.Text(lang, k, other), run(other); got != want {
					t.Errorf("%s:%s with %s=42: %q, template %q", lang, k, a, got, want)
				}
				delete(other, a)
				if got, want := c.Text(lang, k, other), run(other); got != want {
					t.Errorf("%s:%s without %s: %q, template %q", lang, k, a, got, want)
				}
				break
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d fields-only messages: the shortcut is not taken", n)
	}
}

// A template compiled again is compiled once: later askers, concurrent
// ones included, get the same.
func TestCatalogCompilesAgainOnce(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	var key string
	for k := range c.fields["en"] {
		key = k
		break
	}
	got := make(chan *template.Template, 8)
	for range 8 {
		go func() { tm, _ := c.template("en", key); got <- tm }()
	}
	first := <-got
	for range 7 {
		if tm := <-got; tm != first || tm == nil {
			t.Fatalf("%s: templates %p and %p", key, first, tm)
		}
	}
	if tm, ok := c.template("en", "no.such.key"); ok || tm != nil {
		t.Errorf("an unknown key has a template")
	}
}

// TextPairs says what Text says given the map of the same pairs, for
// every message: with string arguments (the shortcut), a number among
// them, a name given twice (the last counts, as in the map) and a name
// that is not a string.
func TestTextPairsIsTextOfTheirMap(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range append(Langs(), "fr") {
		for _, k := range c.Keys() {
			names := c.Args("en", k)
			var strs []any
			for i, a := range names {
				strs = append(strs, a, fmt.Sprintf("<%s %d>", a, i))
			}
			cases := [][]any{strs, append(append([]any{}, strs...), "n", 3)}
			if len(names) > 0 {
				cases = append(cases,
					append([]any{names[0], 42}, strs...),                // a number, then overridden by a string
					append(append([]any{}, strs...), names[0], "again"), // given twice: the last
					append([]any{fmt.Stringer(nameOf(names[0]))}, "x"),  // a name that is not a string
				)
			}
			for _, pairs := range cases {
				if got, want := c.TextPairs(lang, k, pairs...), c.Text(lang, k, argMap(pairs)); got != want {
					t.Errorf("%s:%s %v: %q, Text %q", lang, k, pairs, got, want)
				}
			}
		}
	}
}

// nameOf is an argument name that is not a string.
type nameOf string

func (n nameOf) String() string { return string(n) }
