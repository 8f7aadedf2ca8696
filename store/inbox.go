package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

// The inbox records every platform event before the platform is
// acknowledged, so a crash loses none; its primary key turns the platform's
// retries into no-ops, and processed_at, written in the same transaction as
// the event's effect (see Claim), makes a replay after a crash skip what
// was already done.

// errClosed answers inbox calls made while or after the store closes.
var errClosed = errors.New("store: closed")

// maxInboxBatch bounds one group commit: enough to amortise a commit over
// 16+ concurrent callers, small enough to hold the writer only briefly.
const maxInboxBatch = 128

const (
	insertInboxSQL = `INSERT INTO inbox (platform, event_id, payload, received_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (platform, event_id) DO NOTHING`
	markInboxSQL = `UPDATE inbox SET processed_at = ? WHERE platform = ? AND event_id = ? AND processed_at IS NULL`
	// claimInboxSQL marks an event processed, recording it if it was not
	// received first; a row already processed is left alone (no row
	// changes: a duplicate).
	claimInboxSQL = `INSERT INTO inbox (platform, event_id, payload, received_at, processed_at) VALUES (?1, ?2, x'', ?3, ?3)
		ON CONFLICT (platform, event_id) DO UPDATE SET processed_at = excluded.processed_at WHERE inbox.processed_at IS NULL`
)

// ErrDuplicate is returned by a write transaction carrying a claim (see
// Claiming) whose event was already processed: the transaction is rolled
// back, so a retried or replayed event never applies twice.
var ErrDuplicate = errors.New("event already processed")

// inboxReq is one Receive or MarkProcessed waiting for the batcher.
type inboxReq struct {
	platform, eventID string
	payload           []byte // nil: mark processed
	fresh             bool
	reply             chan error // buffered: the batcher never waits
}

// Receive records an event before it is acknowledged to the platform. It
// returns fresh=false, without error, when the event was already recorded:
// a retry, to acknowledge and otherwise ignore. The row is committed when
// Receive returns.
//
// Concurrent calls share one transaction (group commit): a single goroutine
// takes a call, adds every other one already waiting, and commits them
// together. A lone call is committed at once, without waiting for company.
func (db *DB) Receive(ctx context.Context, platform, eventID string, payload []byte) (fresh bool, err error) {
	if payload == nil {
		payload = []byte{} // NOT NULL, and to the batcher nil means MarkProcessed
	}
	r := &inboxReq{platform: platform, eventID: eventID, payload: payload}
	if err := db.submitInbox(ctx, r); err != nil {
		return false, fmt.Errorf("receive %s event %s: %w", platform, eventID, err)
	}
	return r.fresh, nil
}

// MarkProcessed records that an event was handled without writing anything
// else (a read-only command). Marking an unknown or already processed event
// does nothing. Calls are group-committed like Receive's.
func (db *DB) MarkProcessed(ctx context.Context, platform, eventID string) error {
	if err := db.submitInbox(ctx, &inboxReq{platform: platform, eventID: eventID}); err != nil {
		return fmt.Errorf("mark %s event %s processed: %w", platform, eventID, err)
	}
	return nil
}

// submitInbox hands r to the batcher and waits for its result. The queue
// is unbuffered, so a request is either taken by the batcher, which then
// always answers it, or still with its caller, who may give up.
func (db *DB) submitInbox(ctx context.Context, r *inboxReq) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.reply = make(chan error, 1)
	select {
	case db.inboxQ <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-db.stopInbox:
		return errClosed
	}
	return <-r.reply
}

