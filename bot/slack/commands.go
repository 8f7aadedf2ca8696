package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/adapter/work"
)

// serveCommand answers a slash command: recorded, handled, and answered in
// the response when that takes less than AckWithin (nearly always), else
// acknowledged at once and answered through the response URL.
func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request, body []byte) {
	sc, err := readCommand(string(body))
	if err != nil {
		http.Error(w, "malformed command", http.StatusBadRequest)
		return
	}
	if sc.UserID == "" || sc.ChannelID == "" || sc.Command == "" {
		http.Error(w, "malformed command", http.StatusBadRequest)
		return
	}
	a.command(r.Context(), sc, func(msg *slack.Msg) { // called once
		writeAnswer(w, msg, &a.answers)
		// The whole answer, with its length, now: the handler may go on
		// working after a "working on it", and Slack must not wait for it.
		http.NewResponseController(w).Flush()
	})
}

// readCommand reads the form Slack posts (slack.SlashCommandParse wants
// the request, whose body the verifier has already read) in one pass into
// the command's fields, without url.ParseQuery's map of slices: the first
// value of a field wins, as with url.Values.Get, and the same malformed
// input is refused (a semicolon separator or a bad escape, in any field).
func readCommand(body string) (slack.SlashCommand, error) {
	var sc slack.SlashCommand
	fields := [...]struct {
		key string
		to  *string
	}{
		{"team_id", &sc.TeamID}, {"team_domain", &sc.TeamDomain}, {"enterprise_id", &sc.EnterpriseID},
		{"channel_id", &sc.ChannelID}, {"channel_name", &sc.ChannelName},
		{"user_id", &sc.UserID}, {"user_name", &sc.UserName},
		{"command", &sc.Command}, {"text", &sc.Text},
		{"response_url", &sc.ResponseURL}, {"trigger_id", &sc.TriggerID}, {"api_app_id", &sc.APIAppID},
	}
	var seen [len(fields)]bool
	var err error
	for body != "" {
		var pair string
		pair, body, _ = strings.Cut(body, "&")
		if strings.Contains(pair, ";") {
			if err == nil {
				err = errors.New("invalid semicolon separator in query")
			}
			continue
		}
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, kerr := url.QueryUnescape(k)
		if kerr != nil {
			if err == nil {
				err = kerr
			}
			continue
		}
		v, verr := url.QueryUnescape(v)
		if verr != nil {
			if err == nil {
				err = verr
			}
			continue
		}
		for i := range fields {
			if fields[i].key == k {
				if !seen[i] {
					seen[i] = true
					*fields[i].to = v
				}
				break
			}
		}
	}
	return sc, err
}

// command runs a slash command and calls ack once with the
// acknowledgement's body (nil: empty): the answer when the core is done
// within AckWithin, as it nearly always is, else "working on it", and the
// answer then goes to the response URL.
//
// A command answered within its request needs no inbox row first: its
// change and the record that it was processed (its trigger id, against
// retries and replays) commit in one transaction before the answer, and a
// replayed change is refused by that record (a Duplicate reply; a
// replayed question is merely answered again). Only the slow path records
// the command before acknowledging, so that a crash replays it.
//
// The core runs on the caller's goroutine: a new goroutine per command
// would grow a fresh stack to the depth SQLite needs, every time.
func (a *Adapter) command(ctx context.Context, sc slack.SlashCommand, ack func(*slack.Msg)) {
	key := "cmd:" + sc.TriggerID
	if sc.TriggerID == "" { // Slack always sends one; be safe with a fake
		key = fmt.Sprintf("cmd:%s:%s:%d", sc.ChannelID, sc.UserID, a.cfg.Now().UnixNano())
	}
	if a.externalCommand(ctx, sc.TeamID, sc.EnterpriseID, sc.UserID) {
		a.log.InfoContext(ctx, "command from another organisation refused", "event", key, "team", sc.TeamID)
		r := a.refusal(sc.Text)
		ack(&slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: fallback(r)})
		return
	}
	var mu sync.Mutex
	acked := false
	late := time.AfterFunc(a.cfg.AckWithin, func() {
		mu.Lock()
		defer mu.Unlock()
		if acked {
			return
		}
		acked = true
		if body, err := json.Marshal(sc); err != nil {
			a.log.Error("encode slack command", "event", key, "err", err)
		} else if _, err := a.kit.Inbox.Record(context.WithoutCancel(ctx), key, "command", body); err != nil {
			a.log.Error("record slow slack command", "event", key, "err", err)
		}
		ack(&slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: a.cfg.Catalog.Text(a.cfg.DefaultLang, "reply.working", nil)})
	})
	// Slack hanging up must not stop a command half way.
	wctx := context.WithoutCancel(ctx)
	m := a.message(wctx, sc.TeamID, sc.ChannelID, "", sc.UserID, commandText(sc))
	m.EventID = key
	r, _ := a.cfg.Bot.Handle(wctx, m) // an error is logged by the core and told in r
	late.Stop()
	duplicate := r.Duplicate
	mu.Lock()
	defer mu.Unlock()
	switch {
	case acked: // slow: recorded, and answered through the response URL
		a.kit.Inbox.Done(wctx, key)
		if !duplicate {
			a.respond(sc.ChannelID, sc.ResponseURL, r)
		}
	case duplicate:
		acked = true
		ack(nil)
	default:
		acked = true
		a.answer(ack, sc.ChannelID, sc.ResponseURL, r)
	}
}

