package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/adapter/logctx"
	"github.com/dealcoach/dealcoach/bot/adapter/outbox"
	"github.com/dealcoach/dealcoach/bot/adapter/queue"
	"github.com/dealcoach/dealcoach/bot/adapter/work"
	larkbot "github.com/dealcoach/dealcoach/bot/lark"
	slackbot "github.com/dealcoach/dealcoach/bot/slack"
)

// cmdServe runs the HTTP server: health, metrics, and the chat platforms
// that are configured.
func cmdServe(ctx context.Context, cfg config, args []string, io stdio, log *slog.Logger) error {
	fs := newFlags("serve", io)
	if fs.Parse(args) != nil {
		return errUsage
	}
	a, err := openApp(ctx, cfg, cfg.DB, log)
	if err != nil {
		return err
	}
	defer a.db.Close()
	// Its own registry: only what this server exports, nothing a library
	// registered globally.
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		bot.NewStoreCollector(a.db, cfg.Now, log))
	a.metrics = bot.NewMetrics(reg)
	b, err := a.bot(a.metrics, cfg.RateLimit)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	h := newHealth(a.db, time.Now)
	h.routes(mux, log)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	var closers []func(context.Context) error
	var platforms []string // those with a sender of scheduled messages
	var deliverers []outbox.Deliverer
	// A platform connection that gives up for good stops the server, so
	// that a supervisor restarts it rather than it running deaf.
	errc := make(chan error, 3)
	fail := func(err error) {
		select {
		case errc <- err:
		default:
		}
	}
	if cfg.Slack.enabled() {
		sa, err := startSlack(ctx, cfg, a, b, mux, h, log, fail)
		if err != nil {
			return err
		}
		closers = append(closers, sa.Close)
		platforms, deliverers = append(platforms, "slack"), append(deliverers, sa.Deliverer())
	}
	if cfg.Lark.enabled() {
		la, err := startLark(ctx, cfg, a, b, mux, h, log, fail)
		if err != nil {
			return err
		}
		closers = append(closers, la.Close)
		platforms, deliverers = append(platforms, "lark"), append(deliverers, la.Deliverer())
	}
	if !cfg.Slack.enabled() && !cfg.Lark.enabled() {
		log.Warn("no chat platform configured: set SLACK_BOT_TOKEN or LARK_APP_ID to enable one; serving health and metrics only", "addr", cfg.Addr)
	} else {
		healthTick := h.scheduler()
		a.onTick = func(n int, err error) { healthTick(n, err); a.metrics.SchedulerTick(n, err) }
		stop, err := startSchedule(ctx, a, b.Formatter, platforms, deliverers, log)
		if err != nil {
			return err
		}
		// First among the closers: no scheduled message is being sent
		// when the adapters close.
		closers = append([]func(context.Context) error{stop}, closers...)
	}
	if cfg.BackupDir != "" {
		stop, err := startBackups(ctx, a, cfg.BackupDir, cfg.BackupKeep, log)
		if err != nil {
			return err
		}
		closers = append(closers, stop)
	}
	srv := &http.Server{Addr: cfg.Addr, Handler: withRequestID(mux, log), ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
	log.Info("serving", "addr", cfg.Addr)
	go func() { fail(fmt.Errorf("serve %s: %w", cfg.Addr, srv.ListenAndServe())) }()
	var failed error
	select {
	case failed = <-errc:
		log.Error("stopping", "err", failed)
	case <-ctx.Done():
	}
	// Stopping: /readyz turns 503 at once; the server stops accepting and
	// waits for the requests in flight; then the scheduler stops, the
	// senders finish what they are delivering, the adapters finish the
	// turns in flight and flush their replies; the database closes last
	// (deferred). All within shutdownGrace, the database's close after it.
	h.stopping.Store(true)
	stopStart := time.Now()
	log.Info("shutting down: finishing the work in flight", "grace", shutdownGrace)
	shut, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	defer func() { log.Info("stopped", "took", time.Since(stopStart).Round(time.Millisecond)) }()
	// What the file holds at the end, in the words the side-by-side
	// harness (../shared/bench) reads from every server it runs, so that a
	// load's requests can be checked against the deals they made. Logged
	// after the closers (deferred), before the database closes.
	defer func() {
		if n, err := a.db.CountDeals(context.Background()); err == nil {
			log.Info(fmt.Sprintf("deals rows=%d", n))
		}
	}()
	err = srv.Shutdown(shut)
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		err = fmt.Errorf("shut down: %w", err)
	} else {
		err = nil
	}
	// After the server: requests in flight may still queue work.
	for _, c := range closers {
		if cerr := c(shut); cerr != nil && err == nil {
			err = fmt.Errorf("shut down: %w", cerr)
		}
	}
	if failed != nil {
		return failed
	}
	return err
}

