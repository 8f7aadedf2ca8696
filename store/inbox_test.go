package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dealcoach/dealcoach/coach"
)

func receive(t *testing.T, db *DB, platform, id string) bool {
	t.Helper()
	fresh, err := db.Receive(context.Background(), platform, id, []byte(`{"id":"`+id+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	return fresh
}

// inboxKeys lists the inbox's rows as "platform/event_id", sorted.
func inboxKeys(t *testing.T, db *DB) []string {
	t.Helper()
	rows, err := db.read.Query("SELECT platform || '/' || event_id FROM inbox ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

// processedAt reads an inbox row's processed_at ("" while unprocessed).
func processedAt(t *testing.T, db *DB, platform, id string) string {
	t.Helper()
	var at sql.NullString
	err := db.read.QueryRow("SELECT processed_at FROM inbox WHERE platform = ? AND event_id = ?", platform, id).Scan(&at)
	if err != nil {
		t.Fatalf("inbox row %s/%s: %v", platform, id, err)
	}
	return at.String
}

func TestReceiveFreshThenDuplicate(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if !receive(t, db, "slack", "Ev1") {
		t.Error("first Receive not fresh")
	}
	if receive(t, db, "slack", "Ev1") {
		t.Error("retried Receive fresh")
	}
	if !receive(t, db, "lark", "Ev1") {
		t.Error("same id on another platform not fresh")
	}
	if fresh, err := db.Receive(ctx, "slack", "Ev2", nil); err != nil || !fresh {
		t.Errorf("nil payload: fresh %v, %v", fresh, err)
	}
	var payload []byte
	var at string
	err := db.read.QueryRow("SELECT payload, received_at FROM inbox WHERE platform = 'slack' AND event_id = 'Ev1'").Scan(&payload, &at)
	if err != nil || string(payload) != `{"id":"Ev1"}` || at != fmtTime(testNow) {
		t.Errorf("stored %q at %s, %v", payload, at, err)
	}
}

func TestReceiveDuplicateInOneBatch(t *testing.T) {
	db := openTest(t)
	// Straight to the batcher's writer, so the batch is known.
	var batch []*inboxReq
	for _, id := range []string{"a", "b", "a", "c", "a"} {
		batch = append(batch, &inboxReq{platform: "slack", eventID: id, payload: []byte(id), reply: make(chan error, 1)})
	}
	db.writeInbox(batch)
	var got []bool
	for _, r := range batch {
		if err := <-r.reply; err != nil {
			t.Fatal(err)
		}
		got = append(got, r.fresh)
	}
	if diff := cmp.Diff([]bool{true, true, false, true, false}, got); diff != "" {
		t.Errorf("fresh (-want +got):\n%s", diff)
	}

	// And through Receive, many callers at once with one id.
	var fresh atomic.Int32
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			if ok, err := db.Receive(context.Background(), "slack", "same", []byte("x")); err != nil {
				t.Error(err)
			} else if ok {
				fresh.Add(1)
			}
		})
	}
	wg.Wait()
	if fresh.Load() != 1 {
		t.Errorf("%d callers fresh, want 1", fresh.Load())
	}
}

func TestConcurrentReceivesAllCommitted(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "inbox.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			if fresh, err := db.Receive(ctx, "slack", fmt.Sprintf("Ev%03d", i), []byte("{}")); err != nil || !fresh {
				t.Errorf("Ev%03d: fresh %v, %v", i, fresh, err)
			}
		})
	}
	wg.Wait()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.read.QueryRow("SELECT count(*) FROM inbox").Scan(&n); err != nil || n != 200 {
		t.Errorf("rows after reopen = %d, %v; want 200", n, err)
	}
}

