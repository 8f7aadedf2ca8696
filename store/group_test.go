package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

// holdWriter starts a transaction that keeps the writer until release is
// called, and waits until it runs: transactions started meanwhile queue.
func holdWriter(t *testing.T, db *DB) (release func()) {
	t.Helper()
	running, hold, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- db.inTx(context.Background(), func(tx *wtx) error {
			close(running)
			<-hold
			return nil
		})
	}()
	<-running
	return func() {
		close(hold)
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// waitQueued waits until n transactions wait for the writer.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	for {
		db.group.mu.Lock()
		q := len(db.group.queue)
		db.group.mu.Unlock()
		if q >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

func TestGroupCommitKeepsEachTransactionAllOrNothing(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	alice := rep(t, db, "Alice")
	release := holdWriter(t, db)
	before := db.group.batches.Load()
	boom := errors.New("boom")
	const n = 9
	errs := make([]error, n)
	marks := make([]*Claim, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		m := NewClaim("slack", fmt.Sprintf("ev%d", i))
		marks[i] = m
		go func() {
			defer wg.Done()
			errs[i] = db.Claiming(m).inTx(ctx, func(tx *wtx) error {
				d, err := db.createDeal(ctx, tx, coach.Deal{Customer: fmt.Sprintf("Deal %d", i), OwnerID: alice.ID,
					Currency: "CNY", Stage: "prospect"}, names(coach.Deal{Customer: fmt.Sprintf("Deal %d", i)}), 0, alice.ID, false)
				if err != nil {
					return err
				}
				if i%3 == 1 { // written, then failed: rolled back alone
					return fmt.Errorf("deal #%d: %w", d.ID, boom)
				}
				return nil
			})
		}()
	}
	waitQueued(t, db, n)
	release()
	wg.Wait()
	if got := db.group.batches.Load() - before; got != 1 { // all nine at once, after the held one
		t.Errorf("%d batches after the held one, want 1", got)
	}
	for i, err := range errs {
		if failed := i%3 == 1; failed != errors.Is(err, boom) || !failed && err != nil || marks[i].Done() == failed {
			t.Errorf("transaction %d: %v, marked %v", i, err, marks[i].Done())
		}
	}
	ds, err := db.Deals(ctx, DealFilter{})
	if err != nil || len(ds) != 6 {
		t.Fatalf("%d deals, %v; want 6", len(ds), err)
	}
	for _, d := range ds {
		var i int
		fmt.Sscanf(d.Customer, "Deal %d", &i)
		if i%3 == 1 {
			t.Errorf("the failed transaction's %s was kept", d.Customer)
		}
		if h, _ := db.History(ctx, d.ID); len(h) == 0 {
			t.Errorf("%s has no history", d.Customer)
		}
	}
	var inbox int
	if err := db.read.QueryRow("SELECT count(*) FROM inbox").Scan(&inbox); err != nil || inbox != 6 {
		t.Fatalf("%d marks recorded, %v; want 6", inbox, err)
	}
}

func TestGroupCommitPanicsInItsOwnCaller(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	release := holdWriter(t, db)
	var wg sync.WaitGroup
	var recovered any
	var okErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer func() { recovered = recover() }()
		db.inTx(ctx, func(tx *wtx) error {
			tx.exec(ctx, "INSERT INTO teams (name, created_at) VALUES ('panicked', '')")
			panic("bad")
		})
	}()
	waitQueued(t, db, 1)
	go func() {
		defer wg.Done()
		okErr = db.inTx(ctx, func(tx *wtx) error {
			_, err := tx.exec(ctx, "INSERT INTO teams (name, created_at) VALUES ('kept', '')")
			return err
		})
	}()
	waitQueued(t, db, 2)
	release()
	wg.Wait()
	if recovered != "bad" || okErr != nil {
		t.Fatalf("recovered %v, other %v", recovered, okErr)
	}
	var names []string
	rows, err := db.read.Query("SELECT name FROM teams")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		rows.Scan(&s)
		names = append(names, s)
	}
	if len(names) != 1 || names[0] != "kept" {
		t.Fatalf("teams %v", names)
	}
	// The writer is free again.
	if err := db.inTx(ctx, func(tx *wtx) error { return nil }); err != nil {
		t.Fatal(err)
	}
}

func TestGroupCommitAbandonedTransactionNeverRuns(t *testing.T) {
	db := openTest(t)
	release := holdWriter(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	errc := make(chan error, 1)
	go func() { errc <- db.inTx(ctx, func(tx *wtx) error { ran = true; return nil }) }()
	waitQueued(t, db, 1)
	// A second waiter comes after the abandoned one: the lead passes over it.
	other := make(chan error, 1)
	go func() { other <- db.inTx(context.Background(), func(tx *wtx) error { return nil }) }()
	waitQueued(t, db, 2)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("abandoned: %v", err)
	}
	release()
	if err := <-other; err != nil || ran {
		t.Fatalf("other %v, abandoned ran %v", err, ran)
	}
}

