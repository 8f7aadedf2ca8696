package lark

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/adapter/work"
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
	external                                    bool   // the sender is of another tenant
	senderTenant                                string // the sender's tenant, when Lark says
}

// messageTask reads a message event; a task with no Run means it is not
// for the core (a bot's message, a group message not mentioning the bot,
// an image). key "" uses the message's own.
func (a *Adapter) messageTask(key string, ev *larkim.P2MessageReceiveV1) (work.Task, incoming) {
	in, why := readMessage(ev, a.botOpenID)
	if why != "" {
		a.log.Debug("lark message ignored", "why", why, "message", in.messageID)
		return work.Task{}, in
	}
	if key == "" {
		key = "msg:" + in.messageID
	}
	return work.Task{Key: key, Order: in.chat + "/" + in.user, Run: func(ctx context.Context) {
		if in.external && !a.allowed(in.senderTenant) {
			// Nothing internal for another organisation: one polite
			// refusal, and the message changes nothing.
			a.log.InfoContext(ctx, "message from another tenant refused", "event", key, "tenant", in.senderTenant)
			a.kit.Inbox.Done(ctx, key)
			a.reply(key, in.chat, in.messageID, in.thread, in.inThread, a.refusal(in.text))
			return
		}
		p := a.kit.People.Get(ctx, in.user)
		m := bot.Message{Platform: platform, Team: in.tenant, Channel: in.chat, Thread: in.thread, UserID: in.user,
			UserName: p.Name, Locale: p.Locale, TZ: p.TZ, Text: in.text, Time: in.at}
		if m.Time.IsZero() {
			m.Time = a.cfg.Now()
		}
		r := a.kit.Inbox.Handle(ctx, key, m)
		a.reply(key, in.chat, in.messageID, in.thread, in.inThread, r)
	}}, in
}

// readMessage takes what the core needs from a message event, or says
// why the event is not for the core. botOpenID gives the bot's open_id
// ("" when unknown); it is asked only of messages with mentions.
func readMessage(ev *larkim.P2MessageReceiveV1, botOpenID func() string) (incoming, string) {
	var in incoming
	if ev == nil || ev.Event == nil || ev.Event.Message == nil || ev.Event.Sender == nil || ev.Event.Sender.SenderId == nil {
		return in, "malformed"
	}
	msg := ev.Event.Message
	in.chat, in.messageID = deref(msg.ChatId), deref(msg.MessageId)
	if t := deref(ev.Event.Sender.SenderType); t != "user" {
		return in, "from a " + cmpOr(t, "sender of no type") + ", not a person (never answered: no reply loops)"
	}
	in.user = deref(ev.Event.Sender.SenderId.OpenId)
	if ev.EventV2Base != nil && ev.EventV2Base.Header != nil {
		in.tenant = ev.EventV2Base.Header.TenantKey
	}
	if in.user == "" || in.chat == "" || in.messageID == "" {
		return in, "no sender, chat or message id"
	}
	// The event is sent for the app's tenant (header.tenant_key); a
	// sender of another tenant is of another organisation (an external
	// chat).
	in.senderTenant = deref(ev.Event.Sender.TenantKey)
	in.external = in.senderTenant != "" && in.tenant != "" && in.senderTenant != in.tenant
	if ms, err := strconv.ParseInt(deref(msg.CreateTime), 10, 64); err == nil && ms > 0 {
		in.at = time.UnixMilli(ms)
	}
	var botID string
	if len(msg.Mentions) > 0 && botOpenID != nil {
		botID = botOpenID()
	}
	mentions := readMentions(msg.Mentions, botID)
	switch deref(msg.ChatType) {
	case "p2p":
		// A private chat is one conversation, unless the person opened a topic.
		in.thread = deref(msg.ThreadId)
		in.inThread = in.thread != ""
	case "group", "topic_group":
		// In a group the bot hears only mentions of it; it answers in the
		// mention's thread, which is the conversation.
		if !mentions.hasBot() {
			return in, "a group message that does not mention the bot"
		}
		in.thread = deref(msg.RootId)
		if in.thread == "" {
			in.thread = in.messageID
		}
		in.inThread = true
	default:
		return in, "chat type " + strconv.Quote(deref(msg.ChatType))
	}
	in.text = messageTextFor(deref(msg.MessageType), deref(msg.Content), mentions, botID)
	if strings.TrimSpace(in.text) == "" {
		return in, "no text (message type " + deref(msg.MessageType) + ")"
	}
	return in, ""
}

// mention is a person or bot mentioned in a message.
type mention struct {
	id, name string // open_id (may be empty) and display name
	bot      bool   // this app's bot: dropped from the text
}

// mentions are a message's mentions by their placeholder key ("@_user_1").
type mentions map[string]mention

func (ms mentions) hasBot() bool {
	for _, m := range ms {
		if m.bot {
			return true
		}
	}
	return false
}

