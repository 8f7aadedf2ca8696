package bot

import "testing"

// The refusal to another organisation is in the language its text is
// written in, else the default (moved from the Slack adapter's GuessLang).
func TestExternalRefusalLanguage(t *testing.T) {
	h := newHarness(t)
	for in, want := range map[string]string{"Acme 怎么样了": "zh", "show #1": "en", "#1 ?": "def", "": "def"} {
		if got := ExternalRefusal(h.bot.cfg.Catalog, in, "def").Lang; got != want {
			t.Errorf("ExternalRefusal(%q).Lang = %q, want %q", in, got, want)
		}
	}
}
