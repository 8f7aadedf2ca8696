package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/store"
)

// testClock is a clock the test moves.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// /readyz answers 200 while every part works, and 503 with the reason as
// soon as one does not: a platform's connection given up, the scheduler
// stuck, shutting down, the database closed or read-only. /healthz stays
// 200 all along: the process is alive.
func TestReadyzTurns503WithItsReason(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clock := &testClock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	h := newHealth(db, clock.now)
	h.platform("slack", "http")
	larkDown := h.platform("lark", "long connection")
	tick := h.scheduler()
	mux := http.NewServeMux()
	h.routes(mux, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ready := func(wantCode int, want ...string) {
		t.Helper()
		code, body := get(t, srv.URL+"/readyz")
		if code != wantCode {
			t.Fatalf("/readyz = %d, want %d:\n%s", code, wantCode, body)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Fatalf("/readyz body lacks %q:\n%s", w, body)
			}
		}
		if code, body := get(t, srv.URL+"/healthz"); code != 200 || body != "ok\n" {
			t.Fatalf("/healthz = %d %q", code, body)
		}
	}
	ready(200, "ready\n", "database: ok", "slack: ok (HTTP callbacks)", "lark: ok (long connection: connected or reconnecting)", "scheduler: ok")

	// The scheduler: a failed tick is said but not a reason; no tick for
	// three minutes is.
	clock.add(time.Minute)
	tick(0, errors.New("disk I/O error"))
	ready(200, "scheduler: ok (last tick 0s ago failed: disk I/O error)")
	clock.add(4 * time.Minute)
	ready(503, "not ready\n", "scheduler: stuck: no tick for 4m0s")
	tick(3, nil)
	ready(200, "scheduler: ok (last tick 0s ago)")

	// A platform gives up.
	larkDown(errors.New("app credentials refused"))
	ready(503, "lark: stopped: app credentials refused", "slack: ok")
	larkDown(nil)

	// Shutting down: no more traffic here.
	h.stopping.Store(true)
	ready(503, "server: shutting down")
	h.stopping.Store(false)
	ready(200)

	// The database closed.
	db.Close()
	ready(503, "database: database not writable", "closed")
}

// "dealcoach healthcheck" (the image's HEALTHCHECK) exits 0 when the local
// server answers /healthz, 1 when nothing listens; /readyz of the real
// serve says every part is ready.
func TestHealthcheckCommand(t *testing.T) {
	api := &fakeSlackAPI{}
	fake := httptest.NewServer(api)
	defer fake.Close()
	p := startServe(t, filepath.Join(t.TempDir(), "hc.db"), fake.URL, "2026-11-24T10:00:00+08:00")
	healthcheck := func(addr string, args ...string) (string, error) {
		cmd := exec.Command(binary, append([]string{"healthcheck"}, args...)...)
		cmd.Env = append(os.Environ(), "DEALCOACH_ADDR="+addr)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	_, port, _ := net.SplitHostPort(p.addr)
	if out, err := healthcheck(":" + port); err != nil || out != "ok\n" {
		t.Fatalf("healthcheck of a live server: %v %s", err, out)
	}
	if out, err := healthcheck(p.addr, "--path", "/readyz"); err != nil {
		t.Fatalf("healthcheck /readyz: %v %s", err, out)
	}
	code, body := get(t, "http://"+p.addr+"/readyz")
	if code != 200 || !strings.Contains(body, "database: ok") || !strings.Contains(body, "slack: ok") || !strings.Contains(body, "scheduler: ok") {
		t.Fatalf("/readyz of serve: %d\n%s", code, body)
	}
	p.stop()
	if out, err := healthcheck(p.addr); err == nil || !strings.Contains(out, "healthcheck") {
		t.Fatalf("healthcheck with nothing listening: %v %s", err, out)
	}
}

func TestLocalAddr(t *testing.T) {
	for in, want := range map[string]string{":8080": "127.0.0.1:8080", "0.0.0.0:80": "127.0.0.1:80", "[::]:9000": "[::1]:9000",
		"10.0.0.5:8080": "10.0.0.5:8080", "localhost:1": "localhost:1"} {
		if got := localAddr(in); got != want {
			t.Errorf("localAddr(%q) = %q, want %q", in, got, want)
		}
	}
}
