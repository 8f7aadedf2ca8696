package coach

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // the zone tests must not depend on the machine's zoneinfo
)

// nudgeYAML has one stage per win rate the ranking tests need; its own copy
// so the nudge tests do not move with the other rule tests.
const nudgeYAML = `
key: nudge
name: {zh: 提醒, en: Nudge}
factors:
  - {key: budget, name: {zh: 预算, en: Budget}}
stages:
  - key: lead
    name: {zh: 线索, en: Lead}
    win_rate: 0
    stale_days: 10
    questions:
      - {key: lead.need, text: {zh: "需求?", en: "Need?"}, required: true}
      - {key: lead.next_step, text: {zh: "下一步?", en: "Next?"}, required: true}
  - key: demo
    name: {zh: 演示, en: Demo}
    win_rate: 30
    stale_days: 10
    questions:
      - {key: demo.fit, text: {zh: "匹配?", en: "Fit?"}, required: true}
      - {key: demo.who, text: {zh: "谁?", en: "Who?"}}
      - {key: demo.next_step, text: {zh: "下一步?", en: "Next?"}, required: true}
  - key: short
    name: {zh: 入围, en: Short}
    win_rate: 50
    stale_days: 20
  - key: won
    name: {zh: 赢, en: Won}
    win_rate: 100
`

func nudgePlaybook(t *testing.T) *Playbook { return playbookOf(t, "nudge.yaml", nudgeYAML) }

// nudgeToday is a Tuesday.
var nudgeToday = Date{2026, 11, 24}

// healthyDeal is an open demo deal with nothing to say about it: a fresh
// stage, a next step the day after tomorrow and its required answers.
func healthyDeal(id int64, amount int64) Deal {
	return Deal{ID: id, Customer: fmt.Sprint("c", id), Status: Open, Stage: "demo", Amount: Major(amount),
		StageSince: nudgeToday.AddDays(-2).In(time.UTC), NextStep: "call", NextStepDue: nudgeToday.AddDays(2)}
}

func answered(ids ...int64) map[int64]DealFacts {
	m := make(map[int64]DealFacts)
	for _, id := range ids {
		m[id] = DealFacts{Answers: map[string]Answer{"demo.fit": {Status: Answered}}}
	}
	return m
}

// ids lists the deal ids of items, in order.
func ids(items []NudgeItem) string {
	var s []int64
	for _, it := range items {
		s = append(s, it.Deal.ID)
	}
	return fmt.Sprint(s)
}

// leftToCard gives a deal only risks the reminder does not name: W marks,
// exit criteria left behind, no decision maker by the shortlist.
func leftToCard(d *Deal, f *DealFacts) {
	d.Stage = "short"
	f.Marks = map[string]Mark{"budget": Warning}
	f.Left = []string{"lead"}
}

