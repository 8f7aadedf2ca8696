package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/slack-go/slack"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/queue"
	"github.com/dealcoach/dealcoach/bot/replay"
	"github.com/dealcoach/dealcoach/bot/work"
	"github.com/dealcoach/dealcoach/prompts"
	"github.com/dealcoach/dealcoach/store"
)

// maxReplays bounds the signatures kept against replays: ten minutes of
// requests at 160 a second, about 3 MB at most.
const maxReplays = 100_000

// platform is the name Slack's people, conversations and inbox rows are
// stored under.
const platform = "slack"

// Config is what the adapter needs; cmd builds it from the environment.
type Config struct {
	Bot           *bot.Bot
	Store         *store.DB
	Catalog       *prompts.Catalog
	Token         string // SLACK_BOT_TOKEN
	SigningSecret string // SLACK_SIGNING_SECRET: HTTP mode
	AppToken      string // SLACK_APP_TOKEN: Socket Mode
	APIURL        string // SLACK_API_URL: the Web API's base URL; "" is Slack's
	DefaultLang   string // for texts of the adapter's own when no reply says
	Log           *slog.Logger
	Now           func() time.Time // the clock; default time.Now

	Workers   int           // goroutines handling events after their ack; default 8
	AckWithin time.Duration // a slash command slower than this is acked with "working on it" and answered later; default 2.5s
	Queue     queue.Config  // delivery of replies; Classify is set by the adapter
}

// Adapter serves Slack: HTTP endpoints or Socket Mode, and the Web API
// calls replies need.
type Adapter struct {
	cfg    Config
	api    *slack.Client
	log    *slog.Logger
	people *work.People
	pool   *work.Pool
	out    *queue.Queue

	replays *replay.Guard // signatures seen, against replayed requests
}

// New builds the adapter and starts its workers; Close stops them.
func New(cfg Config) (*Adapter, error) {
	if cfg.Bot == nil || cfg.Store == nil || cfg.Catalog == nil {
		return nil, errors.New("slack: bot, store and catalog are required")
	}
	if cfg.Token == "" {
		return nil, errors.New("slack: SLACK_BOT_TOKEN is required")
	}
	if cfg.SigningSecret == "" && cfg.AppToken == "" {
		return nil, errors.New("slack: set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DefaultLang != "en" {
		cfg.DefaultLang = "zh"
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.AckWithin <= 0 {
		cfg.AckWithin = 2500 * time.Millisecond
	}
	opts := []slack.Option{}
	if cfg.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(cfg.APIURL))
	}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	a := &Adapter{cfg: cfg, api: slack.New(cfg.Token, opts...), log: cfg.Log.With("platform", platform)}
	a.people = work.NewPeople(a.lookup, a.log, cfg.Now)
	a.replays = replay.New(maxReplays)
	qc := cfg.Queue
	qc.Classify = classify
	if qc.Log == nil {
		qc.Log = a.log
	}
	a.out = queue.New(qc)
	a.pool = work.NewPool(cfg.Workers, 256, a.log)
	return a, nil
}

// Routes registers the HTTP endpoints on mux; every request's signature
// is checked first.
func (a *Adapter) Routes(mux *http.ServeMux) {
	mux.Handle("POST /slack/commands", Verified(a.cfg.SigningSecret, a.replays, a.log, a.serveCommand))
	mux.Handle("POST /slack/events", Verified(a.cfg.SigningSecret, a.replays, a.log, a.serveEvent))
	mux.Handle("POST /slack/interactions", Verified(a.cfg.SigningSecret, a.replays, a.log, a.serveInteraction))
}

// Close stops taking work, lets queued work and replies finish until ctx
// ends, then cancels the rest. Events still unprocessed stay in the inbox
// and are handled at the next start (see Replay).
func (a *Adapter) Close(ctx context.Context) error {
	err := a.pool.Close(ctx)
	if qerr := a.out.Close(ctx); qerr != nil && err == nil {
		err = qerr
	}
	return err
}

// lookup asks users.info who a person is.
func (a *Adapter) lookup(ctx context.Context, id string) (work.Person, error) {
	u, err := a.api.GetUserInfoContext(ctx, id)
	if err != nil {
		return work.Person{}, err
	}
	name := u.Profile.DisplayName
	if name == "" {
		name = u.RealName
	}
	if name == "" {
		name = u.Name
	}
	return work.Person{Name: name, TZ: u.TZ, Locale: u.Locale}, nil
}

// envelope is how an event is kept in the inbox: enough to handle it
// again after a restart.
type envelope struct {
	Kind string          `json:"kind"` // "event", "command", "action", "view"
	Body json.RawMessage `json:"body"`
}

