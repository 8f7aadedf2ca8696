package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Conversation returns the saved state of a person's conversation in scope
// and when it was saved; ok is false when there is none.
func (db *DB) Conversation(ctx context.Context, personID int64, scope string) (state []byte, at time.Time, ok bool, err error) {
	var updated string
	err = db.row(ctx, "SELECT state, updated_at FROM conversations WHERE person_id = ? AND scope = ?",
		personID, scope).Scan(&state, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, time.Time{}, false, nil
	}
	if err != nil {
		return nil, time.Time{}, false, fmt.Errorf("load conversation of person %d: %w", personID, err)
	}
	return state, parseTime(updated), true, nil
}

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
