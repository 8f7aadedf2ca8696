package coach

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// sevenYAML is the seven-step funnel with its win rates and nothing else.
const sevenYAML = `
key: seven
name: {zh: 七步, en: Seven}
stages:
  - {key: prospect, name: {zh: 待开发, en: Prospect}, win_rate: 0}
  - {key: interest, name: {zh: 意向, en: Interest}, win_rate: 10}
  - {key: approved, name: {zh: 立项, en: Approved}, win_rate: 25}
  - {key: shortlist, name: {zh: 入围, en: Shortlist}, win_rate: 50}
  - {key: contract, name: {zh: 合同, en: Contract}, win_rate: 90}
  - {key: won, name: {zh: 成交, en: Won}, win_rate: 100}
`

func sevenPlaybook(t *testing.T) *Playbook { return playbookOf(t, "seven.yaml", sevenYAML) }

// day is 10:00 UTC on a day of 2026: every event of the dataset happens then.
func day(month, d int) time.Time { return time.Date(2026, time.Month(month), d, 10, 0, 0, 0, time.UTC) }

// midnight is the start of a day of 2026, UTC: periods begin and end there.
func midnight(month, d int) time.Time {
	return time.Date(2026, time.Month(month), d, 0, 0, 0, 0, time.UTC)
}

// story is one deal's history, one change a line "MM-DD change". The first
// line creates it: "MM-DD stage", or "MM-DD stage lost" for a deal imported
// already lost. The others are "stage KEY", "won", "lost", "reopened" and
// "amount N" (major units). Changes apply as the bot applies them (a stage
// move reopens a closed deal, the final stage wins it) and their events are
// made by Diff, as the store makes them.
type story struct {
	id     int64
	amount int64 // major units, at creation
	lines  []string
}

