package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dealcoach/dealcoach/coach"
)

const importHeader = "id,customer,title,owner,amount,currency,stage,status,next_step,next_step_due,expected_close,lost_reason\n"

// goodRows are lines 2–4 of an import (row 2 spans two physical lines).
const goodRows = `,New Co,Pilot,Alice Chen,100,,interest,,"Call back
next week",2026-12-01,,
1,经信银行,核心系统升级,张伟,"1,300,000",CNY,入围客户,,Send quote,2026-12-05,2027-01-15,
`

// lastRow is the line after the bad one.
const lastRow = ",Last Co,,Bob,20000.5,USD,Shortlisted,open,,,,\n"

func TestImportBadRowWritesNothing(t *testing.T) {
	tests := []struct{ name, row, want string }{
		{"bad amount", ",X,,A,12x,,,,,,,", `line 5: amount "12x": want a plain number`},
		{"decimal comma", `,X,,A,"1,5",,,,,,,`, `line 5: amount "1,5"`},
		{"negative amount", ",X,,A,-5,,,,,,,", `line 5: amount "-5"`},
		{"three decimals", ",X,,A,1.234,,,,,,,", `line 5: amount "1.234"`},
		{"unknown stage", ",X,,A,1,,foo,,,,,",
			`line 5: stage "foo" is not a stage of seven-step (prospect, interest, approved, shortlist, contract, won)`},
		{"bad date", ",X,,A,1,,,,Call,2026/12/01,,", `line 5: next_step_due "2026/12/01": want YYYY-MM-DD`},
		{"bad close date", ",X,,A,1,,,,,,2026-13-01,", `line 5: expected_close "2026-13-01": want YYYY-MM-DD`},
		{"unknown id", "4242,X,,A,1,,,,,,,", "line 5: deal #4242 does not exist"},
		{"bad id", "abc,X,,A,1,,,,,,,", `line 5: id "abc" is not a deal number`},
		{"id twice", "1,X,,A,1,,,,,,,", "line 5: deal #1 is already updated on line 4"},
		{"empty customer", ",,,A,1,,,,,,,", "line 5: customer is empty"},
		{"bad status", ",X,,A,1,,,maybe,,,,", `line 5: status "maybe": want open, won or lost`},
		{"lost on final stage", ",X,,A,1,,won,lost,,,,", `line 5: stage "won" is the final stage, which means won, but status is lost`},
		{"bad currency", ",X,,A,1,RMB¥,,,,,,", `line 5: currency "RMB¥"`},
		{"unquoted thousands", ",X,,A,1,200,000,,,,,,", "line 5: 13 fields, but the header has 12"},
		{"bare quote", `,X "Y",,A,1,,,,,,,`, `line 5: column 4: bare " in non-quoted-field`},
		{"not UTF-8", ",\xb9\xfe,,A,1,,,,,,,", "line 5: not UTF-8 text"},
	}
	pb := playbook(t, "seven-step")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, c := openDB(t)
			fixture(t, db, c)
			before := export(t, db, pb, "csv")
			in := importHeader + goodRows + tt.row + "\n" + lastRow
			_, _, err := Import(context.Background(), strings.NewReader(in), db, pb, person(t, db, "admin"), "CNY")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant it to contain %q", err, tt.want)
			}
			var le *LineError
			if !errors.As(err, &le) || le.Line != 5 {
				t.Errorf("err = %#v, want a *LineError on line 5", err)
			}
			if after := export(t, db, pb, "csv"); !bytes.Equal(before, after) {
				t.Errorf("a failed import changed the deals:\n%s", after)
			}
			if ps, _ := db.People(context.Background()); len(ps) != 3 {
				t.Errorf("a failed import added people: %d", len(ps))
			}
		})
	}
}

func TestImportHeaderErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "the file is empty"},
		{"unknown column", "customer,colour,size\nX,red,1\n", `line 1: unknown column "colour", "size"; the columns are id, customer,`},
		{"no customer", "title,owner\nX,A\n", "line 1: no customer column"},
		{"no customer to create", "id,title\n,X\n", "line 2: customer is empty"},
		{"no owner", "customer,owner\nX,\n", "line 2: owner is empty"},
		{"twice", "customer,Customer\nX,Y\n", `line 1: column "customer" appears twice`},
	}
	pb := playbook(t, "seven-step")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openDB(t)
			_, _, err := Import(context.Background(), strings.NewReader(tt.in), db, pb, coach.Person{}, "CNY")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if n, _ := db.CountDeals(context.Background()); n != 0 {
				t.Errorf("%d deals after a failed import", n)
			}
		})
	}
}

