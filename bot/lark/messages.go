package lark

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/work"
)

// onMessage records a message to the bot and queues it. It returns once
// the event is committed, so that Lark's answer follows the record; an
// error leaves Lark to deliver it again.
func (a *Adapter) onMessage(ctx context.Context, ev *larkim.P2MessageReceiveV1) error {
	// Lark re-delivers an event under its id for hours, and may push one
	// message again under a new event id: the message id, which every
	// delivery of the message carries, is the dedupe key for both.
	t, in := a.messageTask("", ev)
	if t.Run == nil {
		return nil
	}
	var raw []byte
	if ev.EventReq != nil {
		raw = ev.EventReq.Body
	}
	if raw == nil {
		var err error
		if raw, err = json.Marshal(ev); err != nil {
			return err
		}
	}
	fresh, err := a.kit.Inbox.Record(ctx, t.Key, "message", raw)
	if err != nil || !fresh {
		return err
	}
	a.log.DebugContext(ctx, "lark message recorded", "event", t.Key, "chat", in.chat)
	a.kit.Pool.Add(t, work.AckWait)
	return nil
}

// incoming is a message to the bot.
type incoming struct {
	tenant, chat, user, messageID, thread, text string
	inThread                                    bool
	at                                          time.Time
}

// messageTask reads a message event; a task with no Run means it is not
// for the core (a bot's message, a group message not mentioning the bot,
// an image). key "" uses the message's own.
func (a *Adapter) messageTask(key string, ev *larkim.P2MessageReceiveV1) (work.Task, incoming) {
	in, ok := readMessage(ev)
	if !ok {
		return work.Task{}, in
	}
	if key == "" {
		key = "msg:" + in.messageID
	}
	return work.Task{Key: key, Order: in.chat + "/" + in.user, Run: func(ctx context.Context) {
		p := a.kit.People.Get(ctx, in.user)
		m := bot.Message{Platform: platform, Team: in.tenant, Channel: in.chat, Thread: in.thread, UserID: in.user,
			UserName: p.Name, Locale: p.Locale, TZ: p.TZ, Text: in.text, Time: in.at}
		if m.Time.IsZero() {
			m.Time = a.cfg.Now()
		}
		r, err := a.kit.Inbox.Handle(ctx, key, m)
		if err != nil {
			a.log.ErrorContext(ctx, "handle lark message", "event", key, "err", err)
		}
		a.reply(key, in.chat, in.messageID, in.inThread, r)
	}}, in
}

// readMessage takes what the core needs from a message event.
func readMessage(ev *larkim.P2MessageReceiveV1) (incoming, bool) {
	var in incoming
	if ev == nil || ev.Event == nil || ev.Event.Message == nil || ev.Event.Sender == nil || ev.Event.Sender.SenderId == nil {
		return in, false
	}
	if deref(ev.Event.Sender.SenderType) != "user" {
		return in, false
	}
	msg := ev.Event.Message
	in.user = deref(ev.Event.Sender.SenderId.OpenId)
	in.chat, in.messageID = deref(msg.ChatId), deref(msg.MessageId)
	if ev.EventV2Base != nil && ev.EventV2Base.Header != nil {
		in.tenant = ev.EventV2Base.Header.TenantKey
	}
	if in.user == "" || in.chat == "" || in.messageID == "" {
		return in, false
	}
	if ms, err := strconv.ParseInt(deref(msg.CreateTime), 10, 64); err == nil && ms > 0 {
		in.at = time.UnixMilli(ms)
	}
	switch deref(msg.ChatType) {
	case "p2p":
		// A private chat is one conversation, unless the person opened a topic.
		in.thread = deref(msg.ThreadId)
		in.inThread = in.thread != ""
	case "group":
		// In a group the bot hears only mentions of it; it answers in the
		// mention's thread, which is the conversation.
		if !mentionsBot(msg.Mentions) {
			return in, false
		}
		in.thread = deref(msg.RootId)
		if in.thread == "" {
			in.thread = in.messageID
		}
		in.inThread = true
	default:
		return in, false
	}
	in.text = messageText(deref(msg.MessageType), deref(msg.Content), msg.Mentions)
	return in, strings.TrimSpace(in.text) != ""
}

// mentionsBot tells whether a group message mentions a bot. An app that
// may read all group messages also hears those mentioning only people.
// Mentions that do not say what they mention (older events) are taken to
// be of the bot, which is all Lark delivers without that permission.
func mentionsBot(ms []*larkim.MentionEvent) bool {
	typed := false
	for _, m := range ms {
		if m == nil {
			continue
		}
		switch deref(m.MentionedType) {
		case "bot":
			return true
		case "":
		default:
			typed = true
		}
	}
	return len(ms) > 0 && !typed
}

