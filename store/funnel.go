package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/dealcoach/dealcoach/coach"
)

// StageTotal is the open deals of one stage, summed.
type StageTotal struct {
	Stage  string
	Count  int
	Amount coach.Money
}

// Funnel is a pipeline summed by stage, with the hygiene counts: open deals
// without a dated next step, and those whose next step is overdue.
type Funnel struct {
	Stages          []StageTotal
	NoNext, Overdue int
}

// Funnel sums the open deals matching f (its Status is ignored) by stage in
// SQL, so a question about 100,000 deals loads a handful of rows.
func (db *DB) Funnel(ctx context.Context, f DealFilter, today coach.Date) (Funnel, error) {
	where := []string{"status = 'open'"}
	args := []any{today.String()}
	if f.OwnerID != 0 {
		where, args = append(where, "owner_id = ?"), append(args, f.OwnerID)
	}
	if f.TeamID != 0 {
		where, args = append(where, "team_id = ?"), append(args, f.TeamID)
	}
	rows, err := db.query(ctx, `SELECT stage, count(*), coalesce(sum(amount), 0),
		count(*) FILTER (WHERE next_step = '' OR next_step_due IS NULL),
		count(*) FILTER (WHERE next_step != '' AND next_step_due IS NOT NULL AND next_step_due < ?1)
		FROM deals WHERE `+strings.Join(where, " AND ")+` GROUP BY stage`, args...)
	if err != nil {
		return Funnel{}, fmt.Errorf("sum funnel: %w", err)
	}
	defer rows.Close()
	var fu Funnel
	for rows.Next() {
		var st StageTotal
		var noNext, overdue int
		if err := rows.Scan(&st.Stage, &st.Count, &st.Amount, &noNext, &overdue); err != nil {
			return Funnel{}, fmt.Errorf("scan funnel: %w", err)
		}
		fu.Stages = append(fu.Stages, st)
		fu.NoNext += noNext
		fu.Overdue += overdue
	}
	return fu, rows.Err()
}
