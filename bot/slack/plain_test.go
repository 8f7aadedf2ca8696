package slack

import (
	"strings"
	"testing"
)

func TestPlainKeepsMentionsInCommands(t *testing.T) {
	for _, c := range []struct {
		in, want string
		command  bool
	}{
		{"<@UBOT> Acme moved to shortlist", "Acme moved to shortlist", false},
		{"call <@U2|bob> &amp; <#C1|sales> re <https://x.io|the deck>", "call @bob & #sales re the deck", false},
		{"<@UBOT> /deal team add <@U1> <@U2|bob>", "/deal team add <@U1> <@U2|bob>", false},
		{"team add <@U1|a&amp;b> and <#C1|sales>", "team add <@U1|a&b> and #sales", true},
		{"team add @alice", "team add @alice", true},
		{"new Acme &lt;b&gt; 10k", "new Acme <b> 10k", true},
	} {
		got := Plain(c.in)
		if c.command {
			got = PlainCommand(c.in)
		}
		if got != c.want {
			t.Errorf("plain(%q, %v) = %q, want %q", c.in, c.command, got, c.want)
		}
	}
}

// FuzzPlainSkipsExpressionsWithoutMarkup holds plainText's shortcut to
// what it rests on: neither expression matches a text with no "<", so
// skipping them changes nothing.
func FuzzPlainSkipsExpressionsWithoutMarkup(f *testing.F) {
	for _, s := range []string{"new Acme 50k", "@bob: #3 won", "a &lt;b&gt; c", "\x00U1\x01", "", "<@U1> hi", "新 华为 5万"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Contains(s, "<") {
			return
		}
		if leadingMention.MatchString(s) || markup.MatchString(s) {
			t.Fatalf("%q has no markup but an expression matches it", s)
		}
		for _, command := range []bool{false, true} {
			if got, want := plainText(s, command, true), finishPlain(s, command || strings.HasPrefix(strings.TrimSpace(s), "/deal")); got != want {
				t.Fatalf("plainText(%q, %v) = %q, want %q", s, command, got, want)
			}
		}
	})
}
