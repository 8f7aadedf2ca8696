package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// The outbox through a sender's life, with crashes (a reopened store) at
// each point: written once per key; a crash before delivery sends it
// after the restart; a crash between delivery and marking hands it back
// in doubt, never silently twice; sent is never handed out again.
func TestOutboxClaimsSettlesAndSurvivesCrashes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.db")
	now := time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	open := func() *DB {
		db, err := Open(context.Background(), path, WithClock(clock))
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	ctx := context.Background()
	db := open()
	msg := func(key, channel string) OutboxMessage {
		return OutboxMessage{IdemKey: key, Platform: "slack", Channel: channel, Payload: []byte(`{"text":"` + key + `"}`)}
	}
	for _, m := range []OutboxMessage{msg("nudge/2026-11-24/U1", "D1"), msg("nudge/2026-11-24/U2", "D2"), msg("digest/2026-W48/T1", "C1")} {
		if fresh, err := db.Enqueue(ctx, m); err != nil || !fresh {
			t.Fatalf("enqueue %s: %v %v", m.IdemKey, fresh, err)
		}
	}
	// The job runs again (a catch-up after a restart): nothing doubles.
	if fresh, err := db.Enqueue(ctx, msg("nudge/2026-11-24/U1", "D1")); err != nil || fresh {
		t.Fatalf("second enqueue: %v %v", fresh, err)
	}
	// A message for later is not due yet, nor another platform's.
	later := msg("nudge/2026-11-25/U1", "D1")
	later.NextAttemptAt = now.Add(24 * time.Hour)
	db.Enqueue(ctx, later)
	lark := msg("nudge/2026-11-24/ou_1", "oc_1")
	lark.Platform = "lark"
	db.Enqueue(ctx, lark)

	// Crash after writing, before any delivery: all three are due at start, oldest first.
	db.Close()
	db = open()
	got, err := db.Claim(ctx, "slack", now, time.Minute, 10)
	if err != nil || len(got) != 3 || got[0].IdemKey != "nudge/2026-11-24/U1" || got[2].Channel != "C1" || got[0].InDoubt || got[0].Attempts != 1 {
		t.Fatalf("first claim: %+v %v", got, err)
	}
	// Claimed ones are not handed out twice while their lease runs.
	if again, _ := db.Claim(ctx, "slack", now.Add(30*time.Second), time.Minute, 10); len(again) != 0 {
		t.Fatalf("claimed twice: %+v", again)
	}
	// U1 delivered and marked; U2 failed (rate limited); the digest was
	// delivered, then the process died before marking it.
	if err := db.MarkSent(ctx, got[0].ID, now); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkFailed(ctx, got[1].ID, "ratelimited", now.Add(5*time.Second)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = open()
	now = now.Add(2 * time.Minute)
	got, err = db.Claim(ctx, "slack", now, time.Minute, 10)
	if err != nil || len(got) != 2 {
		t.Fatalf("after the crash: %+v %v", got, err)
	}
	if got[0].IdemKey != "nudge/2026-11-24/U2" || got[0].InDoubt || got[0].Attempts != 2 || got[0].LastError != "ratelimited" {
		t.Fatalf("the failed one: %+v", got[0])
	}
	if got[1].IdemKey != "digest/2026-W48/T1" || !got[1].InDoubt {
		t.Fatalf("the one delivered but not marked must come back in doubt: %+v", got[1])
	}
	db.MarkSent(ctx, got[0].ID, now)
	db.GiveUp(ctx, got[1].ID, "channel_not_found")
	now = now.Add(48 * time.Hour)
	got, _ = db.Claim(ctx, "slack", now, time.Minute, 10)
	if len(got) != 1 || got[0].IdemKey != "nudge/2026-11-25/U1" {
		t.Fatalf("sent or given up handed out again, or the later one missing: %+v", got)
	}
	if m, err := db.OutboxByKey(ctx, "nudge/2026-11-24/U1"); err != nil || m.SentAt.IsZero() {
		t.Fatalf("sent not recorded: %+v %v", m, err)
	}
	if _, err := db.OutboxByKey(ctx, "nope"); !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("missing key: %v", err)
	}
	if ls, _ := db.Claim(ctx, "lark", now, time.Minute, 10); len(ls) != 1 || ls[0].Channel != "oc_1" {
		t.Fatalf("lark's: %+v", ls)
	}
	if _, err := db.Enqueue(ctx, OutboxMessage{IdemKey: "x"}); err == nil {
		t.Fatal("a message with no platform or channel was written")
	}
	db.Close()
}
