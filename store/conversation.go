package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

// SaveConversation stores the state of a person's conversation in scope;
// nil state deletes it.
func (db *DB) SaveConversation(ctx context.Context, personID int64, scope string, state []byte) error {
	return db.inTx(ctx, func(tx *wtx) error {
		return saveConversation(ctx, tx, personID, scope, state, db.now())
	})
}

func saveConversation(ctx context.Context, tx *wtx, personID int64, scope string, state []byte, now time.Time) error {
	var err error
	if state == nil {
		_, err = tx.exec(ctx, "DELETE FROM conversations WHERE person_id = ? AND scope = ?", personID, scope)
	} else {
		_, err = tx.exec(ctx, `INSERT INTO conversations (person_id, scope, state, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (person_id, scope) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
			personID, scope, string(state), fmtTime(now))
	}
	if err != nil {
		return fmt.Errorf("save conversation of person %d: %w", personID, err)
	}
	return nil
}

// Session is a person with their conversation in one scope: what every
// message needs first, read in one query. A person seen for the first time
// is created from p (see EnsurePerson) and has no conversation yet.
type Session struct {
	Person  coach.Person
	State   []byte // nil: no conversation
	StateAt time.Time
}

// Session loads the person known by p.Platform and p.PlatformID and their
// conversation in scope.
func (db *DB) Session(ctx context.Context, p coach.Person, scope string) (Session, error) {
	k := sessionKey{p.Platform, p.PlatformID, scope}
	// A hit is used once other processes' commits are known to be seen;
	// when that cannot be checked (the writer busy elsewhere past its
	// timeout), the file is read as before.
	if _, ok := db.sess.get(k); ok && db.freshSessions(ctx) == nil {
		if s, ok := db.sess.get(k); ok {
			return s, nil
		}
	}
	gen := db.sess.gen.Load()
	var s Session
	var state, at sql.NullString
	row := db.row(ctx, "SELECT "+personColsOf("p")+`, c.state, c.updated_at FROM people p
		LEFT JOIN conversations c ON c.person_id = p.id AND c.scope = ?
		WHERE p.platform = ? AND p.platform_id = ?`, scope, p.Platform, p.PlatformID)
	var err error
	s.Person, err = scanPerson(row, &state, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		s.Person, err = db.EnsurePerson(ctx, p)
		return s, err
	case err != nil:
		return s, fmt.Errorf("load session of %s/%s: %w", p.Platform, p.PlatformID, err)
	}
	if state.Valid {
		s.State, s.StateAt = []byte(state.String), parseTime(at.String)
	}
	db.sess.put(k, s, gen)
	return s, nil
}