// mentionKey is a mention's placeholder in a message's text ("@_user_1").
var mentionKey = regexp.MustCompile(`@_user_\d+`)

// messageText is what the person typed: text and rich-text (post)
// messages, with mentions of the bot dropped and others shown by name. In
// a slash command ("/deal team add @Alice") a person's mention becomes
// "<@open_id|Alice>", as Slack writes mentions, so that the command
// names the person by id and not by a name others may share.
func messageText(kind, content string, mentions []*larkim.MentionEvent) string {
	names, ids := map[string]string{}, map[string]string{}
	for _, m := range mentions {
		if m == nil || m.Key == nil {
			continue
		}
		if deref(m.MentionedType) == "bot" {
			names[*m.Key] = ""
			continue
		}
		names[*m.Key] = "@" + deref(m.Name)
		if m.Id != nil && deref(m.Id.OpenId) != "" {
			name := strings.NewReplacer("|", " ", ">", " ").Replace(deref(m.Name))
			ids[*m.Key] = "<@" + deref(m.Id.OpenId) + "|" + name + ">"
		}
	}
	var text string
	switch kind {
	case "text":
		var c struct {
			Text string `json:"text"`
		}
		if json.Unmarshal([]byte(content), &c) != nil {
			return ""
		}
		text = c.Text
	case "post":
		text = postText(content)
	default:
		return ""
	}
	// Mentions of the bot are dropped first, so that the command shows.
	slash := strings.HasPrefix(strings.TrimSpace(mentionKey.ReplaceAllStringFunc(text, func(k string) string {
		if n, ok := names[k]; ok && n != "" {
			return k
		}
		return ""
	})), "/deal")
	text = mentionKey.ReplaceAllStringFunc(text, func(k string) string {
		if id, ok := ids[k]; ok && slash {
			return id
		}
		if n, ok := names[k]; ok {
			return n
		}
		return "" // a mention we were not told of is the bot's
	})
	return strings.TrimSpace(strings.Join(strings.Fields(text), " "))
}

// postText flattens a rich-text message: its title and the text of its
// text, link and mention elements, one line per paragraph.
func postText(content string) string {
	type elem struct {
		Tag      string `json:"tag"`
		Text     string `json:"text"`
		UserName string `json:"user_name"`
		UserID   string `json:"user_id"`
	}
	type post struct {
		Title   string   `json:"title"`
		Content [][]elem `json:"content"`
	}
	var p post
	if json.Unmarshal([]byte(content), &p) != nil || p.Content == nil {
		// Older posts come per language: {"zh_cn": {...}}.
		var byLang map[string]post
		if json.Unmarshal([]byte(content), &byLang) != nil {
			return ""
		}
		for _, lp := range byLang {
			p = lp
			break
		}
	}
	var lines []string
	if p.Title != "" {
		lines = append(lines, p.Title)
	}
	for _, para := range p.Content {
		var b strings.Builder
		for _, e := range para {
			switch e.Tag {
			case "text", "a", "md":
				b.WriteString(e.Text)
			case "at":
				if e.UserName != "" {
					b.WriteString("@" + e.UserName)
				}
			}
		}
		if s := strings.TrimSpace(b.String()); s != "" {
			lines = append(lines, s)
		}
	}
	return strings.Join(lines, "\n")
}

// reply answers a message in its thread, card by card, in order with the
// chat's other replies. Each card's uuid comes from the event it answers
// (key), so a retried send is never shown twice.
func (a *Adapter) reply(key, chat, messageID string, inThread bool, r bot.Reply) {
	if len(r.Blocks) == 0 {
		return
	}
	for i, card := range Cards(r, a.moreFormat(r.Lang), maxCards) {
		uuid := replyUUID(key, i)
		if err := a.kit.Out.Send(chat, func(ctx context.Context) error {
			_, err := a.api.reply(ctx, messageID, card, inThread, uuid)
			return err
		}); err != nil {
			a.log.Error("queue lark reply", "chat", chat, "err", err)
		}
	}
}

// replyUUID is the idempotency key of the i-th card answering an event:
// at most 50 characters, as Lark takes.
func replyUUID(key string, i int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", key, i)))
	return hex.EncodeToString(sum[:16])
}

// moreFormat is the note on a reply cut to the platform's limits.
func (a *Adapter) moreFormat(lang string) string { return work.MoreFormat(a.cfg.Catalog, a.lang(lang)) }

func (a *Adapter) lang(l string) string {
	if l == "" {
		return a.cfg.DefaultLang
	}
	return l
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
