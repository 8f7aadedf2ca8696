package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dealcoach/dealcoach/coach"
)

// undoKeep is how many changes per person the undo log keeps.
const undoKeep = 20

// undoState is what an undo puts back: a deal's values, not its names,
// owner or notes (a note once written stays in the history).
type undoState struct {
	Stage         string       `json:"stage"`
	Status        coach.Status `json:"status"`
	LostReason    string       `json:"lost_reason,omitempty"`
	Amount        coach.Money  `json:"amount"`
	Currency      string       `json:"currency"`
	NextStep      string       `json:"next_step,omitempty"`
	NextStepDue   string       `json:"next_step_due,omitempty"`
	ExpectedClose string       `json:"expected_close,omitempty"`
	SnoozedUntil  string       `json:"snoozed_until,omitempty"`
	StageSince    string       `json:"stage_since"`
}

func undoOf(d coach.Deal) undoState {
	return undoState{Stage: d.Stage, Status: d.Status, LostReason: d.LostReason, Amount: d.Amount, Currency: d.Currency,
		NextStep: d.NextStep, NextStepDue: d.NextStepDue.String(), ExpectedClose: d.ExpectedClose.String(),
		SnoozedUntil: d.SnoozedUntil.String(), StageSince: fmtTime(d.StageSince)}
}

func (u undoState) restore(d *coach.Deal) {
	d.Stage, d.Status, d.LostReason, d.Amount, d.Currency = u.Stage, u.Status, u.LostReason, u.Amount, u.Currency
	d.NextStep = u.NextStep
	d.NextStepDue, _ = coach.ParseDate(u.NextStepDue)
	d.ExpectedClose, _ = coach.ParseDate(u.ExpectedClose)
	d.SnoozedUntil, _ = coach.ParseDate(u.SnoozedUntil)
	d.StageSince = parseTime(u.StageSince)
}

// recordUndo remembers, in the change's transaction, how to undo it.
func recordUndo(ctx context.Context, tx *wtx, personID int64, before coach.Deal, version int64, at string) error {
	if personID == 0 {
		return nil
	}
	raw, err := json.Marshal(undoOf(before))
	if err != nil {
		return fmt.Errorf("encode undo of deal %d: %w", before.ID, err)
	}
	res, err := tx.exec(ctx, `INSERT INTO undo_log (person_id, deal_id, before_state, version, at) VALUES (?, ?, ?, ?, ?)`,
		personID, before.ID, string(raw), version, at)
	if err != nil {
		return fmt.Errorf("record undo of deal %d: %w", before.ID, err)
	}
	if id, _ := res.LastInsertId(); id%16 != 0 {
		return nil // the log is trimmed every 16th change, not on each
	}
	_, err = tx.exec(ctx, `DELETE FROM undo_log WHERE person_id = ? AND id <= (SELECT id FROM undo_log WHERE person_id = ?
		ORDER BY id DESC LIMIT 1 OFFSET ?)`, personID, personID, undoKeep)
	if err != nil {
		return fmt.Errorf("trim undo log of person %d: %w", personID, err)
	}
	return nil
}

// ErrNothingToUndo is returned by Undo when the person has no change left to undo.
var ErrNothingToUndo = errors.New("nothing to undo")

// ErrUndoStale is returned by Undo when the deal changed after the change
// to undo: reverting it would also revert someone else's.
var ErrUndoStale = errors.New("deal changed since")

// Undo reverts personID's last change that is not undone yet, in one
// transaction: the deal gets its values back (version checked), the history
// records the reverting events and an "undo" event, and the change is
// marked undone. It returns the deal before and after the undo.
func (db *DB) Undo(ctx context.Context, personID int64) (before, after coach.Deal, err error) {
	err = db.inTx(ctx, func(tx *wtx) error {
		var id, dealID, version int64
		var raw string
		err := tx.row(ctx, `SELECT id, deal_id, before_state, version FROM undo_log WHERE person_id = ? AND undone = 0
			ORDER BY id DESC LIMIT 1`, personID).Scan(&id, &dealID, &raw, &version)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNothingToUndo
		}
		if err != nil {
			return fmt.Errorf("read undo log of person %d: %w", personID, err)
		}
		var u undoState
		if err := json.Unmarshal([]byte(raw), &u); err != nil {
			return fmt.Errorf("decode undo %d: %w", id, err)
		}
		if before, err = loadDeal(ctx, tx, dealID); err != nil {
			return err
		}
		if before.Version != version {
			after = before
			return ErrUndoStale
		}
		after = before
		u.restore(&after)
		evs := append(coach.Diff(before, after), coach.Event{Kind: coach.EvUndo})
		now := db.now().UTC()
		after.UpdatedAt = now
		if err := updateRow(ctx, tx, before, after); err != nil {
			return err
		}
		after.Version = before.Version + 1
		if err := insertEvents(ctx, tx, dealID, personID, now, evs); err != nil {
			return err
		}
		_, err = tx.exec(ctx, "UPDATE undo_log SET undone = 1 WHERE id = ?", id)
		return err
	})
	return before, after, err
}
