package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

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

// Undone is what an undo did.
type Undone struct {
	Before, After coach.Deal // the deal before and after the undo
	Closed        bool       // the change undone was the deal's creation: the deal is closed
	Notes         []string   // the notes the change added, gone with it
}

// undoCreateWindow bounds how far back a creation is undone: an undo
// puts back what the person just did, not a deal made last month.
const undoCreateWindow = 24 * time.Hour

// undoneCreation marks the undo event of a creation undone.
const undoneCreation = "created"

// Undo reverts personID's last change that is not undone yet, in one
// transaction. A change of values: the deal gets its values back (version
// checked), the notes the change added are removed, the history records
// the reverting events and an "undo" event, and the change is marked
// undone. A creation (the person's last change, the deal unchanged since:
// no later version, no answers, contacts or qualification) closes the
// deal as lost for closedReason: removing it would let the next deal take
// its number, which replies and buttons already sent still name.
func (db *DB) Undo(ctx context.Context, personID int64, closedReason string) (Undone, error) {
	var u Undone
	err := db.inTx(ctx, func(tx *wtx) error {
		u = Undone{}
		var id, dealID, version int64
		var raw, at string
		err := tx.row(ctx, `SELECT id, deal_id, before_state, version, at FROM undo_log WHERE person_id = ? AND undone = 0
			ORDER BY id DESC LIMIT 1`, personID).Scan(&id, &dealID, &raw, &version, &at)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read undo log of person %d: %w", personID, err)
		}
		found := err == nil
		// a deal the person created for themselves after that change is
		// their last change (not one of an import they ran for others)
		since := fmtTime(db.now().Add(-undoCreateWindow))
		var lastEv int64 // the change's last event
		if found {
			since = max(since, at)
			if err := tx.row(ctx, `SELECT coalesce(max(id), 0) FROM deal_events WHERE deal_id = ? AND at = ?`,
				dealID, at).Scan(&lastEv); err != nil {
				return fmt.Errorf("read events of deal %d: %w", dealID, err)
			}
		}
		var created int64
		err = tx.row(ctx, `SELECT deal_id FROM deal_events e WHERE at >= ? AND kind = 'created' AND actor_id = ? AND id > ?
			AND EXISTS (SELECT 1 FROM deals d WHERE d.id = e.deal_id AND d.owner_id = ?)
			AND NOT EXISTS (SELECT 1 FROM deal_events u WHERE u.deal_id = e.deal_id AND u.kind = 'undo' AND u.to_value = ?)
			ORDER BY id DESC LIMIT 1`, since, personID, lastEv, personID, undoneCreation).Scan(&created)
		switch {
		case err == nil:
			return db.undoCreate(ctx, tx, created, personID, closedReason, &u)
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("read creations of person %d: %w", personID, err)
		case !found:
			return ErrNothingToUndo
		}
		var st undoState
		if err := json.Unmarshal([]byte(raw), &st); err != nil {
			return fmt.Errorf("decode undo %d: %w", id, err)
		}
		before, err := loadDeal(ctx, tx, dealID)
		if err != nil {
			return err
		}
		u.Before, u.After = before, before
		if before.Version != version {
			return ErrUndoStale
		}
		after := before
		st.restore(&after)
		// the notes written with the change go with it
		if u.Notes, err = changeNotes(ctx, tx, dealID, personID, at); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM deal_events WHERE deal_id = ? AND actor_id = ? AND at = ? AND kind = ?`,
			dealID, personID, at, string(coach.EvNote)); err != nil {
			return fmt.Errorf("remove notes of undone change to deal %d: %w", dealID, err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM notes WHERE deal_id = ? AND author_id = ? AND created_at = ?`,
			dealID, personID, at); err != nil {
			return fmt.Errorf("remove notes of undone change to deal %d: %w", dealID, err)
		}
		evs := append(coach.Diff(before, after), coach.Event{Kind: coach.EvUndo})
		now := db.now().UTC()
		after.UpdatedAt = now
		if err := updateRow(ctx, tx, before, after); err != nil {
			return err
		}
		after.Version = before.Version + 1
		u.After = after
		if err := insertEvents(ctx, tx, dealID, personID, now, evs); err != nil {
			return err
		}
		_, err = tx.exec(ctx, "UPDATE undo_log SET undone = 1 WHERE id = ?", id)
		return err
	})
	return u, err
}

// changeNotes lists the notes a person wrote on a deal in the change made at at.
func changeNotes(ctx context.Context, tx *wtx, dealID, personID int64, at string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT to_value FROM deal_events WHERE deal_id = ? AND actor_id = ? AND at = ? AND kind = ?
		ORDER BY id`, dealID, personID, at, string(coach.EvNote))
	if err != nil {
		return nil, fmt.Errorf("read notes of deal %d: %w", dealID, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("read notes of deal %d: %w", dealID, err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// undoCreate closes a deal its creator just made, unless it changed
// since: another version, or anything recorded against it (coaching
// answers, contacts, qualification).
func (db *DB) undoCreate(ctx context.Context, tx *wtx, id, personID int64, reason string, u *Undone) error {
	before, err := loadDeal(ctx, tx, id)
	if err != nil {
		return err
	}
	u.Before, u.After = before, before
	if before.Version != 1 {
		return ErrUndoStale
	}
	var more int
	err = tx.row(ctx, `SELECT (SELECT count(*) FROM answers WHERE deal_id = ?) + (SELECT count(*) FROM contacts WHERE deal_id = ?)
		+ (SELECT count(*) FROM qualification WHERE deal_id = ?)`, id, id, id).Scan(&more)
	if err != nil {
		return fmt.Errorf("check deal %d before closing it: %w", id, err)
	}
	if more > 0 {
		return ErrUndoStale
	}
	after := before
	after.Status, after.LostReason = coach.Lost, reason
	now := db.now().UTC()
	after.UpdatedAt = now
	if err := updateRow(ctx, tx, before, after); err != nil {
		return err
	}
	after.Version = before.Version + 1
	u.After, u.Closed = after, true
	evs := append(coach.Diff(before, after), coach.Event{Kind: coach.EvUndo, To: undoneCreation})
	return insertEvents(ctx, tx, id, personID, now, evs)
}