func TestMarkCommitsWithTheEffect(t *testing.T) {
	db := openTest(t)
	a := rep(t, db, "A")
	d, err := db.CreateDeal(context.Background(), coach.Deal{Customer: "Acme", OwnerID: a.ID, Currency: "USD", Stage: "prospect"}, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	receive(t, db, "slack", "Ev1")
	ctx, m := context.Background(), NewClaim("slack", "Ev1")
	mdb := db.Claiming(m)

	// A write that fails marks nothing.
	boom := errors.New("boom")
	_, _, err = editDeal(ctx, mdb, d.ID, a.ID, func(d *coach.Deal) ([]coach.Event, error) { return nil, boom })
	if !errors.Is(err, boom) {
		t.Fatalf("update: %v", err)
	}
	if m.Done() || processedAt(t, db, "slack", "Ev1") != "" {
		t.Fatalf("rolled-back write marked: done %v", m.Done())
	}

	// A write made without the claim, neither.
	if _, err := db.EnsurePerson(ctx, coach.Person{Platform: "slack", PlatformID: "U1", Name: "B"}); err != nil {
		t.Fatal(err)
	}
	if m.Done() || processedAt(t, db, "slack", "Ev1") != "" {
		t.Fatalf("write without the claim marked: done %v", m.Done())
	}

	// The first write that commits marks, in its own transaction.
	_, _, err = editDeal(ctx, mdb, d.ID, a.ID, func(d *coach.Deal) ([]coach.Event, error) {
		d.Stage = "interest"
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Done() || processedAt(t, db, "slack", "Ev1") != fmtTime(testNow) {
		t.Fatalf("after the effect: done %v, processed_at %q", m.Done(), processedAt(t, db, "slack", "Ev1"))
	}

	// Later writes leave the inbox alone.
	if _, err := db.write.Exec("UPDATE inbox SET processed_at = NULL"); err != nil {
		t.Fatal(err)
	}
	if _, err := mdb.CreateDeal(ctx, coach.Deal{Customer: "Other", OwnerID: a.ID, Currency: "USD", Stage: "prospect"}, a.ID); err != nil {
		t.Fatal(err)
	}
	if at := processedAt(t, db, "slack", "Ev1"); at != "" {
		t.Errorf("second write marked again at %s", at)
	}
}

func TestMarkProcessed(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	receive(t, db, "lark", "Ev1")
	if err := db.MarkProcessed(ctx, "lark", "Ev1"); err != nil {
		t.Fatal(err)
	}
	if at := processedAt(t, db, "lark", "Ev1"); at != fmtTime(testNow) {
		t.Errorf("processed_at = %q", at)
	}
	if err := db.MarkProcessed(ctx, "lark", "unknown"); err != nil {
		t.Errorf("unknown event: %v", err)
	}
}

func TestUnprocessedAndPrune(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	var now atomic.Pointer[time.Time]
	at := func(h int) { tm := t0.Add(time.Duration(h) * time.Hour); now.Store(&tm) }
	at(0)
	db, err := Open(ctx, filepath.Join(t.TempDir(), "inbox.db"), WithClock(func() time.Time { return *now.Load() }))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Received at hour 0 to 4; d is too recent to replay, b was processed.
	for h, id := range []string{"c", "a", "b", "e", "d"} {
		at(h)
		receive(t, db, "slack", id)
	}
	receive(t, db, "lark", "x")
	if err := db.MarkProcessed(ctx, "slack", "b"); err != nil {
		t.Fatal(err)
	}
	evs, err := db.Unprocessed(ctx, "slack", t0.Add(4*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, fmt.Sprintf("%s/%s %s %s", e.Platform, e.EventID, e.Payload, e.ReceivedAt.Format("15:04")))
	}
	want := []string{`slack/c {"id":"c"} 09:00`, `slack/a {"id":"a"} 10:00`, `slack/e {"id":"e"} 12:00`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unprocessed (-want +got):\n%s", diff)
	}

	// Prune keeps unprocessed rows and rows not old enough.
	if err := db.MarkProcessed(ctx, "slack", "c"); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkProcessed(ctx, "slack", "d"); err != nil {
		t.Fatal(err)
	}
	n, err := db.PruneInbox(ctx, t0.Add(4*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("pruned %d, %v; want 2 (b, c)", n, err)
	}
	if diff := cmp.Diff([]string{"lark/x", "slack/a", "slack/d", "slack/e"}, inboxKeys(t, db)); diff != "" {
		t.Errorf("left after prune (-want +got):\n%s", diff)
	}
}

// A prune over several chunks deletes exactly the processed rows older
// than the cut, whatever their place in key order, and keeps the rest.
func TestPruneInboxInChunks(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	const n = 4*pruneChunk + 17
	old, young := fmtTime(testNow.Add(-time.Hour)), fmtTime(testNow.Add(time.Hour))
	want := 0
	var kept []string
	err := db.inTx(ctx, func(tx *wtx) error {
		for i := range n {
			// Every third row too young, every seventh unprocessed; two
			// platforms, so the walk crosses from one to the other.
			platform, id := []string{"lark", "slack"}[i%2], fmt.Sprintf("Ev%05d", i*7919%n)
			at, done := old, any(old)
			if i%3 == 0 {
				at, done = young, young
			}
			if i%7 == 0 {
				done = nil
			}
			if at == old && done != nil {
				want++
			} else {
				kept = append(kept, platform+"/"+id)
			}
			_, err := tx.exec(ctx, `INSERT INTO inbox (platform, event_id, payload, received_at, processed_at)
				VALUES (?, ?, x'', ?, ?)`, platform, id, at, done)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want <= 2*pruneChunk {
		t.Fatalf("only %d rows to prune: the test needs more than two chunks", want)
	}
	if got, err := db.PruneInbox(ctx, testNow); err != nil || got != int64(want) {
		t.Errorf("pruned %d, %v; want %d", got, err, want)
	}
	sort.Strings(kept)
	if diff := cmp.Diff(kept, inboxKeys(t, db)); diff != "" {
		t.Errorf("left after prune (-want +got):\n%s", diff)
	}
}

// The inbox is one B-tree (a claim is one insert): keyed WITHOUT ROWID,
// no index of its own; the prune's walk seeks by the key, and a claim's
// conflict finds its row by the key.
func TestInboxIsOneKeyedTree(t *testing.T) {
	db := openTest(t)
	var sqlText string
	if err := db.read.QueryRow("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'inbox'").Scan(&sqlText); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sqlText, "WITHOUT ROWID") {
		t.Errorf("inbox is not WITHOUT ROWID: %s", sqlText)
	}
	var indexes int
	if err := db.read.QueryRow("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'inbox'").Scan(&indexes); err != nil || indexes != 0 {
		t.Errorf("inbox has %d indexes (%v), want none beyond its key", indexes, err)
	}
	plan := queryPlan(t, db.read, `SELECT platform, event_id FROM inbox WHERE received_at < ?1 AND processed_at IS NOT NULL
		AND (platform, event_id) > (?3, ?4) ORDER BY platform, event_id LIMIT ?2`, "x", 1, "slack", "Ev1")
	if !strings.Contains(plan, "SEARCH inbox USING PRIMARY KEY ((platform,event_id)>(?,?))") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("the prune's walk does not resume by the key: %s", plan)
	}
}

// Migration 0014 keeps every row of the old inbox, with its times, state
// and payload, and still refuses a second row of a key.
func TestInboxMigrationKeepsRows(t *testing.T) {
	pool, err := sql.Open("sqlite", dsn(filepath.Join(t.TempDir(), "old.db"), "immediate"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for _, q := range []string{
		`CREATE TABLE inbox (platform TEXT NOT NULL, event_id TEXT NOT NULL, payload BLOB NOT NULL,
			received_at TEXT NOT NULL, processed_at TEXT, PRIMARY KEY (platform, event_id))`,
		`CREATE INDEX inbox_received ON inbox (received_at)`,
		`INSERT INTO inbox VALUES ('slack', 'Ev1', x'7b7d', '2026-11-20T09:00:00Z', NULL),
			('slack', 'cmd:1.2.3', x'', '2026-11-20T09:01:00Z', '2026-11-20T09:01:00Z'),
			('lark', 'e1', CAST('{"kind":"event"}' AS BLOB), '2026-11-19T09:00:00Z', '2026-11-19T09:00:01Z')`,
	} {
		if _, err := pool.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	body, err := migrationFS.ReadFile("migrations/0014_inbox_keyed.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(string(body)); err != nil {
		t.Fatal(err)
	}
	rows, err := pool.Query("SELECT platform, event_id, hex(payload), received_at, coalesce(processed_at, '-') FROM inbox ORDER BY 1, 2")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var p, id, payload, at, done string
		if err := rows.Scan(&p, &id, &payload, &at, &done); err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Join([]string{p, id, payload, at, done}, " "))
	}
	want := []string{
		"lark e1 7B226B696E64223A226576656E74227D 2026-11-19T09:00:00Z 2026-11-19T09:00:01Z",
		"slack Ev1 7B7D 2026-11-20T09:00:00Z -",
		"slack cmd:1.2.3  2026-11-20T09:01:00Z 2026-11-20T09:01:00Z",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows after the migration (-want +got):\n%s", diff)
	}
	if _, err := pool.Exec(`INSERT INTO inbox (platform, event_id, payload, received_at) VALUES ('slack', 'Ev1', x'', 'x')`); err == nil {
		t.Error("a second row of a key was accepted")
	}
}

// TestReceiveCancelled: a caller that gives up before its request is taken
// gets ctx.Err() and records nothing; one already taken gets its result.
func TestReceiveCancelled(t *testing.T) {
	db := openTest(t)
	// Hold the write connection, so that the batcher takes the first
	// request and then waits.
	hold, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	takenCtx, cancelTaken := context.WithCancel(context.Background())
	taken := make(chan error, 1)
	go func() {
		fresh, err := db.Receive(takenCtx, "slack", "taken", []byte("{}"))
		if err == nil && !fresh {
			err = errors.New("not fresh")
		}
		taken <- err
	}()
	for db.write.Stats().WaitCount == 0 {
		time.Sleep(time.Millisecond)
	}
	waitCtx, cancelWaiting := context.WithCancel(context.Background())
	waiting := make(chan error, 1)
	go func() {
		_, err := db.Receive(waitCtx, "slack", "waiting", []byte("{}"))
		waiting <- err
	}()
	time.Sleep(10 * time.Millisecond)
	cancelWaiting()
	if err := <-waiting; !errors.Is(err, context.Canceled) {
		t.Errorf("waiting caller: %v, want context.Canceled", err)
	}
	cancelTaken()
	hold.Rollback()
	if err := <-taken; err != nil {
		t.Errorf("taken caller: %v", err)
	}
	if !receive(t, db, "slack", "waiting") {
		t.Error("the cancelled caller's event was recorded")
	}
}

func TestCloseWithReceivesInFlight(t *testing.T) {
	db := openTest(t)
	var wg sync.WaitGroup
	var ok atomic.Int64
	for g := range 32 {
		wg.Go(func() {
			for i := 0; ; i++ {
				_, err := db.Receive(context.Background(), "slack", fmt.Sprintf("%d-%d", g, i), []byte("{}"))
				if errors.Is(err, errClosed) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				ok.Add(1)
			}
		})
	}
	for ok.Load() < 500 {
		time.Sleep(time.Millisecond)
	}
	done := make(chan struct{})
	go func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close or a Receive hangs")
	}
	if err := db.MarkProcessed(context.Background(), "slack", "0-0"); !errors.Is(err, errClosed) {
		t.Errorf("MarkProcessed after Close: %v", err)
	}
}

// BenchmarkReceive is 16 adapters' handlers recording events at once,
// group-committed. Reported: time per event.
func BenchmarkReceive(b *testing.B) {
	db := openTest(b)
	payload := make([]byte, 800) // a typical Slack event_callback
	var n atomic.Int64
	b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("Ev%08d", n.Add(1))
			if _, err := db.Receive(context.Background(), "slack", id, payload); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkReceiveSerial is one caller at a time: one transaction per event.
func BenchmarkReceiveSerial(b *testing.B) {
	db := openTest(b)
	payload := make([]byte, 800)
	for i := 0; b.Loop(); i++ {
		if _, err := db.Receive(context.Background(), "slack", fmt.Sprintf("Ev%08d", i), payload); err != nil {
			b.Fatal(err)
		}
	}
}

// A mark for an event never received (a slash command answered within
// its request) records it processed with the effect; the same event again
// is refused as a duplicate and changes nothing.
func TestMarkClaimsAnUnreceivedEventOnce(t *testing.T) {
	db := openTest(t)
	a := rep(t, db, "A")
	d, err := db.CreateDeal(context.Background(), coach.Deal{Customer: "Acme", OwnerID: a.ID, Currency: "USD", Stage: "prospect"}, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	setStage := func(stage string) func(d *coach.Deal) ([]coach.Event, error) {
		return func(d *coach.Deal) ([]coach.Event, error) { d.Stage = stage; return nil, nil }
	}
	ctx, m := context.Background(), NewClaim("slack", "cmd:1")
	if _, _, err := editDeal(ctx, db.Claiming(m), d.ID, a.ID, setStage("interest")); err != nil {
		t.Fatal(err)
	}
	if !m.Done() || processedAt(t, db, "slack", "cmd:1") == "" {
		t.Fatal("the effect did not record the event")
	}
	again := db.Claiming(NewClaim("slack", "cmd:1"))
	_, _, err = editDeal(ctx, again, d.ID, a.ID, setStage("approved"))
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("replay: %v, want ErrDuplicate", err)
	}
	if got, _ := db.Deal(context.Background(), d.ID); got.Stage != "interest" {
		t.Fatalf("a duplicate changed the deal: stage %q", got.Stage)
	}
}