// TestNudgeReasons table-tests the rules of the daily list and the
// weekly fields with a fixed clock (nudgeToday, a Tuesday).
func TestNudgeReasons(t *testing.T) {
	pb := nudgePlaybook(t)
	ago := func(days int) time.Time { return nudgeToday.AddDays(-days).In(time.UTC) }
	tests := []struct {
		name       string
		edit       func(d *Deal, f *DealFacts)
		reasons    string // "" when the deal needs nothing today
		stale      int    // weekly: days in stage past its limit
		unanswered int    // weekly: required questions open
		listed     bool   // an item at all (today, or this week)
	}{
		{"healthy", func(d *Deal, f *DealFacts) {}, "", 0, 0, false},
		{"next step due today", func(d *Deal, f *DealFacts) { d.NextStepDue = nudgeToday }, "[{next_due 0}]", 0, 0, true},
		{"next step overdue", func(d *Deal, f *DealFacts) { d.NextStepDue = nudgeToday.AddDays(-3) }, "[{next_overdue 3}]", 0, 0, true},
		{"no next step, without also counting its question", func(d *Deal, f *DealFacts) { d.NextStep = "" }, "[{next_missing 0}]", 0, 0, true},
		{"next step without a date", func(d *Deal, f *DealFacts) { d.NextStepDue = Date{} }, "[{next_missing 0}]", 0, 0, true},
		{"no next step and another question open: the question waits for the week", func(d *Deal, f *DealFacts) { d.NextStep, f.Answers = "", nil },
			"[{next_missing 0}]", 0, 1, true},
		{"long in its stage but worked on yesterday: weekly only", func(d *Deal, f *DealFacts) {
			d.StageSince, d.UpdatedAt = ago(30), ago(1)
		}, "", 30, 0, true},
		{"no activity for the stage's stale days", func(d *Deal, f *DealFacts) { d.StageSince, d.UpdatedAt = ago(11), ago(11) }, "[{quiet 11}]", 11, 0, true},
		{"activity on the stage's limit is not quiet", func(d *Deal, f *DealFacts) { d.StageSince, d.UpdatedAt = ago(20), ago(10) }, "", 20, 0, true},
		{"a stage move is activity", func(d *Deal, f *DealFacts) { d.StageSince, d.UpdatedAt = ago(3), ago(40) }, "", 0, 0, false},
		{"on the stage's limit is not stale", func(d *Deal, f *DealFacts) { d.StageSince = ago(10) }, "", 0, 0, false},
		{"expected close passed", func(d *Deal, f *DealFacts) { d.ExpectedClose = nudgeToday.AddDays(-2) }, "[{close_passed 2}]", 0, 0, true},
		{"expected close today has not passed", func(d *Deal, f *DealFacts) { d.ExpectedClose = nudgeToday }, "", 0, 0, false},
		{"coaching questions pending: weekly only", func(d *Deal, f *DealFacts) { f.Answers = nil }, "", 0, 1, true},
		{"a skipped question is still pending", func(d *Deal, f *DealFacts) {
			f.Answers = map[string]Answer{"demo.fit": {Status: Skipped}}
		}, "", 0, 1, true},
		{"risks a reminder leaves to the card", leftToCard, "", 0, 0, false},
		{"grouped in one item, the next step first, quiet last", func(d *Deal, f *DealFacts) {
			d.StageSince = ago(12)
			d.NextStepDue, d.ExpectedClose, f.Answers = nudgeToday, nudgeToday.AddDays(-1), nil
		}, "[{next_due 0} {close_passed 1} {quiet 12}]", 12, 1, true},
		{"snoozed", func(d *Deal, f *DealFacts) { d.NextStepDue, d.SnoozedUntil = nudgeToday, nudgeToday.AddDays(1) }, "", 0, 0, false},
	}
	d, f := healthyDeal(1, 100), DealFacts{}
	leftToCard(&d, &f)
	if got := fmt.Sprint(pb.Flags(d, f, nudgeToday)); got != "[{no_exit_criteria 1} {no_decision_maker 0} {w_factors 1}]" {
		t.Fatalf("the case left to the card has flags %s", got)
	}
	for _, tt := range tests {
		d, f := healthyDeal(1, 100), answered(1)
		fact := f[1]
		tt.edit(&d, &fact)
		f[1] = fact
		items := pb.NudgeItems([]Deal{d}, f, nudgeToday, NudgeRules{})
		if len(items) > 1 || (len(items) == 1) != tt.listed {
			t.Errorf("%s: %d items, want listed=%v", tt.name, len(items), tt.listed)
			continue
		}
		if len(items) == 0 {
			continue
		}
		it := items[0]
		if got := fmt.Sprint(it.Reasons); (tt.reasons == "" && it.Today()) || (tt.reasons != "" && got != tt.reasons) {
			t.Errorf("%s: reasons %q, want %q", tt.name, got, tt.reasons)
		}
		if it.Stale != tt.stale || it.Unanswered != tt.unanswered {
			t.Errorf("%s: weekly stale %d, unanswered %d; want %d, %d", tt.name, it.Stale, it.Unanswered, tt.stale, tt.unanswered)
		}
	}
}

