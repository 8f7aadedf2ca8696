package store

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Group commit. Each write transaction is a page write per B-tree it
// touches, twice (frame header and page) into the WAL: a create touched
// about thirteen (the deal and its five indexes, its events and their two,
// the conversation, the inbox and its two; now nine: untitled deals skip
// two indexes, and the inbox is one tree), and those writes were a third
// of the server's CPU under Slack load (BenchmarkSlackCreates). Writers
// that wait while another commits therefore share the next commit: the
// first of them (the leader) runs every waiting transaction, each in its
// own savepoint, and commits them together; concurrent creates mostly
// touch the same pages (the end of each table and index), so the pages are
// written once a batch instead of once a transaction.
//
// Each transaction stays all or nothing: one whose function fails is
// rolled back to its savepoint alone, and the others commit. A savepoint
// costs its two statements and a copy of every page its transaction
// changes that an earlier one of the batch had changed (the sub-journal):
// about 5% of a create's CPU. So a batch of transactions whose functions
// may run twice (inTxRepeatable: they compute their writes from their
// arguments, and what they set outside is set again the same) first runs
// without savepoints; should one of them fail, the batch is rolled back
// and run again with savepoints, as any other batch, and a failure stays
// rare (a duplicate, a stale version, a re-delivery). A failure of
// the batch itself (begin, a savepoint or the commit) fails every
// transaction of the batch, which is what it would have done to each of
// them alone. Functions run on the leader's goroutine, one after another,
// as they ran one after another on the single write connection before; a
// function sees the uncommitted writes of those before it in its batch,
// and the read pool, as before, sees only what is committed.

// maxGroup bounds a batch: enough to share a commit among many concurrent
// writers, small enough to hold the writer only briefly.
const maxGroup = 64

// writeGroup is the queue of transactions waiting for the writer.
type writeGroup struct {
	mu      sync.Mutex
	queue   []*txReq
	leading bool         // a leader is running a batch: newcomers wait for the next
	last    int          // the size of the last batch, read and set by its leader
	batches atomic.Int64 // batches run, for tests
	plain   atomic.Int64 // batches of several run without savepoints, for tests
}

// txReq is one transaction waiting to run.
type txReq struct {
	ctx   context.Context
	fn    func(tx *wtx) error
	state atomic.Int32   // reqQueued, then reqLeading or reqTaken (it runs) or reqAbandoned (it never will)
	wake  chan txOutcome // buffered (2): perhaps the lead, then the outcome
	claim *Claim         // the claim it carries: done once the batch commits, if it wrote it
	again bool           // fn may run twice (see inTxRepeatable)
	wrote bool           // it wrote the claim
	out   txOutcome      // set by the leader
}

const (
	reqQueued    int32 = iota
	reqLeading         // told to lead the next batch: it will not abandon
	reqTaken           // running in a batch: it will not abandon
	reqAbandoned       // its caller gave up (ctx done) before it ran
)

// txOutcome is what a transaction's caller gets back.
type txOutcome struct {
	lead     bool // not an outcome: lead the next batch, then wait for the outcome
	err      error
	panicked bool // the function panicked: the caller panics again with panic
	panic    any
}

// inTx runs fn in one immediate write transaction and commits it; any error
// rolls everything fn did back. If db carries a claim not done yet (see
// Claiming), the transaction also records that event processed.
// Concurrent calls share one commit (see writeGroup).
func (db *DB) inTx(ctx context.Context, fn func(tx *wtx) error) error {
	return db.enqueue(ctx, fn, false)
}

// inTxRepeatable is inTx for a function that may run twice, the first time
// rolled back: one that computes its writes from its arguments and the
// transaction, and sets nothing outside but what the second run sets again
// to the same. Its batch can then do without savepoints (see writeGroup).
func (db *DB) inTxRepeatable(ctx context.Context, fn func(tx *wtx) error) error {
	return db.enqueue(ctx, fn, true)
}