func build(t *testing.T, pb *Playbook, stories []story) ([]Deal, []Event) {
	t.Helper()
	var deals []Deal
	var events []Event
	for _, s := range stories {
		var d Deal
		for i, line := range s.lines {
			f := strings.Fields(line)
			var m, dd int
			if _, err := fmt.Sscanf(f[0], "%d-%d", &m, &dd); err != nil || len(f) < 2 {
				t.Fatalf("deal %d: bad line %q", s.id, line)
			}
			at := day(m, dd)
			before, after := d, d
			switch {
			case i == 0:
				after = Deal{ID: s.id, Customer: fmt.Sprint("customer ", s.id), Amount: Major(s.amount),
					Stage: f[1], Status: Open, CreatedAt: at}
				if f[1] == pb.Final().Key {
					after.Status = Won
				}
				if len(f) == 3 {
					after.Status = Status(f[2])
				}
			case f[1] == "stage":
				after.Stage, after.Status = f[2], Open
				if f[2] == pb.Final().Key {
					after.Status = Won
				}
			case f[1] == "won":
				after.Stage, after.Status = pb.Final().Key, Won
			case f[1] == "lost":
				after.Status = Lost
			case f[1] == "reopened":
				after.Status = Open
			case f[1] == "amount":
				n, err := strconv.ParseInt(f[2], 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				after.Amount = Major(n)
			default:
				t.Fatalf("deal %d: unknown change %q", s.id, line)
			}
			if pb.Index(after.Stage) < 0 {
				t.Fatalf("deal %d: unknown stage in %q", s.id, line)
			}
			for _, e := range Diff(before, after) {
				e.ID, e.DealID, e.At = int64(len(events)+1), s.id, at
				events = append(events, e)
			}
			d = after
			d.UpdatedAt = at
		}
		d.NextStep, d.NextStepDue = "call", Date{2026, 6, 10}
		deals = append(deals, d)
	}
	return deals, events
}

// The dataset: a team's deals from January to June 2026, all events at
// 10:00 UTC. The digest is for the week [May 25, Jun 1): "now" is Jun 1,
// the conversion window [Mar 3, Jun 1). Last week ends May 25, its window
// is [Feb 24, May 25). Events on Jun 2 and 3 happened after the digest's
// period and must not count.
var dataset = []story{
	{1, 100_000, []string{"02-02 prospect", "03-10 stage interest", "04-01 stage approved", "04-20 stage shortlist", "05-05 stage contract", "05-20 won"}},
	{2, 200_000, []string{"03-05 interest", "03-25 stage shortlist", "05-27 won"}},
	{3, 50_000, []string{"01-15 interest", "02-20 stage approved", "03-15 lost"}},
	{4, 300_000, []string{"03-20 prospect", "04-10 stage interest", "04-25 stage approved", "05-12 stage shortlist", "05-26 stage approved"}},
	{5, 80_000, []string{"04-02 prospect", "04-20 stage interest", "05-28 stage approved", "06-03 won"}},
	{6, 150_000, []string{"02-10 approved", "03-01 stage shortlist", "04-15 stage contract", "05-10 lost", "05-29 reopened"}},
	{7, 60_000, []string{"05-26 prospect"}},
	{8, 0, []string{"05-27 interest"}},
	{9, 120_000, []string{"03-12 prospect", "04-05 stage interest", "04-28 lost"}},
	{10, 90_000, []string{"04-08 prospect", "05-04 stage interest", "06-02 amount 95000"}},
	{11, 200_000, []string{"03-01 prospect", "03-20 stage interest", "04-01 amount 250000", "04-10 stage approved", "05-01 stage shortlist", "05-15 stage contract"}},
	{12, 40_000, []string{"04-12 prospect", "05-29 lost"}},
	{13, 100_000, []string{"01-05 approved", "02-26 won"}},
	{14, 70_000, []string{"01-20 prospect", "02-25 lost"}},
	{15, 500_000, []string{"05-27 won"}},          // imported won: no close date
	{16, 30_000, []string{"04-15 interest lost"}}, // imported lost: no close date
}

// Hand-computed numbers of the dataset (amounts in major units).
//
// Funnel at Jun 1 (open deals; #5 is won on Jun 3 and #10's amount changes on Jun 2, after it):
//
//	stage      deals        count  amount   weighted
//	prospect   #7           1       60,000        0
//	interest   #8 #10       2       90,000    9,000   (10% of 0 + 90,000)
//	approved   #4 #5        2      380,000   95,000   (25% of 300,000 + 80,000)
//	shortlist  —            0            0        0
//	contract   #6 #11       2      400,000  360,000   (90% of 150,000 + 250,000)
//	total                   7      930,000  464,000 = forecast
//
// Week [May 25, Jun 1): created #7 (prospect, 60,000), #8 (interest, 0);
// advanced #5 interest→approved; regressed #4 shortlist→approved; won #2
// (200,000); lost #12 (40,000); reopened #6 (150,000). #15 and #16 were
// imported closed: not new deals.
//
// Window [Mar 3, Jun 1), Through / Reached per stage:
//
//	prospect   #1 #2 #4 #5 #7 #8 #9 #10 #11 #12 = 10; reached: all but #7 #12 = 8  → 0.8  measured
//	           (#2 and #8 were created at interest: they passed through prospect)
//	interest   #1 #2 #4 #5 #8 #9 #10 #11 = 8; reached #1 #2 #4 #5 #11 = 5           → 0.625 measured
//	approved   #1 #2 #3 #4 #5 #11 = 6; reached #1 #2 #4 #11 = 4                      → 4/6 measured
//	           (#2 jumped interest→shortlist; #3 was lost; #5 wins only on Jun 3;
//	           #4 reached shortlist, then fell back: still reached)
//	shortlist  #1 #2 #4 #6 #11 = 5; reached #1 #2 #6 #11 = 4                         → 0.8  measured
//	contract   #1 #2 #6 #11 = 4 (< 5); reached #1 #2                                 → 90/100 = 0.9 assumed
//	           (#2 was won from shortlist: it passed through contract)
//
//	                   this week [Mar 3, Jun 1)        last week [Feb 24, May 25)
//	won                #1 (107 d), #2 (83 d)           #1 (107 d), #13 (52 d)
//	lost               #3 #9 #12                        #14 #3 #9 #6 (#6 is reopened only on May 29)
//	win rate           2/5 = 0.4                        2/6 = 0.3333
//	cycle              (107+83)/2 = 95 d                (107+52)/2 = 79.5 d
//	avg size           (100,000+200,000)/2 = 150,000    (100,000+100,000)/2 = 100,000
//	open deals         7                                6 (#2 #4 #5 #10 #11 #12)
//	velocity / day     7×0.4×150,000/95 = 4,421.05      6×(2/6)×100,000/79.5 = 2,515.72
//	change             open +1, win rate +0.0667, size +50,000, cycle +15.5 d, velocity +1,905.33
//
// Balance for a target of 1,000,000: wins needed ⌈1,000,000/150,000⌉ = 7.
//
//	stage      rate   gross            have  needed (net)      missing
//	contract   0.9    ⌈7/0.9⌉ = 8      2     ⌈7/0.9⌉ = 8        6
//	shortlist  0.8    ⌈8/0.8⌉ = 10     0     ⌈6/0.8⌉ = 8        8
//	approved   4/6    ⌈10×6/4⌉ = 15    2     ⌈8×6/4⌉ = 12      10
//	interest   5/8    ⌈15×8/5⌉ = 24    2     ⌈10×8/5⌉ = 16     14
//	prospect   0.8    ⌈24/0.8⌉ = 30    1     ⌈14/0.8⌉ = 18     17 = new prospects
//
// Hygiene (deals as they are now): no dated next step #7 #8 #10; no amount #8.
func datasetAnalytics(t *testing.T) *Analytics {
	t.Helper()
	pb := sevenPlaybook(t)
	deals, events := build(t, pb, dataset)
	for i := range deals {
		switch deals[i].ID {
		case 7, 8:
			deals[i].NextStep, deals[i].NextStepDue = "", Date{}
		case 10:
			deals[i].NextStepDue = Date{}
		}
	}
	return Analyze(pb, deals, events)
}

var cmpOpts = []cmp.Option{
	cmpopts.IgnoreUnexported(StageConversion{}, Window{}),
	cmpopts.EquateApprox(0, 1e-9),
	cmpopts.EquateEmpty(),
}

func tr(id int64, from, to string, at time.Time, amount int64) Transition {
	return Transition{DealID: id, From: from, To: to, At: at, Amount: Major(amount)}
}

func TestDigestDataset(t *testing.T) {
	a := datasetAnalytics(t)
	from, to := midnight(5, 25), midnight(6, 1)
	got := a.Digest(from, to, Major(1_000_000))

	want := DigestNumbers{
		Funnel: Funnel{At: to, Count: 7, Amount: Major(930_000), Forecast: Major(464_000), Stages: []StageFunnel{
			{"prospect", 0, 1, Major(60_000), 0},
			{"interest", 10, 2, Major(90_000), Major(9_000)},
			{"approved", 25, 2, Major(380_000), Major(95_000)},
			{"shortlist", 50, 0, 0, 0},
			{"contract", 90, 2, Major(400_000), Major(360_000)},
		}},
		Movement: Movement{From: from, To: to,
			Created:   []Transition{tr(7, "", "prospect", day(5, 26), 60_000), tr(8, "", "interest", day(5, 27), 0)},
			Advanced:  []Transition{tr(5, "interest", "approved", day(5, 28), 80_000)},
			Regressed: []Transition{tr(4, "shortlist", "approved", day(5, 26), 300_000)},
			Won:       []Transition{tr(2, "shortlist", "won", day(5, 27), 200_000)},
			Lost:      []Transition{tr(12, "prospect", "prospect", day(5, 29), 40_000)},
			Reopened:  []Transition{tr(6, "contract", "contract", day(5, 29), 150_000)},
		},
		Window: Window{From: midnight(3, 3), To: to, Won: 2, Lost: 3,
			WinRate: known(0.4), CycleDays: known(95.0), AvgSize: known(Major(150_000)),
			Stages: []StageConversion{
				{Stage: "prospect", Through: 10, Reached: 8, Rate: 0.8, Measured: true},
				{Stage: "interest", Through: 8, Reached: 5, Rate: 0.625, Measured: true},
				{Stage: "approved", Through: 6, Reached: 4, Rate: 4.0 / 6, Measured: true},
				{Stage: "shortlist", Through: 5, Reached: 4, Rate: 0.8, Measured: true},
				{Stage: "contract", Through: 4, Reached: 2, Rate: 0.9, Measured: false},
			}},
		Velocity: Velocity{At: to, OpenDeals: 7, WinRate: known(0.4), AvgSize: known(Major(150_000)),
			CycleDays: known(95.0), PerDay: known(Money(442105))}, // 7 × 0.4 × 15,000,000 fen ÷ 95 = 442,105.26 fen
		LastVelocity: Velocity{At: from, OpenDeals: 6, WinRate: known(2.0 / 6), AvgSize: known(Major(100_000)),
			CycleDays: known(79.5), PerDay: known(Money(251572))}, // 6 × 2/6 × 10,000,000 fen ÷ 79.5 = 251,572.33 fen
		VelocityChange: Velocity{At: to, OpenDeals: 1, WinRate: known(0.4 - 2.0/6), AvgSize: known(Major(50_000)),
			CycleDays: known(15.5), PerDay: known(Money(442105 - 251572))},
		Balance: Balance{Target: Major(1_000_000), AvgSize: known(Major(150_000)), SizeMeasured: true,
			WinsNeeded: known(7), NewProspects: known(17), Stages: []StageBalance{
				{"prospect", 0.8, true, 1, known(30), known(18), known(17)},
				{"interest", 0.625, true, 2, known(24), known(16), known(14)},
				{"approved", 4.0 / 6, true, 2, known(15), known(12), known(10)},
				{"shortlist", 0.8, true, 0, known(10), known(8), known(8)},
				{"contract", 0.9, false, 2, known(8), known(8), known(6)},
			}},
		Hygiene: Hygiene{NoNextStep: []int64{7, 8, 10}, NoAmount: []int64{8}},
	}
	if diff := cmp.Diff(want, got, cmpOpts...); diff != "" {
		t.Errorf("Digest (-want +got):\n%s", diff)
	}
	if got, want := Total(got.Movement.Won), Major(200_000); got != want {
		t.Errorf("Total(won) = %v, want %v", got, want)
	}
	// The public pieces agree with the digest.
	if v := a.Velocity(to); v != got.Velocity {
		t.Errorf("Velocity = %+v, digest has %+v", v, got.Velocity)
	}
	if b := a.Balance(Major(1_000_000), to); !cmp.Equal(b, got.Balance, cmpOpts...) {
		t.Errorf("Balance = %+v, digest has %+v", b, got.Balance)
	}
}

// TestFunnelLastWeek checks the replay at an earlier moment: stages,
// statuses and amounts as they were on May 25.
func TestFunnelLastWeek(t *testing.T) {
	a := datasetAnalytics(t)
	got := a.Funnel(midnight(5, 25))
	// prospect #12 40,000; interest #5 80,000, #10 90,000; shortlist #2
	// 200,000, #4 300,000; contract #11 250,000.
	want := Funnel{At: midnight(5, 25), Count: 6, Amount: Major(960_000), Stages: []StageFunnel{
		{"prospect", 0, 1, Major(40_000), 0},
		{"interest", 10, 2, Major(170_000), Major(17_000)},
		{"approved", 25, 0, 0, 0},
		{"shortlist", 50, 2, Major(500_000), Major(250_000)},
		{"contract", 90, 1, Major(250_000), Major(225_000)},
	}, Forecast: Major(492_000)}
	if diff := cmp.Diff(want, got, cmpOpts...); diff != "" {
		t.Errorf("Funnel(May 25) (-want +got):\n%s", diff)
	}
	// At midnight on Apr 1, before that day's events: interest holds #1
	// (100,000) and #11 at its amount before the change (200,000).
	wantInterest := StageFunnel{"interest", 10, 2, Major(300_000), Major(30_000)}
	if got := a.Funnel(midnight(4, 1)).Stages[1]; got != wantInterest {
		t.Errorf("interest on Apr 1 = %+v, want %+v", got, wantInterest)
	}
}

func TestDigestEmptyTeam(t *testing.T) {
	a := Analyze(sevenPlaybook(t), nil, nil)
	from, to := midnight(5, 25), midnight(6, 1)
	got := a.Digest(from, to, Major(1_000_000))
	var unknownInt Maybe[int]
	want := DigestNumbers{
		Funnel: Funnel{At: to, Stages: []StageFunnel{
			{Stage: "prospect"}, {Stage: "interest", WinRate: 10}, {Stage: "approved", WinRate: 25},
			{Stage: "shortlist", WinRate: 50}, {Stage: "contract", WinRate: 90},
		}},
		Movement: Movement{From: from, To: to},
		// No data: every rate is assumed from the win rates, 0% ÷ 10% for prospect.
		Window: Window{From: midnight(3, 3), To: to, Stages: []StageConversion{
			{Stage: "prospect", Rate: 0}, {Stage: "interest", Rate: 0.4}, {Stage: "approved", Rate: 0.5},
			{Stage: "shortlist", Rate: 50.0 / 90}, {Stage: "contract", Rate: 0.9},
		}},
		Velocity:       Velocity{At: to},
		LastVelocity:   Velocity{At: from},
		VelocityChange: Velocity{At: to},
		// No size at all: nothing can be worked out.
		Balance: Balance{Target: Major(1_000_000), Stages: []StageBalance{
			{"prospect", 0, false, 0, unknownInt, unknownInt, unknownInt},
			{"interest", 0.4, false, 0, unknownInt, unknownInt, unknownInt},
			{"approved", 0.5, false, 0, unknownInt, unknownInt, unknownInt},
			{"shortlist", 50.0 / 90, false, 0, unknownInt, unknownInt, unknownInt},
			{"contract", 0.9, false, 0, unknownInt, unknownInt, unknownInt},
		}},
	}
	if diff := cmp.Diff(want, got, cmpOpts...); diff != "" {
		t.Errorf("Digest of no deals (-want +got):\n%s", diff)
	}
}

// TestNoWins: with no win in the window the win rate is a known 0 but the
// cycle, the size and velocity are unknown; the balance falls back to the
// open deals' mean amount, and stops at prospect, whose assumed rate is
// 0% ÷ 10%.
func TestNoWins(t *testing.T) {
	pb := sevenPlaybook(t)
	deals, events := build(t, pb, []story{
		{1, 200_000, []string{"04-01 interest"}},
		{2, 100_000, []string{"04-01 prospect", "05-01 lost"}},
		{3, 0, []string{"04-10 approved"}},
	})
	a := Analyze(pb, deals, events)
	to := midnight(6, 1)
	w := a.Window(to)
	if w.Won != 0 || w.Lost != 1 || w.WinRate != known(0.0) || w.CycleDays.OK || w.AvgSize.OK {
		t.Errorf("Window = %+v", w)
	}
	v := a.Velocity(to)
	if want := (Velocity{At: to, OpenDeals: 2, WinRate: known(0.0)}); v != want {
		t.Errorf("Velocity = %+v, want %+v", v, want)
	}
	// Size: #1's 200,000 (#3 has no amount). Wins ⌈500,000/200,000⌉ = 3.
	// contract 90/100: ⌈3/0.9⌉ = 4; shortlist 50/90: ⌈4×90/50⌉ = 8;
	// approved 25/50: 16, holds #3 → 15 missing; interest 10/25: gross 40,
	// net ⌈15×25/10⌉ = 38, holds #1 → 37; prospect 0/10: cannot be reached.
	var unknown Maybe[int]
	want := Balance{Target: Major(500_000), AvgSize: known(Major(200_000)), WinsNeeded: known(3), Stages: []StageBalance{
		{"prospect", 0, false, 0, unknown, unknown, unknown},
		{"interest", 0.4, false, 1, known(40), known(38), known(37)},
		{"approved", 0.5, false, 1, known(16), known(16), known(15)},
		{"shortlist", 50.0 / 90, false, 0, known(8), known(8), known(8)},
		{"contract", 0.9, false, 0, known(4), known(4), known(4)},
	}}
	if diff := cmp.Diff(want, a.Balance(Major(500_000), to), cmpOpts...); diff != "" {
		t.Errorf("Balance (-want +got):\n%s", diff)
	}
}

// TestZeroConversion: five deals went through shortlist in the window and
// none went further, a measured 0. A target the contract stage already
// covers needs nothing from shortlist; a bigger one cannot be reached.
func TestZeroConversion(t *testing.T) {
	pb := sevenPlaybook(t)
	stories := []story{
		{6, 100_000, []string{"02-01 contract", "04-10 won"}}, // 68 days
		{7, 100_000, []string{"02-15 contract"}},
		{8, 100_000, []string{"02-15 contract"}},
	}
	for id := int64(1); id <= 5; id++ {
		s := story{id, 100_000, []string{"04-01 shortlist"}}
		if id <= 3 {
			s.lines = append(s.lines, "05-01 lost")
		}
		stories = append(stories, s)
	}
	deals, events := build(t, pb, stories)
	a := Analyze(pb, deals, events)
	to := midnight(6, 1)

	w := a.Window(to)
	wantStages := []StageConversion{
		{Stage: "prospect", Through: 5, Reached: 5, Rate: 1, Measured: true},
		{Stage: "interest", Through: 5, Reached: 5, Rate: 1, Measured: true},
		{Stage: "approved", Through: 5, Reached: 5, Rate: 1, Measured: true},
		{Stage: "shortlist", Through: 5, Reached: 0, Rate: 0, Measured: true},
		{Stage: "contract", Through: 3, Reached: 1, Rate: 0.9, Measured: false},
	}
	if diff := cmp.Diff(wantStages, w.Stages, cmpOpts...); diff != "" {
		t.Errorf("conversion (-want +got):\n%s", diff)
	}
	// 4 open × 1/4 × 100,000 ÷ 68 days = 1,470.59 a day.
	if v, want := a.Velocity(to), (Velocity{At: to, OpenDeals: 4, WinRate: known(0.25), AvgSize: known(Major(100_000)),
		CycleDays: known(68.0), PerDay: known(Money(147059))}); !cmp.Equal(v, want, cmpOpts...) {
		t.Errorf("Velocity = %+v, want %+v", v, want)
	}

	var unknown Maybe[int]
	zero := known(0)
	tests := []struct {
		target Money
		wins   int
		stages []StageBalance
		top    Maybe[int]
	}{
		{0, 0, []StageBalance{
			{"prospect", 1, true, 0, zero, zero, zero},
			{"interest", 1, true, 0, zero, zero, zero},
			{"approved", 1, true, 0, zero, zero, zero},
			{"shortlist", 0, true, 2, zero, zero, zero},
			{"contract", 0.9, false, 2, zero, zero, zero},
		}, zero},
		// 1 win: contract needs ⌈1/0.9⌉ = 2 and holds 2; from an empty
		// funnel shortlist could never supply them.
		{Major(100_000), 1, []StageBalance{
			{"prospect", 1, true, 0, unknown, zero, zero},
			{"interest", 1, true, 0, unknown, zero, zero},
			{"approved", 1, true, 0, unknown, zero, zero},
			{"shortlist", 0, true, 2, unknown, zero, zero},
			{"contract", 0.9, false, 2, known(2), known(2), zero},
		}, zero},
		// 3 wins: contract needs ⌈3/0.9⌉ = 4, holds 2; the 2 missing
		// cannot come from shortlist.
		{Major(300_000), 3, []StageBalance{
			{"prospect", 1, true, 0, unknown, unknown, unknown},
			{"interest", 1, true, 0, unknown, unknown, unknown},
			{"approved", 1, true, 0, unknown, unknown, unknown},
			{"shortlist", 0, true, 2, unknown, unknown, unknown},
			{"contract", 0.9, false, 2, known(4), known(4), known(2)},
		}, unknown},
	}
	for _, tt := range tests {
		t.Run(tt.target.String(), func(t *testing.T) {
			want := Balance{Target: tt.target, AvgSize: known(Major(100_000)), SizeMeasured: true,
				WinsNeeded: known(tt.wins), Stages: tt.stages, NewProspects: tt.top}
			if diff := cmp.Diff(want, a.Balance(tt.target, to), cmpOpts...); diff != "" {
				t.Errorf("Balance (-want +got):\n%s", diff)
			}
		})
	}
}

// TestZeroAmounts: a win of no amount makes a known size and velocity of
// 0, which the balance cannot divide by: it assumes the open deals' mean.
func TestZeroAmounts(t *testing.T) {
	pb := sevenPlaybook(t)
	deals, events := build(t, pb, []story{
		{1, 0, []string{"03-10 prospect", "05-10 won"}}, // 61 days
		{2, 0, []string{"04-01 interest"}},
		{3, 50_000, []string{"04-05 approved"}},
		{4, 0, []string{"04-01 prospect", "04-20 lost"}},
	})
	a := Analyze(pb, deals, events)
	to := midnight(6, 1)
	got := a.Digest(to.AddDate(0, 0, -7), to, Major(100_000))

	wantFunnel := Funnel{At: to, Count: 2, Amount: Major(50_000), Forecast: Major(12_500), Stages: []StageFunnel{
		{"prospect", 0, 0, 0, 0},
		{"interest", 10, 1, 0, 0},
		{"approved", 25, 1, Major(50_000), Major(12_500)},
		{"shortlist", 50, 0, 0, 0},
		{"contract", 90, 0, 0, 0},
	}}
	if diff := cmp.Diff(wantFunnel, got.Funnel, cmpOpts...); diff != "" {
		t.Errorf("Funnel (-want +got):\n%s", diff)
	}
	wantV := Velocity{At: to, OpenDeals: 2, WinRate: known(0.5), AvgSize: known(Money(0)),
		CycleDays: known(61.0), PerDay: known(Money(0))}
	if !cmp.Equal(got.Velocity, wantV, cmpOpts...) {
		t.Errorf("Velocity = %+v, want %+v", got.Velocity, wantV)
	}
	b := got.Balance
	if b.SizeMeasured || b.AvgSize != known(Major(50_000)) || b.WinsNeeded != known(2) {
		t.Errorf("Balance size %+v measured %v, wins %+v; want an assumed 50,000 and 2 wins", b.AvgSize, b.SizeMeasured, b.WinsNeeded)
	}
	if want := (Hygiene{NoAmount: []int64{2}}); !cmp.Equal(got.Hygiene, want, cmpOpts...) {
		t.Errorf("Hygiene = %+v, want %+v", got.Hygiene, want)
	}
}

// TestInstantWin: a deal won in the moment it was created has a cycle of
// 0 days: known, but velocity cannot divide by it.
func TestInstantWin(t *testing.T) {
	pb := sevenPlaybook(t)
	deals, events := build(t, pb, []story{{1, 10_000, []string{"05-20 prospect", "05-20 won"}}})
	a := Analyze(pb, deals, events)
	from, to := midnight(5, 18), midnight(5, 25)
	v := a.Velocity(to)
	if v.CycleDays != known(0.0) || v.AvgSize != known(Major(10_000)) || v.PerDay.OK {
		t.Errorf("Velocity = %+v, want a 0-day cycle and unknown velocity", v)
	}
	m := a.Movement(from, to)
	wantM := Movement{From: from, To: to,
		Created: []Transition{tr(1, "", "prospect", day(5, 20), 10_000)},
		Won:     []Transition{tr(1, "prospect", "won", day(5, 20), 10_000)},
	}
	if diff := cmp.Diff(wantM, m, cmpOpts...); diff != "" {
		t.Errorf("Movement (-want +got):\n%s", diff)
	}
}

// TestPeriodBounds: a period holds its start, not its end.
func TestPeriodBounds(t *testing.T) {
	pb := sevenPlaybook(t)
	from, to := midnight(5, 25), midnight(6, 1)
	deals := []Deal{
		{ID: 1, Stage: "prospect", Status: Open, Amount: Major(10), CreatedAt: from},
		{ID: 2, Stage: "won", Status: Won, Amount: Major(20), CreatedAt: day(5, 1)},
	}
	events := []Event{
		{ID: 1, DealID: 1, Kind: EvCreated, To: "prospect", At: from},
		{ID: 2, DealID: 2, Kind: EvCreated, To: "contract", At: day(5, 1)},
		{ID: 3, DealID: 2, Kind: EvStage, From: "contract", To: "won", At: to},
		{ID: 4, DealID: 2, Kind: EvWon, From: "open", At: to},
	}
	a := Analyze(pb, deals, events)
	m := a.Movement(from, to)
	if len(m.Created) != 1 || m.Created[0].DealID != 1 || len(m.Won) != 0 {
		t.Errorf("Movement = %+v, want #1 created and nothing won", m)
	}
	if f := a.Funnel(to); f.Count != 2 || f.Stages[4].Count != 1 {
		t.Errorf("Funnel at the end = %+v, want #2 still open at contract", f)
	}
	if w := a.Window(to); w.Won != 0 {
		t.Errorf("Window won %d, want 0", w.Won)
	}
	if next := a.Movement(to, to.AddDate(0, 0, 7)); len(next.Won) != 1 || next.Won[0].DealID != 2 {
		t.Errorf("next week's Movement = %+v, want #2 won", next)
	}
}

// TestThroughExact: the balance's ceilings are exact; in floating point
// 21 ÷ 0.7 is 30.000000000000004, which would ask for 31 deals.
func TestThroughExact(t *testing.T) {
	tests := []struct {
		next     Maybe[int]
		num, den int64
		want     Maybe[int]
	}{
		{known(21), 7, 10, known(30)},
		{known(15), 3, 11, known(55)},
		{known(7), 90, 100, known(8)},
		{known(8), 4, 6, known(12)},
		{known(0), 0, 5, known(0)}, // nothing needed: no rate needed
		{known(3), 0, 5, Maybe[int]{}},
		{Maybe[int]{}, 1, 2, Maybe[int]{}},
	}
	for _, tt := range tests {
		c := StageConversion{Rate: float64(tt.num) / float64(tt.den), num: tt.num, den: tt.den}
		if got := c.through(tt.next); got != tt.want {
			t.Errorf("⌈%+v × %d/%d⌉ = %+v, want %+v", tt.next, tt.den, tt.num, got, tt.want)
		}
	}
}

// TestImportedClosedThenReopened: a deal imported lost counts from the
// moment it is reopened, as a deal entering the stage it is moved to.
func TestImportedClosedThenReopened(t *testing.T) {
	pb := sevenPlaybook(t)
	deals, events := build(t, pb, []story{{1, 10_000, []string{"04-15 interest lost", "05-10 stage approved"}}})
	a := Analyze(pb, deals, events)
	to := midnight(6, 1)
	var through []int
	for _, c := range a.Window(to).Stages {
		through = append(through, c.Through)
	}
	if want := []int{0, 0, 1, 0, 0}; !cmp.Equal(through, want) {
		t.Errorf("Through by stage = %v, want %v", through, want)
	}
	m := a.Movement(midnight(4, 1), to)
	want := Movement{From: midnight(4, 1), To: to,
		Advanced: []Transition{tr(1, "interest", "approved", day(5, 10), 10_000)},
		Reopened: []Transition{tr(1, "interest", "approved", day(5, 10), 10_000)},
	}
	if diff := cmp.Diff(want, m, cmpOpts...); diff != "" {
		t.Errorf("Movement (-want +got):\n%s", diff)
	}
	if f := a.Funnel(to); f.Stages[2].Count != 1 || a.Funnel(midnight(5, 1)).Count != 0 {
		t.Errorf("Funnel: want the deal open at approved only after May 10")
	}
}

// TestPartialHistory: the events since HistoryStart are enough; the digest
// is the same as with every event since January.
func TestPartialHistory(t *testing.T) {
	pb := sevenPlaybook(t)
	deals, events := build(t, pb, dataset)
	from, to := midnight(5, 25), midnight(6, 1)
	full := Analyze(pb, deals, events).Digest(from, to, Major(1_000_000))

	start := HistoryStart(from)
	if start != midnight(2, 24) {
		t.Fatalf("HistoryStart = %v, want Feb 24", start)
	}
	var recent []Event
	for _, e := range events {
		if !e.At.Before(start) {
			recent = append(recent, e)
		}
	}
	if len(recent) == len(events) {
		t.Fatal("the dataset has no event before HistoryStart")
	}
	got := Analyze(pb, deals, recent).Digest(from, to, Major(1_000_000))
	if diff := cmp.Diff(full, got, cmpOpts...); diff != "" {
		t.Errorf("Digest from recent events (-full +recent):\n%s", diff)
	}
}