// TestNudgeWeekLine: the weekly fields reach the reminder on WeeklyDay only,
// and never fill the daily list.
func TestNudgeWeekLine(t *testing.T) {
	pb := nudgePlaybook(t)
	mon := nudgeToday.AddDays(-1)
	stale := healthyDeal(1, 100)
	stale.StageSince, stale.UpdatedAt = mon.AddDays(-30).In(time.UTC), mon.AddDays(-1).In(time.UTC)
	open := healthyDeal(2, 200) // coaching open
	due := healthyDeal(3, 300)
	due.NextStepDue = mon
	deals := []Deal{stale, open, due}
	facts := answered(1, 3)
	n := pb.Nudge(deals, facts, mon, NudgeRules{})
	if ids(n.Items) != "[3]" || n.Week != (WeekLine{Stale: 1, Unanswered: 1}) {
		t.Errorf("Monday: items %s, week %+v", ids(n.Items), n.Week)
	}
	tue := pb.Nudge(deals, facts, mon.AddDays(1), NudgeRules{})
	if !tue.Week.Empty() || ids(tue.Items) != "[3]" || tue.Items[0].overdue() != 1 {
		t.Errorf("Tuesday: items %s, week %+v; want [3] overdue and no week line", ids(tue.Items), tue.Week)
	}
	if n := pb.Nudge(deals[:2], facts, mon.AddDays(1), NudgeRules{}); !n.Empty() {
		t.Errorf("Tuesday without due steps: %+v, want nothing", n)
	}
	if n := pb.Nudge(deals[:2], facts, mon, NudgeRules{}); n.Empty() || len(n.Items) != 0 {
		t.Errorf("Monday, weekly only: %+v, want a week line and no items", n)
	}
}

