package main

import (
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// serve's logs, with stderr not a terminal: one JSON object a line; the
// lines of a request carry its id; no secret and no message text at info
// or above.
func TestServeLogsJSONWithRequestIDsAndNoSecrets(t *testing.T) {
	api := &fakeSlackAPI{}
	fake := httptest.NewServer(api)
	defer fake.Close()
	p := startServe(t, filepath.Join(t.TempDir(), "l.db"), fake.URL, "2026-11-24T10:00:00+08:00", "DEALCOACH_LOG_LEVEL=debug")
	const marker = "Quokkaworks"
	p.command("D1", "new "+marker+" 10k")
	p.command("D1", marker+" note: the CFO said yes")
	if code, _ := p.post("D1", "new Forged 10k", false); code != 401 {
		t.Fatalf("unsigned: %d", code)
	}
	p.stop()
	logs := p.logs.String()
	var refused, requests int
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		if rec["time"] == nil || rec["level"] == nil || rec["msg"] == nil {
			t.Errorf("line without time, level or msg: %s", line)
		}
		for _, secret := range []string{"e2e-secret", "xoxb-e2e"} {
			if strings.Contains(line, secret) {
				t.Errorf("a secret in the logs: %s", line)
			}
		}
		if rec["level"] != "DEBUG" && strings.Contains(line, marker) {
			t.Errorf("a message's text at %s: %s", rec["level"], line)
		}
		switch rec["msg"] {
		case "slack request refused":
			refused++
			if rec["request_id"] == nil {
				t.Errorf("a request's line without its id: %s", line)
			}
		case "http request":
			requests++
			if rec["request_id"] == nil || rec["status"] == nil {
				t.Errorf("a request's line without its id: %s", line)
			}
		}
	}
	if refused != 1 || requests < 3 {
		t.Fatalf("%d refusals and %d request lines logged:\n%s", refused, requests, logs)
	}
}

func TestLoggerFormatAndLevel(t *testing.T) {
	for _, c := range []struct {
		env     map[string]string
		command string
		tty     bool
		json    bool
		info    bool
	}{
		{nil, "serve", false, true, true},
		{nil, "serve", true, false, true},
		{nil, "chat", true, false, false},
		{map[string]string{"DEALCOACH_LOG_FORMAT": "text"}, "serve", false, false, true},
		{map[string]string{"DEALCOACH_LOG_FORMAT": "JSON", "DEALCOACH_LOG_LEVEL": "warn"}, "serve", true, true, false},
		{map[string]string{"DEALCOACH_LOG_LEVEL": "debug"}, "nudge", false, true, true},
	} {
		cfg, err := loadConfig(envOf(c.env))
		if err != nil {
			t.Fatal(err)
		}
		var buf strings.Builder
		log := newLogger(cfg, c.command, stdio{err: &buf, errTTY: c.tty})
		log.Info("hello", "k", "v")
		log.Warn("careful")
		out := buf.String()
		if got := strings.HasPrefix(out, "{"); got != c.json {
			t.Errorf("%v %s tty=%v: JSON %v, want %v:\n%s", c.env, c.command, c.tty, got, c.json, out)
		}
		if got := strings.Contains(out, "hello"); got != c.info {
			t.Errorf("%v %s: info logged %v, want %v", c.env, c.command, got, c.info)
		}
	}
	if _, err := loadConfig(envOf(map[string]string{"DEALCOACH_LOG_FORMAT": "xml", "DEALCOACH_LOG_LEVEL": "loud"})); err == nil ||
		!strings.Contains(err.Error(), "DEALCOACH_LOG_FORMAT") || !strings.Contains(err.Error(), "DEALCOACH_LOG_LEVEL") {
		t.Fatalf("bad log settings: %v", err)
	}
}
