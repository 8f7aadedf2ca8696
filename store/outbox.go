package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The outbox holds every scheduled message (reminders, digests) from the
// moment it is decided until it is delivered: written once under an
// idempotency key (job, period, recipient), claimed by a sender before
// each attempt, and marked sent or failed after it. A crash before
// delivery leaves the message to send at the next start; a crash between
// delivery and marking leaves a claim the sender must settle with the
// platform before sending again (OutboxMessage.InDoubt).

// OutboxMessage is one message in the outbox.
type OutboxMessage struct {
	ID            int64
	IdemKey       string // job/period/recipient: the message is written once
	Platform      string
	Channel       string // a channel, a chat, or a person to DM
	Payload       []byte // what the sender renders and posts
	Attempts      int
	NextAttemptAt time.Time
	SentAt        time.Time // zero until delivered
	LastError     string
	CreatedAt     time.Time
	// InDoubt is set on a claimed message whose previous claim was never
	// settled: it may have been delivered already.
	InDoubt bool
}

// gaveUp is the next attempt of a message given up on: never.
const gaveUp = "9999-12-31T23:59:59.000000Z"

// Enqueue writes m unless a message with its idempotency key exists, and
// reports whether it was written. NextAttemptAt zero means now.
func (db *DB) Enqueue(ctx context.Context, m OutboxMessage) (fresh bool, err error) {
	if m.IdemKey == "" || m.Platform == "" || m.Channel == "" {
		return false, fmt.Errorf("enqueue: idempotency key, platform and channel are required")
	}
	now := db.now()
	next := m.NextAttemptAt
	if next.IsZero() {
		next = now
	}
	if m.Payload == nil {
		m.Payload = []byte{}
	}
	err = db.inTx(ctx, func(tx *wtx) error {
		res, err := tx.exec(ctx, `INSERT INTO outbox (idem_key, platform, channel, payload, next_attempt_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (idem_key) DO NOTHING`,
			m.IdemKey, m.Platform, m.Channel, m.Payload, fmtTime(next), fmtTime(now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		fresh = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("enqueue %s: %w", m.IdemKey, err)
	}
	return fresh, nil
}

// Claim takes up to limit messages of platform due by now, oldest first,
// for one delivery attempt each: their attempts are counted and they are
// not handed out again for lease, unless settled by MarkSent, MarkFailed
// or GiveUp. A message whose earlier claim outlived its lease comes back
// InDoubt.
func (db *DB) Claim(ctx context.Context, platform string, now time.Time, lease time.Duration, limit int) ([]OutboxMessage, error) {
	var out []OutboxMessage
	err := db.inTx(ctx, func(tx *wtx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `SELECT id, idem_key, platform, channel, payload, attempts, next_attempt_at,
			last_error, created_at, claimed_at FROM outbox
			WHERE sent_at IS NULL AND platform = ? AND next_attempt_at <= ? AND (claimed_at IS NULL OR claimed_at <= ?)
			ORDER BY id LIMIT ?`, platform, fmtTime(now), fmtTime(now.Add(-lease)), limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			var m OutboxMessage
			var next, created string
			var claimed sql.NullString
			if err := rows.Scan(&m.ID, &m.IdemKey, &m.Platform, &m.Channel, &m.Payload, &m.Attempts, &next,
				&m.LastError, &created, &claimed); err != nil {
				rows.Close()
				return err
			}
			m.NextAttemptAt, m.CreatedAt, m.InDoubt = parseTime(next), parseTime(created), claimed.Valid
			out = append(out, m)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for i := range out {
			out[i].Attempts++
			if _, err := tx.exec(ctx, `UPDATE outbox SET attempts = ?, claimed_at = ? WHERE id = ?`,
				out[i].Attempts, fmtTime(now), out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim %s outbox: %w", platform, err)
	}
	return out, nil
}

// MarkSent records a message delivered.
func (db *DB) MarkSent(ctx context.Context, id int64, at time.Time) error {
	return db.settle(ctx, id, `UPDATE outbox SET sent_at = ?, claimed_at = NULL, last_error = '' WHERE id = ?`, fmtTime(at), id)
}

// MarkFailed records a failed attempt and when to try again.
func (db *DB) MarkFailed(ctx context.Context, id int64, reason string, next time.Time) error {
	return db.settle(ctx, id, `UPDATE outbox SET claimed_at = NULL, last_error = ?, next_attempt_at = ? WHERE id = ? AND sent_at IS NULL`,
		reason, fmtTime(next), id)
}

// Release hands a claimed message back untried, to be claimed again at
// next: its claim does not count as an attempt (it waited behind an
// earlier message to its channel).
func (db *DB) Release(ctx context.Context, id int64, next time.Time) error {
	return db.settle(ctx, id, `UPDATE outbox SET claimed_at = NULL, attempts = max(attempts - 1, 0), next_attempt_at = ?
		WHERE id = ? AND sent_at IS NULL`, fmtTime(next), id)
}

// GiveUp records a message that will not be delivered (its channel is
// gone, its attempts are spent); it stays in the outbox for the record.
func (db *DB) GiveUp(ctx context.Context, id int64, reason string) error {
	return db.settle(ctx, id, `UPDATE outbox SET claimed_at = NULL, last_error = ?, next_attempt_at = ? WHERE id = ? AND sent_at IS NULL`,
		reason, gaveUp, id)
}

func (db *DB) settle(ctx context.Context, id int64, q string, args ...any) error {
	err := db.inTx(ctx, func(tx *wtx) error {
		_, err := tx.exec(ctx, q, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("settle outbox message %d: %w", id, err)
	}
	return nil
}

// OutboxByKey reads a message by its idempotency key (sql.ErrNoRows
// wrapped when there is none): what a job checks, and tests assert on.
func (db *DB) OutboxByKey(ctx context.Context, key string) (OutboxMessage, error) {
	var m OutboxMessage
	var next, created string
	var sent sql.NullString
	err := db.row(ctx, `SELECT id, idem_key, platform, channel, payload, attempts, next_attempt_at, sent_at,
		last_error, created_at FROM outbox WHERE idem_key = ?`, key).
		Scan(&m.ID, &m.IdemKey, &m.Platform, &m.Channel, &m.Payload, &m.Attempts, &next, &sent, &m.LastError, &created)
	if err != nil {
		return m, fmt.Errorf("outbox %s: %w", key, err)
	}
	m.NextAttemptAt, m.CreatedAt = parseTime(next), parseTime(created)
	if sent.Valid {
		m.SentAt = parseTime(sent.String)
	}
	return m, nil
}

// OutboxKeys lists the idempotency keys of every message in the outbox,
// sent or not, sorted.
func (db *DB) OutboxKeys(ctx context.Context) ([]string, error) {
	rows, err := db.query(ctx, "SELECT idem_key FROM outbox ORDER BY idem_key")
	if err != nil {
		return nil, fmt.Errorf("outbox keys: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("scan outbox key: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}
