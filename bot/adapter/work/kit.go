package work

import (
	"context"
	"log/slog"
	"time"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/adapter/queue"
	"github.com/dealcoach/dealcoach/store"
)

// InboxStore is what an adapter's plumbing needs of the store: the inbox
// that records an event before it is acknowledged. *store.DB is one; the
// adapters take it as this interface and never import the store.
type InboxStore interface {
	Receive(ctx context.Context, platform, eventID string, payload []byte) (fresh bool, err error)
	MarkProcessed(ctx context.Context, platform, eventID string) error
	Unprocessed(ctx context.Context, platform string, olderThan time.Time) ([]store.InboxEvent, error)
	PruneInbox(ctx context.Context, before time.Time) (int64, error)
}

// KitConfig is what an adapter tells its Kit about its platform.
type KitConfig struct {
	Store    InboxStore
	Bot      *bot.Bot
	Platform string
	Log      *slog.Logger
	Now      func() time.Time
	Workers  int
	Queue    queue.Config // Classify and Log are filled from below when unset
	Classify func(err error) (retry bool, after time.Duration)
	Lookup   func(ctx context.Context, id string) (Person, error)
	Decode   func(key, kind string, body []byte) (Task, error)
}

// Kit is the plumbing every adapter has: the people cache, the worker
// pool, the inbox and the ordered reply queue.
type Kit struct {
	People *People
	Pool   *Pool
	Inbox  *Inbox
	Out    *queue.Queue
}

// NewKit builds and starts an adapter's plumbing; Close stops it.
func NewKit(c KitConfig) *Kit {
	qc := c.Queue
	if qc.Classify == nil {
		qc.Classify = c.Classify
	}
	if qc.Log == nil {
		qc.Log = c.Log
	}
	k := &Kit{People: NewPeople(c.Lookup, c.Log, c.Now), Pool: NewPool(c.Workers, 256, c.Log), Out: queue.New(qc)}
	k.Inbox = &Inbox{Store: c.Store, Bot: c.Bot, Platform: c.Platform, Pool: k.Pool, Log: c.Log, Now: c.Now, Decode: c.Decode}
	return k
}

// Close stops taking work, lets queued work and replies finish until ctx
// ends, then cancels the rest (unprocessed events stay in the inbox).
func (k *Kit) Close(ctx context.Context) error {
	err := k.Pool.Close(ctx)
	if qerr := k.Out.Close(ctx); qerr != nil && err == nil {
		err = qerr
	}
	return err
}
