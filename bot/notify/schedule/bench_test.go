package schedule

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// The scheduler's benchmarks run on one team of 1,000 reps with 100,000
// deals and 1,000,000 history events (10 a deal), in one of two shapes
// (each file is built once, about a minute, and kept in the system's temp
// directory between runs):
//
//   - "open": every deal is open, created on a day of the year before
//     benchNow, its events spread from then until now. The morning scan's
//     worst case: 100 open deals a rep.
//
//   - "lived": deals created over the two years before benchNow live 30
//     to 180 days, their events within that life; those whose life has
//     ended are won (a third) or lost, the others are open. A real team's
//     history, for the digest, which reads the 97 days it needs.
//
//     go test -run=NONE -bench=. -benchmem ./bot/notify/schedule/
const (
	benchReps   = 1_000
	benchDeals  = 100_000
	benchEvents = 10 // per deal: 1,000,000 in all
)

var benchNow = utc("2026-11-25T02:00:00Z") // Wednesday 10:00 in Shanghai

// benchEnv opens the benchmark database of a shape ("open" or "lived"),
// building it on first use.
func benchEnv(b *testing.B, shape string) *env {
	b.Helper()
	path := filepath.Join(os.TempDir(), "dealcoach-bench-schedule-"+shape+"-v2.db")
	if _, err := os.Stat(path); err != nil {
		if err := buildBench(path+".tmp", shape == "lived"); err != nil {
			b.Fatal(err)
		}
		for _, s := range []string{"-wal", "-shm"} {
			os.Remove(path + ".tmp" + s)
		}
		if err := os.Rename(path+".tmp", path); err != nil {
			b.Fatal(err)
		}
	}
	t := &testing.T{}
	e := &env{t: t, path: path, clock: &clock{t: benchNow}}
	e.open()
	b.Cleanup(func() { e.db.Close() })
	return e
}