// commandText is what the core reads: "/deal" and the text after it. The
// core's grammar knows /deal; a command renamed in the app's settings
// still reads as /deal.
func commandText(sc slack.SlashCommand) string {
	return strings.TrimSpace("/deal " + PlainCommand(sc.Text))
}

// commandTask replays a command recorded before a crash: its answer goes
// to the response URL (valid for 30 minutes).
func (a *Adapter) commandTask(key string, body []byte) (work.Task, error) {
	var sc slack.SlashCommand
	if err := json.Unmarshal(body, &sc); err != nil {
		return work.Task{}, err
	}
	return work.Task{Key: key, Order: sc.ChannelID + "/" + sc.UserID, Run: func(ctx context.Context) {
		m := a.message(ctx, sc.TeamID, sc.ChannelID, "", sc.UserID, commandText(sc))
		r := a.kit.Inbox.Handle(ctx, key, m)
		a.respond(sc.ChannelID, sc.ResponseURL, r)
	}}, nil
}

// responses is a reply as a slash command's answers, one per page:
// private replies are ephemeral, updates are shown in the channel.
func (a *Adapter) responses(r bot.Reply) []*slack.Msg {
	if len(r.Blocks) == 0 {
		return nil
	}
	typ := slack.ResponseTypeInChannel
	if r.Ephemeral {
		typ = slack.ResponseTypeEphemeral
	}
	var out []*slack.Msg
	for i, page := range a.pages(r) {
		out = append(out, &slack.Msg{ResponseType: typ, Text: pageText(r, i), Blocks: slack.Blocks{BlockSet: page}})
	}
	return out
}

// answer acknowledges a command with the first page of its reply; the
// others follow through the response URL.
func (a *Adapter) answer(ack func(*slack.Msg), channel, responseURL string, r bot.Reply) {
	msgs := a.responses(r)
	if len(msgs) == 0 {
		ack(nil)
		return
	}
	ack(msgs[0])
	a.respondAll(channel, responseURL, msgs[1:])
}

// respond posts a reply to a response URL, in order with the channel's
// other replies.
func (a *Adapter) respond(channel, responseURL string, r bot.Reply) {
	a.respondAll(channel, responseURL, a.responses(r))
}

func (a *Adapter) respondAll(channel, responseURL string, msgs []*slack.Msg) {
	if responseURL == "" {
		return
	}
	for _, msg := range msgs {
		wm := &slack.WebhookMessage{ResponseType: msg.ResponseType, Text: msg.Text, Blocks: &msg.Blocks}
		if err := a.kit.Out.Send(channel, func(ctx context.Context) error {
			return slack.PostWebhookCustomHTTPContext(ctx, responseURL, a.httpClient(), wm)
		}); err != nil {
			a.log.Error("queue slack response", "channel", channel, "err", err)
		}
	}
}

func (a *Adapter) httpClient() *http.Client { return a.http }

// answer is what work.WriteJSON is given for a Slack answer: a nil
// message or view response (in an interface, a typed nil) is no answer,
// and a message is encoded as a commandAnswer.
func answer(v any) any {
	switch m := v.(type) {
	case *slack.Msg:
		if m == nil {
			return nil
		}
		return answerOf(m)
	case *slack.ViewSubmissionResponse:
		if m == nil {
			return nil
		}
	}
	return v
}

// commandAnswer is a slash command's answer encoded as slack.Msg encodes
// it, for the fields the answers this package builds set (response type,
// text, blocks; TestCommandAnswerEncodesAsMsg holds it to that). Encoding
// the whole Msg walks some seventy fields every time, and makes
// encoding/json build and keep an encoder for every type they reach
// (attachments, files, reactions…): heap held for three fields.
type commandAnswer struct {
	Text            string              `json:"text,omitempty"`
	ResponseType    string              `json:"response_type,omitempty"`
	ReplaceOriginal bool                `json:"replace_original"`
	DeleteOriginal  bool                `json:"delete_original"`
	Metadata        slack.SlackMetadata `json:"metadata,omitempty"`
	Blocks          slack.Blocks        `json:"blocks,omitempty"`
}

func answerOf(m *slack.Msg) *commandAnswer {
	return &commandAnswer{Text: m.Text, ResponseType: m.ResponseType, ReplaceOriginal: m.ReplaceOriginal,
		DeleteOriginal: m.DeleteOriginal, Metadata: m.Metadata, Blocks: m.Blocks}
}