func TestImportReportsEveryBadRow(t *testing.T) {
	db, _ := openDB(t)
	in := "customer,amount,stage\nA,1,\nB,x,\nC,2,\nD,3,nope\n"
	_, _, err := Import(context.Background(), strings.NewReader(in), db, playbook(t, "project-8"), coach.Person{Name: "A"}, "CNY")
	if err == nil {
		t.Fatal("no error")
	}
	want := "line 3: amount \"x\": want a plain number in major units, like 1200000 or 1,200,000.50\n" +
		"line 5: stage \"nope\" is not a stage of project-8 (met, found, confirmed, criteria, proposal, commit, accept, paid)"
	if err.Error() != want {
		t.Errorf("err =\n%v\nwant\n%s", err, want)
	}
}

func TestImportCreatesAndUpdates(t *testing.T) {
	ctx := context.Background()
	pb := playbook(t, "seven-step")
	db, c := openDB(t)
	fixture(t, db, c)
	c.set("2026-11-25T06:00:00Z")
	mgr := person(t, db, "陈经理")
	in := importHeader + goodRows + lastRow
	created, updated, err := Import(ctx, strings.NewReader(in), db, pb, mgr, "CNY")
	if err != nil || created != 2 || updated != 1 {
		t.Fatalf("Import = %d created, %d updated, %v; want 2, 1", created, updated, err)
	}
	d, _ := db.Deal(ctx, 1)
	if d.Stage != "shortlist" || d.Amount != coach.Major(1_300_000) || d.NextStep != "Send quote" || d.Title != "核心系统升级" {
		t.Errorf("updated deal = %+v", d)
	}
	hist, _ := db.History(ctx, 1)
	var got []string
	for _, e := range hist[1:] {
		got = append(got, fmt.Sprintf("%s %s→%s by %s at %s", e.Kind, e.From, e.To, e.Actor, e.At.Format("01-02 15:04")))
	}
	want := []string{
		"stage approved→shortlist by 陈经理 at 11-25 06:00",
		"amount 1234567.89→1300000 by 陈经理 at 11-25 06:00",
		"next_step 安排技术交流会 @2026-11-28→Send quote @2026-12-05 by 陈经理 at 11-25 06:00",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("history =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	n6, _ := db.Deal(ctx, 6)
	n7, _ := db.Deal(ctx, 7)
	if n6.Customer != "New Co" || n6.NextStep != "Call back\nnext week" || n6.Currency != "CNY" || n6.Stage != "interest" || n6.Owner != "Alice Chen" {
		t.Errorf("created deal 6 = %+v", n6)
	}
	if n7.Amount != 2000050 || n7.Currency != "USD" || n7.Stage != "shortlist" || n7.Owner != "Bob" {
		t.Errorf("created deal 7 = %+v", n7)
	}
}

// TestImportFinalStageRule: the final stage and status won go together.
func TestImportFinalStageRule(t *testing.T) {
	tests := []struct {
		name, row  string // id,customer,stage,status[,lost_reason]
		stage      string
		status     coach.Status
		lostReason string
	}{
		{"final stage wins", ",X,won,,", "won", coach.Won, ""},
		{"final stage by zh name", ",X,成交,open,", "won", coach.Won, ""},
		{"won moves to final", ",X,contract,won,", "won", coach.Won, ""},
		{"lost keeps stage and reason", ",X,shortlist,lost,Too expensive", "shortlist", coach.Lost, "Too expensive"},
		{"reason dropped when open", ",X,Shortlisted,,Too expensive", "shortlist", coach.Open, ""},
		{"alias", ",X,短名单,,", "shortlist", coach.Open, ""},
		{"stage change reopens a won deal", "3,X,contract,,", "contract", coach.Open, ""},
		{"won deal kept won", "3,X,won,,", "won", coach.Won, ""},
		{"lost deal reopened explicitly", "4,X,,open,", "shortlist", coach.Open, ""},
		{"lost deal stays lost", "4,X,shortlist,", "shortlist", coach.Lost, "价格高于竞品 30%"},
	}
	pb := playbook(t, "seven-step")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db, c := openDB(t)
			fixture(t, db, c)
			in := "id,customer,stage,status,lost_reason\n" + tt.row + "\n"
			if strings.Count(tt.row, ",") == 3 { // no lost_reason column: keep the stored one
				in = "id,customer,stage,status\n" + tt.row + "\n"
			}
			if _, _, err := Import(ctx, strings.NewReader(in), db, pb, person(t, db, "A"), "CNY"); err != nil {
				t.Fatal(err)
			}
			id, _, _ := strings.Cut(tt.row, ",")
			if id == "" {
				id = "6"
			}
			var n int64
			fmt.Sscan(id, &n)
			d, err := db.Deal(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			if d.Stage != tt.stage || d.Status != tt.status || d.LostReason != tt.lostReason {
				t.Errorf("deal = %s/%s/%q, want %s/%s/%q", d.Stage, d.Status, d.LostReason, tt.stage, tt.status, tt.lostReason)
			}
		})
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want coach.Money
		ok   bool
	}{
		{"1234567.89", 123456789, true},
		{"0.1", 10, true},
		{"1,200,000", coach.Major(1_200_000), true},
		{"1,200,000.50", 120000050, true},
		{"999", 99900, true},
		{"1,2", 0, false},
		{"12,00", 0, false},
		{"1200,000", 0, false},
		{"-1", 0, false},
		{"1.+5", 0, false},
		{"1e6", 0, false},
		{"¥100", 0, false},
		{"1.234", 0, false},
		{"99999999999999999999", 0, false},
	}
	for _, tt := range tests {
		got, err := parseAmount(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseAmount(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestImportUpdateOnly moves deals with a file of ids and stages only.
func TestImportUpdateOnly(t *testing.T) {
	ctx := context.Background()
	pb := playbook(t, "seven-step")
	db, c := openDB(t)
	fixture(t, db, c)
	_, updated, err := Import(ctx, strings.NewReader("id,stage\n#1,contract\n5,won\n"), db, pb, coach.Person{}, "")
	if err != nil || updated != 2 {
		t.Fatalf("Import = %d updated, %v", updated, err)
	}
	d1, _ := db.Deal(ctx, 1)
	d5, _ := db.Deal(ctx, 5)
	if d1.Stage != "contract" || d1.Customer != "经信银行" || d1.Owner != "张伟" || d1.Amount != 123456789 || d5.Status != coach.Won {
		t.Errorf("deals after import: %+v\n%+v", d1, d5)
	}
}

func TestImportDefaultsAndBOM(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t)
	actor := person(t, db, "王芳")
	in := "\uFEFFCustomer , Amount\n明德教育集团,\"500,000\"\n,\n"
	created, _, err := Import(ctx, strings.NewReader(in), db, playbook(t, "project-8"), actor, "CNY")
	if err != nil || created != 1 {
		t.Fatalf("Import = %d, %v", created, err)
	}
	d, _ := db.Deal(ctx, 1)
	if d.Owner != "王芳" || d.Stage != "met" || d.Status != coach.Open || d.Currency != "CNY" || d.Amount != coach.Major(500_000) {
		t.Errorf("deal = %+v", d)
	}
}

func TestImportLimits(t *testing.T) {
	pb := playbook(t, "seven-step")
	long := "customer\nA\nB" + strings.Repeat("x", MaxLineBytes) + "\nC\n"
	var many strings.Builder
	many.WriteString("customer\n")
	for i := range MaxRows + 1 {
		fmt.Fprintf(&many, "c%d\n", i)
	}
	tests := []struct{ name, in, want string }{
		{"long line", long, "line 3: longer than 64 KiB"},
		{"too many rows", many.String(), fmt.Sprintf("line %d: more than 50000 rows: split the file", MaxRows+2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openDB(t)
			_, _, err := Import(context.Background(), strings.NewReader(tt.in), db, pb, coach.Person{Name: "A"}, "CNY")
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