// startSchedule starts the scheduled jobs (morning reminders and weekly
// digests, caught up at once for the current period) and one outbox sender
// per platform. The returned function stops them and waits.
func startSchedule(ctx context.Context, a *app, f *bot.Formatter, platforms []string, ds []outbox.Deliverer, log *slog.Logger) (func(context.Context) error, error) {
	s, err := a.scheduler(f, platforms, true)
	if err != nil {
		return nil, err
	}
	// The jobs stop with ctx (a tick cut short is done again at the next
	// start). The senders are told to stop by the returned function and
	// then finish the batch they are delivering; their deliveries are cut
	// off only at the shutdown's deadline (a message cut off mid-send is
	// sent again at the next start, and may show twice).
	sctx, cancel := context.WithCancel(ctx)
	dctx, cancelDeliveries := context.WithCancel(context.WithoutCancel(ctx))
	stopping := make(chan struct{})
	var wg sync.WaitGroup
	for i, p := range platforms {
		sender := outbox.NewSender(a.db, p, ds[i], outbox.Config{Now: a.cfg.Now, Log: log})
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(senderEvery)
			defer t.Stop()
			for {
				if _, err := sender.Once(dctx); err != nil && dctx.Err() == nil {
					log.ErrorContext(dctx, "outbox", "platform", p, "err", err)
				}
				select {
				case <-stopping:
					return
				case <-t.C:
				}
			}
		}()
	}
	stopJobs := s.Start(sctx)
	log.Info("scheduler started", "platforms", strings.Join(platforms, " "))
	return func(shut context.Context) error {
		close(stopping)
		cancel()
		stopJobs()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		var err error
		select {
		case <-done:
		case <-shut.Done():
			err = errors.New("the senders were cut off at the deadline")
			cancelDeliveries()
			<-done
		}
		cancelDeliveries()
		return err
	}, nil
}

// senderEvery is how often a sender reads the outbox.
const senderEvery = time.Second

// shutdownGrace bounds a shutdown's draining; the database closes after
// it, so that serve is gone within 10 s of SIGTERM.
const shutdownGrace = 9 * time.Second

// startSlack enables Slack: events recorded before a crash are handled
// first, then HTTP endpoints (with the signing secret) and Socket Mode
// (with the app token) are served.
func startSlack(ctx context.Context, cfg config, a *app, b *bot.Bot, mux *http.ServeMux, h *health, log *slog.Logger, fail func(error)) (*slackbot.Adapter, error) {
	sa, err := slackbot.New(slackbot.Config{Bot: b, Store: a.db, Catalog: a.catalog, Token: cfg.Slack.BotToken,
		SigningSecret: cfg.Slack.SigningSecret, AppToken: cfg.Slack.AppToken, APIURL: cfg.Slack.APIURL,
		External: cfg.External, DefaultLang: cfg.Lang, Log: log, Now: cfg.Now, WrapTransport: a.metrics.Transport("slack"),
		Queue: queue.Config{OnRetry: a.metrics.OnRetry("slack"), OnGiveUp: a.metrics.OnGiveUp("slack")}})
	if err != nil {
		return nil, err
	}
	if err := sa.Replay(ctx); err != nil {
		return nil, err
	}
	go sa.Sweep(ctx, time.Minute, 2*time.Minute)
	if cfg.Slack.SigningSecret != "" {
		h.platform("slack", "http")
		sa.Routes(mux)
		log.Info("slack enabled over HTTP", "endpoints", "/slack/commands /slack/events /slack/interactions")
	}
	if cfg.Slack.AppToken != "" {
		down := h.platform("slack", "socket mode")
		go func() {
			if err := sa.RunSocket(ctx); err != nil {
				down(err)
				fail(fmt.Errorf("slack socket mode: %w", err))
			}
		}()
		log.Info("slack enabled over Socket Mode")
	}
	return sa, nil
}

// startLark enables Lark: events recorded before a crash are handled
// first, then HTTP callbacks or the long connection are served.
func startLark(ctx context.Context, cfg config, a *app, b *bot.Bot, mux *http.ServeMux, h *health, log *slog.Logger, fail func(error)) (*larkbot.Adapter, error) {
	l := cfg.Lark
	la, err := larkbot.New(larkbot.Config{Bot: b, Store: a.db, Catalog: a.catalog, AppID: l.AppID, AppSecret: l.AppSecret,
		Token: l.Token, EncryptKey: l.EncryptKey, AllowPlain: l.AllowPlain, Mode: l.Mode, BaseURL: l.BaseURL,
		External: cfg.External, DefaultLang: cfg.Lang, Log: log, Now: cfg.Now, WrapTransport: a.metrics.Transport("lark"),
		Queue: queue.Config{OnRetry: a.metrics.OnRetry("lark"), OnGiveUp: a.metrics.OnGiveUp("lark")}})
	if err != nil {
		return nil, err
	}
	if err := la.Replay(ctx); err != nil {
		return nil, err
	}
	go la.Sweep(ctx, time.Minute, 2*time.Minute)
	if l.Mode == larkbot.ModeWS {
		down := h.platform("lark", "long connection")
		go func() {
			if err := la.RunWS(ctx); err != nil {
				down(err)
				fail(fmt.Errorf("lark long connection: %w", err))
			}
		}()
		log.Info("lark enabled over the long connection")
		return la, nil
	}
	h.platform("lark", "http")
	la.Routes(mux)
	if l.EncryptKey == "" {
		log.Warn("lark callbacks accepted without an Encrypt Key (LARK_ALLOW_PLAIN=1): they are checked by token alone")
	}
	log.Info("lark enabled over HTTP", "endpoint", "/lark/events")
	return la, nil
}

// withRequestID gives every request an id (the caller's X-Request-Id when
// it sends a sane one), returned in X-Request-Id and carried by every log
// line of its handling; it logs the request at debug level.
func withRequestID(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if len(id) == 0 || len(id) > 64 || strings.IndexFunc(id, func(c rune) bool { return c <= ' ' || c > '~' }) >= 0 {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		ctx := logctx.With(r.Context(), "request_id", id)
		// The request's log line is debug: unless it is on, its attributes
		// are not even built (a few allocations a request).
		if !log.Enabled(ctx, slog.LevelDebug) {
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		start := time.Now()
		sw := work.NewStatusWriter(w)
		next.ServeHTTP(sw, r.WithContext(ctx))
		log.DebugContext(ctx, "http request", "method", r.Method, "path", r.URL.Path, "status", sw.Status,
			"took", time.Since(start).Round(time.Microsecond))
	})
}
