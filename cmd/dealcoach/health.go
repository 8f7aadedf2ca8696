package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dealcoach/dealcoach/store"
)

// schedulerStale is how long without a finished tick (one a minute) before
// /readyz says the scheduler is stuck.
const schedulerStale = 3 * time.Minute

// readyTimeout bounds the database's write check: a writer queue longer
// than this is itself a reason not to take more traffic.
const readyTimeout = 2 * time.Second

// health answers /healthz (the process serves HTTP) and /readyz (it can do
// its work: the database takes writes, every platform is connected or
// reconnecting, the scheduler ticks, and it is not shutting down).
type health struct {
	db  *store.DB
	now func() time.Time // the real clock: DEALCOACH_NOW pins the core's, not this

	stopping atomic.Bool

	mu        sync.Mutex
	platforms []*platformHealth
	sched     *schedHealth // nil without a scheduler
}

type platformHealth struct {
	name, mode string
	down       error // the connection gave up for good
}

type schedHealth struct {
	last    time.Time // the last tick finished (or the scheduler started)
	lastErr error
}

func newHealth(db *store.DB, now func() time.Time) *health {
	return &health{db: db, now: now}
}

// platform registers a platform's connection; the returned function
// records that it gave up for good.
func (h *health) platform(name, mode string) (down func(error)) {
	p := &platformHealth{name: name, mode: mode}
	h.mu.Lock()
	h.platforms = append(h.platforms, p)
	h.mu.Unlock()
	return func(err error) {
		h.mu.Lock()
		p.down = err
		h.mu.Unlock()
	}
}

// scheduler registers the scheduler; the returned function is its OnTick.
func (h *health) scheduler() func(int, error) {
	h.mu.Lock()
	h.sched = &schedHealth{last: h.now()}
	h.mu.Unlock()
	return func(_ int, err error) {
		h.mu.Lock()
		h.sched.last, h.sched.lastErr = h.now(), err
		h.mu.Unlock()
	}
}

// check returns one line per part, and whether all are ready.
func (h *health) check(ctx context.Context) (lines []string, ready bool) {
	ready = true
	add := func(ok bool, line string) {
		ready = ready && ok
		lines = append(lines, line)
	}
	if h.stopping.Load() {
		add(false, "server: shutting down")
	}
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	if err := h.db.CheckWritable(ctx); err != nil {
		add(false, "database: "+err.Error())
	} else {
		add(true, "database: ok (writable)")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range h.platforms {
		switch {
		case p.down != nil:
			add(false, fmt.Sprintf("%s: stopped: %v", p.name, p.down))
		case p.mode == "http":
			add(true, p.name+": ok (HTTP callbacks)")
		default:
			add(true, fmt.Sprintf("%s: ok (%s: connected or reconnecting)", p.name, p.mode))
		}
	}
	if s := h.sched; s != nil {
		age := h.now().Sub(s.last).Round(time.Second)
		switch {
		case age > schedulerStale:
			add(false, fmt.Sprintf("scheduler: stuck: no tick for %v", age))
		case s.lastErr != nil:
			// A failed tick is retried a minute later; the database line
			// says whether the store is the cause.
			add(true, fmt.Sprintf("scheduler: ok (last tick %v ago failed: %v)", age, s.lastErr))
		default:
			add(true, fmt.Sprintf("scheduler: ok (last tick %v ago)", age))
		}
	}
	return lines, ready
}

func (h *health) routes(mux *http.ServeMux, log *slog.Logger) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		lines, ready := h.check(r.Context())
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if !ready {
			log.WarnContext(r.Context(), "not ready", "reasons", strings.Join(lines, "; "))
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "not ready")
		} else {
			fmt.Fprintln(w, "ready")
		}
		fmt.Fprintln(w, strings.Join(lines, "\n"))
	})
}

// cmdHealthcheck exits 0 when the local server's /healthz answers 200: the
// image's HEALTHCHECK, since distroless has no curl.
func cmdHealthcheck(ctx context.Context, cfg config, args []string, io stdio, log *slog.Logger) error {
	fs := newFlags("healthcheck", io)
	path := fs.String("path", "/healthz", "the endpoint to ask: /healthz (alive) or /readyz (ready)")
	if fs.Parse(args) != nil {
		return errUsage
	}
	u := "http://" + localAddr(cfg.Addr) + *path
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck %s: %s", u, resp.Status)
	}
	fmt.Fprintln(io.out, "ok")
	return nil
}

// localAddr is the address to reach a server listening on addr from the
// same host: an unspecified or empty host becomes loopback.
func localAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}
