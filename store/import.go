package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/dealcoach/dealcoach/coach"
)

// ImportItem is one row of an import: a deal to create (ID 0) or to update
// (ID set), owned by the person named OwnerName.
type ImportItem struct {
	Line      int // source line, for errors
	Deal      coach.Deal
	OwnerName string
}

// ImportError names the source line of an import row that failed.
type ImportError struct {
	Line int
	Err  error
}

func (e *ImportError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *ImportError) Unwrap() error { return e.Err }

// ImportDeals creates or updates every item in one transaction: either all
// rows apply or none does. Owners are found by name, and created as console
// users when unknown. Updates write history like any chat update.
func (db *DB) ImportDeals(ctx context.Context, items []ImportItem, actorID int64) (created, updated int, err error) {
	err = db.inTx(ctx, func(tx *wtx) error {
		created, updated = 0, 0
		owners := map[string]int64{}
		for _, it := range items {
			ownerID, err := db.importOwner(ctx, tx, owners, it.OwnerName)
			if err != nil {
				return &ImportError{it.Line, err}
			}
			it.Deal.OwnerID, it.Deal.Owner = ownerID, it.OwnerName
			if it.Deal.ID == 0 {
				if _, err := db.createDeal(ctx, tx, it.Deal, names(it.Deal), 0, actorID, false); err != nil {
					return &ImportError{it.Line, err}
				}
				created++
				continue
			}
			if err := db.importUpdate(ctx, tx, it.Deal, actorID); err != nil {
				return &ImportError{it.Line, err}
			}
			updated++
		}
		return nil
	})
	return created, updated, err
}

func (db *DB) importUpdate(ctx context.Context, tx *wtx, d coach.Deal, actorID int64) error {
	before, err := loadDeal(ctx, tx, d.ID)
	if err != nil {
		return err
	}
	after := before
	after.Customer, after.Title, after.OwnerID, after.Owner = d.Customer, d.Title, d.OwnerID, d.Owner
	after.Amount, after.Currency, after.Stage, after.Status = d.Amount, d.Currency, d.Stage, d.Status
	after.LostReason, after.NextStep = d.LostReason, d.NextStep
	after.NextStepDue, after.ExpectedClose, after.SnoozedUntil = d.NextStepDue, d.ExpectedClose, d.SnoozedUntil
	_, err = db.updateDeal(ctx, tx, coach.NewUpdate(before, after, nil, db.now()), actorID)
	return err
}

func (db *DB) importOwner(ctx context.Context, tx *wtx, cache map[string]int64, name string) (int64, error) {
	if name == "" {
		return 0, coach.Errorf(coach.Invalid, "err.import_owner")
	}
	if id, ok := cache[name]; ok {
		return id, nil
	}
	var id int64
	err := tx.row(ctx, "SELECT id FROM people WHERE name = ? ORDER BY id LIMIT 1", name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		var res sql.Result
		res, err = tx.exec(ctx, `INSERT INTO people (platform, platform_id, name, role, created_at)
			VALUES ('console', ?, ?, 'rep', ?)`, name, name, fmtTime(db.now()))
		if err == nil {
			id, err = res.LastInsertId()
		}
	}
	if err != nil {
		return 0, fmt.Errorf("owner %q: %w", name, err)
	}
	cache[name] = id
	return id, nil
}