// repeatableBatch queues n repeatable transactions behind a held writer,
// each creating "Deal i" with a claim and failing after its write when
// fail(i), and returns their errors, claims and how often each ran.
func repeatableBatch(t *testing.T, db *DB, n int, fail func(i int) bool, other bool) ([]error, []*Claim, []int) {
	t.Helper()
	ctx := context.Background()
	alice := rep(t, db, "Alice")
	release := holdWriter(t, db)
	boom := errors.New("boom")
	errs, marks, runs := make([]error, n), make([]*Claim, n), make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		marks[i] = NewClaim("slack", fmt.Sprintf("ev%d", i))
		run := db.Claiming(marks[i]).inTxRepeatable
		if other && i == n-1 {
			run = db.Claiming(marks[i]).inTx
		}
		go func() {
			defer wg.Done()
			errs[i] = run(ctx, func(tx *wtx) error {
				runs[i]++ // the leader runs the functions one after another
				d := coach.Deal{Customer: fmt.Sprintf("Deal %d", i), OwnerID: alice.ID, Currency: "CNY", Stage: "prospect"}
				if _, err := db.createDeal(ctx, tx, d, names(d), 0, alice.ID, true); err != nil {
					return err
				}
				if fail(i) {
					return boom
				}
				return nil
			})
		}()
		waitQueued(t, db, i+1) // in order
	}
	release()
	wg.Wait()
	for i, err := range errs {
		if fail(i) != errors.Is(err, boom) || !fail(i) && err != nil || marks[i].Done() == fail(i) {
			t.Errorf("transaction %d: %v, marked %v", i, err, marks[i].Done())
		}
	}
	ds, err := db.Deals(ctx, DealFilter{})
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]int{}
	for _, d := range ds {
		kept[d.Customer]++
		if h, _ := db.History(ctx, d.ID); len(h) != 1 {
			t.Errorf("%s has %d events, want its one", d.Customer, len(h))
		}
	}
	for i := range n {
		want := 1
		if fail(i) {
			want = 0
		}
		if got := kept[fmt.Sprintf("Deal %d", i)]; got != want {
			t.Errorf("Deal %d stored %d times, want %d", i, got, want)
		}
	}
	return errs, marks, runs
}

func TestGroupCommitRepeatableBatchRunsWithoutSavepoints(t *testing.T) {
	db := openTest(t)
	before := db.group.plain.Load()
	_, _, runs := repeatableBatch(t, db, 6, func(int) bool { return false }, false)
	if got := db.group.plain.Load() - before; got != 1 {
		t.Errorf("%d batches without savepoints, want 1", got)
	}
	wantRuns(t, runs, func(int) int { return 1 })
}

func TestGroupCommitRepeatableBatchFailureRunsAgainWithSavepoints(t *testing.T) {
	db := openTest(t)
	// The fourth fails after writing: the three before it ran once
	// without savepoints, rolled back, then all ran with savepoints.
	_, _, runs := repeatableBatch(t, db, 6, func(i int) bool { return i == 3 }, false)
	wantRuns(t, runs, func(i int) int {
		if i > 3 {
			return 1
		}
		return 2
	})
}

// wantRuns checks that transaction i of a batch ran want(i) times.
func wantRuns(t *testing.T, runs []int, want func(i int) int) {
	t.Helper()
	for i, n := range runs {
		if n != want(i) {
			t.Errorf("transaction %d ran %d times, want %d", i, n, want(i))
		}
	}
}

func TestGroupCommitBatchWithAnUnrepeatableOneKeepsSavepoints(t *testing.T) {
	db := openTest(t)
	before := db.group.plain.Load()
	_, _, runs := repeatableBatch(t, db, 5, func(i int) bool { return i == 1 }, true)
	if got := db.group.plain.Load() - before; got != 0 {
		t.Errorf("%d batches without savepoints, want none", got)
	}
	wantRuns(t, runs, func(int) int { return 1 })
}

// The leader waits for writers on their way only after a busy batch, while
// its own is smaller, and for batchWait at most.
func TestGroupCommitWaitsForWritersOnlyAfterABusyBatch(t *testing.T) {
	for _, c := range []struct {
		last, queued int
		waited       time.Duration
		want         bool
	}{
		{last: 0, queued: 1, want: false},             // a lone writer: commit at once
		{last: busyBatch - 1, queued: 1, want: false}, // a light load
		{last: busyBatch, queued: 1, want: true},
		{last: 10, queued: 9, want: true},
		{last: 10, queued: 10, want: false}, // as many as last time: go
		{last: 10, queued: 3, waited: batchWait - time.Microsecond, want: true},
		{last: 10, queued: 3, waited: batchWait, want: false},        // waited enough
		{last: 10, queued: 3, waited: time.Millisecond, want: false}, // a sleep the poller made long
	} {
		g := writeGroup{last: c.last, queue: make([]*txReq, c.queued)}
		if got := g.waitsFor(c.waited); got != c.want {
			t.Errorf("last %d, %d queued, waited %v: waits %v, want %v", c.last, c.queued, c.waited, got, c.want)
		}
	}
}

// A leader after a busy batch, alone now, waits its bounded while and
// commits: nothing hangs, and the next batch, after a lone one, does not
// wait.
func TestGroupCommitBusyThenAlone(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	db.group.mu.Lock()
	db.group.last = maxGroup
	db.group.mu.Unlock()
	for i := range 2 {
		if err := db.inTx(ctx, func(tx *wtx) error {
			_, err := tx.exec(ctx, "INSERT INTO teams (name, created_at) VALUES (?, ?)", fmt.Sprint("t", i), fmtTime(testNow))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		db.group.mu.Lock()
		last := db.group.last
		db.group.mu.Unlock()
		if last != 1 {
			t.Fatalf("batch %d: last batch %d, want 1", i, last)
		}
	}
	var n int
	if err := db.read.QueryRow("SELECT count(*) FROM teams WHERE name LIKE 't%'").Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d teams, %v; want 2", n, err)
	}
}
