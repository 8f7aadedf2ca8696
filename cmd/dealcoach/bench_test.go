package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// BenchmarkChatProcess runs the real binary, "dealcoach chat", over a
// database of 100,000 deals with a piped conversation of 400 messages
// (updates, questions, the whole pipeline), and reports the process's peak
// resident memory and the time per message.
func BenchmarkChatProcess(b *testing.B) {
	dir := b.TempDir()
	db := filepath.Join(dir, "big.db")
	seed100k(b, db)
	var conv strings.Builder
	for i := range 400 {
		n := (i * 7919) % 100_000
		switch i % 4 {
		case 0:
			fmt.Fprintf(&conv, "Customer %06d moved to shortlist, next step: demo Friday\n", n)
		case 1:
			fmt.Fprintf(&conv, "Customer %06d 推进到立项, 金额150万\n", n)
		case 2:
			conv.WriteString("how is my pipeline?\n")
		default:
			fmt.Fprintf(&conv, "show #%d\n", n+1)
		}
	}
	var peak int64
	for b.Loop() {
		cmd := exec.Command(binary, "chat", "--as", "admin")
		cmd.Env = append(os.Environ(), "DEALCOACH_DB="+db, "DEALCOACH_ADMINS=admin", "DEALCOACH_NOW=2026-11-24T10:00:00+08:00")
		cmd.Stdin = strings.NewReader(conv.String())
		peak = max(peak, runWatchingRSS(b, cmd))
	}
	b.ReportMetric(float64(peak)/1024, "peak-RSS-MB")
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N*400), "ms/message")
}

// runWatchingRSS runs cmd and returns its peak resident memory in KiB, read
// from /proc while it runs: the rusage of a child also counts the memory of
// the parent it was forked from, here a test binary holding a big database.
func runWatchingRSS(b *testing.B, cmd *exec.Cmd) int64 {
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	var peak int64
	for {
		select {
		case err := <-done:
			if err != nil {
				b.Fatalf("%v: %s", err, out.String())
			}
			return peak
		case <-time.After(5 * time.Millisecond):
			peak = max(peak, vmHWM(status))
		}
	}
}

// vmHWM reads the peak resident set size (KiB) from a /proc status file.
func vmHWM(status string) int64 {
	b, err := os.ReadFile(status)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

func seed100k(b *testing.B, path string) {
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	owner, err := db.EnsurePerson(ctx, coach.Person{Platform: "console", PlatformID: "rep", Name: "rep"})
	if err != nil {
		b.Fatal(err)
	}
	stages := []string{"prospect", "interest", "approved", "shortlist", "contract"}
	batch := make([]coach.Deal, 0, 10_000)
	for i := range 100_000 {
		batch = append(batch, coach.Deal{Customer: fmt.Sprintf("Customer %06d", i), OwnerID: owner.ID,
			Amount: coach.Major(int64(10_000 + i)), Currency: "CNY", Stage: stages[i%len(stages)]})
		if len(batch) == cap(batch) {
			if err := db.CreateDeals(ctx, batch, owner.ID); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}
