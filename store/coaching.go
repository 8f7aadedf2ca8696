package store

import (
	"context"
	"fmt"

	"github.com/dealcoach/dealcoach/coach"
)

// SaveAnswer stores the answer (or skip) to a push question on a deal and
// records it in the deal's history, in one transaction.
func (db *DB) SaveAnswer(ctx context.Context, a coach.Answer, personID int64) error {
	if err := coach.CheckText(a.Text, coach.MaxTextChars); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *wtx) error {
		now := fmtTime(db.now())
		_, err := tx.exec(ctx, `INSERT INTO answers (deal_id, question_key, stage, status, answer, person_id, at)
			VALUES (?, ?, ?, ?, ?, nullif(?, 0), ?)
			ON CONFLICT (deal_id, question_key) DO UPDATE SET stage = excluded.stage, status = excluded.status,
			answer = excluded.answer, person_id = excluded.person_id, at = excluded.at`,
			a.DealID, a.Question, a.Stage, string(a.Status), a.Text, personID, now)
		if err != nil {
			return fmt.Errorf("save answer %s of deal %d: %w", a.Question, a.DealID, err)
		}
		kind := coach.EvAnswer
		if a.Status == coach.Skipped {
			kind = coach.EvSkipped
		}
		return insertEvents(ctx, tx, a.DealID, personID, db.now(), []coach.Event{{Kind: kind, From: a.Question, To: a.Text}})
	})
}

// Answers lists a deal's answers by question key.
func (db *DB) Answers(ctx context.Context, dealID int64) (map[string]coach.Answer, error) {
	rows, err := db.query(ctx, `SELECT a.question_key, a.stage, a.status, a.answer, coalesce(p.name, ''), a.at
		FROM answers a LEFT JOIN people p ON p.id = a.person_id WHERE a.deal_id = ?`, dealID)
	if err != nil {
		return nil, fmt.Errorf("answers of deal %d: %w", dealID, err)
	}
	defer rows.Close()
	out := map[string]coach.Answer{}
	for rows.Next() {
		a := coach.Answer{DealID: dealID}
		var status, at string
		if err := rows.Scan(&a.Question, &a.Stage, &status, &a.Text, &a.Person, &at); err != nil {
			return nil, fmt.Errorf("scan answer: %w", err)
		}
		a.Status, a.At = coach.AnswerStatus(status), parseTime(at)
		out[a.Question] = a
	}
	return out, rows.Err()
}

// SetMarks stores 8C1F0W marks of a deal (factor key → mark), each with a
// history event, in one transaction. Unchanged marks write nothing.
func (db *DB) SetMarks(ctx context.Context, dealID, personID int64, marks map[string]coach.Mark, order []string) error {
	return db.inTx(ctx, func(tx *wtx) error {
		for _, f := range order {
			m := marks[f]
			var old string
			err := tx.row(ctx, "SELECT mark FROM qualification WHERE deal_id = ? AND factor = ?", dealID, f).Scan(&old)
			if err == nil && old == string(m) {
				continue
			}
			_, err = tx.exec(ctx, `INSERT INTO qualification (deal_id, factor, mark, person_id, at) VALUES (?, ?, ?, nullif(?, 0), ?)
				ON CONFLICT (deal_id, factor) DO UPDATE SET mark = excluded.mark, person_id = excluded.person_id, at = excluded.at`,
				dealID, f, string(m), personID, fmtTime(db.now()))
			if err != nil {
				return fmt.Errorf("mark %s of deal %d: %w", f, dealID, err)
			}
			ev := coach.Event{Kind: coach.EvQualified, From: f + ":" + old, To: f + ":" + string(m)}
			if err := insertEvents(ctx, tx, dealID, personID, db.now(), []coach.Event{ev}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Marks lists a deal's qualification marks by factor key.
func (db *DB) Marks(ctx context.Context, dealID int64) (map[string]coach.Mark, error) {
	rows, err := db.query(ctx, "SELECT factor, mark FROM qualification WHERE deal_id = ?", dealID)
	if err != nil {
		return nil, fmt.Errorf("marks of deal %d: %w", dealID, err)
	}
	defer rows.Close()
	out := map[string]coach.Mark{}
	for rows.Next() {
		var f, m string
		if err := rows.Scan(&f, &m); err != nil {
			return nil, fmt.Errorf("scan mark: %w", err)
		}
		out[f] = coach.Mark(m)
	}
	return out, rows.Err()
}

// SaveContact adds a contact to a deal or, when one of that name exists,
// changes the fields given (empty fields keep their value). It records the
// change in the deal's history and returns the stored contact.
func (db *DB) SaveContact(ctx context.Context, c coach.Contact, personID int64) (coach.Contact, error) {
	if err := coach.CheckText(c.Name, coach.MaxNameChars); err != nil {
		return c, err
	}
	err := db.inTx(ctx, func(tx *wtx) error {
		now := fmtTime(db.now())
		_, err := tx.exec(ctx, `INSERT INTO contacts (deal_id, name, role, relationship, style, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (deal_id, name) DO UPDATE SET
			role = coalesce(nullif(excluded.role, ''), role),
			relationship = coalesce(nullif(excluded.relationship, ''), relationship),
			style = coalesce(nullif(excluded.style, ''), style),
			updated_at = excluded.updated_at`,
			c.DealID, c.Name, c.Role, c.Relationship, c.Style, now, now)
		if err != nil {
			return fmt.Errorf("save contact %q of deal %d: %w", c.Name, c.DealID, err)
		}
		err = tx.row(ctx, "SELECT id, role, relationship, style FROM contacts WHERE deal_id = ? AND name = ?",
			c.DealID, c.Name).Scan(&c.ID, &c.Role, &c.Relationship, &c.Style)
		if err != nil {
			return fmt.Errorf("load contact %q of deal %d: %w", c.Name, c.DealID, err)
		}
		ev := coach.Event{Kind: coach.EvContact, From: c.Name, To: c.Role + "/" + c.Relationship + "/" + c.Style}
		return insertEvents(ctx, tx, c.DealID, personID, db.now(), []coach.Event{ev})
	})
	return c, err
}

// Contacts lists a deal's contacts in the order they were added.
func (db *DB) Contacts(ctx context.Context, dealID int64) ([]coach.Contact, error) {
	rows, err := db.query(ctx, "SELECT id, name, role, relationship, style FROM contacts WHERE deal_id = ? ORDER BY id", dealID)
	if err != nil {
		return nil, fmt.Errorf("contacts of deal %d: %w", dealID, err)
	}
	defer rows.Close()
	var out []coach.Contact
	for rows.Next() {
		c := coach.Contact{DealID: dealID}
		if err := rows.Scan(&c.ID, &c.Name, &c.Role, &c.Relationship, &c.Style); err != nil {
			return nil, fmt.Errorf("scan contact: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
