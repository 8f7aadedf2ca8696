package slack

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/slack-go/slack"

	"github.com/dealcoach/dealcoach/bot"
)

// FuzzDecode feeds anything to what reads Slack's payloads after the
// signature check (events, slash commands, interactions, stored rows, and
// the text markup): nothing may panic.
//
//	go test -run=NONE -fuzz=FuzzDecode -fuzztime=60s ./bot/slack/
func FuzzDecode(f *testing.F) {
	f.Add([]byte(eventBody("Ev1", mention("U1", "C1", "Acme moved to shortlist", "1515449522.000016"))))
	f.Add([]byte(eventBody("Ev2", dm("U1", "D1", "new deal <https://x|Acme> &amp; co", "1355517523.000005"))))
	f.Add([]byte(`{"type":"block_actions","team":{"id":"T1"},"user":{"id":"U1"},"channel":{"id":"C1"},"trigger_id":"1.2","actions":[{"action_id":"menu-1-0","block_id":"b","type":"static_select","selected_option":{"value":"/deal #1 won"}}],"message":{"ts":"1.1"}}`))
	f.Add([]byte(`{"type":"view_submission","user":{"id":"U1"},"view":{"id":"V1","hash":"h","private_metadata":"{\"f\":\"edit\",\"d\":1,\"c\":\"C1\"}","state":{"values":{"amount":{"v":{"type":"plain_text_input","value":"150k"}}}}}}`))
	f.Add([]byte(`{"team_id":"T1","channel_id":"C1","user_id":"U1","command":"/deal","text":"#1 won","trigger_id":"1"}`))
	f.Add([]byte("token=x&team_id=T1&channel_id=C1&user_id=U1&command=%2Fdeal&text=%231+won"))
	f.Add([]byte("<@U0LAN0Z89> <!here|here> <#C1|sales> <mailto:a@b|a@b> &lt;b&gt;"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a := &Adapter{}
		a.eventTask("k", data)
		a.actionTask("k", data)
		a.viewTask("k", data)
		a.commandTask("k", data)
		// The command's reader is url.ParseQuery's, field for field.
		got, err := readCommand(string(data))
		form, ferr := url.ParseQuery(string(data))
		if (err == nil) != (ferr == nil) || err == nil && got != slashCommand(form) {
			t.Fatalf("readCommand(%q) = %+v, %v; url.ParseQuery: %+v, %v", data, got, err, slashCommand(form), ferr)
		}
		Plain(string(data))
		PlainCommand(string(data))
		if _, err := a.decode("k", "event", data); err != nil {
			return
		}
	})
}

// slashCommand is the command as url.ParseQuery's values give it: the
// reference readCommand is checked against.
func slashCommand(f url.Values) slack.SlashCommand {
	return slack.SlashCommand{
		TeamID: f.Get("team_id"), TeamDomain: f.Get("team_domain"), EnterpriseID: f.Get("enterprise_id"),
		ChannelID: f.Get("channel_id"), ChannelName: f.Get("channel_name"),
		UserID: f.Get("user_id"), UserName: f.Get("user_name"),
		Command: f.Get("command"), Text: f.Get("text"),
		ResponseURL: f.Get("response_url"), TriggerID: f.Get("trigger_id"), APIAppID: f.Get("api_app_id"),
	}
}

func TestReadCommandAsParseQuery(t *testing.T) {
	for _, body := range []string{
		"token=x&team_id=T1&channel_id=C1&user_id=U1&command=%2Fdeal&text=%231+won&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1&trigger_id=1.2.3",
		"text=first&text=second&user_id=U1&&channel_id=C1&command=/deal",
		"text=a;b&user_id=U1", "text=%zz&user_id=U1", "%zz=1&user_id=U1", "user_id", "=x", "", "&&&",
		"user_id=U1&enterprise_id=E1&team_domain=d&channel_name=c&user_name=u&api_app_id=A1&text=+%E4%B8%AD+",
	} {
		got, err := readCommand(body)
		form, ferr := url.ParseQuery(body)
		if (err == nil) != (ferr == nil) || err == nil && got != slashCommand(form) {
			t.Errorf("readCommand(%q) = %+v, %v; url.ParseQuery: %+v, %v", body, got, err, slashCommand(form), ferr)
		}
	}
}

// A command's answer encodes as the slack.Msg it stands for, byte for
// byte, for the messages the adapter builds: a refusal or "working on
// it", and a reply's pages.
func TestCommandAnswerEncodesAsMsg(t *testing.T) {
	a := newHarness(t).a
	r := bot.Reply{Blocks: []bot.Block{{Kind: bot.HeaderBlock, Text: "Acme"}, {Kind: bot.TextBlock, Text: "*Amount* ¥120,000 <b> & \"q\""},
		{Kind: bot.TextBlock, Fields: []bot.Field{{Label: "Stage", Value: "立项"}}, Buttons: []bot.Button{{Label: "Won", Value: "/deal #1 won", Style: "primary"}}}}}
	msgs := append(a.responses(r), &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: fallback(r)})
	for _, m := range msgs {
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(answerOf(m))
		if err != nil || string(got) != string(want) {
			t.Fatalf("answer %s, %v; slack.Msg %s", got, err, want)
		}
	}
}
