package store

import (
	"context"
	"fmt"
	"time"
)

// HistoryBefore reports whether any deal has history (a deal event) from
// before t: one seek on the events' time index, whatever their number.
func (db *DB) HistoryBefore(ctx context.Context, t time.Time) (bool, error) {
	var found bool
	if err := db.row(ctx, "SELECT EXISTS (SELECT 1 FROM deal_events WHERE at < ?)", fmtTime(t)).Scan(&found); err != nil {
		return false, fmt.Errorf("history before %s: %w", fmtTime(t), err)
	}
	return found, nil
}
