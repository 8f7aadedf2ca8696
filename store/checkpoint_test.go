package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

func TestWriterCheckpointsAtItsPages(t *testing.T) {
	db := openTest(t)
	var pages int64
	if err := db.write.QueryRow("PRAGMA wal_autocheckpoint").Scan(&pages); err != nil || pages != writerCheckpointPages {
		t.Fatalf("writer's auto-checkpoint %d pages (%v), want %d", pages, err, writerCheckpointPages)
	}
}

// teamsWithLongNames commits n write transactions of about two WAL pages
// each, calling after after each.
func teamsWithLongNames(t *testing.T, db *DB, n int, after func()) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		if err := db.inTx(ctx, func(tx *wtx) error {
			_, err := tx.exec(ctx, "INSERT INTO teams (name, created_at) VALUES (?, '')", fmt.Sprintf("%06d%s", i, strings.Repeat("x", 5000)))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		after()
	}
}

func walSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// Without background checkpoints, the writer's own keeps the WAL within
// its pages and a commit.
func TestWALStaysWithinTheWritersPages(t *testing.T) {
	const pages, frame = 40, 24 + 4096
	path := filepath.Join(t.TempDir(), "test.db")
	db, err := Open(context.Background(), path, withCheckpoints(time.Hour, time.Hour, 1<<40), withWriterCheckpoint(pages))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var most int64
	teamsWithLongNames(t, db, 300, func() { most = max(most, walSize(t, path)) })
	if most < 10*frame || most > 32+(pages+10)*frame {
		t.Fatalf("WAL grew to %d bytes, want at most %d pages and a commit", most, pages)
	}
}

// Once commits stop for a period, the checkpointer cuts the WAL file to
// nothing, and nothing is lost.
func TestWALIsCutWhenNoCommitComes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.db")
	db, err := Open(context.Background(), path, withCheckpoints(time.Millisecond, 30*time.Millisecond, 1<<40))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	teamsWithLongNames(t, db, 50, func() {})
	if walSize(t, path) == 0 {
		t.Fatal("no WAL to cut")
	}
	for walSize(t, path) != 0 { // within about 30 ms; the test's own timeout otherwise
		time.Sleep(time.Millisecond)
	}
	var n int
	if err := db.row(context.Background(), "SELECT count(*) FROM teams").Scan(&n); err != nil || n < 50 {
		t.Fatalf("%d teams after the WAL was cut (%v), want 50 or more", n, err)
	}
}
