package store

import (
	"context"
	"fmt"
	"time"
)

// historyBefore asks for one event older than its argument: a seek on
// deal_events_at (TestHistoryBefore reads the plan).
const historyBefore = "SELECT EXISTS (SELECT 1 FROM deal_events WHERE at < ?)"

// HistoryBefore reports whether any deal has history (a deal event) from
// before t: one seek on the events' time index, whatever their number.
func (db *DB) HistoryBefore(ctx context.Context, t time.Time) (bool, error) {
	var found bool
	if err := db.row(ctx, historyBefore, fmtTime(t)).Scan(&found); err != nil {
		return false, fmt.Errorf("history before %s: %w", fmtTime(t), err)
	}
	return found, nil
}
