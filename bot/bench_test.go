package bot

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

const benchDeals = 100_000

// benchHarness is a bot over a database of benchDeals deals owned by 100
// reps, built once per test binary because it takes seconds.
func benchHarness(b *testing.B) *harness {
	h := newHarness(b)
	ctx := context.Background()
	var owners []coach.Person
	for i := range 100 {
		p, err := h.db.EnsurePerson(ctx, coach.Person{Platform: "console", PlatformID: fmt.Sprintf("rep%d", i), Name: fmt.Sprintf("rep%d", i)})
		if err != nil {
			b.Fatal(err)
		}
		owners = append(owners, p)
	}
	stages := []string{"prospect", "interest", "approved", "shortlist", "contract"}
	batch := make([]coach.Deal, 0, 10_000)
	for i := range benchDeals {
		o := owners[i%len(owners)]
		batch = append(batch, coach.Deal{Customer: fmt.Sprintf("Customer %06d", i), OwnerID: o.ID,
			Amount: coach.Major(int64(10_000 + i)), Currency: "CNY", Stage: stages[i%len(stages)]})
		if len(batch) == cap(batch) {
			if err := h.db.CreateDeals(ctx, batch, o.ID); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	return h
}

// BenchmarkFreeTextUpdate is one free-text update end to end: parse, resolve
// the deal by name among 100,000, check permission, and commit the deal row
// with its history events. Reported: µs per update and updates/s.
func BenchmarkFreeTextUpdate(b *testing.B) {
	h := benchHarness(b)
	// Each rep writes in one language, as people do (a switch of language
	// is remembered, which costs a write of its own).
	texts := [2][]string{{
		"Customer %06d moved to shortlist, 120k, next step: demo Friday",
		"Customer %06d next step send proposal Dec 15",
		"Customer %06d amount 2.5M",
	}, {
		"Customer %06d 推进到立项, 金额150万, 下一步周五拜访刘行长",
		"Customer %06d 下一步 12月15日 提交方案",
		"Customer %06d 金额250万",
	}}
	ctx := context.Background()
	var ms runtime.MemStats
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		id := (i * 7919) % benchDeals
		rep := id % 100
		lang := texts[rep%2]
		m := Message{Platform: "console", Team: "t", Channel: "c", UserID: fmt.Sprintf("rep%d", rep),
			Text: fmt.Sprintf(lang[i%len(lang)], id)}
		r, err := h.bot.Handle(ctx, m)
		if err != nil || r.DealID == 0 {
			b.Fatalf("%q: %v %s", m.Text, err, r.PlainText())
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
	// CPU time (all threads, GC included) per update: on a shared machine
	// the wall time per update says more about the neighbours than the code
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
}

// BenchmarkFreeTextUpdateParallel measures sustained throughput with
// several chats at once (writes are serialised by SQLite; parsing and reads
// run in parallel).
func BenchmarkFreeTextUpdateParallel(b *testing.B) {
	h := benchHarness(b)
	ctx := context.Background()
	var mu sync.Mutex
	n := 0
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			n++
			i := n
			mu.Unlock()
			id := (i * 7919) % benchDeals
			m := Message{Platform: "console", Team: "t", Channel: "c", UserID: fmt.Sprintf("rep%d", id%100),
				Text: fmt.Sprintf("Customer %06d amount %dk, next step call Friday", id, 100+i%50)}
			if r, err := h.bot.Handle(ctx, m); err != nil || r.DealID == 0 {
				b.Errorf("%q: %v %s", m.Text, err, r.PlainText())
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
