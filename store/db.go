// Package store keeps dealcoach's data in one SQLite file (modernc.org/sqlite,
// no cgo): embedded migrations, repositories and transactions.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/dealcoach/dealcoach/coach"
)

// timeFormat is fixed width so that times compare correctly as text.
const timeFormat = "2006-01-02T15:04:05.000000Z"

// DB is the database: one connection for writes, a small pool for reads.
//
// SQLite allows one writer at a time. With several write connections, a
// read-then-write transaction fails with SQLITE_BUSY under load even with a
// busy timeout; one write connection with BEGIN IMMEDIATE serialises writers
// in Go instead, which is both correct and faster (see DEPENDENCIES.md).
//
// A DB from Claiming shares all this with the one it came from, and its
// write transactions also record a platform event processed (see Claim).
type DB struct {
	*shared
	claim *Claim // recorded by the first write transaction that commits; nil: none
}

// shared is a database's connections and writers, shared by the DB that
// opened it and the DBs Claiming derives from it.
type shared struct {
	write  *sql.DB
	read   *sql.DB
	wstmts *stmtCache
	rstmts *stmtCache
	now    func() time.Time

	ckpt            *sql.DB       // the background checkpointer's own connection
	ckptRule        ckptRule      // when it checkpoints
	writerCkptPages int64         // the WAL's length at which the writer checkpoints it
	ckpts           atomic.Int64  // checkpoints run, for tests
	stopCkpt        chan struct{} // closed by Close
	ckptDone        chan struct{}
	closing         sync.Once

	group writeGroup // write transactions waiting to share a commit (see inTx)
	sess  *sessions  // sessions read, while current (see sessions)
	ids   dealIDs    // deal ids handed out before their deals are written (see NextDealID)

	inboxQ    chan *inboxReq // unbuffered: see submitInbox
	stopInbox chan struct{}  // closed by Close
	inboxDone chan struct{}
}

// Option configures Open.
type Option func(*DB)

// WithClock makes the store stamp rows with now() instead of the real clock.
func WithClock(now func() time.Time) Option { return func(db *DB) { db.now = now } }

// Open opens (creating if needed) the SQLite file at path and applies any
// pending migrations.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	db := &DB{shared: &shared{now: time.Now, sess: newSessions(), ckptRule: ckptRule{checkpointTick, checkpointEvery, checkpointCommits},
		writerCkptPages: writerCheckpointPages}}
	for _, o := range opts {
		o(db)
	}
	var err error
	// The writer leaves WAL checkpoints to a background goroutine: done in
	// the commit, they were a quarter of an update's time. Its own
	// auto-checkpoint is the safety net should the goroutine fall behind,
	// and what lets the WAL start over under a constant load (see
	// writerCheckpointPages).
	// Page caches: 1 MB each. Readers keep 1 MB, which holds the chat
	// process under 40 MB over 100,000 deals (BenchmarkChatProcess); under
	// a write load each commit empties them anyway. The writer's is the one
	// that fills: every update reads the index pages it then rewrites. An 8
	// MB writer cache cost the server 10 MB more resident memory, 4 MB cost
	// 3 MB, and neither gained speed. A cached page (4 KB and SQLite's
	// header) takes an 8 KB slot of modernc's allocator, so the 2 MB it had
	// held about 4 MB: at 1 MB the server under the create load is 2 MB
	// smaller and reads no more pages a request; FreeTextUpdate (100,000
	// deals) reads 1.4 pages more an update from the OS cache, its time
	// unchanged beyond its noise.
	// The writer's temporary files are in memory: a batch of transactions
	// sharing a commit (see inTx) gives each a savepoint, whose journal of
	// the pages it changes went to a temporary file past 64 KB, a write
	// call per page.
	if db.write, err = sql.Open("sqlite", dsn(path, "immediate")+
		fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", db.writerCkptPages)+
		"&_pragma=cache_size(-1000)&_pragma=temp_store(MEMORY)"); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetConnMaxIdleTime(0)
	db.wstmts = newStmtCache(db.write)
	if err := db.migrate(ctx); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	if db.read, err = sql.Open("sqlite", dsn(path, "deferred")+"&_pragma=query_only(1)&_pragma=cache_size(-1000)"); err != nil {
		db.write.Close()
		return nil, fmt.Errorf("open %s for reading: %w", path, err)
	}
	db.read.SetMaxOpenConns(4)
	db.read.SetMaxIdleConns(4)
	db.rstmts = newStmtCache(db.read)
	if db.ckpt, err = sql.Open("sqlite", dsn(path, "deferred")); err != nil {
		db.read.Close()
		db.write.Close()
		return nil, fmt.Errorf("open %s for checkpoints: %w", path, err)
	}
	db.ckpt.SetMaxOpenConns(1)
	db.stopCkpt, db.ckptDone = make(chan struct{}), make(chan struct{})
	go db.checkpoints(time.Now(), db.group.batches.Load())
	db.inboxQ, db.stopInbox, db.inboxDone = make(chan *inboxReq), make(chan struct{}), make(chan struct{})
	go db.inboxBatcher()
	return db, nil
}

