package main

import (
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// metricValue is the value of the sample of name whose labels include
// every label="value" given, or -1 when there is none.
func metricValue(text, name string, labels ...string) float64 {
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(line[:i], l)
		}
		if ok {
			v, _ := strconv.ParseFloat(line[i+1:], 64)
			return v
		}
	}
	return -1
}

// The real serve's /metrics moves after traffic: messages by kind and
// outcome, Slack API calls, the deals by stage, the scheduler's ticks.
func TestServeMetricsMoveAfterTraffic(t *testing.T) {
	api := &fakeSlackAPI{}
	fake := httptest.NewServer(api)
	defer fake.Close()
	p := startServe(t, filepath.Join(t.TempDir(), "m.db"), fake.URL, "2026-11-24T10:00:00+08:00")
	_, before := get(t, "http://"+p.addr+"/metrics")
	if metricValue(before, "dealcoach_messages_total") != -1 || metricValue(before, "dealcoach_store_stats_up") != 1 {
		t.Fatalf("before traffic:\n%s", before)
	}
	p.command("D1", "new Acme 10k")
	p.command("D1", "Acme moved to approved")
	p.command("D1", "Nonesuch won")
	var after string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		_, after = get(t, "http://"+p.addr+"/metrics")
		if metricValue(after, "dealcoach_deals", `status="open"`) == 1 && metricValue(after, "dealcoach_scheduler_ticks_total", `result="ok"`) >= 1 {
			break
		}
	}
	p.stop()
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"dealcoach_messages_total", []string{`kind="new"`, `outcome="ok"`, `platform="slack"`}, 1},
		{"dealcoach_messages_total", []string{`kind="update"`, `outcome="ok"`}, 1},
		{"dealcoach_messages_total", []string{`kind="won"`, `outcome="not_found"`}, 1},
		{"dealcoach_deals", []string{`stage="approved"`, `status="open"`}, 1},
		{"dealcoach_platform_api_calls_total", []string{`method="users.info"`, `platform="slack"`, `result="ok"`}, 1},
		{"dealcoach_scheduler_ticks_total", []string{`result="ok"`}, 1},
	} {
		if got := metricValue(after, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if t.Failed() {
		t.Log(after)
	}
}
