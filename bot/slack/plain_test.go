package slack

import "testing"

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
