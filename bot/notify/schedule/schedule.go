// Package schedule runs dealcoach's scheduled jobs: each rep's morning
// reminder and each team's weekly digest. A job works out what is due from
// the store, renders it with the bot, and writes each message to the
// outbox under an idempotency key (job, period, recipient) in the same
// transaction that records the run, so that a run happens once per period
// whatever crashes or restarts; bot/adapter/outbox then delivers.
//
// Runs are found by scanning, not fired by the clock alone: every minute
// (and once at start) the scheduler asks which periods have begun and
// have no recorded run. A process that was down at 09:00 thus catches the
// day's reminder (and the week's digest) up when it starts, while older
// periods, no longer current, are never sent late.
package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/adapter/outbox"
	"github.com/dealcoach/dealcoach/bot/notify/chart"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// DigestHour is when, on Monday in the team's zone, the digest of the
// week before is due.
const DigestHour = 9

// Config is what the scheduler needs.
type Config struct {
	Store       *store.DB
	Format      *bot.Formatter // the texts, money and dates of the messages
	Playbook    *coach.Playbook
	Now         func() time.Time
	DefaultTZ   *time.Location
	DefaultLang string
	Rules       coach.NudgeRules
	// Platforms are those whose messages the scheduler enqueues: the ones
	// a sender delivers. People and teams elsewhere (the terminal) are
	// only printed by the nudge and digest commands.
	Platforms []string
	Font      *chart.Font // for the digest's chart; nil: the digest goes as text only
	Log       *slog.Logger
	// OnTick, when set, hears of every tick Start runs, with the messages
	// it enqueued and its error: serve's readiness and metrics.
	OnTick func(enqueued int, err error)
}

// Scheduler plans and records the scheduled jobs' runs.
type Scheduler struct {
	cfg      Config
	zones    bot.Zones
	readSize int // deals a scan reads at a time: dealsPerRead, less in tests
}

// New builds a scheduler, filling defaults.
func New(cfg Config) (*Scheduler, error) {
	if cfg.Store == nil || cfg.Format == nil || cfg.Playbook == nil {
		return nil, fmt.Errorf("schedule: store, formatter and playbook are required")
	}
	if err := cfg.Rules.Check(); err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DefaultTZ == nil {
		cfg.DefaultTZ = time.UTC
	}
	if cfg.DefaultLang != "en" {
		cfg.DefaultLang = "zh"
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Scheduler{cfg: cfg, readSize: dealsPerRead}, nil
}

// Message is one scheduled message.
type Message struct {
	Key      string // the outbox idempotency key
	Platform string
	Channel  string // a channel, or a person's platform id for a DM
	To       string // whom or where, in words, for printing
	Reply    bot.Reply
}

// Run is one job run: its key and what it sends (nothing, when there was
// nothing to say).
type Run struct {
	Key      string
	Platform string // the recipient's platform ("" for a team without a digest channel)
	Messages []Message
}

// Tick runs whatever is due at now and not yet run: the morning reminders
// and the weekly digests. It returns the number of messages enqueued.
func (s *Scheduler) Tick(ctx context.Context) (int, error) {
	now := s.cfg.Now()
	n := 0
	err := s.dueNudges(ctx, now, func(runs []Run) error {
		k, err := s.Record(ctx, runs)
		n += k
		return err
	})
	if err != nil {
		return n, err
	}
	digests, err := s.DueDigests(ctx, now)
	if err != nil {
		return n, err
	}
	k, err := s.Record(ctx, digests)
	return n + k, err
}

// Record writes runs and their messages; a run already recorded is
// skipped. It returns the number of messages enqueued.
func (s *Scheduler) Record(ctx context.Context, runs []Run) (int, error) {
	n := 0
	for _, r := range runs {
		msgs := make([]store.OutboxMessage, 0, len(r.Messages))
		for _, m := range r.Messages {
			payload, err := outbox.Payload(m.Reply)
			if err != nil {
				return n, fmt.Errorf("run %s: encode %s: %w", r.Key, m.Key, err)
			}
			msgs = append(msgs, store.OutboxMessage{IdemKey: m.Key, Platform: m.Platform, Channel: m.Channel, Payload: payload})
		}
		fresh, err := s.cfg.Store.RecordRun(ctx, r.Key, msgs...)
		if err != nil {
			return n, err
		}
		if fresh {
			n += len(msgs)
			s.cfg.Log.Info("scheduled run", "run", r.Key, "messages", len(msgs))
		}
	}
	return n, nil
}

// Start runs Tick once now, catching up the current periods' runs the
// process missed while down, then every minute until ctx ends. The cron
// chain skips a tick while the last still runs, and recovers a panicking
// one so that the job keeps its schedule (SkipIfStillRunning outside
// Recover: the other way round a panic disables the job for good).
func (s *Scheduler) Start(ctx context.Context) (stop func()) {
	tick := func() {
		n, err := s.Tick(ctx)
		if err != nil {
			s.cfg.Log.Error("scheduler tick", "err", err)
		} else if n > 0 {
			s.cfg.Log.Info("scheduler enqueued messages", "n", n)
		}
		if s.cfg.OnTick != nil {
			s.cfg.OnTick(n, err)
		}
	}
	l := cronLogger{s.cfg.Log}
	c := cron.New(cron.WithLocation(time.UTC), cron.WithChain(cron.SkipIfStillRunning(l), cron.Recover(l)))
	id, err := c.AddFunc("* * * * *", tick)
	if err != nil {
		panic(err) // a constant spec
	}
	c.Start()
	var first sync.WaitGroup
	first.Add(1)
	go func() { // at once, through the same chain
		defer first.Done()
		c.Entry(id).WrappedJob.Run()
	}()
	return func() {
		<-c.Stop().Done()
		first.Wait()
	}
}

// cronLogger gives cron's logs to slog.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}

// enqueued reports whether platform's messages are enqueued.
func (s *Scheduler) enqueued(platform string) bool { return slices.Contains(s.cfg.Platforms, platform) }

// zone is the named zone, else fallback.
func (s *Scheduler) zone(name string, fallback *time.Location) *time.Location {
	if loc, ok := s.zones.Load(name); ok {
		return loc
	}
	return fallback
}

// lang is a person's language, else the default.
func (s *Scheduler) lang(p coach.Person) string {
	if p.Lang == "zh" || p.Lang == "en" {
		return p.Lang
	}
	return s.cfg.DefaultLang
}