func TestNudgeSkips(t *testing.T) {
	pb := nudgePlaybook(t)
	due := func(edit func(d *Deal)) Deal {
		d := healthyDeal(1, 100)
		d.NextStepDue = nudgeToday.AddDays(-1)
		edit(&d)
		return d
	}
	tests := []struct {
		name string
		deal Deal
		want bool
	}{
		{"overdue deal", due(func(d *Deal) {}), true},
		{"snoozed until tomorrow", due(func(d *Deal) { d.SnoozedUntil = nudgeToday.AddDays(1) }), false},
		{"snooze ends today: reminders resume", due(func(d *Deal) { d.SnoozedUntil = nudgeToday }), true},
		{"snooze ended yesterday", due(func(d *Deal) { d.SnoozedUntil = nudgeToday.AddDays(-1) }), true},
		{"won", due(func(d *Deal) { d.Status = Won }), false},
		{"lost", due(func(d *Deal) { d.Status = Lost }), false},
	}
	for _, tt := range tests {
		n := pb.Nudge([]Deal{tt.deal}, answered(1), nudgeToday, NudgeRules{})
		if got := !n.Empty(); got != tt.want {
			t.Errorf("%s: in the reminder = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestNudgeNothingToSay(t *testing.T) {
	pb := nudgePlaybook(t)
	deals := []Deal{healthyDeal(1, 100), healthyDeal(2, 200)}
	if n := pb.Nudge(deals, answered(1, 2), nudgeToday, NudgeRules{}); !n.Empty() || n.More != 0 {
		t.Errorf("healthy deals gave %+v", n)
	}
	if n := pb.Nudge(nil, nil, nudgeToday, NudgeRules{}); !n.Empty() || n.More != 0 {
		t.Errorf("no deals gave %+v", n)
	}
}

func TestNudgeRanking(t *testing.T) {
	pb := nudgePlaybook(t)
	mk := func(id int64, stage string, amount int64, overdue int) Deal {
		d := healthyDeal(id, amount)
		d.Stage, d.NextStepDue = stage, nudgeToday.AddDays(-overdue)
		return d
	}
	tests := []struct {
		name  string
		deals []Deal
		want  string
	}{
		// weighted: 1: 100k×0% = 0, 2: 50k×30% = 15k, 3: 20k×50% = 10k, 4: 40k×30% = 12k
		{"by weighted amount, not amount", []Deal{mk(1, "lead", 100_000, 1), mk(2, "demo", 50_000, 1),
			mk(3, "short", 20_000, 1), mk(4, "demo", 40_000, 1)}, "[2 4 3 1]"},
		{"tie: the most overdue first", []Deal{mk(1, "demo", 10_000, 1), mk(2, "demo", 10_000, 5),
			mk(3, "short", 6_000, 3)}, "[2 3 1]"},
		{"tie: due today after overdue", []Deal{mk(1, "demo", 10_000, 0), mk(2, "demo", 10_000, 1)}, "[2 1]"},
		{"tie on both: by id", []Deal{mk(9, "lead", 5_000, 2), mk(3, "lead", 80_000, 2), mk(5, "lead", 1, 2)}, "[3 5 9]"},
	}
	for _, tt := range tests {
		items := pb.NudgeItems(tt.deals, nil, nudgeToday, NudgeRules{})
		if got := ids(items); got != tt.want {
			t.Errorf("%s: order %s, want %s", tt.name, got, tt.want)
		}
	}
	items := pb.NudgeItems([]Deal{mk(2, "demo", 50_000, 1)}, nil, nudgeToday, NudgeRules{})
	if len(items) != 1 || items[0].Priority != Major(15_000) {
		t.Errorf("priority = %+v, want %v", items, Major(15_000))
	}
}

// TestSortItemsMatchesSort checks the in-place sort of nudge items, which
// moves each item once along its permutation's cycles, against a plain
// sort on many shuffles with ties, and that each item keeps its reasons.
func TestSortItemsMatchesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 60 {
		items := make([]NudgeItem, n)
		for i := range items {
			items[i] = NudgeItem{Deal: Deal{ID: int64(i + 1), Customer: fmt.Sprint("c", i)},
				Priority: Money(r.IntN(4)), Reasons: []Flag{{FlagNextOverdue, r.IntN(3)}, {FlagUnanswered, i}}}
		}
		r.Shuffle(n, func(i, j int) { items[i], items[j] = items[j], items[i] })
		want := slices.Clone(items)
		slices.SortFunc(want, func(a, b NudgeItem) int {
			return cmp.Or(cmp.Compare(b.Priority, a.Priority), cmp.Compare(b.overdue(), a.overdue()), cmp.Compare(a.Deal.ID, b.Deal.ID))
		})
		sortItems(items)
		for i := range items {
			if got := items[i]; got.Deal.ID != want[i].Deal.ID || got.Deal.Customer != fmt.Sprint("c", got.Deal.ID-1) ||
				got.Reasons[1].N != int(got.Deal.ID-1) {
				t.Fatalf("n=%d: position %d holds %+v, want deal %d", n, i, got, want[i].Deal.ID)
			}
		}
	}
}

func TestNudgeCap(t *testing.T) {
	pb := nudgePlaybook(t)
	var deals []Deal
	for id := int64(1); id <= 7; id++ {
		d := healthyDeal(id, 1000*id)
		d.NextStep = ""
		deals = append(deals, d)
	}
	tests := []struct {
		cap        int
		deals      int
		want       string
		more       int
		emptyAfter bool
	}{
		{0, 7, "[7 6 5 4 3]", 2, false}, // the default: 5
		{3, 7, "[7 6 5]", 4, false},
		{5, 5, "[5 4 3 2 1]", 0, false},
		{10, 7, "[7 6 5 4 3 2 1]", 0, false},
		{1, 1, "[1]", 0, false},
	}
	for _, tt := range tests {
		n := pb.Nudge(deals[:tt.deals], nil, nudgeToday, NudgeRules{Cap: tt.cap})
		if got := ids(n.Items); got != tt.want || n.More != tt.more {
			t.Errorf("cap %d over %d deals: %s and %d more, want %s and %d more", tt.cap, tt.deals, got, n.More, tt.want, tt.more)
		}
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	fri := Date{2026, 11, 20}
	tests := []struct {
		a, b Date
		want int
	}{
		{fri, fri, 0},
		{fri, fri.AddDays(1), 0}, // Saturday
		{fri, fri.AddDays(2), 0}, // Sunday
		{fri, fri.AddDays(3), 1}, // Monday
		{fri.AddDays(1), fri.AddDays(3), 1},
		{fri.AddDays(-4), fri, 4}, // Monday to Friday: Tuesday–Friday
		{fri, fri.AddDays(7), 5},
		{fri, fri.AddDays(14), 10},
		{fri, fri.AddDays(17), 11},
		{fri.AddDays(-3), fri.AddDays(18), 15},    // three weeks, Tuesday to Tuesday
		{Date{2026, 12, 31}, Date{2027, 1, 4}, 2}, // across the year: Fri 1 Jan, Mon 4 Jan
		{fri, fri.AddDays(-5), 0},
	}
	for _, tt := range tests {
		if got := WorkingDaysBetween(tt.a, tt.b); got != tt.want {
			t.Errorf("WorkingDaysBetween(%v %v, %v %v) = %d, want %d", tt.a, tt.a.Weekday(), tt.b, tt.b.Weekday(), got, tt.want)
		}
	}
	// Against a day-by-day count, from every weekday over four weeks.
	for start := 0; start < 7; start++ {
		a := fri.AddDays(start)
		want := 0
		for n := 0; n <= 28; n++ {
			if n > 0 {
				if wd := a.AddDays(n).Weekday(); wd != time.Saturday && wd != time.Sunday {
					want++
				}
			}
			if got := WorkingDaysBetween(a, a.AddDays(n)); got != want {
				t.Fatalf("WorkingDaysBetween(%v, +%d days) = %d, want %d", a, n, got, want)
			}
		}
	}
}

func TestNudgeEscalation(t *testing.T) {
	pb := nudgePlaybook(t)
	// The demo stage allows 10 days; limit is the last day that is not stale.
	since := func(limit Date) time.Time { return limit.AddDays(-10).In(time.UTC) }
	tue := nudgeToday
	tests := []struct {
		name      string
		today     Date
		limit     Date
		rules     NudgeRules
		overLimit int
		level     int
	}{
		{"not stale", tue, tue, NudgeRules{}, 0, 0},
		{"2 working days past", tue, Date{2026, 11, 20}, NudgeRules{}, 2, 0},
		{"exactly 3", tue, Date{2026, 11, 19}, NudgeRules{}, 3, 1},
		{"4", tue, Date{2026, 11, 18}, NudgeRules{}, 4, 1},
		{"exactly 5", tue, Date{2026, 11, 17}, NudgeRules{}, 5, 2},
		{"6", tue, Date{2026, 11, 16}, NudgeRules{}, 6, 2},
		{"exactly 7", tue, Date{2026, 11, 13}, NudgeRules{}, 7, 3},
		{"far past stays at the top level", tue, Date{2026, 10, 1}, NudgeRules{}, 38, 3},
		{"a weekend does not count", Date{2026, 11, 23}, Date{2026, 11, 18}, NudgeRules{}, 3, 1}, // Wed→Mon: 5 calendar days
		{"configured 1,2: exactly 2", tue, Date{2026, 11, 20}, NudgeRules{Escalation: []int{1, 2}}, 2, 2},
		{"configured 1,2: 1", tue, Date{2026, 11, 23}, NudgeRules{Escalation: []int{1, 2}}, 1, 1},
		{"configured 10: 7 is below", tue, Date{2026, 11, 13}, NudgeRules{Escalation: []int{10}}, 7, 0},
		{"turned off", tue, Date{2026, 10, 1}, NudgeRules{Escalation: []int{}}, 38, 0},
	}
	for _, tt := range tests {
		d := healthyDeal(1, 100)
		d.StageSince, d.NextStepDue = since(tt.limit), tt.today // due today: in the reminder even when fresh
		items := pb.NudgeItems([]Deal{d}, answered(1), tt.today, tt.rules)
		if len(items) != 1 {
			t.Fatalf("%s: %d items", tt.name, len(items))
		}
		if it := items[0]; it.OverLimit != tt.overLimit || it.Escalation != tt.level {
			t.Errorf("%s: %d working days past, level %d; want %d, level %d", tt.name, it.OverLimit, it.Escalation, tt.overLimit, tt.level)
		}
	}
}

func TestManagerEscalations(t *testing.T) {
	pb := nudgePlaybook(t)
	deal := func(id, owner, amount int64, limit Date) Deal {
		d := healthyDeal(id, amount)
		d.OwnerID, d.StageSince = owner, limit.AddDays(-10).In(time.UTC)
		return d
	}
	deals := []Deal{
		deal(1, 10, 900, Date{2026, 11, 19}), // level 1: the rep only
		deal(2, 10, 100, Date{2026, 11, 17}), // level 2
		deal(3, 20, 500, Date{2026, 11, 13}), // level 3
		deal(4, 20, 800, Date{2026, 11, 16}), // level 2, worth more than 2
		deal(5, 20, 999, Date{2026, 11, 2}),  // level 3 but snoozed
	}
	deals[4].SnoozedUntil = nudgeToday.AddDays(2)
	// Rep 10 has more deals than the cap; the escalated one is the least valuable.
	for id := int64(6); id <= 10; id++ {
		d := healthyDeal(id, 1000*id)
		d.OwnerID, d.NextStep = 10, ""
		deals = append(deals, d)
	}
	items := pb.NudgeItems(deals, answered(1, 2, 3, 4, 5), nudgeToday, NudgeRules{})
	if got := ids(ManagerEscalations(items)); got != "[3 4 2]" {
		t.Errorf("manager sees %s, want [3 4 2]", got)
	}
	rep := pb.Nudge(deals[:2:2], answered(1, 2), nudgeToday, NudgeRules{Cap: 1})
	if ids(rep.Items) != "[1]" || rep.More != 1 {
		t.Errorf("rep 10 capped to 1: %s and %d more", ids(rep.Items), rep.More)
	}
	if got := ids(ManagerEscalations(pb.NudgeItems(deals[:2], answered(1, 2), nudgeToday, NudgeRules{Cap: 1}))); got != "[2]" {
		t.Errorf("a deal left out by the rep's cap still escalates: got %s", got)
	}
	if got := ManagerEscalations(pb.NudgeItems(deals[:1], answered(1), nudgeToday, NudgeRules{})); len(got) != 0 {
		t.Errorf("level 1 reached the manager: %s", ids(got))
	}
}

func TestNudgeRulesCheck(t *testing.T) {
	tests := []struct {
		rules NudgeRules
		ok    bool
	}{
		{NudgeRules{}, true},
		{NudgeRules{Cap: 3, Escalation: []int{2, 4}}, true},
		{NudgeRules{Escalation: []int{}}, true},
		{NudgeRules{Cap: -1}, false},
		{NudgeRules{Escalation: []int{5, 3}}, false},
		{NudgeRules{Escalation: []int{3, 3}}, false},
		{NudgeRules{Escalation: []int{0, 3}}, false},
	}
	for _, tt := range tests {
		if err := tt.rules.Check(); (err == nil) != tt.ok {
			t.Errorf("Check(%+v) = %v, want ok=%v", tt.rules, err, tt.ok)
		}
	}
}

func TestNudgeDue(t *testing.T) {
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	sh, ny, be := zone("Asia/Shanghai"), zone("America/New_York"), zone("Europe/Berlin")
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name     string
		loc      *time.Location
		now      string // UTC
		weekends bool
		date     Date
		due      bool
	}{
		{"Shanghai 09:00 is 01:00 UTC", sh, "2026-11-24T01:00:00Z", false, Date{2026, 11, 24}, true},
		{"Shanghai 08:59", sh, "2026-11-24T00:59:59Z", false, Date{2026, 11, 24}, false},
		{"Shanghai's Tuesday starts on UTC's Monday", sh, "2026-11-23T23:30:00Z", false, Date{2026, 11, 24}, false},
		{"Shanghai evening, still the same day", sh, "2026-11-24T12:00:00Z", false, Date{2026, 11, 24}, true},
		{"Shanghai Saturday is UTC Friday", sh, "2026-11-27T17:00:00Z", false, Date{2026, 11, 28}, false},
		{"NY Friday evening is UTC Saturday", ny, "2026-11-28T02:00:00Z", false, Date{2026, 11, 27}, true},
		{"Shanghai Saturday with weekends", sh, "2026-11-27T17:00:00Z", true, Date{2026, 11, 28}, false}, // 01:00 local
		{"Shanghai Saturday 09:00 with weekends", sh, "2026-11-28T01:00:00Z", true, Date{2026, 11, 28}, true},

		// New York springs forward on Sunday 2026-03-08: EST (UTC−5) → EDT (UTC−4).
		{"NY Fri before: 09:00 EST = 14:00 UTC", ny, "2026-03-06T14:00:00Z", false, Date{2026, 3, 6}, true},
		{"NY Fri before: 13:00 UTC is 08:00", ny, "2026-03-06T13:00:00Z", false, Date{2026, 3, 6}, false},
		{"NY Sun of the change skipped", ny, "2026-03-08T15:00:00Z", false, Date{2026, 3, 8}, false},
		{"NY Sun of the change, weekends: 09:00 EDT", ny, "2026-03-08T13:00:00Z", true, Date{2026, 3, 8}, true},
		{"NY Sun of the change, weekends: 08:59 EDT", ny, "2026-03-08T12:59:00Z", true, Date{2026, 3, 8}, false},
		{"NY Mon after: 09:00 EDT = 13:00 UTC", ny, "2026-03-09T13:00:00Z", false, Date{2026, 3, 9}, true},
		{"NY Mon after: 12:59 UTC is 08:59", ny, "2026-03-09T12:59:59Z", false, Date{2026, 3, 9}, false},
		// and falls back on Sunday 2026-11-01: EDT → EST.
		{"NY Fri before: 09:00 EDT = 13:00 UTC", ny, "2026-10-30T13:00:00Z", false, Date{2026, 10, 30}, true},
		{"NY Fri before: 12:30 UTC is 08:30", ny, "2026-10-30T12:30:00Z", false, Date{2026, 10, 30}, false},
		{"NY Sun of the change, weekends: 09:00 EST", ny, "2026-11-01T14:00:00Z", true, Date{2026, 11, 1}, true},
		{"NY Sun of the change, weekends: 13:00 UTC is 08:00 EST", ny, "2026-11-01T13:00:00Z", true, Date{2026, 11, 1}, false},
		{"NY Sun of the change skipped", ny, "2026-11-01T14:00:00Z", false, Date{2026, 11, 1}, false},
		{"NY Mon after: 09:00 EST = 14:00 UTC", ny, "2026-11-02T14:00:00Z", false, Date{2026, 11, 2}, true},
		{"NY Mon after: 13:00 UTC is 08:00", ny, "2026-11-02T13:00:00Z", false, Date{2026, 11, 2}, false},
		{"NY late evening is still that day", ny, "2026-11-03T04:30:00Z", false, Date{2026, 11, 2}, true},

		// Berlin springs forward on Sunday 2026-03-29: CET (UTC+1) → CEST (UTC+2).
		{"Berlin Fri before: 09:00 CET = 08:00 UTC", be, "2026-03-27T08:00:00Z", false, Date{2026, 3, 27}, true},
		{"Berlin Fri before: 07:00 UTC is 08:00", be, "2026-03-27T07:00:00Z", false, Date{2026, 3, 27}, false},
		{"Berlin Sun of the change skipped", be, "2026-03-29T09:00:00Z", false, Date{2026, 3, 29}, false},
		{"Berlin Sun of the change, weekends: 09:00 CEST", be, "2026-03-29T07:00:00Z", true, Date{2026, 3, 29}, true},
		{"Berlin Sun of the change, weekends: 08:59 CEST", be, "2026-03-29T06:59:00Z", true, Date{2026, 3, 29}, false},
		{"Berlin Mon after: 09:00 CEST = 07:00 UTC", be, "2026-03-30T07:00:00Z", false, Date{2026, 3, 30}, true},
		{"Berlin Mon after: 06:59 UTC is 08:59", be, "2026-03-30T06:59:59Z", false, Date{2026, 3, 30}, false},
		// and falls back on Sunday 2026-10-25.
		{"Berlin Fri before: 09:00 CEST = 07:00 UTC", be, "2026-10-23T07:00:00Z", false, Date{2026, 10, 23}, true},
		{"Berlin Fri before: 06:00 UTC is 08:00", be, "2026-10-23T06:00:00Z", false, Date{2026, 10, 23}, false},
		{"Berlin Sun of the change, weekends: 09:00 CET", be, "2026-10-25T08:00:00Z", true, Date{2026, 10, 25}, true},
		{"Berlin Sun of the change, weekends: 07:00 UTC is 08:00 CET", be, "2026-10-25T07:00:00Z", true, Date{2026, 10, 25}, false},
		{"Berlin Mon after: 09:00 CET = 08:00 UTC", be, "2026-10-26T08:00:00Z", false, Date{2026, 10, 26}, true},
		{"Berlin Mon after: 07:00 UTC is 08:00", be, "2026-10-26T07:00:00Z", false, Date{2026, 10, 26}, false},
		{"Berlin Saturday skipped", be, "2026-10-24T10:00:00Z", false, Date{2026, 10, 24}, false},
	}
	for _, tt := range tests {
		date, due := NudgeDue(utc(tt.now), tt.loc, 9, tt.weekends)
		if date != tt.date || due != tt.due {
			t.Errorf("%s: NudgeDue(%s) = %v, %v; want %v, %v", tt.name, tt.now, date, due, tt.date, tt.due)
		}
	}
	// An hour skipped by the change is due from the hour after it.
	if _, due := NudgeDue(utc("2026-03-08T07:00:00Z"), ny, 2, true); !due { // 03:00 EDT
		t.Error("NY 02:00 reminder on the spring-forward day never came")
	}
	if _, due := NudgeDue(utc("2026-03-08T06:59:00Z"), ny, 2, true); due { // 01:59 EST
		t.Error("NY 02:00 reminder came at 01:59")
	}
}

// TestNudgeEscalationCountsIdleDays: the ladder counts working days without
// activity since the stage's limit, so work on a stuck deal resets it.
func TestNudgeEscalationCountsIdleDays(t *testing.T) {
	pb := nudgePlaybook(t)
	tue := nudgeToday
	tests := []struct {
		name      string
		active    Date // the last write on the deal
		overLimit int
		level     int
	}{
		{"untouched since entering the stage: from the limit", Date{2026, 10, 1}, 17, 3},
		{"worked on yesterday", tue.AddDays(-1), 1, 0},
		{"worked on last Thursday: Fri and Mon, Tue", Date{2026, 11, 19}, 3, 1},
		{"worked on a week ago", tue.AddDays(-7), 5, 2},
	}
	for _, tt := range tests {
		d := healthyDeal(1, 100)
		d.StageSince = Date{2026, 10, 22}.In(time.UTC) // limit: Nov 1, a Sunday; 17 working days to tue
		d.UpdatedAt = tt.active.In(time.UTC)
		items := pb.NudgeItems([]Deal{d}, answered(1), tue, NudgeRules{})
		if len(items) != 1 {
			t.Fatalf("%s: %d items", tt.name, len(items))
		}
		if it := items[0]; it.OverLimit != tt.overLimit || it.Escalation != tt.level {
			t.Errorf("%s: %d idle working days, level %d; want %d, level %d", tt.name, it.OverLimit, it.Escalation, tt.overLimit, tt.level)
		}
	}
}
