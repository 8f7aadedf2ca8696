package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

// EachDeal calls fn for every deal in id order, reading them one at a time
// from a single query, so an export of many deals never holds them all in
// memory and sees one consistent snapshot. An error from fn stops the walk
// and is returned as is.
func (db *DB) EachDeal(ctx context.Context, fn func(coach.Deal) error) error {
	rows, err := db.query(ctx, "SELECT "+dealCols+dealFrom+" ORDER BY d.id")
	if err != nil {
		return fmt.Errorf("query deals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDeal(rows)
		if err != nil {
			return fmt.Errorf("scan deal: %w", err)
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read deals: %w", err)
	}
	return nil
}

// PersonByName loads the person ImportDeals would pick as the owner called
// name: the first one (lowest id) with exactly that display name.
func (db *DB) PersonByName(ctx context.Context, name string) (coach.Person, error) {
	p, err := scanPerson(db.row(ctx, "SELECT "+personCols+
		" FROM people WHERE name = ? ORDER BY id LIMIT 1", name))
	if errors.Is(err, sql.ErrNoRows) {
		return p, coach.Errorf(coach.NotFound, "err.person_not_found", "name", name)
	}
	if err != nil {
		return p, fmt.Errorf("load person %q: %w", name, err)
	}
	return p, nil
}

// RestoreItem is one deal for RestoreDeals: the row as given and its
// history, each event with its own actor and time.
type RestoreItem struct {
	Deal    coach.Deal
	History []coach.Event
}

// RestoreDeals stores deals exactly as given (timestamps included), each
// with its history instead of a "created" event, all in one transaction:
// for demo data and restores, where the past is written after the fact.
// It returns them with their ids; either every deal is stored or none is.
func (db *DB) RestoreDeals(ctx context.Context, items []RestoreItem) ([]coach.Deal, error) {
	out := make([]coach.Deal, 0, len(items))
	err := db.inTx(ctx, func(tx *wtx) error {
		out = out[:0]
		for _, it := range items {
			d, err := db.insertDeal(ctx, tx, it.Deal, names(it.Deal), false)
			if err != nil {
				return err
			}
			for _, e := range it.History {
				if err := insertEvents(ctx, tx, d.ID, e.ActorID, e.At, []coach.Event{e}); err != nil {
					return err
				}
			}
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("restore %d deals: %w", len(items), err)
	}
	return out, nil
}

// Facts are a deal's coaching facts as RestoreCoaching writes them: its
// answers, 8C1F0W marks and contacts, all stamped At, by PersonID.
type Facts struct {
	DealID, PersonID int64
	At               time.Time
	Answers          []coach.Answer
	Marks            map[string]coach.Mark
	Contacts         []coach.Contact
}

// RestoreCoaching writes coaching facts after the fact (demo data,
// restores) in one transaction: the rows only, with the given time and no
// history events, which belong to the conversations that produced them.
func (db *DB) RestoreCoaching(ctx context.Context, fs []Facts) error {
	return db.inTx(ctx, func(tx *wtx) error {
		for _, f := range fs {
			at := fmtTime(f.At)
			for _, a := range f.Answers {
				if _, err := tx.exec(ctx, `INSERT INTO answers (deal_id, question_key, stage, status, answer, person_id, at)
					VALUES (?, ?, ?, ?, ?, ?, ?)`, f.DealID, a.Question, a.Stage, string(a.Status), a.Text, f.PersonID, at); err != nil {
					return fmt.Errorf("restore answer of deal %d: %w", f.DealID, err)
				}
			}
			for k, m := range f.Marks {
				if _, err := tx.exec(ctx, `INSERT INTO qualification (deal_id, factor, mark, person_id, at) VALUES (?, ?, ?, ?, ?)`,
					f.DealID, k, string(m), f.PersonID, at); err != nil {
					return fmt.Errorf("restore mark of deal %d: %w", f.DealID, err)
				}
			}
			for _, c := range f.Contacts {
				if _, err := tx.exec(ctx, `INSERT INTO contacts (deal_id, name, role, relationship, style, created_at, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (deal_id, name) DO NOTHING`,
					f.DealID, c.Name, c.Role, c.Relationship, c.Style, at, at); err != nil {
					return fmt.Errorf("restore contact of deal %d: %w", f.DealID, err)
				}
			}
		}
		return nil
	})
}