// inboxBatcher group-commits inbox requests until Close. A batch already
// taken is committed and answered before it returns.
func (db *DB) inboxBatcher() {
	defer close(db.inboxDone)
	batch := make([]*inboxReq, 0, maxInboxBatch)
	for {
		select {
		case <-db.stopInbox:
			return
		case r := <-db.inboxQ:
			batch = append(batch[:0], r)
		}
		// Let callers just answered, and others runnable, queue up first:
		// with 16 callers on 2 CPUs it takes the batch from 6 rows to 13
		// (BenchmarkReceive), and it returns at once when nobody else runs.
		runtime.Gosched()
	drain:
		for len(batch) < maxInboxBatch {
			select {
			case r := <-db.inboxQ:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		db.writeInbox(batch)
		clear(batch) // let answered requests be collected
	}
}

// writeInbox commits batch in one transaction and answers each request.
// Should the batch fail, each request is retried alone, so that one bad
// request fails only its own caller.
func (db *DB) writeInbox(batch []*inboxReq) {
	// The batch belongs to no single caller: it runs to its end even if
	// they give up, and carries no claim.
	ctx := context.Background()
	now := fmtTime(db.now())
	err := db.inTx(ctx, func(tx *wtx) error {
		for _, r := range batch {
			if err := r.apply(ctx, tx, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && len(batch) > 1 {
		for i := range batch {
			db.writeInbox(batch[i : i+1])
		}
		return
	}
	for _, r := range batch {
		r.reply <- err
	}
}

func (r *inboxReq) apply(ctx context.Context, tx *wtx, now string) error {
	if r.payload == nil {
		_, err := tx.exec(ctx, markInboxSQL, now, r.platform, r.eventID)
		return err
	}
	res, err := tx.exec(ctx, insertInboxSQL, r.platform, r.eventID, r.payload, now)
	if err != nil {
		return err
	}
	// A duplicate, even of a row inserted earlier in this batch, inserts nothing.
	n, err := res.RowsAffected()
	r.fresh = n == 1
	return err
}

// Claim is a platform event to record as processed by the first write
// transaction that carries it (see Claiming), atomically with that
// write's effect: a crash before the commit loses both, and the event is
// replayed; after it, a replay finds the event processed and changes
// nothing (ErrDuplicate). Writes after the first leave the inbox alone.
type Claim struct {
	platform, eventID string
	done              atomic.Bool
}

// NewClaim is the claim of platform's event eventID; nil when eventID is
// "" (a message no platform will send again, such as a terminal line).
func NewClaim(platform, eventID string) *Claim {
	if eventID == "" {
		return nil
	}
	return &Claim{platform: platform, eventID: eventID}
}

// Done reports whether a committed write recorded the event processed.
func (c *Claim) Done() bool { return c != nil && c.done.Load() }

// Claiming returns the store whose write transactions carry claim c (nil:
// none): the first of them that commits records c's event processed with
// its own changes, or fails with ErrDuplicate if it was processed before.
// Writes that are not the event's effect (a person created on first
// contact) go through a DB without a claim.
func (db *DB) Claiming(c *Claim) *DB {
	return &DB{shared: db.shared, claim: c}
}

// write records the event processed in tx: marking its inbox row, or
// inserting one for an event that was not received first (a slash command
// answered within its request needs no row before its effect). It fails
// with ErrDuplicate when the event was processed already.
func (c *Claim) write(ctx context.Context, tx *wtx, now time.Time) error {
	res, err := tx.exec(ctx, claimInboxSQL, c.platform, c.eventID, fmtTime(now))
	if err != nil {
		return fmt.Errorf("mark %s event %s processed: %w", c.platform, c.eventID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("mark %s event %s processed: %w", c.platform, c.eventID, err)
	} else if n == 0 {
		return fmt.Errorf("%s event %s: %w", c.platform, c.eventID, ErrDuplicate)
	}
	return nil
}

// InboxEvent is a recorded platform event.
type InboxEvent struct {
	Platform, EventID string
	Payload           []byte
	ReceivedAt        time.Time
}

// Unprocessed returns platform's events received before olderThan and never
// marked processed, oldest first: those a crash interrupted, for the
// adapter to replay at start. olderThan leaves out events that handlers
// running now are still working on. It reads every row of platform the
// inbox keeps (see PruneInbox), which is fine once at start.
func (db *DB) Unprocessed(ctx context.Context, platform string, olderThan time.Time) ([]InboxEvent, error) {
	rows, err := db.query(ctx, `SELECT event_id, payload, received_at FROM inbox
		WHERE platform = ? AND processed_at IS NULL AND received_at < ?
		ORDER BY received_at, event_id`, platform, fmtTime(olderThan))
	if err != nil {
		return nil, fmt.Errorf("list unprocessed %s events: %w", platform, err)
	}
	defer rows.Close()
	var evs []InboxEvent
	for rows.Next() {
		e := InboxEvent{Platform: platform}
		var at string
		if err := rows.Scan(&e.EventID, &e.Payload, &at); err != nil {
			return nil, fmt.Errorf("list unprocessed %s events: %w", platform, err)
		}
		e.ReceivedAt = parseTime(at)
		evs = append(evs, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list unprocessed %s events: %w", platform, err)
	}
	return evs, nil
}

// pruneChunk bounds one PruneInbox transaction, so that a large prune does
// not hold the single writer for long.
const pruneChunk = 1000

// PruneInbox deletes processed events received before before and returns
// how many. De-duplication only needs rows as old as the platforms' retries
// (Slack and Lark retry for minutes to hours), so a few days of rows are
// plenty; unprocessed rows are kept for Unprocessed whatever their age.
//
// The inbox has no index of its times (migration 0014: a claim is one
// B-tree insert, not three), so the prune walks the rows in key order on
// the read pool, pruneChunk old ones at a time, and deletes each chunk in
// one write transaction that checks the condition again (a row may have
// changed since it was read): the writer is held for a chunk's deletes,
// never for the walk. A walk reads every row, so callers prune rarely
// (hourly: the sweep).
func (db *DB) PruneInbox(ctx context.Context, before time.Time) (int64, error) {
	cut := fmtTime(before)
	var total int64
	var after *inboxKey // the walk resumes after this key
	for {
		keys, err := db.oldInboxKeys(ctx, after, cut)
		if err != nil {
			return total, fmt.Errorf("prune inbox: %w", err)
		}
		if len(keys) == 0 {
			return total, nil
		}
		var n int64
		err = db.inTx(ctx, func(tx *wtx) error {
			for _, k := range keys {
				res, err := tx.exec(ctx, `DELETE FROM inbox WHERE platform = ? AND event_id = ?
					AND received_at < ? AND processed_at IS NOT NULL`, k.platform, k.eventID, cut)
				if err != nil {
					return err
				}
				m, err := res.RowsAffected()
				if err != nil {
					return err
				}
				n += m
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("prune inbox: %w", err)
		}
		if total += n; len(keys) < pruneChunk {
			return total, nil
		}
		after = &keys[len(keys)-1]
	}
}

// inboxKey is an inbox row's key.
type inboxKey struct{ platform, eventID string }

// oldInboxKeys reads, in key order after after (nil: from the first), the
// keys of up to pruneChunk processed rows received before cut.
func (db *DB) oldInboxKeys(ctx context.Context, after *inboxKey, cut string) ([]inboxKey, error) {
	const cols = `SELECT platform, event_id FROM inbox WHERE received_at < ?1 AND processed_at IS NOT NULL`
	const order = ` ORDER BY platform, event_id LIMIT ?2`
	var rows *sql.Rows
	var err error
	if after == nil {
		rows, err = db.query(ctx, cols+order, cut, pruneChunk)
	} else {
		rows, err = db.query(ctx, cols+` AND (platform, event_id) > (?3, ?4)`+order, cut, pruneChunk, after.platform, after.eventID)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []inboxKey
	for rows.Next() {
		var k inboxKey
		if err := rows.Scan(&k.platform, &k.eventID); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}
