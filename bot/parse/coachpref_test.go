package parse

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCoachPref(t *testing.T) {
	c := testContext(t, "seven-step")
	pref := func(lang string, now bool) Command {
		return Command{Kind: Pref, Lang: lang, Pref: &CoachPref{Now: now}}
	}
	for _, tt := range []struct {
		in   string
		want Command
	}{
		{"coach me right away", pref("en", true)},
		{"Coach on!", pref("en", true)},
		{"coach off", pref("en", false)},
		{"offer coaching", pref("en", false)},
		{"立即辅导", pref("zh", true)},
		{"立即辅导。", pref("zh", true)},
		{"不要立即辅导", pref("zh", false)},
		{"先别问我", pref("zh", false)},
	} {
		if diff := cmp.Diff(tt.want, Parse(tt.in, c)); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.in, diff)
		}
	}
	for _, in := range []string{"coach Acme", "coach on #12", "辅导 #12"} {
		if cmd := Parse(in, c); cmd.Kind == Pref {
			t.Errorf("%q read as a preference", in)
		}
	}
}
