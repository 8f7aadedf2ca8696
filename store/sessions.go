package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// sessions keeps the sessions read (a person and their conversation in one
// scope), because every message reads one first, and under a write load a
// read is dear: each commit makes the read connections drop their page
// caches, so the read went back to the file every time (a tenth of a
// slash command's CPU in the side-by-side harness, #17).
//
// A cached session is used only while nothing may have changed it:
//   - every transaction of this process that writes people or
//     conversations moves the generation on once it has committed, before
//     its caller hears of it, so no later turn reads the old one;
//   - a commit by another process (a terminal chat or an import on the
//     same file) is seen through the writer's PRAGMA data_version, which
//     changes only when another connection committed: every batch of
//     writes checks it, and a hit checks it first when the last check is
//     older than maxLag (a batch with nothing in it does).
//
// So a session read here is never older than what a read of the file
// maxLag ago would give, and in-process changes are seen at once.
type sessions struct {
	gen     atomic.Uint64 // moved on by every change that may touch a session
	checked atomic.Int64  // when the writer last checked for other processes' commits (ns since base)
	base    time.Time     // monotonic origin of checked
	version int64         // the writer's last data_version; used by the batch leader only

	mu sync.Mutex
	m  map[sessionKey]cachedSession
}

type sessionKey struct{ platform, platformID, scope string }

type cachedSession struct {
	s   Session
	gen uint64
}

// maxLag bounds how long another process's change to a person or their
// conversation may go unseen.
const maxLag = 50 * time.Millisecond

// maxSessions bounds the cache; past it, it starts again empty.
const maxSessions = 2048

func newSessions() *sessions {
	return &sessions{base: time.Now(), m: map[sessionKey]cachedSession{}}
}

func (c *sessions) now() int64 { return int64(time.Since(c.base)) }

// get is the cached session for k if it is current.
func (c *sessions) get(k sessionKey) (Session, bool) {
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	if !ok || e.gen != c.gen.Load() {
		return Session{}, false
	}
	return e.s, true
}

// put keeps s, read when the generation was gen, unless it moved on since.
func (c *sessions) put(k sessionKey, s Session, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() != gen {
		return
	}
	if len(c.m) >= maxSessions {
		clear(c.m)
	}
	c.m[k] = cachedSession{s: s, gen: gen}
}

// changed moves the generation on: no session read before is used again.
func (c *sessions) changed() { c.gen.Add(1) }

// checkOthers is run by each batch of writes, holding the write lock: a
// data_version that moved means another process committed since the last
// batch.
func (c *sessions) checkOthers(ctx context.Context, tx *wtx) error {
	at := c.now()
	var v int64
	if err := tx.row(ctx, "PRAGMA data_version").Scan(&v); err != nil {
		return fmt.Errorf("read data_version: %w", err)
	}
	if v != c.version {
		c.version = v
		c.changed()
	}
	c.checked.Store(at)
	return nil
}

// freshSessions makes sure other processes' commits older than maxLag are seen,
// running an empty write transaction (which checks) if no batch did lately.
func (db *DB) freshSessions(ctx context.Context) error {
	if db.sess.now()-db.sess.checked.Load() <= int64(maxLag) {
		return nil
	}
	plain := &DB{shared: db.shared} // no claim: this writes nothing
	return plain.inTx(ctx, func(*wtx) error { return nil })
}

// touchesSessions reports whether statement q may change a person or a
// conversation: any statement naming their tables that is not a query.
func touchesSessions(q string) bool {
	if !strings.Contains(q, "people") && !strings.Contains(q, "conversations") {
		return false
	}
	q = strings.TrimSpace(q)
	return len(q) < 6 || !strings.EqualFold(q[:6], "select")
}