// checkpointEvery is how often the WAL is copied back into the database,
// or after checkpointCommits commits if they come sooner. Each checkpoint
// syncs the WAL, and that fsync waits for every page written since the
// last one. It is a blocking call Go does not see as blocking, so a server
// on one core (GOMAXPROCS 1) runs nothing else until it returns or the
// runtime takes the processor back (10-20 ms into a blocking call when the
// program is busy). Every 100 ms that was twenty stalls a second of about
// 5 ms, each holding the sixteen requests in flight: the p99 of the
// harness's create load (../shared/bench, one core, about 900 commits a
// second) was 18 ms; every second it is 7 ms and the server does about 5%
// more (a second's sync is longer, 25-30 ms, but it stalls a request in a
// hundred times fewer).
//
// The commits bound is for a writer committing alone, one small
// transaction after another (a batch import, BenchmarkCreate: 5,000
// commits a second): a second of its WAL reached the writer's own
// auto-checkpoint (then 10,000 pages), which copied and synced inside a
// commit; a create took 13% longer that way than with checkpoints every
// 100 ms. The writer's auto-checkpoint bounds the WAL (see
// writerCheckpointPages).
const (
	checkpointEvery   = time.Second
	checkpointCommits = 1000
	checkpointTick    = checkpointEvery / 10 // how often the rule is looked at
)

// writerCheckpointPages is the WAL's length, in pages, at which the
// writer checkpoints it itself, inside a commit.
//
// Under a constant load the background checkpoints never catch up with
// the end of the WAL (commits go on while they copy), so the WAL only
// starts over from its beginning after the writer's own checkpoint, which
// runs while it holds the write lock. That one syncs the WAL written since
// the last background sync and every writer waits for it: under the
// harness's create load (about 20,000 pages a second) it took 25-50 ms,
// and at 10,000 pages it came twice a second. A trace of a second of that
// load (runtime/trace, one core) found the processor idle 7% of the time,
// nearly all of it in those syncs. At 40,000 pages (160 MB of WAL) it
// comes every two seconds or so: +6.1% creates a second (median of eight
// alternated rounds, six faster), the CPU a create unchanged, the server
// busy 96% of the time instead of 91.5%, the p99 18% lower (medians;
// README, Performance).
// Under ordinary load the background checkpoint copies everything and the
// WAL starts over long before; after a burst the checkpointer cuts the
// file once no commit comes for a period (see checkpoints), and Close
// does.
const writerCheckpointPages = 40_000

// withWriterCheckpoint sets writerCheckpointPages (tests).
func withWriterCheckpoint(pages int64) Option {
	return func(db *DB) { db.writerCkptPages = pages }
}

// ckptRule is when the background checkpointer runs: every, or after
// commits commits, looked at every tick.
type ckptRule struct {
	tick, every time.Duration
	commits     int64
}

