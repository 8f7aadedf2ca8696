package slack

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/adapter/outbox"
)

// outboxEvent is the metadata event type of a scheduled message: its
// payload carries the message's idempotency key and page, so that after a
// crash conversations.history tells whether it was posted.
const outboxEvent = "dealcoach_outbox"

// Reading back a conversation after a crash: from a minute before the
// message was written (the clocks of Slack and of this host may differ),
// a few pages of 200, which with oldest alone Slack pages forward from
// there.
const (
	historySkew  = time.Minute
	historyLimit = 200
	historyPages = 5
)

// Files: Slack's size limit for a file is 1 GB; an image's alt text is
// cut to 1,000 characters, a length Slack's alt texts all take (Block
// Kit's image alt_text takes 2,000).
const (
	maxFileBytes = 1 << 30
	maxAltText   = 1000
)

// errImage marks an image Slack cannot take (empty, or over the size
// limit): retrying will not help.
var errImage = errors.New("image cannot be uploaded")

// Deliverer returns the adapter's outbox.Deliverer (scheduled messages:
// reminders, digests). Each call has its own cache of DM channels; a
// sender keeps one.
func (a *Adapter) Deliverer() outbox.Deliverer {
	return &deliverer{a: a, dms: map[string]string{}, maxImage: maxFileBytes}
}

// deliverer posts outbox messages with chat.postMessage, each page marked
// with the message's key in Slack message metadata, and shares their
// images with the files v2 upload, each under a name made from the key.
type deliverer struct {
	a        *Adapter
	maxImage int // the largest image uploaded, in bytes

	mu  sync.Mutex
	dms map[string]string // user → DM channel
}

// Deliver posts r to m.Channel, or to the DM of the person m.Channel
// names: its image first, then its pages in order. An image whose reply
// says no more than one paragraph is shared with that paragraph as its
// comment, in one message. The error is slack-go's, wrapped, so that
// Classify can read it.
//
// The image comes first because it is what such a message is for (the
// digest's chart) and belongs in the channel, not in a thread under the
// text; and because then a page found by Delivered means that the image
// was shared too.
func (d *deliverer) Deliver(ctx context.Context, m outbox.Message, r bot.Reply) error {
	if len(r.Blocks) == 0 && r.Image == nil {
		return nil // nothing to show: posting an empty message would fail every retry
	}
	if r.Image != nil {
		if err := checkImage(r.Image, d.maxImage); err != nil {
			return fmt.Errorf("upload %s: %w", m.IdemKey, err)
		}
	}
	channel, err := d.channel(ctx, m.Channel)
	if err != nil {
		return err
	}
	comment, post := split(r)
	if r.Image != nil {
		if err := d.upload(ctx, channel, m, r.Image, comment); err != nil {
			return err
		}
	}
	if !post {
		return nil
	}
	for i, page := range d.a.pages(r) {
		_, _, err := d.a.api.PostMessageContext(ctx, channel,
			slack.MsgOptionBlocks(page...),
			slack.MsgOptionText(pageText(r, i), false),
			slack.MsgOptionMetadata(slack.SlackMetadata{EventType: outboxEvent,
				EventPayload: map[string]any{"key": m.IdemKey, "page": i}}))
		if err != nil {
			return fmt.Errorf("post %s page %d to %s: %w", m.IdemKey, i, channel, err)
		}
	}
	return nil
}

// Delivered looks for m's key in the metadata of the messages posted to
// its channel since it was written, and for its image's name among their
// files.
//
// Any page found counts as delivered: pages are posted in order, so the
// first one is there, and a reply cut short after it (a crash between
// pages) is accepted as delivered rather than risk showing it twice. The
// image alone counts only when no pages follow it: when they do, Deliver
// is called again and posts them without sharing the image twice.
func (d *deliverer) Delivered(ctx context.Context, m outbox.Message) (bool, error) {
	channel, err := d.channel(ctx, m.Channel)
	if err != nil {
		return false, err
	}
	var r bot.Reply
	_ = json.Unmarshal(m.Payload, &r) // an unreadable payload is given up by the sender; its pages are still looked for
	file := ""
	if r.Image != nil {
		file = imageName(m.IdemKey, r.Image.Name)
	}
	s, err := d.find(ctx, channel, m, file)
	if err != nil {
		return false, err
	}
	_, post := split(r)
	return s.page || (s.file && !post), nil
}

// seen is what conversations.history shows of an outbox message.
type seen struct {
	page bool // a message carrying its key in its metadata
	file bool // a message sharing its image (file, if not "")
}

