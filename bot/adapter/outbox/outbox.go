// Package outbox delivers the scheduled messages the store's outbox holds
// (morning reminders, weekly digests) through a platform, with retries and
// backoff, in order per channel, and without sending one twice after a
// crash.
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/store"
)

// Message is what a Deliverer is given of an outbox row: the adapters
// deliver it without knowing the store.
type Message struct {
	ID        int64
	IdemKey   string // job/period/recipient: the message is written once
	Platform  string
	Channel   string // a channel, a chat, or a person to DM
	Payload   []byte // the reply, as Payload wrote it
	Attempts  int    // this one included
	CreatedAt time.Time
	// InDoubt is set on a message whose previous claim was never settled:
	// it may have been delivered already.
	InDoubt bool
}

// MessageOf is what a Deliverer is given of the outbox row m.
func MessageOf(m store.OutboxMessage) Message {
	return Message{ID: m.ID, IdemKey: m.IdemKey, Platform: m.Platform, Channel: m.Channel, Payload: m.Payload,
		Attempts: m.Attempts, CreatedAt: m.CreatedAt, InDoubt: m.InDoubt}
}

// Deliverer sends outbox messages on one platform.
type Deliverer interface {
	// Deliver posts the reply to m.Channel (a channel, a chat, or a
	// person's id for a direct message), carrying m.IdemKey where the
	// platform keeps it (message metadata, a request uuid), so that
	// Delivered can tell later.
	Deliver(ctx context.Context, m Message, r bot.Reply) error
	// Delivered reports whether a message whose delivery was cut short
	// (a crash between sending and marking) reached the platform. A
	// platform that de-duplicates by key may answer false: Deliver again
	// is then harmless.
	Delivered(ctx context.Context, m Message) (bool, error)
	// Classify tells what to do with a failed delivery: retry after a
	// given delay (a rate limit), retry with backoff, or give up.
	Classify(err error) (retry bool, after time.Duration)
}

// Payload is how a reply is kept in the outbox.
func Payload(r bot.Reply) ([]byte, error) { return json.Marshal(r) }

// Config tunes a Sender; zero values get defaults.
type Config struct {
	Every       time.Duration // how often the outbox is read; default 1 s
	Lease       time.Duration // how long a claimed message is not handed out again; default 2 min
	Batch       int           // messages claimed at once; default 50
	MaxAttempts int           // then the message is given up; default 8
	BaseDelay   time.Duration // first backoff, doubling; default 5 s
	MaxDelay    time.Duration // default 30 min
	Now         func() time.Time
	Log         *slog.Logger
}

// Sender delivers one platform's outbox messages.
type Sender struct {
	db       *store.DB
	platform string
	d        Deliverer
	cfg      Config
}

// NewSender builds a sender of platform's messages through d.
func NewSender(db *store.DB, platform string, d Deliverer, cfg Config) *Sender {
	if cfg.Every <= 0 {
		cfg.Every = time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 50
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.BaseDelay <= 0 {
		cfg.BaseDelay = 5 * time.Second
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = 30 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cfg.Log = cfg.Log.With("platform", platform)
	return &Sender{db: db, platform: platform, d: d, cfg: cfg}
}

// Run delivers until ctx ends.
func (s *Sender) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Every)
	defer t.Stop()
	for {
		if _, err := s.Once(ctx); err != nil {
			s.cfg.Log.ErrorContext(ctx, "outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Once delivers what is due now and returns how many were sent. Messages
// to one channel go in the order they were written: after a failure the
// channel's later messages wait for the next round.
func (s *Sender) Once(ctx context.Context) (sent int, err error) {
	now := s.cfg.Now()
	ms, err := s.db.Claim(ctx, s.platform, now, s.cfg.Lease, s.cfg.Batch)
	if err != nil {
		return 0, err
	}
	held := map[string]time.Time{} // channel → when its failed message is retried
	for _, m := range ms {
		if next, ok := held[m.Channel]; ok {
			// Not attempted: keep it behind the one that failed.
			if err := s.db.Release(ctx, m.ID, next); err != nil {
				return sent, err
			}
			continue
		}
		ok, next, err := s.deliver(ctx, m)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		} else if !next.IsZero() {
			held[m.Channel] = next
		}
	}
	return sent, nil
}

// deliver settles one claimed message: sent, failed until next, or given
// up. The error is the store's, not the platform's.
func (s *Sender) deliver(ctx context.Context, m store.OutboxMessage) (ok bool, next time.Time, err error) {
	log := s.cfg.Log.With("key", m.IdemKey, "channel", m.Channel, "attempt", m.Attempts)
	msg := MessageOf(m)
	// A claim cut short (a crash) or an attempt that failed (a timeout, a
	// reply cut after its first page) may have delivered all or part of
	// the message: ask the platform first. When it cannot tell, send:
	// a possible duplicate is better than a message never sent.
	if m.InDoubt || m.Attempts > 1 {
		done, err := s.d.Delivered(ctx, msg)
		switch {
		case err != nil:
			log.WarnContext(ctx, "outbox: cannot tell whether a message was delivered; sending it (it may show twice)", "err", err)
		case done:
			log.InfoContext(ctx, "outbox: message found delivered by an earlier attempt")
			return true, time.Time{}, s.db.MarkSent(ctx, m.ID, s.cfg.Now())
		}
	}
	var r bot.Reply
	if err := json.Unmarshal(m.Payload, &r); err != nil {
		log.ErrorContext(ctx, "outbox: unreadable message given up", "err", err)
		return false, time.Time{}, s.db.GiveUp(ctx, m.ID, fmt.Sprintf("unreadable payload: %v", err))
	}
	derr := s.d.Deliver(ctx, msg, r)
	if derr == nil {
		return true, time.Time{}, s.db.MarkSent(ctx, m.ID, s.cfg.Now())
	}
	retry, after := s.d.Classify(derr)
	if !retry || m.Attempts >= s.cfg.MaxAttempts {
		log.ErrorContext(ctx, "outbox: message given up", "err", derr)
		return false, time.Time{}, s.db.GiveUp(ctx, m.ID, derr.Error())
	}
	next = s.cfg.Now().Add(s.backoff(m.Attempts, after))
	log.WarnContext(ctx, "outbox: delivery failed; retrying", "err", derr, "at", next)
	return false, next, s.db.MarkFailed(ctx, m.ID, derr.Error(), next)
}

// backoff is the wait before attempt+1: what the platform asked, else
// BaseDelay doubling per attempt, capped, with jitter.
func (s *Sender) backoff(attempt int, after time.Duration) time.Duration {
	if after > 0 {
		return after
	}
	d := s.cfg.BaseDelay << min(attempt-1, 20)
	if d <= 0 || d > s.cfg.MaxDelay {
		d = s.cfg.MaxDelay
	}
	return d/2 + rand.N(d/2+1)
}
