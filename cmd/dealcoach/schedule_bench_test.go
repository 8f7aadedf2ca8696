package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/store"
)

// BenchmarkServeMorningScan starts the real "dealcoach serve" with Slack
// at 10:00 on a Tuesday in Shanghai, over 100,000 open deals of 1,000
// reps (100 each, none with a next step) whom nobody has reminded yet:
// the catch-up at start scans every deal, renders 1,000 reminders and
// writes them to the outbox, whose sender then delivers them to a fake
// Web API. It reports the time from start until every reminder is
// recorded, and serve's peak resident memory over the scan and the first
// deliveries. Each round starts from a fresh copy of the database.
//
//	go test -run=NONE -bench=ServeMorningScan -benchtime=3x ./cmd/dealcoach/
func BenchmarkServeMorningScan(b *testing.B) {
	const reps = 1_000
	seeded := filepath.Join(b.TempDir(), "seeded.db")
	seedOwners(b, seeded, "slack", "U%04d", reps)
	raw, err := os.ReadFile(seeded)
	if err != nil {
		b.Fatal(err)
	}
	api := httptest.NewServer(&fakeSlackAPI{})
	defer api.Close()
	ctx := context.Background()
	var rss int64
	var took time.Duration
	for i := range b.N {
		db := filepath.Join(b.TempDir(), fmt.Sprintf("scan%d.db", i))
		if err := os.WriteFile(db, raw, 0o644); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		srv := runServe(b, db, "DEALCOACH_NOW=2026-11-24T10:00:00+08:00", "SLACK_BOT_TOKEN=xoxb-bench",
			"SLACK_SIGNING_SECRET=bench-secret", "SLACK_API_URL="+api.URL+"/api/")
		watch, err := store.Open(ctx, db)
		if err != nil {
			b.Fatal(err)
		}
		for {
			done, err := watch.DoneRuns(ctx, "nudge:")
			if err != nil {
				b.Fatal(err)
			}
			if len(done) == reps {
				break
			}
			if time.Since(start) > time.Minute {
				b.Fatalf("%d of %d reminders recorded after a minute: %s", len(done), reps, srv.logs.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
		took += time.Since(start)
		watch.Close()
		time.Sleep(500 * time.Millisecond) // the sender's first deliveries
		rss = max(rss, vmHWM(fmt.Sprintf("/proc/%d/status", srv.cmd.Process.Pid)))
		srv.stop()
	}
	b.ReportMetric(took.Seconds()/float64(b.N), "start-to-recorded-s")
	b.ReportMetric(float64(rss)/1024, "server-peak-RSS-MB")
	b.ReportMetric(0, "ns/op")
}
