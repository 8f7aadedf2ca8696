package prompts

import (
	"fmt"
	"maps"
	"strings"
	"testing"
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
			if err := c.msgs[lang][k].Execute(&b, nil); err != nil {
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
		for k := range c.msgs[lang] {
			if _, plain := c.plain[lang][k]; !plain && len(c.Args(lang, k)) == 0 && !strings.Contains(c.msgs[lang][k].Root.String(), "{{") {
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
			if _, ok := fill(segs, args); !ok {
				t.Errorf("%s:%s: the shortcut is not taken with string arguments", lang, k)
			}
			run := func(args map[string]any) string {
				var b strings.Builder
				if err := c.msgs[lang][k].Execute(&b, args); err != nil {
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
