package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

func TestNewDealRefusesTheOwnersOpenDuplicate(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	alice, bob := rep(t, db, "Alice"), rep(t, db, "Bob")
	deal := func(owner coach.Person, customer, title string) coach.Deal {
		return coach.Deal{Customer: customer, Title: title, OwnerID: owner.ID, Currency: "CNY", Stage: "prospect"}
	}
	first, err := db.NewDeal(ctx, deal(alice, "Acme Corp", "Core"), alice.ID, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The same names, normalised (case, inner and full-width spaces, full-width letters).
	for _, name := range [][2]string{{"acme  corp", "core"}, {" ＡＣＭＥ\u3000Corp ", "CORE"}} {
		_, err := db.NewDeal(ctx, deal(alice, name[0], name[1]), alice.ID, nil, nil)
		var ce *coach.Error
		if !errors.As(err, &ce) || ce.Code != coach.Conflict || ce.Key != "err.deal_exists" || ce.Args["ref"] != fmt.Sprintf("#%d", first.ID) {
			t.Fatalf("%q: %v, want a conflict naming #%d", name, err, first.ID)
		}
	}
	// Not duplicates: another owner's, another title, a "customer title" split otherwise.
	for _, d := range []coach.Deal{deal(bob, "Acme Corp", "Core"), deal(alice, "Acme Corp", ""), deal(alice, "Acme", "Corp Core")} {
		if _, err := db.NewDeal(ctx, d, alice.ID, nil, nil); err != nil {
			t.Fatalf("%+v: %v", d, err)
		}
	}
	// A closed deal of the name is no duplicate.
	if _, _, err := editDeal(ctx, db, first.ID, alice.ID, func(d *coach.Deal) ([]coach.Event, error) {
		d.Status = coach.Lost
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewDeal(ctx, deal(alice, "Acme Corp", "Core"), alice.ID, nil, nil); err != nil {
		t.Fatalf("after the first was lost: %v", err)
	}
	if n, _ := db.CountDeals(ctx); n != 5 {
		t.Fatalf("%d deals, want 5", n)
	}
}

func TestNewDealWritesEventsStateAndMarkInOneTransaction(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	alice := rep(t, db, "Alice")
	mark := NewClaim("slack", "cmd:1")
	mdb := db.Claiming(mark)
	// The id is reserved first, so that the state (like the reply) can name the deal.
	id, err := db.NextDealID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := coach.Deal{ID: id}
	d, err := mdb.NewDeal(ctx, coach.Deal{ID: id, Customer: "Acme", OwnerID: alice.ID, Currency: "CNY", Stage: "prospect"},
		alice.ID, []coach.Event{{Kind: coach.EvNote, To: "met the CIO"}},
		&Conv{PersonID: alice.ID, Scope: "c", State: []byte(`{"await":"question"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if seen.ID != d.ID || d.ID == 0 || !mark.Done() {
		t.Fatalf("follow saw %+v, created %+v, marked %v", seen, d, mark.Done())
	}
	s, err := db.Session(ctx, alice, "c")
	if err != nil || string(s.State) != `{"await":"question"}` {
		t.Fatalf("state %q, %v", s.State, err)
	}
	h, err := db.History(ctx, d.ID)
	if err != nil || len(h) < 2 || h[len(h)-1].Kind != coach.EvNote {
		t.Fatalf("history %+v, %v", h, err)
	}
	// A replay of the event changes nothing; a failing part rolls all back.
	if _, err := mdb.NewDeal(ctx, coach.Deal{Customer: "Other", OwnerID: alice.ID, Currency: "CNY", Stage: "prospect"}, alice.ID, nil, nil); err != nil {
		t.Fatal(err) // the mark is done: later transactions leave it alone
	}
	rdb := db.Claiming(NewClaim("slack", "cmd:1"))
	if _, err := rdb.NewDeal(ctx, coach.Deal{Customer: "Replayed", OwnerID: alice.ID, Currency: "CNY", Stage: "prospect"}, alice.ID, nil, nil); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("replay: %v", err)
	}
	long := []coach.Event{{Kind: coach.EvNote, To: strings.Repeat("x", coach.MaxTextChars+1)}}
	if _, err := db.NewDeal(ctx, coach.Deal{Customer: "Failed", OwnerID: alice.ID, Currency: "CNY", Stage: "prospect"}, alice.ID, long,
		&Conv{PersonID: alice.ID, Scope: "c"}); coach.ErrorCode(err) != coach.Invalid {
		t.Fatalf("note too long: %v", err)
	}
	if n, _ := db.CountDeals(ctx); n != 2 {
		t.Fatalf("%d deals, want 2", n)
	}
}

func TestConcurrentNewDealsOfOneNameMakeOne(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	alice := rep(t, db, "Alice")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = db.NewDeal(ctx, coach.Deal{Customer: "Acme", OwnerID: alice.ID, Currency: "CNY", Stage: "prospect"}, alice.ID, nil, nil)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if coach.ErrorCode(err) != coach.Conflict {
			t.Fatal(err)
		}
	}
	if n, _ := db.CountDeals(ctx); ok != 1 || n != 1 {
		t.Fatalf("%d created, %d deals", ok, n)
	}
}

// The duplicate check is one index seek, inside the insert: its plan
// searches deals_customer (covering) on all four columns and scans no
// deals. (The plan also lists the foreign-key checks of the tables that
// refer to deals, which SQLite runs only while a deferred violation is
// outstanding: never here.) The query that names the duplicate, run only
// when there is one, is the same seek.
func TestNewDealDuplicateCheckUsesTheIndex(t *testing.T) {
	db := openTest(t)
	for _, got := range []string{
		queryPlan(t, db.write, insertUniqueDealSQL, 0, "Acme", "acme", "", "", "acme", 1, 0, 0, "CNY", "prospect", "open", "", "", nil, nil, nil, "", "", ""),
		queryPlan(t, db.write, openTwinSQL, "acme", "", 1),
	} {
		if !strings.Contains(got, "INDEX deals_customer (customer_norm=? AND title_norm=? AND owner_id=? AND status=?)") || strings.Contains(got, "SCAN deals") {
			t.Errorf("plan: %s", got)
		}
	}
}

// names gives what normalising "customer title" whole gives.
func TestNamesFullIsTheJoinedNormalisedNames(t *testing.T) {
	for _, c := range [][2]string{{"Acme", ""}, {"", "Core"}, {" Acme  Corp ", " Core\u3000System "}, {"经信银行", "核心系统"},
		{"ＡＣＭＥ", "ｃｏｒｅ"}, {"  ", "x"}, {"a\t", "\nb"}, {"", ""}} {
		d := coach.Deal{Customer: c[0], Title: c[1]}
		if got, want := names(d).full, coach.NormalizeName(d.Customer+" "+d.Title); got != want {
			t.Errorf("%q: full %q, want %q", c, got, want)
		}
	}
}

// FindDeals' exact and prefix lookups are index searches (the full name
// and the title in their partial indexes, migration 0013): only the last
// resort, a part of a name, scans.
func TestFindDealsUsesTheIndexes(t *testing.T) {
	db := openTest(t)
	want := []string{"deals_customer", "deals_full", "deals_title", "deals_title"}
	qs := findQueries(50)
	for i, q := range qs[:4] {
		got := queryPlan(t, db.read, q, "acme", "acme\U0010FFFF")
		if !strings.Contains(got, "INDEX "+want[i]) || strings.Contains(got, "SCAN d") {
			t.Errorf("query %d plan: %s", i, got)
		}
	}
}

// Titled and untitled deals are found by every name they answer to.
func TestFindDealsByEveryName(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	alice := rep(t, db, "Alice")
	for _, d := range []coach.Deal{{Customer: "Acme"}, {Customer: "Globex", Title: "Core System"}, {Title: "Orphan Project"}} {
		d.OwnerID, d.Currency, d.Stage = alice.ID, "CNY", "prospect"
		if _, err := db.NewDeal(ctx, d, alice.ID, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range map[string]string{
		"acme": "Acme", "ACME": "Acme", "ac": "Acme", "cm": "Acme",
		"globex core system": "Globex", "core system": "Globex", "core": "Globex", "glob": "Globex", "system": "Globex",
		"orphan project": "", "orphan": "", "project": "",
	} {
		ds, err := db.FindDeals(ctx, name, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].Customer != want {
			t.Errorf("FindDeals(%q) = %+v, want the deal of %q", name, ds, want)
		}
	}
}

// queryPlan is SQLite's plan for q, its steps joined by "; ".
func queryPlan(t *testing.T, pool *sql.DB, q string, args ...any) string {
	t.Helper()
	rows, err := pool.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "; ")
}

// A deal written by the short insert of a bare deal is the row the full
// insert writes, column for column; a deal with anything more is written
// by the full one (a title, a next step, a date, another status or times
// would be lost otherwise).
func TestBareDealRowIsTheFullInsertsRow(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	alice := rep(t, db, "Alice")
	team, err := db.CreateTeam(ctx, coach.Team{Name: "North"})
	if err != nil {
		t.Fatal(err)
	}
	at := testNow.Add(-time.Hour)
	base := coach.Deal{Customer: "Acme Corp", OwnerID: alice.ID, Amount: coach.Major(80_000), Currency: "CNY", Stage: "interest", Status: coach.Open,
		CreatedAt: at, UpdatedAt: at, StageSince: at}
	with := func(f func(*coach.Deal)) coach.Deal { d := base; f(&d); return d }
	for _, tc := range []struct {
		name string
		d    coach.Deal
		bare bool
	}{
		{"bare", base, true},
		{"team, no amount, CJK name", with(func(d *coach.Deal) { d.TeamID, d.Amount, d.Customer = team.ID, 0, "华为 技术" }), true},
		{"title", with(func(d *coach.Deal) { d.Title = "Core" }), false},
		{"next step", with(func(d *coach.Deal) { d.NextStep = "demo" }), false},
		{"next step due", with(func(d *coach.Deal) { d.NextStepDue = coach.DateOf(at.AddDate(0, 0, 3)) }), false},
		{"expected close", with(func(d *coach.Deal) { d.ExpectedClose = coach.DateOf(at.AddDate(0, 1, 0)) }), false},
		{"snoozed", with(func(d *coach.Deal) { d.SnoozedUntil = coach.DateOf(at.AddDate(0, 0, 7)) }), false},
		{"lost", with(func(d *coach.Deal) { d.Status, d.LostReason = coach.Lost, "price" }), false},
		{"won", with(func(d *coach.Deal) { d.Status = coach.Won }), false},
		{"stage since", with(func(d *coach.Deal) { d.StageSince = at.Add(-24 * time.Hour) }), false},
		{"updated", with(func(d *coach.Deal) { d.UpdatedAt = at.Add(time.Minute) }), false},
	} {
		if got := bare(tc.d); got != tc.bare {
			t.Errorf("%s: bare %v, want %v", tc.name, got, tc.bare)
		}
		var short, full int64
		err := db.inTx(ctx, func(tx *wtx) error {
			d, err := db.insertDeal(ctx, tx, tc.d, names(tc.d), true)
			if err != nil {
				return err
			}
			short = d.ID
			res, err := tx.exec(ctx, insertDealSQL, fullDealArgs(tc.d, names(tc.d))...)
			if err != nil {
				return err
			}
			full, err = res.LastInsertId()
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		a, b := dealRow(t, db, short), dealRow(t, db, full)
		if a != b {
			t.Errorf("%s: the insert wrote\n%s\nthe full insert\n%s", tc.name, a, b)
		}
		// Closed, so that the next case's open deal of the same name is no duplicate.
		if _, err := db.write.ExecContext(ctx, "UPDATE deals SET status = 'lost' WHERE id IN (?, ?)", short, full); err != nil {
			t.Fatal(err)
		}
	}
}

// dealRow is every column of deal id but its id, quoted, in one line.
func dealRow(t *testing.T, db *DB, id int64) string {
	t.Helper()
	rows, err := db.write.Query("SELECT * FROM deals WHERE id = ?", id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	if !rows.Next() {
		t.Fatalf("no deal #%d", id)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i, c := range cols {
		if c != "id" {
			fmt.Fprintf(&b, "%s=%q ", c, fmt.Sprint(vals[i]))
		}
	}
	return b.String()
}