// record writes the event to the inbox, committed, before anything
// acknowledges it. fresh is false for a retry or a duplicate.
func (a *Adapter) record(ctx context.Context, key, kind string, body []byte) (fresh bool, err error) {
	raw, err := json.Marshal(envelope{Kind: kind, Body: body})
	if err != nil {
		return false, fmt.Errorf("encode %s %s: %w", kind, key, err)
	}
	fresh, err = a.cfg.Store.Receive(ctx, platform, key, raw)
	if err != nil {
		return false, fmt.Errorf("record %s %s: %w", kind, key, err)
	}
	if !fresh {
		a.log.InfoContext(ctx, "duplicate delivery ignored", "event", key)
	}
	return fresh, nil
}

// handle runs one recorded event's message through the core, marking the
// inbox row processed in the same transaction as what the message changes
// (or after, when it changed nothing). A duplicate gives an empty reply.
func (a *Adapter) handle(ctx context.Context, key string, m bot.Message) (bot.Reply, error) {
	mctx, mark := store.WithMark(ctx, platform, key)
	r, err := a.cfg.Bot.Handle(mctx, m)
	if errors.Is(err, store.ErrDuplicate) {
		return bot.Reply{}, nil
	}
	a.done(ctx, key, mark)
	return r, err
}

// done marks an event processed unless its effect's transaction did.
func (a *Adapter) done(ctx context.Context, key string, mark *store.Mark) {
	if mark != nil && mark.Done() {
		return
	}
	if err := a.cfg.Store.MarkProcessed(ctx, platform, key); err != nil {
		a.log.ErrorContext(ctx, "mark event processed", "event", key, "err", err)
	}
}

// Replay handles the events recorded before a crash but never processed.
// Call it once at start, before serving.
func (a *Adapter) Replay(ctx context.Context) error {
	// Everything in the inbox at start was left by an earlier process.
	evs, err := a.cfg.Store.Unprocessed(ctx, platform, a.cfg.Now().Add(24*time.Hour))
	if err != nil {
		return fmt.Errorf("slack replay: %w", err)
	}
	for _, e := range evs {
		a.log.InfoContext(ctx, "replaying event recorded before a restart", "event", e.EventID)
		a.resume(ctx, e.EventID, e.Payload)
	}
	return nil
}

// inboxKept is how long processed events are kept for dedupe.
const inboxKept = 7 * 24 * time.Hour

// Sweep periodically replays events that stayed unprocessed for a while:
// left behind by busy workers, or recorded while a previous process died;
// and it forgets processed events older than inboxKept.
func (a *Adapter) Sweep(ctx context.Context, every, age time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.pool.Ctx().Done():
			return
		case <-t.C:
		}
		// Dedupe needs a row only while Slack may still retry (hours) and
		// a replayed request's timestamp passes (minutes): a week is ample.
		if _, err := a.cfg.Store.PruneInbox(ctx, a.cfg.Now().Add(-inboxKept)); err != nil {
			a.log.ErrorContext(ctx, "slack sweep: prune the inbox", "err", err)
		}
		evs, err := a.cfg.Store.Unprocessed(ctx, platform, a.cfg.Now().Add(-age))
		if err != nil {
			a.log.ErrorContext(ctx, "slack sweep", "err", err)
			continue
		}
		for _, e := range evs {
			a.resume(ctx, e.EventID, e.Payload)
		}
	}
}

// resume queues a recorded event again.
func (a *Adapter) resume(ctx context.Context, key string, payload []byte) {
	var env envelope
	if err := json.Unmarshal(payload, &env); err != nil {
		a.log.ErrorContext(ctx, "unreadable inbox row: dropped", "event", key, "err", err)
		a.done(ctx, key, nil)
		return
	}
	var t work.Task
	var err error
	switch env.Kind {
	case "event":
		t, err = a.eventTask(key, env.Body)
	case "command":
		t, err = a.commandTask(key, env.Body)
	case "action":
		t, err = a.actionTask(key, env.Body)
	case "view":
		t, err = a.viewTask(key, env.Body)
	default:
		err = fmt.Errorf("unknown kind %q", env.Kind)
	}
	if err != nil {
		a.log.ErrorContext(ctx, "unreadable inbox row: dropped", "event", key, "err", err)
		a.done(ctx, key, nil)
		return
	}
	if t.Run == nil { // nothing to do for it
		a.done(ctx, key, nil)
		return
	}
	a.pool.Add(t, time.Minute) // at start or in a sweep: nobody waits for an answer
}

// classify tells the reply queue how to treat a Web API failure: wait as
// long as a 429 asks, retry server and network errors, give up on the rest
// (a channel the bot is not in will not appear by retrying).
func classify(err error) (retry bool, after time.Duration) {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return true, max(rl.RetryAfter, time.Second)
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return sc.Code >= 500, 0
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited":
			return true, 0
		}
		return false, 0
	}
	if errors.Is(err, context.Canceled) {
		return false, 0
	}
	return true, 0 // the network
}