// readMentions reads a message's mentions and tells which are the bot's:
// the one with the bot's open_id (from the bot info API) when it is
// there; else those Lark marks mentioned_type "bot"; else, when no
// mention says what it mentions (the documented im.message.receive_v1
// shape has no mentioned_type), the first one. Without the permission
// to read every group message, Lark delivers a group message only when
// it mentions the bot, and people mention the bot first ("@bot /deal
// team add @alice").
func readMentions(list []*larkim.MentionEvent, botID string) mentions {
	ms := mentions{}
	first, firstN := "", 0
	byID, typedBot, typed := false, false, false
	for _, m := range list {
		if m == nil || m.Key == nil {
			continue
		}
		x := mention{name: deref(m.Name)}
		if m.Id != nil {
			x.id = deref(m.Id.OpenId)
		}
		switch deref(m.MentionedType) {
		case "bot":
			typedBot, typed = true, true
		case "":
		default:
			typed = true
		}
		if botID != "" && x.id == botID {
			byID = true
		}
		ms[*m.Key] = x
		if n := keyNumber(*m.Key); first == "" || n < firstN {
			first, firstN = *m.Key, n
		}
	}
	for _, m := range list {
		if m == nil || m.Key == nil {
			continue
		}
		x := ms[*m.Key]
		switch {
		case byID:
			x.bot = x.id == botID
		case typedBot:
			x.bot = deref(m.MentionedType) == "bot"
		case !typed:
			x.bot = *m.Key == first
		}
		ms[*m.Key] = x
	}
	return ms
}

// keyNumber is N of a placeholder "@_user_N" (large when it has none).
func keyNumber(key string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(key, "@_user_"))
	if err != nil {
		return 1 << 30
	}
	return n
}

// Mentions in a message's text: Lark's placeholders ("@_user_1") and the
// <at> tags of the sending shape (<at user_id="ou_1">Tom</at>, also inside
// a post's md element).
var (
	mentionKey = regexp.MustCompile(`@_user_\d+`)
	atTag      = regexp.MustCompile(`<at (?:user_id|id|open_id)=\\?"([^"\\]*)\\?">([^<]*)</at>`)
)

// Mentions are first replaced by tokens \x02N\x03 into a table, then written
// out once the whole text is known (a slash command writes people by id).
const tokOpen, tokClose = "\x02", "\x03"

// textBuilder collects a message's text with its mentions as tokens.
type textBuilder struct {
	ms    mentions
	botID string
	table []mention
}

// token is the placeholder of a mention in the text.
func (tb *textBuilder) token(m mention) string {
	tb.table = append(tb.table, m)
	return tokOpen + strconv.Itoa(len(tb.table)-1) + tokClose
}

// at is the token of an at element or tag: user_id is a placeholder key
// in received messages, an open_id (or "all") in the sending shape.
func (tb *textBuilder) at(userID, name string) string {
	if m, ok := tb.ms[userID]; ok {
		if m.name == "" {
			m.name = name
		}
		return tb.token(m)
	}
	switch {
	case userID == "all":
		return "@all"
	case strings.HasPrefix(userID, "@_user_"):
		if name == "" {
			return "" // a mention Lark did not describe: the bot's
		}
		return tb.token(mention{name: name})
	}
	return tb.token(mention{id: userID, name: name, bot: tb.botID != "" && userID == tb.botID})
}

// mentionsIn turns the mentions in typed text into tokens.
func (tb *textBuilder) mentionsIn(text string) string {
	text = atTag.ReplaceAllStringFunc(text, func(s string) string {
		m := atTag.FindStringSubmatch(s)
		return tb.at(m[1], m[2])
	})
	return mentionKey.ReplaceAllStringFunc(text, func(k string) string { return tb.at(k, "") })
}

// messageText is what the person typed: text and rich-text (post)
// messages, with mentions of the bot dropped and others shown by name. In
// a slash command ("/deal team add @Alice") a person's mention becomes
// "<@open_id|Alice>", as Slack writes mentions, so that the command
// names the person by id and not by a name others may share.
func messageText(kind, content string, ms mentions) string {
	return messageTextFor(kind, content, ms, "")
}

