package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dealcoach/dealcoach/bot/bottest"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/prompts"
	"github.com/dealcoach/dealcoach/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// clock is a settable store clock, so that fixtures get known timestamps.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) set(s string) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func openDB(t *testing.T) (*store.DB, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 1, 1, 0, 0, 0, time.UTC)}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "deals.db"), store.WithClock(c.now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, c
}

func playbook(t testing.TB, key string) *coach.Playbook {
	t.Helper()
	pb, err := prompts.LoadPlaybook(key)
	if err != nil {
		t.Fatal(err)
	}
	return pb
}

func person(t testing.TB, db *store.DB, name string) coach.Person {
	t.Helper()
	p, err := db.EnsurePerson(context.Background(), coach.Person{Platform: "console", PlatformID: name, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func date(s string) coach.Date {
	d, err := coach.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// fixture fills db with five deals that exercise every column: exact
// decimals, CSV quoting, HTML characters, won, lost, empty dates.
func fixture(t *testing.T, db *store.DB, c *clock) {
	t.Helper()
	ctx := context.Background()
	zw, alice := person(t, db, "张伟"), person(t, db, "Alice Chen")
	create := func(at string, d coach.Deal) coach.Deal {
		c.set(at)
		d, err := db.CreateDeal(ctx, d, d.OwnerID)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	change := func(at string, id int64, f func(d *coach.Deal)) {
		c.set(at)
		_, _, err := bottest.EditDeal(ctx, db, id, 0, func(d *coach.Deal) ([]coach.Event, error) { f(d); return nil, nil })
		if err != nil {
			t.Fatal(err)
		}
	}
	create("2026-11-02T01:30:00Z", coach.Deal{Customer: "经信银行", Title: "核心系统升级", OwnerID: zw.ID,
		Amount: 123456789, Currency: "CNY", Stage: "approved", Status: coach.Open,
		NextStep: "安排技术交流会", NextStepDue: date("2026-11-28"), ExpectedClose: date("2027-01-15")})
	create("2026-11-03T09:00:00Z", coach.Deal{Customer: "Acme Corp", Title: "CRM rollout, phase 2", OwnerID: alice.ID,
		Amount: 10, Currency: "USD", Stage: "prospect", NextStep: "Send \"pricing\" deck\nthen call"})
	d := create("2026-11-04T10:00:00Z", coach.Deal{Customer: "Smith & Sons <Ltd>", OwnerID: alice.ID,
		Amount: coach.Major(1_200_000), Currency: "USD", Stage: "contract", ExpectedClose: date("2026-12-20")})
	change("2026-11-20T03:04:05.678Z", d.ID, func(d *coach.Deal) { d.Status, d.Stage = coach.Won, "won" })
	d = create("2026-11-05T11:00:00Z", coach.Deal{Customer: "华东电力集团", Title: "数据中台", OwnerID: zw.ID,
		Amount: coach.Major(5_000_000), Currency: "CNY", Stage: "shortlist"})
	change("2026-11-21T08:00:00Z", d.ID, func(d *coach.Deal) { d.Status, d.LostReason = coach.Lost, "价格高于竞品 30%" })
	create("2026-11-06T12:00:00Z", coach.Deal{Customer: "Hooli", OwnerID: alice.ID, Currency: "USD", Stage: "contract",
		SnoozedUntil: date("2026-11-13")})
}

func export(t *testing.T, db *store.DB, pb *coach.Playbook, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(context.Background(), &b, db, pb, format); err != nil {
		t.Fatalf("Write %s: %v", format, err)
	}
	return b.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from %s (-want +got):\n%s", name, path, diff)
	}
}

func TestWriteGolden(t *testing.T) {
	db, c := openDB(t)
	fixture(t, db, c)
	pb := playbook(t, "seven-step")
	golden(t, "deals.json", export(t, db, pb, "json"))
	golden(t, "deals.csv", export(t, db, pb, "csv"))
}

func TestWriteEmpty(t *testing.T) {
	db, _ := openDB(t)
	pb := playbook(t, "seven-step")
	if got := string(export(t, db, pb, "json")); got != "[]\n" {
		t.Errorf("empty json = %q, want []", got)
	}
	want := strings.Join(Columns(), ",") + "\n"
	if got := string(export(t, db, pb, "CSV")); got != want {
		t.Errorf("empty csv = %q, want %q", got, want)
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	db, _ := openDB(t)
	var b bytes.Buffer
	err := Write(context.Background(), &b, db, playbook(t, "seven-step"), "xml")
	if err == nil || !strings.Contains(err.Error(), "json or csv") || b.Len() != 0 {
		t.Fatalf("Write xml = %v, wrote %q; want an error naming json and csv", err, b.String())
	}
}

// TestJSONShape checks the contract: keys in Columns order, exact amounts
// as JSON numbers, nulls for unset dates.
func TestJSONShape(t *testing.T) {
	db, c := openDB(t)
	fixture(t, db, c)
	out := export(t, db, playbook(t, "seven-step"), "json")
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var deals []map[string]any
	if err := dec.Decode(&deals); err != nil {
		t.Fatal(err)
	}
	if len(deals) != 5 {
		t.Fatalf("%d deals, want 5", len(deals))
	}
	for _, d := range deals {
		if len(d) != len(Columns()) {
			t.Errorf("deal has %d keys, want %d: %v", len(d), len(Columns()), d)
		}
	}
	for i, want := range []string{"1234567.89", "0.1", "1200000", "5000000", "0"} {
		if got := deals[i]["amount"]; got != json.Number(want) {
			t.Errorf("deal %d amount = %#v, want the number %s", i+1, got, want)
		}
	}
	if deals[1]["next_step_due"] != nil || deals[0]["next_step_due"] != "2026-11-28" {
		t.Errorf("next_step_due = %v, %v; want 2026-11-28 and null", deals[0]["next_step_due"], deals[1]["next_step_due"])
	}
	if got := deals[2]["win_rate"]; got != json.Number("100") || deals[3]["win_rate"] != json.Number("0") {
		t.Errorf("win rates of won and lost = %v, %v; want 100 and 0", got, deals[3]["win_rate"])
	}
}

// csvRows parses CSV output and blanks the columns named in drop.
func csvRows(t *testing.T, b []byte, drop ...string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, col := range drop {
		for i, name := range rows[0] {
			if name != col {
				continue
			}
			for _, r := range rows[1:] {
				r[i] = ""
			}
		}
	}
	return rows
}

// withoutColumn removes a column from CSV text.
func withoutColumn(t *testing.T, b []byte, col string) []byte {
	t.Helper()
	rows := csvRows(t, b)
	i := 0
	for i < len(rows[0]) && rows[0][i] != col {
		i++
	}
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	for _, r := range rows {
		w.Write(append(r[:i:i], r[i+1:]...))
	}
	w.Flush()
	return out.Bytes()
}

// TestRoundTripFreshDB exports, imports into a fresh database without the
// id column, and exports again: everything survives but the timestamps,
// which are the new database's.
func TestRoundTripFreshDB(t *testing.T) {
	ctx := context.Background()
	pb := playbook(t, "seven-step")
	src, c := openDB(t)
	fixture(t, src, c)
	first := export(t, src, pb, "csv")

	dst, _ := openDB(t)
	admin := person(t, dst, "admin")
	created, updated, err := Import(ctx, bytes.NewReader(withoutColumn(t, first, "id")), dst, pb, admin, "CNY")
	if err != nil || created != 5 || updated != 0 {
		t.Fatalf("Import = %d created, %d updated, %v; want 5, 0", created, updated, err)
	}
	second := export(t, dst, pb, "csv")
	want, got := csvRows(t, first, "created_at", "updated_at"), csvRows(t, second, "created_at", "updated_at")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-before +after):\n%s", diff)
	}
	if !bytes.Contains(second, []byte(",1234567.89,")) || !bytes.Contains(second, []byte(",0.1,")) {
		t.Errorf("amounts lost precision:\n%s", second)
	}
}

// TestReimportIsNoOp imports an export into its own database: every row
// updates its deal, and nothing changes, not even a timestamp.
func TestReimportIsNoOp(t *testing.T) {
	ctx := context.Background()
	pb := playbook(t, "seven-step")
	db, c := openDB(t)
	fixture(t, db, c)
	before := export(t, db, pb, "csv")
	c.set("2026-12-01T00:00:00Z")
	created, updated, err := Import(ctx, bytes.NewReader(before), db, pb, person(t, db, "admin"), "CNY")
	if err != nil || created != 0 || updated != 5 {
		t.Fatalf("Import = %d created, %d updated, %v; want 0, 5", created, updated, err)
	}
	if diff := cmp.Diff(string(before), string(export(t, db, pb, "csv"))); diff != "" {
		t.Errorf("re-import changed deals (-before +after):\n%s", diff)
	}
	hist, err := db.History(ctx, 1)
	if err != nil || len(hist) != 1 {
		t.Errorf("history of #1 = %+v, %v; want only the created event", hist, err)
	}
}
