package demo

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/prompts"
	"github.com/dealcoach/dealcoach/store"
	"github.com/dealcoach/dealcoach/store/export"
)

var testNow = time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)

func openDB(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"),
		store.WithClock(func() time.Time { return testNow }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func playbook(t testing.TB, key string) *coach.Playbook {
	t.Helper()
	pb, err := prompts.LoadPlaybook(key)
	if err != nil {
		t.Fatal(err)
	}
	return pb
}

func seed(t testing.TB, db *store.DB, pb *coach.Playbook, now time.Time) Summary {
	t.Helper()
	start := time.Now()
	sum, err := Seed(context.Background(), db, pb, now, "CNY")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Seed %s: %+v in %v", pb.Key, sum, time.Since(start))
	return sum
}

func TestSeed(t *testing.T) {
	nows := []time.Time{testNow, time.Date(2026, 3, 1, 16, 30, 0, 0, time.UTC)} // the second is 00:30 in Shanghai
	for _, key := range prompts.BuiltinPlaybooks() {
		for _, now := range nows {
			t.Run(key+"/"+now.Format(time.RFC3339), func(t *testing.T) {
				db, pb := openDB(t), playbook(t, key)
				sum := seed(t, db, pb, now)
				if sum.Teams != 2 || sum.People != 7 || len(sum.Reps) != 5 || len(sum.Managers) != 2 {
					t.Errorf("summary = %+v", sum)
				}
				deals, err := db.Deals(context.Background(), store.DealFilter{})
				if err != nil {
					t.Fatal(err)
				}
				if len(deals) < 30 || len(deals) > 50 || len(deals) != sum.Deals {
					t.Fatalf("%d deals (summary %d), want 30–50", len(deals), sum.Deals)
				}
				checkFunnel(t, pb, deals, now)
				events := 0
				for _, d := range deals {
					events += checkHistory(t, db, pb, d, now)
				}
				if events != sum.Events {
					t.Errorf("%d events, summary says %d", events, sum.Events)
				}
			})
		}
	}
}

// checkFunnel checks the funnel as a whole: every stage used, both
// languages, won and lost deals, and each kind of trouble to coach.
func checkFunnel(t *testing.T, pb *coach.Playbook, deals []coach.Deal, now time.Time) {
	t.Helper()
	stages := map[string]int{}
	count := map[string]int{}
	today := coach.DateOf(now.In(zone("Asia/Shanghai")))
	for _, d := range deals {
		stages[d.Stage]++
		count[string(d.Status)]++
		if strings.IndexFunc(d.Customer, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
			count["zh"]++
		} else {
			count["en"]++
		}
		if d.Status != coach.Open {
			continue
		}
		switch {
		case d.NextStep == "":
			count["no next step"]++
		case d.NextStepDue.Before(today):
			count["overdue"]++
		case today.DaysUntil(d.NextStepDue) <= 14:
			count["due within two weeks"]++
		}
		if now.Sub(d.StageSince) > 30*24*time.Hour {
			count["stale"]++
		}
		if days := today.DaysUntil(d.ExpectedClose); days < 28 || days > 125 {
			t.Errorf("#%d expected close %s is %d days away, want about 1–4 months", d.ID, d.ExpectedClose, days)
		}
	}
	for _, s := range pb.Stages {
		if stages[s.Key] == 0 {
			t.Errorf("no deal in stage %s (stages: %v)", s.Key, stages)
		}
	}
	for _, k := range []string{"zh", "en", "won", "lost", "no next step", "overdue", "stale"} {
		if count[k] == 0 {
			t.Errorf("no %s deal: %v", k, count)
		}
	}
	if count["due within two weeks"] < count["open"]/2 {
		t.Errorf("most open deals should have a next step due within two weeks: %v", count)
	}
	t.Logf("stages %v; %v", stages, count)
}

// checkHistory checks one deal's history against the deal and returns the
// number of events.
func checkHistory(t *testing.T, db *store.DB, pb *coach.Playbook, d coach.Deal, now time.Time) int {
	t.Helper()
	hist, err := db.History(context.Background(), d.ID)
	if err != nil || len(hist) == 0 {
		t.Fatalf("history of #%d: %v, %v", d.ID, hist, err)
	}
	fail := func(format string, args ...any) {
		t.Errorf("#%d %s: %s", d.ID, d.Name(), fmt.Sprintf(format, args...))
	}
	if hist[0].Kind != coach.EvCreated || hist[0].To != pb.First().Key || !hist[0].At.Equal(d.CreatedAt) {
		fail("first event %+v, want created in %s at %v", hist[0], pb.First().Key, d.CreatedAt)
	}
	stage, since, prev := pb.First().Key, hist[0].At, hist[0].At
	for _, e := range hist {
		if e.At.Before(now.Add(-90*24*time.Hour)) || !e.At.Before(now) {
			fail("event %s at %v is not within the 90 days before %v", e.Kind, e.At, now)
		}
		if e.At.Before(prev) {
			fail("event %s at %v is before the one before it (%v)", e.Kind, e.At, prev)
		}
		if e.ActorID != d.OwnerID {
			fail("event %s by %d, want the owner %d", e.Kind, e.ActorID, d.OwnerID)
		}
		if e.Kind == coach.EvStage {
			if e.From != stage || pb.Index(e.To) < 0 {
				fail("stage event %s→%s after stage %s", e.From, e.To, stage)
			}
			stage, since = e.To, e.At
		}
		prev = e.At
	}
	switch {
	case stage != d.Stage:
		fail("history ends in stage %s, deal is in %s", stage, d.Stage)
	case !since.Equal(d.StageSince):
		fail("stage since %v, last stage event at %v", d.StageSince, since)
	case !prev.Equal(d.UpdatedAt):
		fail("updated at %v, last event at %v", d.UpdatedAt, prev)
	case (d.Status == coach.Won) != (d.Stage == pb.Final().Key):
		fail("status %s in stage %s", d.Status, d.Stage)
	case (d.Status == coach.Lost) != (d.LostReason != ""):
		fail("status %s with lost reason %q", d.Status, d.LostReason)
	case d.Amount < coach.Major(20_000) || d.Amount > coach.Major(8_000_000):
		fail("amount %v", d.Amount)
	}
	return len(hist)
}

func TestSeedTwiceFails(t *testing.T) {
	db, pb := openDB(t), playbook(t, "seven-step")
	seed(t, db, pb, testNow)
	_, err := Seed(context.Background(), db, pb, testNow, "CNY")
	if err == nil || !strings.Contains(err.Error(), "already has 45 deals") {
		t.Fatalf("second Seed = %v, want a refusal", err)
	}
	if n, _ := db.CountDeals(context.Background()); n != 45 {
		t.Errorf("%d deals after the refused seed", n)
	}
}

func TestSeedDeterministic(t *testing.T) {
	for _, key := range prompts.BuiltinPlaybooks() {
		pb := playbook(t, key)
		var dumps [2]string
		for i := range dumps {
			db := openDB(t)
			seed(t, db, pb, testNow)
			dumps[i] = dump(t, db, pb)
		}
		if dumps[0] != dumps[1] {
			t.Errorf("%s: two seeds with the same now differ", key)
		}
	}
}

// dump is a database's export and every deal's history, as text.
func dump(t *testing.T, db *store.DB, pb *coach.Playbook) string {
	t.Helper()
	ctx := context.Background()
	var b bytes.Buffer
	if err := export.Write(ctx, &b, db, pb, "json"); err != nil {
		t.Fatal(err)
	}
	deals, _ := db.Deals(ctx, store.DealFilter{})
	for _, d := range deals {
		hist, _ := db.History(ctx, d.ID)
		for _, e := range hist {
			fmt.Fprintf(&b, "%d %s %s→%s %s %v\n", d.ID, e.Kind, e.From, e.To, e.Actor, e.At)
		}
	}
	return b.String()
}

func BenchmarkSeed(b *testing.B) {
	pb := playbook(b, "project-8")
	for b.Loop() {
		b.StopTimer()
		db := openDB(b)
		b.StartTimer()
		if _, err := Seed(context.Background(), db, pb, testNow, "CNY"); err != nil {
			b.Fatal(err)
		}
	}
}