// checkpoints copies the WAL into the database file periodically, off the
// writers' path, counting time and commits from last and lastN (taken
// before it starts, so none is missed). PASSIVE never blocks readers or
// the writer.
func (db *DB) checkpoints(last time.Time, lastN int64) {
	defer close(db.ckptDone)
	rule := db.ckptRule
	cut := false // the WAL file was cut since the last commit
	t := time.NewTicker(rule.tick)
	defer t.Stop()
	for {
		select {
		case <-db.stopCkpt:
			return
		case now := <-t.C:
			n := db.group.batches.Load()
			if n == lastN && now.Sub(last) >= rule.every {
				// No commit for a whole period since the last checkpoint:
				// copy what is left and, if that reached the WAL's end (no
				// other process is writing either), cut the WAL file to
				// nothing, once: TRUNCATE holds writers off while it runs,
				// and there are none. Under load the file keeps its
				// length, up to writerCheckpointPages: cutting it each
				// time the WAL started over stalled that commit 50 ms,
				// and it grew again at once.
				if !cut {
					var busy, log, done int
					err := db.ckpt.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done)
					if err == nil && busy == 0 && log == done {
						db.ckpt.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
					}
					db.ckpts.Add(1)
					cut = true
				}
				continue
			}
			if now.Sub(last) < rule.every && n-lastN < rule.commits {
				continue
			}
			last, lastN, cut = now, n, false
			// A failure (busy) is retried on the next tick.
			db.ckpt.Exec("PRAGMA wal_checkpoint(PASSIVE)")
			db.ckpts.Add(1)
		}
	}
}

// withCheckpoints sets the background checkpointer's rule (tests).
func withCheckpoints(tick, every time.Duration, commits int64) Option {
	return func(db *DB) { db.ckptRule = ckptRule{tick, every, commits} }
}

func dsn(path, txlock string) string {
	// A "file:" name is required: modernc drops URI parameters otherwise.
	u := url.URL{Scheme: "file", Opaque: (&url.URL{Path: path}).EscapedPath()}
	q := []string{
		"_pragma=busy_timeout(5000)",
		"_pragma=journal_mode(WAL)",
		"_pragma=foreign_keys(1)",
		"_pragma=synchronous(NORMAL)",
		"_txlock=" + txlock,
	}
	return u.String() + "?" + strings.Join(q, "&")
}

// Close closes both pools.
func (db *DB) Close() error {
	err := errors.New("store: already closed")
	db.closing.Do(func() { err = db.close() })
	return err
}

func (db *DB) close() error {
	// The inbox batcher commits the batch it holds; callers still waiting
	// to be taken get an error.
	close(db.stopInbox)
	<-db.inboxDone
	close(db.stopCkpt)
	<-db.ckptDone
	db.rstmts.close()
	db.wstmts.close()
	// Leave a compact file behind: fold the WAL in and truncate it.
	_, ckErr := db.ckpt.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	return errors.Join(ckErr, db.ckpt.Close(), db.read.Close(), db.write.Close())
}

// Ping checks that the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	if err := db.row(ctx, "SELECT 1").Scan(&n); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// parseTime reads a time written by fmtTime. It reads the fixed-width
// digits itself, from a string or the bytes of a column: time.Parse was a
// fifth of reading a week's events for the digest. Anything else goes
// through time.Parse.
func parseTime[T ~string | ~[]byte](s T) time.Time {
	if len(s) == len(timeFormat) && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' &&
		s[19] == '.' && s[26] == 'Z' {
		y, ok1 := digits(s[0:4])
		mo, ok2 := digits(s[5:7])
		d, ok3 := digits(s[8:10])
		h, ok4 := digits(s[11:13])
		mi, ok5 := digits(s[14:16])
		sec, ok6 := digits(s[17:19])
		us, ok7 := digits(s[20:26])
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && sec < 60 {
			return time.Date(y, time.Month(mo), d, h, mi, sec, us*1000, time.UTC)
		}
	}
	t, _ := time.Parse(timeFormat, string(s))
	return t
}

// digits reads a run of decimal digits.
func digits[T ~string | ~[]byte](s T) (int, bool) {
	v := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, len(s) > 0
}

// nullDate stores the zero Date as NULL.
func nullDate(d coach.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

func scanDate(s sql.NullString) coach.Date {
	d, _ := coach.ParseDate(s.String)
	return d
}

// isUnique reports a UNIQUE constraint violation.
func isUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// isPrimaryKey reports a PRIMARY KEY constraint violation: an id taken.
func isPrimaryKey(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}
