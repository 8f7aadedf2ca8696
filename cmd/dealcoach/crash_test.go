package main

import (
	"flag"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

var crashLong = flag.Bool("crash.long", false, "run the long crash test: 20 SIGKILLs of serve under load instead of 3")

// serve under a load of signed Slack commands and DM events is killed with
// SIGKILL several times and started again on the same file. Events the
// killed server never answered are sent again, as Slack retries them.
// In the end every request that was acknowledged is stored exactly once,
// nothing waits in the inbox, and the file passes integrity_check.
//
//	go test -run Crash -crash.long -v ./cmd/dealcoach   # 20 kills
func TestCrashUnderLoadStoresEveryAcknowledgedUpdateOnce(t *testing.T) {
	kills, acksPerRound := 3, 15
	if *crashLong {
		kills, acksPerRound = 20, 100
	}
	db := filepath.Join(t.TempDir(), "crash.db")
	api := &platformAPI{}
	fake := httptest.NewServer(api)
	defer fake.Close()
	var acked, unanswered []string
	retried := 0
	for round := range kills {
		p := startServe(t, db, fake.URL, "2026-11-24T10:00:00+08:00")
		// Slack retries what went unanswered; what was recorded before the
		// kill is acknowledged as a duplicate, and stored once.
		for _, body := range unanswered {
			retried++
			if code, _ := tryPostRetry(p.addr, body); code == 200 {
				acked = append(acked, nameOfEvent(body))
			}
		}
		load := startSignedLoad(t, p.addr, fmt.Sprintf("Crash%d", round))
		load.waitForAcks(t, acksPerRound, p.logs)
		p.cmd.Process.Kill()
		p.cmd.Wait()
		acked = append(acked, load.end()...)
		unanswered = load.unansweredEvents()
	}
	// A last start replays what the kills left in the inbox; a clean stop.
	p := startServe(t, db, fake.URL, "2026-11-24T10:00:00+08:00")
	for _, body := range unanswered {
		if code, _ := tryPostRetry(p.addr, body); code == 200 {
			acked = append(acked, nameOfEvent(body))
		}
	}
	p.stop()
	t.Logf("%d kills; %d requests acknowledged, %d events unanswered by a killed server sent again", kills, len(acked), retried)
	checkStored(t, db, acked)
}

// tryPostRetry sends a DM event again with Slack's retry headers.
func tryPostRetry(addr, body string) (int, string) {
	return tryPost(addr, "/slack/events", "application/json", body, "X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout")
}

// nameOfEvent is the deal a load's DM event creates.
func nameOfEvent(body string) string {
	_, rest, _ := strings.Cut(body, `"text":"new deal `)
	name, _, _ := strings.Cut(rest, " ")
	return name
}
