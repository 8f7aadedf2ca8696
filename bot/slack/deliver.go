package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/outbox"
	"github.com/dealcoach/dealcoach/store"
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

// Deliverer returns the adapter's outbox.Deliverer (scheduled messages:
// reminders, digests). Each call has its own cache of DM channels; a
// sender keeps one.
func (a *Adapter) Deliverer() outbox.Deliverer {
	return &deliverer{a: a, dms: map[string]string{}}
}

// deliverer posts outbox messages with chat.postMessage, each page marked
// with the message's key in Slack message metadata.
type deliverer struct {
	a *Adapter

	mu  sync.Mutex
	dms map[string]string // user → DM channel
}

// Deliver posts r's pages in order to m.Channel, or to the DM of the
// person m.Channel names. The error is slack-go's, wrapped, so that
// Classify can read it.
func (d *deliverer) Deliver(ctx context.Context, m store.OutboxMessage, r bot.Reply) error {
	if len(r.Blocks) == 0 {
		return nil // nothing to show: posting an empty message would fail every retry
	}
	channel, err := d.channel(ctx, m.Channel)
	if err != nil {
		return err
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
// its channel since it was written.
//
// Any page found counts as delivered: pages are posted in order, so the
// first one is there, and a reply cut short after it (a crash between
// pages) is accepted as delivered rather than risk showing it twice.
func (d *deliverer) Delivered(ctx context.Context, m store.OutboxMessage) (bool, error) {
	channel, err := d.channel(ctx, m.Channel)
	if err != nil {
		return false, err
	}
	p := &slack.GetConversationHistoryParameters{ChannelID: channel, Oldest: slackTS(m.CreatedAt.Add(-historySkew)),
		Limit: historyLimit, IncludeAllMetadata: true}
	for range historyPages {
		h, err := d.a.api.GetConversationHistoryContext(ctx, p)
		if err != nil {
			return false, fmt.Errorf("read %s for %s: %w", channel, m.IdemKey, err)
		}
		for _, msg := range h.Messages {
			if md := msg.Metadata; md.EventType == outboxEvent && md.EventPayload["key"] == m.IdemKey {
				return true, nil
			}
		}
		if !h.HasMore || h.ResponseMetaData.NextCursor == "" {
			return false, nil
		}
		p.Cursor = h.ResponseMetaData.NextCursor
	}
	// Not among the first historyPages×historyLimit messages after it was
	// written (a busy channel, and hours of retries): sending it again is
	// a lesser harm than never sending it.
	return false, nil
}

// Classify is the reply queue's: wait as a 429 asks, retry server and
// network errors, give up on the rest.
func (d *deliverer) Classify(err error) (retry bool, after time.Duration) { return classify(err) }

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
