package work

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/dealcoach/dealcoach/bot"
)

// inboxKept is how long processed events are kept for dedupe: platforms
// retry for minutes to hours, and a replayed request's timestamp passes
// for minutes. A week is ample.
const inboxKept = 7 * 24 * time.Hour

// pruneEvery is how often the sweep prunes the inbox: a prune reads every
// row (the inbox has no index of its times), and a week's rows kept an
// hour longer cost nothing.
const pruneEvery = time.Hour

// Inbox is an adapter's side of the store's inbox: an event is recorded
// before the platform is answered, handled by the pool with its inbox row
// marked in the same transaction as its change, and handled again after
// a crash.
type Inbox struct {
	Store    InboxStore
	Bot      *bot.Bot
	Platform string
	Pool     *Pool
	Log      *slog.Logger
	Now      func() time.Time
	// Decode turns a recorded event back into its task (a task with no
	// Run: nothing to do).
	Decode func(key, kind string, body []byte) (Task, error)

	pruned atomic.Int64 // when the sweep last pruned, Unix nanoseconds (0: never)
}

// envelope is how an event is kept: its kind and the platform's payload.
type envelope struct {
	Kind string          `json:"kind"`
	Body json.RawMessage `json:"body"`
}

// Record writes the event to the inbox, committed, before anything
// answers the platform. fresh is false for a retry or a duplicate.
func (in *Inbox) Record(ctx context.Context, key, kind string, body []byte) (fresh bool, err error) {
	raw, err := json.Marshal(envelope{Kind: kind, Body: body})
	if err != nil {
		return false, fmt.Errorf("encode %s %s: %w", kind, key, err)
	}
	fresh, err = in.Store.Receive(ctx, in.Platform, key, raw)
	if err != nil {
		return false, fmt.Errorf("record %s %s: %w", kind, key, err)
	}
	if !fresh {
		in.Log.InfoContext(ctx, "duplicate delivery ignored", "event", key)
	}
	return fresh, nil
}

// Handle runs a recorded event's message through the core, which records
// the event processed in the same transaction as what the message changes;
// when it changed nothing, Handle records it after. A duplicate gives an
// empty reply. The core has logged what went wrong.
func (in *Inbox) Handle(ctx context.Context, key string, m bot.Message) bot.Reply {
	m.EventID = key
	r, _ := in.Bot.Handle(ctx, m)
	if r.Duplicate {
		return bot.Reply{}
	}
	if !r.Claimed {
		in.Done(ctx, key)
	}
	return r
}

// Done records an event processed: one whose handling wrote nothing, or
// that is not for the core.
func (in *Inbox) Done(ctx context.Context, key string) {
	if err := in.Store.MarkProcessed(ctx, in.Platform, key); err != nil {
		in.Log.ErrorContext(ctx, "mark event processed", "event", key, "err", err)
	}
}

// Replay handles the events recorded before a crash but never processed.
// Call it once at start, before serving.
func (in *Inbox) Replay(ctx context.Context) error {
	// Everything in the inbox at start was left by an earlier process.
	evs, err := in.Store.Unprocessed(ctx, in.Platform, in.Now().Add(24*time.Hour))
	if err != nil {
		return fmt.Errorf("%s replay: %w", in.Platform, err)
	}
	for _, e := range evs {
		in.Log.InfoContext(ctx, "replaying event recorded before a restart", "event", e.EventID)
		in.resume(ctx, e.EventID, e.Payload)
	}
	return nil
}

// Sweep periodically replays events that stayed unprocessed for age:
// left behind by busy workers, or recorded while a previous process died.
// It also forgets processed events older than a week, hourly.
func (in *Inbox) Sweep(ctx context.Context, every, age time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-in.Pool.Ctx().Done():
			return
		case <-t.C:
		}
		in.SweepOnce(ctx, age)
	}
}

// SweepOnce is one round of Sweep; it prunes if an hour has passed since
// it last did.
func (in *Inbox) SweepOnce(ctx context.Context, age time.Duration) {
	now := in.Now()
	if last := in.pruned.Load(); last == 0 || now.Sub(time.Unix(0, last)) >= pruneEvery {
		in.pruned.Store(now.UnixNano())
		if _, err := in.Store.PruneInbox(ctx, now.Add(-inboxKept)); err != nil {
			in.Log.ErrorContext(ctx, "sweep: prune the inbox", "err", err)
		}
	}
	evs, err := in.Store.Unprocessed(ctx, in.Platform, now.Add(-age))
	if err != nil {
		in.Log.ErrorContext(ctx, "sweep", "err", err)
		return
	}
	for _, e := range evs {
		in.resume(ctx, e.EventID, e.Payload)
	}
}

// resume queues a recorded event again.
func (in *Inbox) resume(ctx context.Context, key string, payload []byte) {
	var env envelope
	err := json.Unmarshal(payload, &env)
	var t Task
	if err == nil {
		t, err = in.Decode(key, env.Kind, env.Body)
	}
	if err != nil {
		in.Log.ErrorContext(ctx, "unreadable inbox row: dropped", "event", key, "err", err)
		in.Done(ctx, key)
		return
	}
	if t.Run == nil { // nothing to do for it
		in.Done(ctx, key)
		return
	}
	in.Pool.Add(t, time.Minute) // at start or in a sweep: nobody waits for an answer
}