func (db *DB) enqueue(ctx context.Context, fn func(tx *wtx) error, again bool) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	r := &txReq{ctx: ctx, fn: fn, claim: db.claim, again: again, wake: make(chan txOutcome, 2)}
	g := &db.group
	g.mu.Lock()
	g.queue = append(g.queue, r)
	lead := !g.leading
	if lead {
		g.leading = true
		r.state.Store(reqLeading)
	}
	g.mu.Unlock()
	if !lead {
		var o txOutcome
		select {
		case o = <-r.wake:
		case <-ctx.Done():
			if r.state.CompareAndSwap(reqQueued, reqAbandoned) {
				return fmt.Errorf("begin: %w", ctx.Err())
			}
			o = <-r.wake // taken or leading already: it runs
		}
		if !o.lead {
			return o.result()
		}
	}
	db.leadGroup()
	return (<-r.wake).result()
}

func (o txOutcome) result() error {
	if o.panicked {
		panic(o.panic)
	}
	return o.err
}

// leadGroup runs the waiting transactions as one batch, answers them, and
// hands the lead to the first of those that arrived meanwhile.
func (db *DB) leadGroup() {
	g := &db.group
	// Let writers that are runnable queue up first, for as long as the
	// queue grows: those that ran may have made others runnable (a
	// request read meanwhile), and every transaction more in the batch is
	// one commit's page writes shared (on one core, under sixteen
	// clients' creates: 7.1 creates a batch with one yield, 8.2 with this
	// loop). With nobody else runnable it returns at once.
	//
	// Then, while the last batch was a busy one and this one is smaller
	// yet, wait a little for the writers still on their way (see
	// waitsFor): a yield runs only what is runnable, a sleep lets the
	// scheduler read the network too.
	var waited time.Duration
	for n := -1; ; {
		runtime.Gosched()
		g.mu.Lock()
		if l := len(g.queue); l != n && l < maxGroup {
			n = l
			g.mu.Unlock()
			continue
		}
		if !g.waitsFor(waited) {
			break
		}
		g.mu.Unlock()
		t := time.Now()
		time.Sleep(time.Microsecond)
		waited += time.Since(t)
		n = -1
	}
	n := min(len(g.queue), maxGroup)
	g.last = n
	batch := make([]*txReq, 0, n)
	for _, r := range g.queue[:n] {
		if r.state.CompareAndSwap(reqQueued, reqTaken) || r.state.CompareAndSwap(reqLeading, reqTaken) {
			batch = append(batch, r)
		}
	}
	g.queue = append(g.queue[:0], g.queue[n:]...)
	g.mu.Unlock()

	g.batches.Add(1)
	missed := db.runGroup(batch)
	for _, r := range batch {
		r.wake <- r.out
	}
	db.wstmts.prepare(context.Background(), missed)

	g.mu.Lock()
	defer g.mu.Unlock()
	for len(g.queue) > 0 {
		next := g.queue[0]
		if next.state.CompareAndSwap(reqQueued, reqLeading) {
			next.wake <- txOutcome{lead: true}
			return
		}
		g.queue = g.queue[1:] // abandoned
	}
	g.leading = false
}

// Waiting for the writers on their way. Under a steady load of concurrent
// writers (sixteen clients' creates on one core) the batch takes those
// that queued while the last one ran, about ten of sixteen; the others'
// requests are still on the network or in their clients. Waiting up to
// 50 µs for them took the batch to 12–15 and the creates a second up
// 3.8–5.3% (medians of 25 and 12 pairs of alternated runs, 19 of 25 and
// 12 of 12 faster or even; the p99 6.4 → 5.5 ms). A lone writer or a
// light load (a last batch under busyBatch) never waits. Go's network
// poller sleeps in milliseconds, so when nothing else is runnable and
// nothing arrives a wait can last 1 ms, once: the wait then exceeds
// batchWait.
const (
	busyBatch = 4
	batchWait = 50 * time.Microsecond
)

