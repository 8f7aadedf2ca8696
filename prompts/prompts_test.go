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

func TestBuiltinPlaybooks(t *testing.T) {
	want := map[string]string{
		"seven-step": "prospect interest approved shortlist contract won",
		"project-8":  "met found confirmed criteria proposal commit accept paid",
	}
	for _, k := range BuiltinPlaybooks() {
		p, err := LoadPlaybook(k)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, s := range p.Stages {
			keys = append(keys, s.Key)
		}
		if got := strings.Join(keys, " "); got != want[k] {
			t.Errorf("%s stages = %q, want %q", k, got, want[k])
		}
		if last := p.Stages[len(p.Stages)-1]; last.WinRate != 100 {
			t.Errorf("%s: final stage win rate %d", k, last.WinRate)
		}
	}
}

func TestPlaybookErrorsNameTheLine(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"key: x\nstages:\n  - key: a\n    name: {zh: 甲, en: A}\n    win_rate: 10\n  - key: a\n    name: {zh: 乙, en: B}\n    win_rate: 20\n",
			`bad.yaml: line 6: stage key "a" already used on line 3`},
		{"key: x\nstages:\n  - key: a\n    name: {zh: 甲, en: A}\n    win_rate: 10\n  - key: b\n    name: {zh: 乙, en: B}\n    win_rate: 120\n",
			"bad.yaml: line 6: stage b: win_rate 120 is not within 0–100"},
		{"key: x\nstages:\n  - key: a\n    name: {zh: 甲}\n    win_rate: 10\n  - key: b\n    name: {zh: 乙, en: B}\n",
			"bad.yaml: line 3: stage a needs a name in zh and en"},
		{"key: x\nstages: [\n", "bad.yaml: yaml: line 2"},
		{"key: x\nstage:\n", "bad.yaml: yaml: unmarshal errors:\n  line 2: field stage not found"},
	}
	for _, tt := range tests {
		_, err := ParsePlaybook("bad.yaml", []byte(tt.yaml))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("error = %v, want prefix %q", err, tt.want)
		}
	}
}
