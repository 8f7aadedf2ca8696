package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// commits runs n write transactions of one row each.
func commits(t *testing.T, db *DB, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		if err := db.inTx(ctx, func(tx *wtx) error {
			_, err := tx.exec(ctx, "INSERT INTO teams (name, created_at) VALUES (?, '')", i)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func openCheckpointing(t *testing.T, commits int64) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), withCheckpoints(time.Millisecond, time.Hour, commits))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestCheckpointAfterItsCommitsBeforeItsTime(t *testing.T) {
	db := openCheckpointing(t, 5)
	commits(t, db, 5)
	for db.ckpts.Load() == 0 { // within a few ticks; the test's own timeout otherwise
		time.Sleep(time.Millisecond)
	}
	var busy, log, done int
	if err := db.ckpt.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done); err != nil || log != done {
		t.Fatalf("WAL %d frames, %d checkpointed: %v", log, done, err)
	}
}

func TestCheckpointWaitsForItsTimeOrItsCommits(t *testing.T) {
	db := openCheckpointing(t, 1000)
	commits(t, db, 5)
	time.Sleep(50 * time.Millisecond) // fifty ticks
	if n := db.ckpts.Load(); n != 0 {
		t.Fatalf("%d checkpoints after 5 of 1,000 commits and before the hour", n)
	}
}