// waitsFor tells the leader, holding g.mu after waited, to wait more for
// writers before it takes the batch: the last batch was busy, this one is
// smaller so far, and it has not waited batchWait yet.
func (g *writeGroup) waitsFor(waited time.Duration) bool {
	return g.last >= busyBatch && len(g.queue) < g.last && waited < batchWait
}

// runGroup runs batch in one transaction and sets each request's outcome.
// It returns the queries that ran unprepared, to prepare once the writer
// is free.
func (db *DB) runGroup(batch []*txReq) (missed []string) {
	repeatable := len(batch) > 1
	for _, r := range batch {
		repeatable = repeatable && r.again
	}
	if repeatable {
		var again bool
		if missed, again = db.runBatch(batch, false); !again {
			return missed
		}
		for _, r := range batch {
			r.out, r.wrote = txOutcome{}, false
		}
	}
	more, _ := db.runBatch(batch, true)
	return append(missed, more...)
}

// runBatch runs batch in one transaction, each of its transactions in a
// savepoint if savepoints and there are several. Without savepoints, a
// failure rolls the whole batch back and, if there are several, asks for
// it to run again (with them).
func (db *DB) runBatch(batch []*txReq, savepoints bool) (missed []string, again bool) {
	ctx := context.Background() // the batch belongs to no one caller
	failAll := func(err error) {
		for _, r := range batch {
			if r.out.err == nil && !r.out.panicked {
				r.out.err = err
			}
		}
	}
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		failAll(fmt.Errorf("begin: %w", err))
		return nil, false
	}
	tx := &wtx{Tx: sqlTx, stmts: db.wstmts}
	defer func() { missed = tx.missed }()
	if err := db.sess.checkOthers(ctx, tx); err != nil {
		tx.Rollback()
		failAll(err)
		return
	}
	alone := !savepoints || len(batch) == 1
	if !savepoints && len(batch) > 1 {
		db.group.plain.Add(1)
	}
	for _, r := range batch {
		if !alone {
			if _, err := tx.exec(ctx, "SAVEPOINT grp"); err != nil {
				tx.Rollback()
				failAll(fmt.Errorf("savepoint: %w", err))
				return
			}
		}
		r.out = db.runOne(r, tx)
		failed := r.out.err != nil || r.out.panicked
		switch {
		case alone && failed:
			tx.Rollback()
			return missed, len(batch) > 1 // the others: with savepoints
		case alone:
		case failed:
			if _, err := tx.exec(ctx, "ROLLBACK TO grp"); err != nil {
				tx.Rollback()
				failAll(fmt.Errorf("roll back to savepoint: %w", err))
				return
			}
			fallthrough
		default:
			if _, err := tx.exec(ctx, "RELEASE grp"); err != nil {
				tx.Rollback()
				failAll(fmt.Errorf("release savepoint: %w", err))
				return
			}
		}
	}
	err = tx.Commit()
	if tx.touched {
		// Before any caller hears of it: no later read may use a session
		// from before. (Failed too: it may have committed.)
		db.sess.changed()
	}
	if err != nil {
		failAll(fmt.Errorf("commit: %w", err))
		return
	}
	for _, r := range batch {
		if r.wrote && r.out.err == nil && !r.out.panicked {
			r.claim.done.Store(true)
		}
	}
	return
}

// runOne runs one request's function and its claim in tx, catching a panic
// for its caller to panic again.
func (db *DB) runOne(r *txReq, tx *wtx) (o txOutcome) {
	defer func() {
		if p := recover(); p != nil {
			o = txOutcome{panicked: true, panic: p}
		}
	}()
	if err := r.ctx.Err(); err != nil {
		return txOutcome{err: fmt.Errorf("begin: %w", err)}
	}
	if err := r.fn(tx); err != nil {
		return txOutcome{err: err}
	}
	if r.claim != nil && !r.claim.done.Load() {
		if err := r.claim.write(r.ctx, tx, db.now()); err != nil {
			return txOutcome{err: err}
		}
		r.wrote = true
	}
	return txOutcome{}
}
