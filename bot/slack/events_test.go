package slack

import (
	"encoding/json"
	"strings"
	"testing"
)

// Rich text blocks read as the text field would be, the bot's mention
// dropped wherever it is and people's kept.
func TestRichTextAndTheBotsMention(t *testing.T) {
	blocks := `[{"type":"rich_text","elements":[
		{"type":"rich_text_section","elements":[{"type":"user","user_id":"UBOT"},{"type":"text","text":" /deal team add "},{"type":"user","user_id":"U2"},{"type":"text","text":" a<b & c "},{"type":"emoji","name":"tada"}]},
		{"type":"rich_text_list","style":"bullet","elements":[{"type":"rich_text_section","elements":[{"type":"link","url":"https://x.io","text":"deck"}]}]},
		{"type":"rich_text_preformatted","elements":[{"type":"text","text":"code"}]}]},
		{"type":"section","text":{"type":"mrkdwn","text":"not rich text"}}]`
	got := richText(json.RawMessage(blocks))
	want := "<@UBOT> /deal team add <@U2> a&lt;b &amp; c :tada:\n- <https://x.io|deck>\ncode"
	if got != want {
		t.Fatalf("richText = %q, want %q", got, want)
	}
	if got := PlainFrom(got, "UBOT"); got != "/deal team add <@U2> a<b & c :tada:\n- deck\ncode" {
		t.Errorf("PlainFrom = %q", got)
	}
	for _, c := range []struct{ in, want string }{
		{"<@U2> owns <@UBOT|dealcoach>: #1", "@U2 owns #1"},
		{"<@UBOT2> is not the bot", "@UBOT2 is not the bot"},
		{"<@UBOT>: new Acme 10k", "new Acme 10k"},
	} {
		if got := PlainFrom(c.in, "UBOT"); got != c.want {
			t.Errorf("PlainFrom(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if richText(json.RawMessage(`{"not":"a list"}`)) != "" || richText(nil) != "" {
		t.Error("malformed blocks read")
	}
}

// What is not a person talking to the bot is ignored, and says why; the
// message identity is (channel, ts) whatever the event id.
func TestReadEventIgnoresWhatIsNotAPersonTalking(t *testing.T) {
	ev := func(inner string, outer ...string) []byte {
		o := `"team_id":"T1","authorizations":[{"team_id":"T1","user_id":"UBOT","is_bot":true}]`
		if len(outer) > 0 {
			o = outer[0]
		}
		return []byte(`{"type":"event_callback","event_id":"Ev1",` + o + `,"event":` + inner + `}`)
	}
	for _, c := range []struct {
		name, body string
		ignored    bool
		text       string
		external   bool
	}{
		{"DM", `{"type":"message","channel":"D1","channel_type":"im","user":"U1","text":"list","ts":"1.1"}`, false, "list", false},
		{"file_share", `{"type":"message","subtype":"file_share","channel":"D1","channel_type":"im","user":"U1","text":"new Beta 5k","ts":"1.2"}`, false, "new Beta 5k", false},
		{"file without caption", `{"type":"message","subtype":"file_share","channel":"D1","channel_type":"im","user":"U1","text":"","ts":"1.3"}`, true, "", false},
		{"thread_broadcast", `{"type":"message","subtype":"thread_broadcast","channel":"D1","channel_type":"im","user":"U1","text":"#1 won","ts":"1.4","thread_ts":"1.1"}`, false, "#1 won", false},
		{"me_message", `{"type":"message","subtype":"me_message","channel":"D1","channel_type":"im","user":"U1","text":"list","ts":"1.5"}`, false, "list", false},
		{"message_changed", `{"type":"message","subtype":"message_changed","channel":"D1","channel_type":"im","ts":"1.6","message":{"user":"U1","text":"#1 won","ts":"1.1"}}`, true, "", false},
		{"message_deleted", `{"type":"message","subtype":"message_deleted","channel":"D1","channel_type":"im","ts":"1.7","deleted_ts":"1.1"}`, true, "", false},
		{"bot_message", `{"type":"message","subtype":"bot_message","channel":"D1","channel_type":"im","bot_id":"B2","text":"list","ts":"1.8"}`, true, "", false},
		{"a bot with a user", `{"type":"message","channel":"D1","channel_type":"im","user":"U9","bot_id":"B9","text":"list","ts":"1.9"}`, true, "", false},
		{"our bot user", `{"type":"message","channel":"D1","channel_type":"im","user":"UBOT","text":"list","ts":"1.10"}`, true, "", false},
		{"channel_join", `{"type":"message","subtype":"channel_join","channel":"C1","channel_type":"channel","user":"U2","text":"<@U2> has joined","ts":"1.11"}`, true, "", false},
		{"channel message", `{"type":"message","channel":"C1","channel_type":"channel","user":"U1","text":"list","ts":"1.12"}`, true, "", false},
		{"mention in a DM", `{"type":"app_mention","channel":"D1","user":"U1","text":"<@UBOT> list","ts":"1.13"}`, true, "", false},
		{"mention", `{"type":"app_mention","channel":"C1","user":"U1","text":"<@UBOT> list","ts":"1.14"}`, false, "list", false},
		{"reaction", `{"type":"reaction_added","user":"U1","reaction":"tada"}`, true, "", false},
		{"Slack Connect", `{"type":"app_mention","channel":"C2","user":"U7","user_team":"T7","text":"<@UBOT> list","ts":"1.15"}`, false, "list", true},
		{"Slack Connect, team field", `{"type":"message","channel":"D7","channel_type":"im","user":"U7","team":"T7","text":"list","ts":"1.16"}`, false, "list", true},
		{"our own team", `{"type":"message","channel":"D1","channel_type":"im","user":"U1","user_team":"T1","text":"list","ts":"1.17"}`, false, "list", false},
	} {
		in, why, err := readEvent(ev(c.body))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if (why != "") != c.ignored || (!c.ignored && (in.text != c.text || in.external != c.external)) {
			t.Errorf("%s: why %q, text %q, external %v", c.name, why, in.text, in.external)
		}
	}
	in, _, _ := readEvent(ev(`{"type":"message","channel":"D1","channel_type":"im","user":"U1","text":"list","ts":"1.1"}`))
	if in.key() != "msg:D1:1.1" {
		t.Errorf("key %q", in.key())
	}
	// An organisation-wide install: another workspace of the organisation
	// is internal, unless the channel is shared with another organisation.
	grid := `"team_id":"T1","enterprise_id":"E1","authorizations":[{"enterprise_id":"E1","team_id":null,"user_id":"UBOT","is_bot":true,"is_enterprise_install":true}]`
	mention := `{"type":"app_mention","channel":"C3","user":"U3","user_team":"T3","text":"<@UBOT> list","ts":"2.1"}`
	if in, _, _ := readEvent(ev(mention, grid)); in.external {
		t.Error("a workspace of the organisation taken as external")
	}
	if in, _, _ := readEvent(ev(mention, grid+`,"is_ext_shared_channel":true`)); !in.external {
		t.Error("another organisation in a shared channel taken as internal")
	}
	// Without authorizations, authed_users names the bot.
	if in, _, _ := readEvent(ev(`{"type":"app_mention","channel":"C1","user":"U1","text":"<@U2> owns <@UB>","ts":"3.1"}`, `"team_id":"T1","authed_users":["UB"]`)); strings.Contains(in.text, "UB") || !strings.Contains(in.text, "@U2") {
		t.Errorf("authed_users: %q", in.text)
	}
}
