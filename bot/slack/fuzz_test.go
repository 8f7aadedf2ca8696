package slack

import (
	"net/url"
	"testing"
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
		if form, err := url.ParseQuery(string(data)); err == nil {
			slashCommand(form)
		}
		Plain(string(data))
		PlainCommand(string(data))
		if _, err := a.decode("k", "event", data); err != nil {
			return
		}
	})
}
