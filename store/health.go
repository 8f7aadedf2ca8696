package store

import (
	"context"
	"fmt"
)

// CheckWritable proves that the database takes a write, for the readiness
// probe: it takes the write lock (the queue of writers included, so a
// writer stuck for longer than ctx allows shows too), writes a row and
// rolls it back, so that nothing changes. A closed database, a read-only
// file or a lock held elsewhere fails it.
func (db *DB) CheckWritable(ctx context.Context) error {
	tx, err := db.write.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the write lock
	if err != nil {
		return fmt.Errorf("database not writable: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (-1, 'readiness probe', '')"); err != nil {
		return fmt.Errorf("database not writable: %w", err)
	}
	return nil
}
