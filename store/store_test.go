package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dealcoach/dealcoach/coach"
)

var testNow = time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)

func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), WithClock(func() time.Time { return testNow }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// editDeal changes deal id as a chat turn does, at the store's level: it
// reads the deal, changes it, and commits the update, again while the
// deal changed in between.
func editDeal(ctx context.Context, db *DB, id, actorID int64, change func(*coach.Deal) ([]coach.Event, error)) (before, after coach.Deal, err error) {
	for {
		if before, err = db.Deal(ctx, id); err != nil {
			return before, before, err
		}
		after = before
		notes, err := change(&after)
		if err != nil {
			return before, before, err
		}
		after, err = db.UpdateDeal(ctx, coach.NewUpdate(before, after, notes, db.now()), actorID, nil)
		if !errors.Is(err, ErrStale) {
			return before, after, err
		}
	}
}

func rep(t testing.TB, db *DB, name string) coach.Person {
	t.Helper()
	p, err := db.EnsurePerson(context.Background(), coach.Person{Platform: "console", PlatformID: name, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMigrationsFromEmptyAndReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	want := migrationCount(t)
	v, err := db.SchemaVersion(ctx)
	if err != nil || v != want {
		t.Fatalf("schema version = %d, %v; want %d", v, err, want)
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Reopening applies nothing twice.
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	var n int
	if err := db.read.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != want {
		t.Fatalf("migrations recorded = %d, %v", n, err)
	}
	var mode string
	if err := db.write.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v", mode, err)
	}
}

func TestCreateUpdateWritesHistory(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	alice := rep(t, db, "Alice")
	d, err := db.CreateDeal(ctx, coach.Deal{Customer: "经信银行", Title: "核心系统", OwnerID: alice.ID,
		Amount: coach.Major(1_200_000), Currency: "CNY", Stage: "interest"}, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, after, err := editDeal(ctx, db, d.ID, alice.ID, func(d *coach.Deal) ([]coach.Event, error) {
		d.Stage = "approved"
		d.Amount = coach.Major(1_500_000)
		d.NextStep, d.NextStepDue = "拜访刘行长", coach.Date{Year: 2026, Month: 11, Day: 27}
		return []coach.Event{{Kind: coach.EvNote, To: "行长很支持"}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if after.Version != 2 || after.Stage != "approved" {
		t.Fatalf("after = %+v", after)
	}
	got, err := db.Deal(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(after, got); diff != "" {
		t.Errorf("stored deal differs from returned (-returned +stored):\n%s", diff)
	}
	hist, err := db.History(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range hist {
		kinds = append(kinds, fmt.Sprintf("%s:%s>%s:%s", e.Kind, e.From, e.To, e.Actor))
	}
	want := []string{
		"created:>interest:Alice",
		"stage:interest>approved:Alice",
		"amount:1200000>1500000:Alice",
		"next_step:>拜访刘行长 @2026-11-27:Alice",
		"note:>行长很支持:Alice",
	}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
}

func TestUpdateErrorRollsBack(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	a := rep(t, db, "A")
	d, _ := db.CreateDeal(ctx, coach.Deal{Customer: "Acme", OwnerID: a.ID, Currency: "USD", Stage: "prospect"}, a.ID)
	boom := coach.Errorf(coach.Forbidden, "err.forbidden")
	_, _, err := editDeal(ctx, db, d.ID, a.ID, func(d *coach.Deal) ([]coach.Event, error) {
		d.Stage = "won"
		return nil, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	got, _ := db.Deal(ctx, d.ID)
	hist, _ := db.History(ctx, d.ID)
	if got.Stage != "prospect" || got.Version != 1 || len(hist) != 1 {
		t.Fatalf("rolled-back update left traces: %+v, %d events", got, len(hist))
	}
	if _, err := db.Deal(ctx, 999); coach.ErrorCode(err) != coach.NotFound {
		t.Fatalf("missing deal: %v", err)
	}
}

// Many writers adding to one deal's amount at once: every increment must
// land, and every write must leave its history event.
func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	a := rep(t, db, "A")
	d, _ := db.CreateDeal(ctx, coach.Deal{Customer: "Acme", OwnerID: a.ID, Currency: "USD", Stage: "prospect"}, a.ID)
	const workers, each = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				_, _, err := editDeal(ctx, db, d.ID, a.ID, func(d *coach.Deal) ([]coach.Event, error) {
					d.Amount += coach.Major(1)
					return nil, nil
				})
				if err != nil {
					errs <- err
				}
				if _, err := db.Deal(ctx, d.ID); err != nil { // readers run alongside
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got, _ := db.Deal(ctx, d.ID)
	hist, _ := db.History(ctx, d.ID)
	if got.Amount != coach.Major(workers*each) || got.Version != workers*each+1 || len(hist) != workers*each+1 {
		t.Fatalf("amount %v version %d events %d; want %d, %d, %d", got.Amount, got.Version, len(hist),
			workers*each, workers*each+1, workers*each+1)
	}
}

func TestFindDeals(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	a := rep(t, db, "A")
	for _, c := range [][2]string{{"经信银行", "核心系统"}, {"经信银行", "信用卡"}, {"Acme Corp", ""}, {"Acme Labs", ""}, {"Globex", "CRM 100%"}} {
		if _, err := db.CreateDeal(ctx, coach.Deal{Customer: c[0], Title: c[1], OwnerID: a.ID, Currency: "CNY", Stage: "prospect"}, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		q    string
		want []string
	}{
		{"acme corp", []string{"Acme Corp"}},
		{"ACME", []string{"Acme Labs", "Acme Corp"}},
		{"经信银行", []string{"经信银行 · 信用卡", "经信银行 · 核心系统"}},
		{"经信银行 核心系统", []string{"经信银行 · 核心系统"}},
		{"信用卡", []string{"经信银行 · 信用卡"}},
		{"lob", []string{"Globex · CRM 100%"}},
		{"100%", []string{"Globex · CRM 100%"}},
		{"_", nil},
		{"nobody", nil},
	}
	for _, tt := range tests {
		ds, err := db.FindDeals(ctx, tt.q, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range ds {
			got = append(got, d.Name())
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("FindDeals(%q) (-want +got):\n%s", tt.q, diff)
		}
	}
}

func TestImportIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	a := rep(t, db, "A")
	d, _ := db.CreateDeal(ctx, coach.Deal{Customer: "Acme", OwnerID: a.ID, Currency: "USD", Stage: "prospect"}, a.ID)
	items := []ImportItem{
		{Line: 2, OwnerName: "Bob", Deal: coach.Deal{Customer: "New Co", Currency: "USD", Stage: "interest"}},
		{Line: 3, OwnerName: "A", Deal: coach.Deal{ID: d.ID, Customer: "Acme", Currency: "USD", Stage: "shortlist", Status: coach.Open}},
		{Line: 4, OwnerName: "A", Deal: coach.Deal{ID: 4242, Customer: "Ghost", Currency: "USD", Stage: "prospect", Status: coach.Open}},
	}
	_, _, err := db.ImportDeals(ctx, items, a.ID)
	var ie *ImportError
	if !errors.As(err, &ie) || ie.Line != 4 || coach.ErrorCode(err) != coach.NotFound {
		t.Fatalf("err = %v; want not found on line 4", err)
	}
	if n, _ := db.CountDeals(ctx); n != 1 {
		t.Fatalf("deals after failed import = %d, want 1", n)
	}
	if got, _ := db.Deal(ctx, d.ID); got.Stage != "prospect" {
		t.Fatalf("failed import changed deal: %+v", got)
	}
	c, u, err := db.ImportDeals(ctx, items[:2], a.ID)
	if err != nil || c != 1 || u != 1 {
		t.Fatalf("import = %d created, %d updated, %v", c, u, err)
	}
	got, _ := db.Deal(ctx, d.ID)
	hist, _ := db.History(ctx, d.ID)
	if got.Stage != "shortlist" || len(hist) != 2 || hist[1].Kind != coach.EvStage {
		t.Fatalf("after import: %+v, history %+v", got, hist)
	}
}
