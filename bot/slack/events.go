package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/work"
)

// serveEvent answers the Events API: the URL check, then message events,
// recorded before the 200 and handled after it.
func (a *Adapter) serveEvent(w http.ResponseWriter, r *http.Request, body []byte) {
	ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	if ev.Type == slackevents.URLVerification {
		var c slackevents.ChallengeResponse
		if err := json.Unmarshal(body, &c); err != nil {
			http.Error(w, "malformed challenge", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, c.Challenge)
		return
	}
	if n := r.Header.Get("X-Slack-Retry-Num"); n != "" {
		a.log.InfoContext(r.Context(), "slack retried an event", "retry", n, "reason", r.Header.Get("X-Slack-Retry-Reason"))
	}
	if err := a.event(r.Context(), ev, body); err != nil {
		a.log.ErrorContext(r.Context(), "slack event", "err", err)
		// Not acknowledged: Slack delivers it again.
		http.Error(w, "cannot record the event", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// event records a message event and queues it; other events are
// acknowledged and ignored. It returns once the event is committed, so
// the caller may acknowledge it.
func (a *Adapter) event(ctx context.Context, ev slackevents.EventsAPIEvent, body []byte) error {
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok || cb.EventID == "" {
		return nil
	}
	key := "ev:" + cb.EventID
	t, err := a.eventTask(key, body)
	if err != nil {
		return fmt.Errorf("event %s: %w", cb.EventID, err)
	}
	if t.Run == nil {
		return nil
	}
	fresh, err := a.kit.Inbox.Record(ctx, key, "event", body)
	if err != nil || !fresh {
		return err
	}
	a.kit.Pool.Add(t, work.AckWait)
	return nil
}

// incoming is a message to the bot, from an app_mention or a DM.
type incoming struct {
	team, channel, user, text, ts, thread string
}

// eventTask reads an event callback; a task with no Run means the event
// is not for the core (bots, edits, joins, mentions in DMs).
func (a *Adapter) eventTask(key string, body []byte) (work.Task, error) {
	ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		return work.Task{}, err
	}
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok {
		return work.Task{}, nil
	}
	var in incoming
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		if e.BotID != "" || isDM(e.Channel) { // a DM's mention also comes as message.im
			return work.Task{}, nil
		}
		in = incoming{team: cb.TeamID, channel: e.Channel, user: e.User, text: e.Text, ts: e.TimeStamp,
			thread: cmpOr(e.ThreadTimeStamp, e.TimeStamp)} // answer in the mention's thread
	case *slackevents.MessageEvent:
		if e.ChannelType != "im" || e.SubType != "" || e.BotID != "" || e.User == "" {
			return work.Task{}, nil
		}
		in = incoming{team: cb.TeamID, channel: e.Channel, user: e.User, text: e.Text, ts: e.TimeStamp,
			thread: e.ThreadTimeStamp} // a DM is one conversation unless the person opened a thread
	default:
		return work.Task{}, nil
	}
	if in.team == "" {
		in.team = ev.TeamID
	}
	return work.Task{Key: key, Order: in.channel + "/" + in.user, Run: func(ctx context.Context) {
		m := a.message(ctx, in.team, in.channel, in.thread, in.user, Plain(in.text))
		m.Time = slackTime(in.ts, m.Time)
		r, err := a.kit.Inbox.Handle(ctx, key, m)
		if err != nil {
			a.log.ErrorContext(ctx, "handle slack message", "event", key, "err", err)
		}
		a.reply(in.channel, in.thread, in.user, r)
	}}, nil
}

// message builds the core's message, with what users.info tells of the
// person (cached).
func (a *Adapter) message(ctx context.Context, team, channel, thread, user, text string) bot.Message {
	u := a.kit.People.Get(ctx, user)
	return bot.Message{Platform: platform, Team: team, Channel: channel, Thread: thread, UserID: user,
		UserName: u.Name, Locale: u.Locale, TZ: u.TZ, Text: text, Time: a.cfg.Now()}
}

// reply posts a reply where the message came from, in order with the
// channel's other replies. Private replies (errors, help) in a channel
// are ephemeral; in a DM everything is.
func (a *Adapter) reply(channel, thread, user string, r bot.Reply) {
	if len(r.Blocks) == 0 {
		return
	}
	for i, page := range a.pages(r) {
		opts := []slack.MsgOption{slack.MsgOptionBlocks(page...), slack.MsgOptionText(pageText(r, i), false)}
		if thread != "" {
			opts = append(opts, slack.MsgOptionTS(thread))
		}
		err := a.kit.Out.Send(channel, func(ctx context.Context) error {
			var err error
			if r.Ephemeral && !isDM(channel) {
				_, err = a.api.PostEphemeralContext(ctx, channel, user, opts...)
			} else {
				_, _, err = a.api.PostMessageContext(ctx, channel, opts...)
			}
			return err
		})
		if err != nil {
			a.log.Error("queue slack reply", "channel", channel, "err", err)
		}
	}
}

// maxPages bounds the messages one reply becomes (a response URL takes
// five); past it the reply is cut with a note.
const maxPages = 5

// pages renders a reply as the messages it takes.
func (a *Adapter) pages(r bot.Reply) [][]slack.Block {
	return Pages(r, a.moreFormat(r.Lang), maxPages)
}

// pageText is a message's plain-text fallback (notifications): the whole
// reply's on the first page, a page number on the next ones.
func pageText(r bot.Reply, page int) string {
	if page == 0 {
		return fallback(r)
	}
	return fmt.Sprintf("(%d)", page+1)
}

// fallback is a reply's plain text for notifications, escaped and cut.
func fallback(r bot.Reply) string {
	return cut(Escape(r.PlainText()), maxSectionText)
}

func (a *Adapter) lang(l string) string {
	if l == "" {
		return a.cfg.DefaultLang
	}
	return l
}

// moreFormat is the note on a reply cut to the platform's limits.
func (a *Adapter) moreFormat(lang string) string { return work.MoreFormat(a.cfg.Catalog, a.lang(lang)) }

// isDM tells a direct-message channel by its id.
func isDM(channel string) bool { return strings.HasPrefix(channel, "D") }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// slackTime reads a Slack timestamp ("1355517523.000005").
func slackTime(ts string, def time.Time) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || s <= 0 {
		return def
	}
	us, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return time.Unix(s, us*1000)
}

// Slack's markup in incoming text: <@U123>, <@U123|name>, <#C123|general>,
// <!here>, <https://x|label>, and &amp; &lt; &gt;.
var (
	leadingMention = regexp.MustCompile(`^(\s*<@[A-Z0-9]+(\|[^>]*)?>[\s,:：]*)+`)
	markup         = regexp.MustCompile(`<([^<>]*)>`)
)

// Plain turns Slack's text into what the person typed: the bot's mention
// at the start dropped, links and mentions shown by their labels, the
// entities decoded. In a slash command ("/deal team add @alice", typed
// or given as the command's text) a person's mention stays "<@U123|alice>",
// so that the command names the person by id, not by a name others may
// share.
func Plain(text string) string {
	return plain(text, false)
}

// PlainCommand is Plain for the text of a slash command.
func PlainCommand(text string) string { return plain(text, true) }

func plain(text string, command bool) string {
	text = leadingMention.ReplaceAllString(text, "")
	command = command || strings.HasPrefix(strings.TrimSpace(text), "/deal")
	text = markup.ReplaceAllStringFunc(text, func(m string) string {
		inner := m[1 : len(m)-1]
		target, label, hasLabel := strings.Cut(inner, "|")
		switch {
		case command && strings.HasPrefix(target, "@") && !strings.ContainsAny(inner, "<>"):
			return "\x00" + inner + "\x01" // kept; restored after the entities are decoded
		case strings.HasPrefix(target, "@"):
			if hasLabel {
				return "@" + strings.TrimPrefix(label, "@")
			}
			return target
		case strings.HasPrefix(target, "#"):
			if hasLabel {
				return "#" + label
			}
			return target
		case strings.HasPrefix(target, "!"):
			if hasLabel {
				return label
			}
			return "@" + strings.TrimPrefix(strings.SplitN(target, "^", 2)[0], "!")
		case hasLabel:
			return label
		}
		return strings.TrimPrefix(target, "mailto:")
	})
	text = unescaper.Replace(text)
	if command {
		text = strings.NewReplacer("\x00", "<", "\x01", ">").Replace(text)
	}
	return strings.TrimSpace(text)
}
