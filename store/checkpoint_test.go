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

func TestWriterCheckpointsAndKeepsTheWALAsConfigured(t *testing.T) {
	db := openTest(t)
	var pages, keep int64
	if err := db.write.QueryRow("PRAGMA wal_autocheckpoint").Scan(&pages); err != nil || pages != writerCheckpointPages {
		t.Fatalf("writer's auto-checkpoint %d pages (%v), want %d", pages, err, writerCheckpointPages)
	}
	if err := db.write.QueryRow("PRAGMA journal_size_limit").Scan(&keep); err != nil || keep != walKeepBytes {
		t.Fatalf("writer's WAL limit %d bytes (%v), want %d", keep, err, walKeepBytes)
	}
}

// With no background checkpoints, the writer's own keeps the WAL within its
// pages (and a commit), and a WAL that starts over is cut to what is kept.
func TestWALStaysWithinTheWritersCheckpointAndIsCutWhenItStartsOver(t *testing.T) {
	const pages, keep = 40, 16 << 10
	path := filepath.Join(t.TempDir(), "test.db")
	db, err := Open(context.Background(), path, withCheckpoints(time.Hour, time.Hour, 1<<40), withWALLimit(pages, keep))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	write := func(i int) { // about two pages of WAL a commit
		t.Helper()
		if err := db.inTx(ctx, func(tx *wtx) error {
			_, err := tx.exec(ctx, "INSERT INTO teams (name, created_at) VALUES (?, '')", fmt.Sprintf("%06d%s", i, strings.Repeat("x", 5000)))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	walSize := func() int64 {
		t.Helper()
		fi, err := os.Stat(path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	const frame = 24 + 4096
	var most int64
	for i := range 200 {
		write(i)
		most = max(most, walSize())
	}
	if most <= keep || most > 32+(pages+10)*frame {
		t.Fatalf("WAL grew to %d bytes, want more than %d and at most %d pages and a commit", most, keep, pages)
	}
	// Copy it all back; the next commit starts the WAL over and cuts it.
	if _, err := db.ckpt.Exec("PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
		t.Fatal(err)
	}
	write(200)
	if got := walSize(); got > max(keep, 32+10*frame) {
		t.Fatalf("WAL %d bytes after it started over, want at most %d", got, keep)
	}
}