// find reads the messages posted to channel since m was written, looking
// for m's pages and for a file named file.
func (d *deliverer) find(ctx context.Context, channel string, m outbox.Message, file string) (seen, error) {
	var s seen
	p := &slack.GetConversationHistoryParameters{ChannelID: channel, Oldest: slackTS(m.CreatedAt.Add(-historySkew)),
		Limit: historyLimit, IncludeAllMetadata: true}
	for range historyPages {
		h, err := d.a.api.GetConversationHistoryContext(ctx, p)
		if err != nil {
			return seen{}, fmt.Errorf("read %s for %s: %w", channel, m.IdemKey, err)
		}
		for _, msg := range h.Messages {
			if md := msg.Metadata; md.EventType == outboxEvent && md.EventPayload["key"] == m.IdemKey {
				s.page = true
			}
			for _, f := range msg.Files {
				if file != "" && f.Name == file {
					s.file = true
				}
			}
		}
		// A page is posted after the image: once one is found, all is.
		if s.page || !h.HasMore || h.ResponseMetaData.NextCursor == "" {
			return s, nil
		}
		p.Cursor = h.ResponseMetaData.NextCursor
	}
	// Not among the first historyPages×historyLimit messages after it was
	// written (a busy channel, and hours of retries): sending it again is
	// a lesser harm than never sending it.
	return s, nil
}

// upload shares img in channel under a name made from m's key, with
// comment (mrkdwn) as its message, unless an earlier attempt at m did.
func (d *deliverer) upload(ctx context.Context, channel string, m outbox.Message, img *bot.Image, comment string) error {
	name := imageName(m.IdemKey, img.Name)
	if m.InDoubt || m.Attempts > 1 {
		// An earlier attempt may have shared the image and then failed on
		// the pages after it (Delivered, asked first, then answered false).
		s, err := d.find(ctx, channel, m, name)
		switch {
		case err != nil:
			d.a.log.WarnContext(ctx, "slack outbox: cannot tell whether an image was shared; uploading it (it may show twice)",
				"key", m.IdemKey, "channel", channel, "err", err)
		case s.file || s.page:
			return nil
		}
	}
	alt := cut(img.Alt, maxAltText)
	_, err := d.a.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader: bytes.NewReader(img.PNG), FileSize: len(img.PNG), Filename: name,
		Title: cmp.Or(alt, name), AltTxt: alt, InitialComment: comment, Channel: channel,
	})
	if err != nil {
		return fmt.Errorf("upload %s as %s to %s: %w", m.IdemKey, name, channel, err)
	}
	return nil
}

// split tells how r is shown with its image: comment, the text shared
// with the image when r says no more than one paragraph, or post when r
// has blocks to post as messages of their own.
func split(r bot.Reply) (comment string, post bool) {
	if r.Image == nil || len(r.Blocks) == 0 {
		return "", len(r.Blocks) > 0
	}
	if len(r.Blocks) > 1 || utf8.RuneCountInString(r.Blocks[0].Text) > maxSectionText {
		return "", true
	}
	switch b := r.Blocks[0]; b.Kind {
	case bot.TextBlock, bot.ContextBlock:
		return Escape(b.Text), false
	case bot.HeaderBlock:
		return "*" + Escape(b.Text) + "*", false
	}
	return "", true
}

// imageName is the name an outbox image is shared under: its own name's
// stem and extension around 8 hex digits of the SHA-256 of the message's
// key ("funnel-2026-W48-1a2b3c4d.png"), so that Delivered can find it and
// takes no other message's image for it.
func imageName(key, name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	ext := path.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	if stem == "" || stem == "." || stem == "/" {
		stem = "image"
	}
	if ext == "" || ext == "." {
		ext = ".png"
	}
	sum := sha256.Sum256([]byte(key))
	return fmt.Sprintf("%s-%x%s", stem, sum[:4], ext)
}

// checkImage refuses an image no retry can upload.
func checkImage(img *bot.Image, limit int) error {
	switch {
	case len(img.PNG) == 0:
		return fmt.Errorf("%w: it is empty", errImage)
	case len(img.PNG) > limit:
		return fmt.Errorf("%w: %d bytes, over %d", errImage, len(img.PNG), limit)
	}
	return nil
}

// Classify is the reply queue's: wait as a 429 asks, retry server and
// network errors, give up on the rest, and on an image Slack cannot take.
func (d *deliverer) Classify(err error) (retry bool, after time.Duration) {
	if errors.Is(err, errImage) {
		return false, 0
	}
	return classify(err)
}

// channel is where a message to target is posted: a channel as is, a
// person's DM opened with conversations.open (once per person).
func (d *deliverer) channel(ctx context.Context, target string) (string, error) {
	if !isUser(target) {
		return target, nil
	}
	d.mu.Lock()
	ch, ok := d.dms[target]
	d.mu.Unlock()
	if ok {
		return ch, nil
	}
	c, _, _, err := d.a.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{target}})
	if err == nil && c == nil {
		err = errors.New("no channel in the answer")
	}
	if err != nil {
		return "", fmt.Errorf("open the DM of %s: %w", target, err)
	}
	d.mu.Lock()
	d.dms[target] = c.ID
	d.mu.Unlock()
	return c.ID, nil
}

// isUser tells a person's id (U…, or W… in Enterprise Grid) from a
// conversation's.
func isUser(id string) bool { return strings.HasPrefix(id, "U") || strings.HasPrefix(id, "W") }

// slackTS writes t as a Slack timestamp ("1355517523.000005").
func slackTS(t time.Time) string { return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000) }
