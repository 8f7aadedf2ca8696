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

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/adapter/work"
)

// serveEvent answers the Events API: the URL check, then message events,
// recorded before the 200 and handled after it. Any other payload is
// acknowledged and ignored.
func (a *Adapter) serveEvent(w http.ResponseWriter, r *http.Request, body []byte) {
	var head struct {
		Type      string `json:"type"`
		Challenge string `json:"challenge"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	if head.Type == "url_verification" {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, head.Challenge)
		return
	}
	if n := r.Header.Get("X-Slack-Retry-Num"); n != "" {
		a.log.InfoContext(r.Context(), "slack retried an event", "retry", n, "reason", r.Header.Get("X-Slack-Retry-Reason"))
	}
	if err := a.event(r.Context(), body); err != nil {
		a.log.ErrorContext(r.Context(), "slack event", "err", err)
		// Not acknowledged: Slack delivers it again.
		http.Error(w, "cannot record the event", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// event records a message event and queues it; other events are
// acknowledged and ignored (logged at debug, with why). It returns once
// the event is committed, so the caller may acknowledge it.
//
// A message is recorded under its identity in Slack, (channel, ts), not
// under the event id: Slack has been seen to deliver one message several
// times under new event ids and without X-Slack-Retry-Num, and a message
// may come both as an app_mention and as a message event. The inbox keeps
// the key for a week (bot/adapter/work), far longer than Slack retries.
func (a *Adapter) event(ctx context.Context, body []byte) error {
	in, why, err := readEvent(body)
	if err != nil {
		return fmt.Errorf("read event: %w", err)
	}
	if why != "" {
		a.log.DebugContext(ctx, "slack event ignored", "why", why, "event", in.eventID, "type", in.kind)
		return nil
	}
	key := in.key()
	fresh, err := a.kit.Inbox.Record(ctx, key, "event", body)
	if err != nil || !fresh {
		return err
	}
	a.kit.Pool.Add(a.task(key, in), work.AckWait)
	return nil
}

// incoming is a message to the bot, from an app_mention or a DM.
type incoming struct {
	eventID, kind                         string
	team, channel, user, text, ts, thread string
	external                              bool   // from another organisation (Slack Connect)
	userTeam                              string // the person's team, when Slack says
}

// key is the inbox key of a message: its identity in Slack.
func (in incoming) key() string {
	if in.ts == "" {
		return "ev:" + in.eventID
	}
	return "msg:" + in.channel + ":" + in.ts
}

// callback is what the adapter reads of an event callback.
type callback struct {
	Type               string          `json:"type"`
	TeamID             string          `json:"team_id"`
	EnterpriseID       string          `json:"enterprise_id"`
	EventID            string          `json:"event_id"`
	IsExtSharedChannel bool            `json:"is_ext_shared_channel"`
	Authorizations     []authorization `json:"authorizations"`
	AuthedUsers        []string        `json:"authed_users"`
	Event              innerEvent      `json:"event"`
}

// authorization is an installation the event was delivered for: the
// workspace (or organisation) and the app's bot user in it.
type authorization struct {
	EnterpriseID        string `json:"enterprise_id"`
	TeamID              string `json:"team_id"`
	UserID              string `json:"user_id"`
	IsBot               bool   `json:"is_bot"`
	IsEnterpriseInstall bool   `json:"is_enterprise_install"`
}

// innerEvent is what the adapter reads of a message or app_mention event
// (https://api.slack.com/events/message and its subtypes).
type innerEvent struct {
	Type        string          `json:"type"`
	SubType     string          `json:"subtype"`
	Channel     string          `json:"channel"`
	ChannelType string          `json:"channel_type"`
	User        string          `json:"user"`
	BotID       string          `json:"bot_id"`
	Text        string          `json:"text"`
	TS          string          `json:"ts"`
	ThreadTS    string          `json:"thread_ts"`
	Team        string          `json:"team"`
	UserTeam    string          `json:"user_team"`
	SourceTeam  string          `json:"source_team"`
	Blocks      json.RawMessage `json:"blocks"`
}

// readEvent reads an event callback: the message to the bot it carries,
// or why it carries none (bots, edits, deletions, joins, other events).
func readEvent(body []byte) (incoming, string, error) {
	var cb callback
	if err := json.Unmarshal(body, &cb); err != nil {
		return incoming{}, "", err
	}
	e := cb.Event
	in := incoming{eventID: cb.EventID, kind: e.Type, team: cb.TeamID, channel: e.Channel, user: e.User, ts: e.TS,
		userTeam: cmpOr(e.UserTeam, cmpOr(e.Team, e.SourceTeam))}
	if e.SubType != "" {
		in.kind += "/" + e.SubType
	}
	if cb.Type != "event_callback" {
		return in, "not an event callback", nil
	}
	// The app's bot user: from authorizations, else from the older
	// authed_users when it names one user only.
	var botUser string
	for _, au := range cb.Authorizations {
		if au.IsBot && au.UserID != "" {
			botUser = au.UserID
		}
	}
	if botUser == "" && len(cb.AuthedUsers) == 1 {
		botUser = cb.AuthedUsers[0]
	}
	switch {
	case e.Type != "app_mention" && e.Type != "message":
		return in, "not a message", nil
	case e.BotID != "" || e.SubType == "bot_message":
		return in, "from a bot (never answered: no reply loops)", nil
	case e.User == "":
		return in, "from no person", nil
	case botUser != "" && e.User == botUser:
		return in, "from this app's bot user", nil
	}
	switch e.Type {
	case "app_mention":
		if isDM(e.Channel) {
			return in, "a mention in a DM, which comes as a message event too", nil
		}
		// Answered in the mention's thread.
		in.thread = cmpOr(e.ThreadTS, e.TS)
	case "message":
		if e.ChannelType != "im" && !isDM(e.Channel) {
			return in, "a channel message: the bot hears channels through mentions", nil
		}
		switch e.SubType {
		case "", "file_share", "thread_broadcast", "me_message":
			// A person's message: plain, with files (the text is the
			// caption), a thread reply also sent to the channel, or /me.
		case "message_changed":
			return in, "an edit: the message was handled as first sent", nil
		default:
			return in, "subtype " + e.SubType + " is not a person's new message", nil
		}
		// A DM is one conversation unless the person opened a thread.
		in.thread = e.ThreadTS
	}
	text := richText(e.Blocks)
	if strings.TrimSpace(text) == "" {
		text = e.Text
	}
	in.text = PlainFrom(text, botUser)
	if in.text == "" {
		return in, "no text", nil
	}
	in.external = external(cb, in.userTeam)
	return in, "", nil
}

// external tells a person of another organisation in a Slack Connect
// channel or DM: their team is neither the workspace the event was sent
// for nor one the app is installed in. In an organisation-wide install,
// every team of the organisation is the app's own unless the channel is
// shared with another organisation. A person whose team Slack does not
// say is taken as the workspace's own.
func external(cb callback, userTeam string) bool {
	if userTeam == "" || userTeam == cb.TeamID || userTeam == cb.EnterpriseID {
		return false
	}
	for _, au := range cb.Authorizations {
		if userTeam == au.TeamID || userTeam == au.EnterpriseID || (au.IsEnterpriseInstall && !cb.IsExtSharedChannel) {
			return false
		}
	}
	return true
}

// task is the work of a recorded message: through the core, or a
// refusal for a person of another organisation.
func (a *Adapter) task(key string, in incoming) work.Task {
	return work.Task{Key: key, Order: in.channel + "/" + in.user, Run: func(ctx context.Context) {
		if in.external && !a.allowed(in.userTeam) {
			a.log.InfoContext(ctx, "message from another organisation refused", "event", key, "team", in.userTeam)
			a.kit.Inbox.Done(ctx, key)
			a.reply(in.channel, in.thread, in.user, a.refusal(in.text))
			return
		}
		m := a.message(ctx, in.team, in.channel, in.thread, in.user, in.text)
		m.Time = slackTime(in.ts, m.Time)
		r := a.kit.Inbox.Handle(ctx, key, m)
		a.reply(in.channel, in.thread, in.user, r)
	}}
}

// eventTask turns a recorded event back into its task (a task with no
// Run: nothing to do).
func (a *Adapter) eventTask(key string, body []byte) (work.Task, error) {
	in, why, err := readEvent(body)
	if err != nil || why != "" {
		return work.Task{}, err
	}
	return a.task(key, in), nil
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
func (a *Adapter) moreFormat(lang string) string { return a.more.In(a.lang(lang)) }

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
	keptMentions   = strings.NewReplacer("\x00", "<", "\x01", ">") // see plainText
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

func plain(text string, command bool) string { return plainText(text, command, true) }

// PlainFrom is Plain for a message to the bot whose user id is botUser:
// its mentions are dropped wherever they are, and mentions of people,
// even at the start, are kept. With no botUser it is Plain.
func PlainFrom(text, botUser string) string {
	if botUser == "" {
		return Plain(text)
	}
	text = plainText(dropMentions(text, botUser), false, false)
	// Where a mention was, spaces meet: collapsed, lines kept.
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// dropMentions removes the mentions of user ("<@U1>", "<@U1|name>") from
// Slack's text, with the separator typed after one ("@bot: new Acme").
func dropMentions(text, user string) string {
	var b strings.Builder
	for {
		i := strings.Index(text, "<@"+user)
		if i < 0 {
			break
		}
		rest := text[i+2+len(user):]
		end := strings.IndexByte(rest, '>')
		if end < 0 || (end > 0 && rest[0] != '|') {
			b.WriteString(text[:i+2+len(user)]) // another id that starts alike
			text = rest
			continue
		}
		b.WriteString(text[:i])
		text = strings.TrimLeft(rest[end+1:], ",:：")
	}
	b.WriteString(text)
	return b.String()
}

// PlainCommand is Plain for the text of a slash command.
func PlainCommand(text string) string { return plain(text, true) }

// plainText is Plain; leading says whether mentions at the start are the
// bot's, to drop.
func plainText(text string, command, leading bool) string {
	// Both expressions need a "<": most messages ("new Acme 50k") have
	// none, and the two calls were 2% of a slash command's allocations.
	markedUp := strings.Contains(text, "<")
	if leading && markedUp {
		text = leadingMention.ReplaceAllString(text, "")
	}
	command = command || strings.HasPrefix(strings.TrimSpace(text), "/deal")
	if !markedUp {
		return finishPlain(text, command)
	}
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
	return finishPlain(text, command)
}

// finishPlain decodes the entities of text and, in a command, restores
// the mentions plainText kept.
func finishPlain(text string, command bool) string {
	text = unescaper.Replace(text)
	if command {
		text = keptMentions.Replace(text)
	}
	return strings.TrimSpace(text)
}
