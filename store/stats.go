package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Stats is what the metrics read on a scrape: the queues' depths and ages,
// and the deals' counts. Grouped COUNT queries on the read pool: the
// outbox's by its pending index, the inbox's by a scan of a table pruning
// keeps to a few days (Queues: well under a millisecond), the deals' by a
// scan of the deals (DealCounts: about 250 ms over 100,000 deals, a few ms
// at a team's size, BenchmarkStats), which the metrics read less often.
type Stats struct {
	Outbox []QueueStat // messages not sent, by platform
	Inbox  []QueueStat // events recorded and not yet processed, by platform
	Deals  []DealCount
}

// QueueStat is one platform's queue: Pending waiting to go (or to be
// handled), GivenUp never to be sent (outbox only), and when the oldest
// pending one was written (zero when none).
type QueueStat struct {
	Platform string
	Pending  int
	GivenUp  int
	Oldest   time.Time
}

// DealCount is the number of deals at a stage with a status.
type DealCount struct {
	Stage, Status string
	N             int
}

// Stats reads the queues and the deals' counts.
func (db *DB) Stats(ctx context.Context) (Stats, error) {
	s, err := db.Queues(ctx)
	if err != nil {
		return s, err
	}
	s.Deals, err = db.DealCounts(ctx)
	return s, err
}

// Queues reads the outbox's and the inbox's stats (Stats without Deals).
func (db *DB) Queues(ctx context.Context) (Stats, error) {
	var s Stats
	queue := func(q string, args ...any) ([]QueueStat, error) {
		rows, err := db.read.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []QueueStat
		for rows.Next() {
			var qs QueueStat
			var oldest sql.NullString
			if err := rows.Scan(&qs.Platform, &qs.Pending, &qs.GivenUp, &oldest); err != nil {
				return nil, err
			}
			if oldest.Valid {
				qs.Oldest = parseTime(oldest.String)
			}
			out = append(out, qs)
		}
		return out, rows.Err()
	}
	var err error
	if s.Outbox, err = queue(`SELECT platform,
			count(*) FILTER (WHERE next_attempt_at <> ?1),
			count(*) FILTER (WHERE next_attempt_at = ?1),
			min(created_at) FILTER (WHERE next_attempt_at <> ?1)
		FROM outbox WHERE sent_at IS NULL GROUP BY platform ORDER BY platform`, gaveUp); err != nil {
		return s, fmt.Errorf("stats of the outbox: %w", err)
	}
	if s.Inbox, err = queue(`SELECT platform, count(*), 0, min(received_at)
		FROM inbox WHERE processed_at IS NULL GROUP BY platform ORDER BY platform`); err != nil {
		return s, fmt.Errorf("stats of the inbox: %w", err)
	}
	return s, nil
}

// DealCounts counts the deals by stage and status.
func (db *DB) DealCounts(ctx context.Context) ([]DealCount, error) {
	rows, err := db.read.QueryContext(ctx, "SELECT stage, status, count(*) FROM deals GROUP BY stage, status ORDER BY stage, status")
	if err != nil {
		return nil, fmt.Errorf("count deals: %w", err)
	}
	defer rows.Close()
	var out []DealCount
	for rows.Next() {
		var d DealCount
		if err := rows.Scan(&d.Stage, &d.Status, &d.N); err != nil {
			return nil, fmt.Errorf("count deals: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count deals: %w", err)
	}
	return out, nil
}

// DealsVersion changes whenever a deal is created or changed (the newest
// deal's and event's ids: every change writes an event): two index lookups,
// which tell the metrics when counting the deals again would find nothing
// new.
func (db *DB) DealsVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.read.QueryRowContext(ctx, `SELECT coalesce((SELECT max(id) FROM deals), 0) +
		coalesce((SELECT max(id) FROM deal_events), 0)`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("deals version: %w", err)
	}
	return v, nil
}
