package prompts

import (
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
