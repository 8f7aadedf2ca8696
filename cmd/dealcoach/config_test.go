package main

import (
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/bot"
)

func envOf(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestConfigDefaults(t *testing.T) {
	c, err := loadConfig(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Currency != "CNY" || c.Addr != "127.0.0.1:8080" {
		t.Fatalf("defaults: %q %q", c.Currency, c.Addr)
	}
}

func TestConfigCurrencyIsISO4217(t *testing.T) {
	for _, ok := range []string{"CNY", "usd", " EUR ", "JPY", "HKD", "XCG"} {
		if _, err := loadConfig(envOf(map[string]string{"DEALCOACH_CURRENCY": ok})); err != nil {
			t.Errorf("DEALCOACH_CURRENCY=%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"XYZ", "RMB", "US$", "EURO", "XXX", "XAU", "HRK", "12"} {
		_, err := loadConfig(envOf(map[string]string{"DEALCOACH_CURRENCY": bad}))
		if err == nil || !strings.Contains(err.Error(), "ISO 4217") {
			t.Errorf("DEALCOACH_CURRENCY=%q: %v, want it refused as not ISO 4217", bad, err)
		}
	}
}

func TestConfigAddr(t *testing.T) {
	for _, ok := range []string{":8080", "127.0.0.1:8080", "0.0.0.0:80", "[::1]:9000", "localhost:0", "dealcoach.internal:443"} {
		if _, err := loadConfig(envOf(map[string]string{"DEALCOACH_ADDR": ok})); err != nil {
			t.Errorf("DEALCOACH_ADDR=%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"8080", "localhost", ":99999", ":-1", ":http", "127.0.0.1:80:80", "::1:80", "http://localhost:8080", "my host:80"} {
		_, err := loadConfig(envOf(map[string]string{"DEALCOACH_ADDR": bad}))
		if err == nil || !strings.Contains(err.Error(), "DEALCOACH_ADDR") || !strings.Contains(err.Error(), "set host:port") {
			t.Errorf("DEALCOACH_ADDR=%q: %v, want it refused saying what to set", bad, err)
		}
	}
}

// Every bad value is reported at once, one line each, with what to set.
func TestConfigReportsEveryProblemAtOnce(t *testing.T) {
	_, err := loadConfig(envOf(map[string]string{
		"DEALCOACH_CURRENCY": "XYZ", "DEALCOACH_ADDR": "localhost", "DEALCOACH_LANG": "fr",
		"DEALCOACH_TZ": "Mars/Olympus", "DEALCOACH_NUDGE_CAP": "0",
	}))
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	for _, v := range []string{"DEALCOACH_CURRENCY", "DEALCOACH_ADDR", "DEALCOACH_LANG", "DEALCOACH_TZ", "DEALCOACH_NUDGE_CAP"} {
		if !strings.Contains(msg, v) {
			t.Errorf("%s not reported in:\n%s", v, msg)
		}
	}
	if !strings.HasPrefix(msg, "configuration: 5 to fix:") || strings.Count(msg, "\n  - ") != 5 || strings.Count(msg, "set ") < 5 {
		t.Errorf("want five lines each saying what to set:\n%s", msg)
	}
}

func TestConfigRateLimit(t *testing.T) {
	c, err := loadConfig(envOf(nil))
	if err != nil || c.RateLimit.Burst != 20 || c.RateLimit.Every != 3*time.Second {
		t.Fatalf("default rate limit %+v, %v; want 20 at once, then one every 3 s", c.RateLimit, err)
	}
	for v, want := range map[string]bot.RateLimit{"5/1m": {Burst: 5, Every: 12 * time.Second}, "10/s": {Burst: 10, Every: 100 * time.Millisecond},
		"off": {}, "0": {}, "60/1h": {Burst: 60, Every: time.Minute}} {
		c, err := loadConfig(envOf(map[string]string{"DEALCOACH_RATE_LIMIT": v}))
		if err != nil || c.RateLimit != want {
			t.Errorf("DEALCOACH_RATE_LIMIT=%s: %+v, %v; want %+v", v, c.RateLimit, err, want)
		}
	}
	for _, bad := range []string{"fast", "20", "-1/1m", "20/forever", "20/0s"} {
		if _, err := loadConfig(envOf(map[string]string{"DEALCOACH_RATE_LIMIT": bad})); err == nil || !strings.Contains(err.Error(), "DEALCOACH_RATE_LIMIT") {
			t.Errorf("DEALCOACH_RATE_LIMIT=%s accepted: %v", bad, err)
		}
	}
}

// serve limits one person's updates with a polite answer.
func TestServeRateLimitsUpdates(t *testing.T) {
	api := &fakeSlackAPI{}
	fake := httptest.NewServer(api)
	defer fake.Close()
	p := startServe(t, filepath.Join(t.TempDir(), "rl.db"), fake.URL, "2026-11-24T10:00:00+08:00", "DEALCOACH_RATE_LIMIT=2/1h")
	p.command("D1", "new Acme 10k")
	p.command("D1", "#1 amount 20k")
	if got := p.command("D1", "#1 amount 30k"); !strings.Contains(got, "faster than I can take them in") {
		t.Fatalf("third update within the limit of 2: %s", got)
	}
	if got := p.command("D1", "list"); !strings.Contains(got, "Acme") {
		t.Fatalf("reading refused: %s", got)
	}
	p.stop()
}