// buildBench writes a dataset: each deal moves through the funnel (stage
// moves, amount changes, next steps, notes) over its life; see the shapes
// above.
func buildBench(path string, lived bool) error {
	ctx := context.Background()
	os.Remove(path)
	db, err := store.Open(ctx, path, store.WithClock(func() time.Time { return benchNow }))
	if err != nil {
		return err
	}
	defer db.Close()
	tm, err := db.CreateTeam(ctx, coach.Team{Name: "Bench", TZ: "Asia/Shanghai", DigestPlatform: "slack", DigestChannel: "CB"})
	if err != nil {
		return err
	}
	var reps []coach.Person
	for i := range benchReps {
		p, err := db.EnsurePerson(ctx, coach.Person{Platform: "slack", PlatformID: fmt.Sprintf("U%04d", i),
			Name: fmt.Sprintf("Rep %d", i), TZ: "Asia/Shanghai", Lang: "en", TeamID: tm.ID, Role: coach.Rep})
		if err != nil {
			return err
		}
		reps = append(reps, p)
	}
	stages := []string{"prospect", "interest", "approved", "shortlist", "contract", "won"}
	r := rand.New(rand.NewPCG(7, 7))
	const batch = 10_000
	for start := 0; start < benchDeals; start += batch {
		items := make([]store.RestoreItem, 0, batch)
		for i := start; i < start+batch; i++ {
			owner := reps[i%benchReps]
			created := benchNow.Add(-time.Duration(1+r.IntN(365*24)) * time.Hour)
			span := benchNow.Sub(created)
			closes := false
			if lived {
				created = benchNow.Add(-time.Duration(1+r.IntN(2*365*24)) * time.Hour)
				life := time.Duration(30+r.IntN(151)) * 24 * time.Hour
				span = min(life, benchNow.Sub(created))
				closes = life < benchNow.Sub(created)
			}
			s := r.IntN(2)
			amount := int64(10_000 + r.IntN(2_000_000))
			d := coach.Deal{Customer: fmt.Sprintf("Customer %d", i), OwnerID: owner.ID, TeamID: tm.ID,
				Currency: "USD", Stage: stages[s], Status: coach.Open, CreatedAt: created}
			hist := []coach.Event{{Kind: coach.EvCreated, To: stages[s], ActorID: owner.ID, At: created}}
			at := created
			since := created
			for k := 1; k < benchEvents; k++ {
				at = at.Add(span / benchEvents)
				switch {
				case k == benchEvents-1 && closes && i%3 == 0:
					hist = append(hist, coach.Event{Kind: coach.EvStage, From: stages[s], To: "won", ActorID: owner.ID, At: at},
						coach.Event{Kind: coach.EvWon, ActorID: owner.ID, At: at})
					s, d.Status, since = 5, coach.Won, at
				case k == benchEvents-1 && closes:
					hist = append(hist, coach.Event{Kind: coach.EvLost, To: "price", ActorID: owner.ID, At: at})
					d.Status, d.LostReason = coach.Lost, "price"
				case k%3 == 1 && s < 4:
					hist = append(hist, coach.Event{Kind: coach.EvStage, From: stages[s], To: stages[s+1], ActorID: owner.ID, At: at})
					s, since = s+1, at
				case k%3 == 2:
					next := amount + int64(r.IntN(200_000)) - 100_000
					next = max(next, 10_000)
					hist = append(hist, coach.Event{Kind: coach.EvAmount, From: strconv.FormatInt(amount, 10),
						To: strconv.FormatInt(next, 10), ActorID: owner.ID, At: at})
					amount = next
				default:
					hist = append(hist, coach.Event{Kind: coach.EvNote, To: "called", ActorID: owner.ID, At: at})
				}
			}
			d.Stage, d.StageSince, d.Amount, d.UpdatedAt = stages[s], since, coach.Major(amount), at
			if r.IntN(3) > 0 {
				d.NextStep, d.NextStepDue = "follow up", coach.DateOf(benchNow.Add(time.Duration(r.IntN(20*24)-10*24)*time.Hour))
			}
			items = append(items, store.RestoreItem{Deal: d, History: hist})
		}
		if _, err := db.RestoreDeals(ctx, items); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkDigest is one team's weekly digest over the whole dataset:
// reading the deals and events, the analytics, and the rendering.
func BenchmarkDigest(b *testing.B) {
	e := benchEnv(b, "lived")
	ctx := context.Background()
	tm, err := e.db.TeamByName(ctx, "Bench")
	if err != nil {
		b.Fatal(err)
	}
	week, _ := LastWeek(benchNow, mustZoneB(b, "Asia/Shanghai"))
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		r, err := e.s.Digest(ctx, tm, week)
		if err != nil || len(r.Messages) == 0 {
			b.Fatal(err)
		}
		peak = max(peak, heapInUse())
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// BenchmarkMorningScan is the minute at which every rep's reminder falls
// due: who is due, their deals and answers, the rules, and the rendering
// of 1,000 reminders (planning only; BenchmarkMorningRecord adds the
// writes).
func BenchmarkMorningScan(b *testing.B) {
	e := benchEnv(b, "open")
	ctx := context.Background()
	b.ReportAllocs()
	var peak uint64
	var runs []Run
	for b.Loop() {
		var err error
		runs, err = e.s.DueNudges(ctx, benchNow)
		if err != nil || len(runs) != benchReps {
			b.Fatalf("%d runs, %v", len(runs), err)
		}
		peak = max(peak, heapInUse())
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	// What a scan leaves live: the 1,000 rendered reminders (serve records
	// them 64 at a time, see Tick), over the benchmark's own heap.
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "live-after-MB")
	runtime.KeepAlive(runs)
}

// BenchmarkDigestOpen is the digest over the "open" shape: every deal
// open and changed in the 97 days the digest reads, the worst case.
func BenchmarkDigestOpen(b *testing.B) {
	e := benchEnv(b, "open")
	ctx := context.Background()
	tm, err := e.db.TeamByName(ctx, "Bench")
	if err != nil {
		b.Fatal(err)
	}
	week, _ := LastWeek(benchNow, mustZoneB(b, "Asia/Shanghai"))
	for b.Loop() {
		if _, err := e.s.Digest(ctx, tm, week); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMorningRecord writes the 1,000 reminders' runs and outbox
// messages, one transaction each, on a copy of the database.
func BenchmarkMorningRecord(b *testing.B) {
	src := benchEnv(b, "open")
	src.db.Close()
	e := &env{t: &testing.T{}, path: filepath.Join(b.TempDir(), "copy.db"), clock: &clock{t: benchNow}}
	raw, err := os.ReadFile(src.path)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(e.path, raw, 0o600); err != nil {
		b.Fatal(err)
	}
	e.open()
	b.Cleanup(func() { e.db.Close() })
	ctx := context.Background()
	runs, err := e.s.DueNudges(ctx, benchNow)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		for j := range runs { // a new day's keys, so that every run is fresh
			runs[j].Key = fmt.Sprintf("bench:%d:%d", i, j)
			for k := range runs[j].Messages {
				runs[j].Messages[k].Key = runs[j].Key
			}
		}
		b.StartTimer()
		if _, err := e.s.Record(ctx, runs); err != nil {
			b.Fatal(err)
		}
	}
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func mustZoneB(b *testing.B, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		b.Fatal(err)
	}
	return loc
}