func messageTextFor(kind, content string, ms mentions, botID string) string {
	tb := &textBuilder{ms: ms, botID: botID}
	var text string
	switch kind {
	case "text":
		var c struct {
			Text string `json:"text"`
		}
		if json.Unmarshal([]byte(content), &c) != nil {
			return ""
		}
		text = tb.mentionsIn(c.Text)
	case "post":
		text = tb.post(content)
	default:
		return ""
	}
	// Mentions of the bot are dropped first, so that the command shows.
	without := tokens.ReplaceAllStringFunc(text, func(t string) string {
		if m := tb.lookup(t); m.bot {
			return ""
		}
		return "@"
	})
	slash := strings.HasPrefix(strings.TrimSpace(without), "/deal")
	text = tokens.ReplaceAllStringFunc(text, func(t string) string {
		m := tb.lookup(t)
		switch {
		case m.bot:
			return ""
		case slash && m.id != "":
			return "<@" + m.id + "|" + strings.NewReplacer("|", " ", ">", " ").Replace(m.name) + ">"
		case m.name != "":
			return "@" + m.name
		}
		return "@" + m.id
	})
	// Lines are kept (a post's paragraphs); spaces within a line are
	// collapsed.
	lines := strings.Split(text, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

var tokens = regexp.MustCompile(tokOpen + `\d+` + tokClose)

func (tb *textBuilder) lookup(tok string) mention {
	i, _ := strconv.Atoi(tok[1 : len(tok)-1])
	return tb.table[i]
}

// postElem is an element of a rich-text paragraph.
type postElem struct {
	Tag      string `json:"tag"`
	Text     string `json:"text"`
	Href     string `json:"href"`
	UserID   string `json:"user_id"`
	UserName string `json:"user_name"`
}

// postBody is a rich-text message in one language.
type postBody struct {
	Title   string       `json:"title"`
	Content [][]postElem `json:"content"`
}

// post flattens a rich-text message, one line per paragraph: text, link,
// mention, markdown and code elements; images, media, emoji and rules
// carry no words of a command and are left out.
//
// The title is left out when the body has text. Lark's editor shows it as
// a heading above the message; were it put first, "周报" followed by
// "#12 推进到立项" would no longer read as the update it is, and a
// coaching question waiting for an answer would take the title as the
// answer. The body is what the person says to the bot; a post with a
// title alone is read as its title.
//
// Lark delivers a post flat ({"title", "content"}); the sending shape
// wraps it by language ({"zh_cn": {...}, "en_us": {...}}, sometimes inside
// {"post": ...}), and either may be replayed: zh_cn is read first, then
// en_us, then any other.
func (tb *textBuilder) post(content string) string {
	p, ok := readPost([]byte(content))
	if !ok {
		return ""
	}
	var lines []string
	for _, para := range p.Content {
		var b strings.Builder
		for _, e := range para {
			switch e.Tag {
			case "text", "md":
				b.WriteString(tb.mentionsIn(e.Text))
			case "a":
				b.WriteString(cmpOr(e.Text, e.Href))
			case "at":
				b.WriteString(" " + tb.at(e.UserID, e.UserName) + " ")
			case "code_block":
				if b.Len() > 0 {
					b.WriteString("\n")
				}
				b.WriteString(e.Text)
			}
		}
		if s := strings.TrimSpace(b.String()); s != "" {
			lines = append(lines, s)
		}
	}
	body := strings.Join(lines, "\n")
	if strings.TrimSpace(tokens.ReplaceAllStringFunc(body, func(t string) string {
		if tb.lookup(t).bot {
			return ""
		}
		return t
	})) == "" {
		return strings.TrimSpace(body + " " + tb.mentionsIn(p.Title))
	}
	return body
}

// readPost reads a post in any of its shapes.
func readPost(raw []byte) (postBody, bool) {
	var flat struct {
		postBody
		Post json.RawMessage `json:"post"`
	}
	if json.Unmarshal(raw, &flat) != nil {
		return postBody{}, false
	}
	if flat.Content != nil || flat.Title != "" {
		return flat.postBody, true
	}
	if len(flat.Post) > 0 {
		return readPost(flat.Post)
	}
	var byLang map[string]json.RawMessage
	if json.Unmarshal(raw, &byLang) != nil {
		return postBody{}, false
	}
	langs := make([]string, 0, len(byLang))
	for l := range byLang {
		langs = append(langs, l)
	}
	slices.SortFunc(langs, func(x, y string) int {
		rank := func(l string) int {
			switch l {
			case "zh_cn":
				return 0
			case "en_us":
				return 1
			}
			return 2
		}
		return cmp.Or(cmp.Compare(rank(x), rank(y)), cmp.Compare(x, y))
	})
	for _, l := range langs {
		var p postBody
		if json.Unmarshal(byLang[l], &p) == nil && (p.Content != nil || p.Title != "") {
			return p, true
		}
	}
	return postBody{}, false
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// reply answers a message in its thread, card by card, in order with the
// chat's other replies. Each card's uuid comes from the event it answers
// (key), so a retried send is never shown twice. Their buttons carry
// thread, the conversation they answer (see inConversation).
func (a *Adapter) reply(key, chat, messageID, thread string, inThread bool, r bot.Reply) {
	if len(r.Blocks) == 0 {
		return
	}
	for i, card := range Cards(r, a.moreFormat(r.Lang), maxCards) {
		card = inConversation(card, thread)
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
func (a *Adapter) moreFormat(lang string) string { return a.more.In(a.lang(lang)) }

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
