package schedule

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dealcoach/dealcoach/bot/bottest"
	"github.com/dealcoach/dealcoach/bot/notify/chart"
	"github.com/dealcoach/dealcoach/bot/notify/chart/charttest"
	"github.com/dealcoach/dealcoach/coach"
)

// at moves the clock to t (UTC) and applies change to deal id as person.
func (e *env) change(at string, id, by int64, change func(d *coach.Deal)) {
	e.t.Helper()
	e.clock.set(utc(at))
	if _, _, err := bottest.EditDeal(context.Background(), e.db, id, by, func(d *coach.Deal) ([]coach.Event, error) {
		change(d)
		return nil, nil
	}); err != nil {
		e.t.Fatal(err)
	}
}

// week47 is a small history whose digest of 2026-W47 (16–22 November,
// Shanghai) is worked out by hand in TestDigestThroughTheStore.
func (e *env) week47() (coach.Team, []coach.Person, map[string]int64) {
	tm, ps := e.team() // at 2026-11-02: Acme, Bosch, Cathay, interest, 100k each
	ctx := context.Background()
	tm.DigestPlatform, tm.DigestChannel = "slack", "C1"
	if err := e.db.UpdateTeam(ctx, tm); err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.SetTarget(ctx, tm.ID, "2026-Q4", coach.Major(1_000_000)); err != nil {
		e.t.Fatal(err)
	}
	ids := map[string]int64{"Acme": 1, "Bosch": 2, "Cathay": 3}
	rita, bert := ps[0], ps[1]
	e.clock.set(utc("2026-11-10T02:00:00Z"))
	ids["Delta"] = e.deal(coach.Deal{Customer: "Delta", OwnerID: rita.ID, TeamID: tm.ID, Stage: "approved", Amount: coach.Major(200_000)}).ID
	// Week 47, Shanghai time (UTC+8).
	e.change("2026-11-16T02:00:00Z", ids["Acme"], rita.ID, func(d *coach.Deal) { d.Stage = "approved" })
	e.clock.set(utc("2026-11-17T02:00:00Z"))
	ids["Echo"] = e.deal(coach.Deal{Customer: "Echo", OwnerID: bert.ID, TeamID: tm.ID, Stage: "prospect", Amount: coach.Major(50_000)}).ID
	e.change("2026-11-18T02:00:00Z", ids["Delta"], rita.ID, func(d *coach.Deal) { d.Stage, d.Status = "won", coach.Won })
	e.clock.set(utc("2026-11-18T03:00:00Z"))
	ids["Fox"] = e.deal(coach.Deal{Customer: "Fox", OwnerID: bert.ID, TeamID: tm.ID, Stage: "interest", Amount: coach.Major(80_000)}).ID
	e.change("2026-11-19T02:00:00Z", ids["Fox"], bert.ID, func(d *coach.Deal) { d.Status, d.LostReason = coach.Lost, "price" })
	// After the week (Monday 23 Nov, 00:30 Shanghai): not in W47.
	e.change("2026-11-22T16:30:00Z", ids["Bosch"], bert.ID, func(d *coach.Deal) { d.Stage = "approved" })
	return tm, ps, ids
}

func TestDigestThroughTheStore(t *testing.T) {
	e := newEnv(t, "2026-11-02T02:00:00Z")
	tm, _, ids := e.week47()
	e.clock.set(utc("2026-11-23T01:00:00Z"))
	v, lang, err := e.s.DigestView(context.Background(), tm, coach.Week{Year: 2026, W: 47})
	if err != nil {
		t.Fatal(err)
	}
	if lang != "en" || v.Week != "2026-W47" || v.From.Format("2006-01-02 15:04 MST") != "2026-11-16 00:00 CST" {
		t.Fatalf("lang %s, week %s from %v", lang, v.Week, v.From)
	}
	dealIDs := func(ts []coach.Transition) []int64 {
		var out []int64
		for _, t := range ts {
			out = append(out, t.DealID)
		}
		return out
	}
	mv := v.Numbers.Movement
	for name, got := range map[string][]int64{"created": dealIDs(mv.Created), "advanced": dealIDs(mv.Advanced),
		"won": dealIDs(mv.Won), "lost": dealIDs(mv.Lost), "regressed": dealIDs(mv.Regressed)} {
		want := map[string][]int64{"created": {ids["Echo"], ids["Fox"]}, "advanced": {ids["Acme"]},
			"won": {ids["Delta"]}, "lost": {ids["Fox"]}}[name]
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	// Open at the week's end: Acme approved 100k (25% → 25k), Bosch and
	// Cathay interest 100k each (10% → 10k each), Echo prospect 50k (0%).
	f := v.Numbers.Funnel
	if f.Count != 4 || f.Amount != coach.Major(350_000) || f.Forecast != coach.Major(45_000) {
		t.Errorf("funnel: %d deals, %v, forecast %v", f.Count, f.Amount, f.Forecast)
	}
	// Won this quarter: Delta, 200k, against a target of 1M: 800k to go.
	if v.WonQuarter != coach.Major(200_000) || v.Target != coach.Major(1_000_000) || v.Numbers.Balance.Target != coach.Major(800_000) {
		t.Errorf("won %v, target %v, balance target %v", v.WonQuarter, v.Target, v.Numbers.Balance.Target)
	}
	// Win rate over 90 days: 1 won, 1 lost. Cycle: Delta from 10 to 18 Nov.
	if w := v.Numbers.Window; !w.WinRate.OK || w.WinRate.Value != 0.5 || !w.CycleDays.OK || w.CycleDays.Value != 8 {
		t.Errorf("window: win rate %+v, cycle %+v", w.WinRate, w.CycleDays)
	}
	reps := map[string]string{}
	for _, r := range v.Reps {
		reps[r.Name] = strings.Join([]string{itoa(r.Open), r.Amount.String(), r.Weighted.String(), itoa(r.Won), r.WonAmount.String(), itoa(r.Lost)}, " ")
	}
	// Rows are as of now (Monday): Bosch has moved to approved since.
	want := map[string]string{"Rita": "1 100000 25000 1 200000 0", "Bert": "2 150000 25000 0 0 1",
		"Max": "1 100000 10000 0 0 0"}
	if !mapsEqual(reps, want) {
		t.Errorf("reps %v, want %v", reps, want)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestDigestDueMondayNineTeamTimeAndCaughtUpThatWeekOnly(t *testing.T) {
	e := newEnv(t, "2026-11-02T02:00:00Z")
	tm, _, _ := e.week47()
	// Without a CJK font the digests go as text only, and the timing is
	// checked all the same.
	font, drawn := charttest.Optional(t, chart.LoadFont)
	if !drawn {
		font = nil
	}
	e.s.cfg.Font = font
	digestKeys := func(week string) []string {
		if drawn {
			return []string{"digest:1:" + week, "digest:1:" + week + ":chart"}
		}
		return []string{"digest:1:" + week}
	}
	isDigest := func(keys []string) []string {
		var out []string
		for _, k := range keys {
			if strings.HasPrefix(k, "digest:") {
				out = append(out, k)
			}
		}
		return out
	}
	if keys := isDigest(e.tick("2026-11-23T00:59:00Z")); len(keys) != 0 { // 08:59 Shanghai
		t.Fatalf("before 09:00: %v", keys)
	}
	keys := isDigest(e.tick("2026-11-23T01:00:00Z"))
	if !slices.Equal(keys, digestKeys("2026-W47")) {
		t.Fatalf("at 09:00: %v", keys)
	}
	if r := e.message("digest:1:2026-W47"); !strings.Contains(r.PlainText(), "Delta") {
		t.Fatalf("the digest does not name the week's win:\n%s", r.PlainText())
	}
	if drawn {
		if r := e.message("digest:1:2026-W47:chart"); r.Image == nil || len(r.Image.PNG) < 1000 || !strings.HasPrefix(string(r.Image.PNG), "\x89PNG") {
			t.Fatalf("chart message: %+v", r.Image)
		}
	}
	e.crash()
	e.s.cfg.Font = font
	if keys := isDigest(e.tick("2026-11-25T05:00:00Z")); len(keys) != 0 {
		t.Fatalf("sent again after a restart: %v", keys)
	}
	// Down from Sunday to the next Wednesday: W48's digest is caught up
	// on Wednesday; W47's, a week older, would not have been.
	if keys := isDigest(e.tick("2026-12-02T03:00:00Z")); !slices.Equal(keys, digestKeys("2026-W48")) {
		t.Fatalf("catch-up: %v", keys)
	}
	// A team without a digest channel, or on a platform without a sender, gets none.
	tm.DigestPlatform = "console"
	if err := e.db.UpdateTeam(context.Background(), tm); err != nil {
		t.Fatal(err)
	}
	if keys := isDigest(e.tick("2026-12-07T02:00:00Z")); len(keys) != 0 {
		t.Fatalf("digest to a platform without a sender: %v", keys)
	}
}

func TestLastWeek(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	for _, tc := range []struct {
		now  string
		week string
		due  bool
	}{
		{"2026-11-23T13:59:00Z", "2026-W47", false}, // 08:59 Monday in New York
		{"2026-11-23T14:00:00Z", "2026-W47", true},
		{"2026-11-29T23:00:00Z", "2026-W47", true},  // Sunday evening: still W47's
		{"2026-11-30T05:00:00Z", "2026-W48", false}, // Monday 00:00
		{"2026-03-09T13:00:00Z", "2026-W10", true},  // the Monday after summer time began: 09:00 EDT
	} {
		w, due := LastWeek(utc(tc.now), ny)
		if w.String() != tc.week || due != tc.due {
			t.Errorf("LastWeek(%s) = %s, %v; want %s, %v", tc.now, w, due, tc.week, tc.due)
		}
	}
}

// TestDefaultTeamDigestBeforeAnyTeam: with no team set up, everyone is one
// default team; its digest goes on Monday 09:00 to each of its people on a
// chat platform, in their language, once.
func TestDefaultTeamDigestBeforeAnyTeam(t *testing.T) {
	e := newEnv(t, "2026-11-16T02:00:00Z")
	rita := e.person(coach.Person{Platform: "slack", PlatformID: "URITA", Name: "Rita", Lang: "en", Role: coach.Rep})
	e.person(coach.Person{Platform: "lark", PlatformID: "ou_li", Name: "小李", Lang: "zh", Role: coach.Rep})
	e.deal(coach.Deal{Customer: "Acme", OwnerID: rita.ID, Amount: coach.Major(100_000)})
	keys := e.tick("2026-11-23T01:00:00Z") // Monday 09:00 Shanghai
	var digests []string
	for _, k := range keys {
		if strings.HasPrefix(k, "digest:") && !strings.HasSuffix(k, ":chart") {
			digests = append(digests, k)
		}
	}
	slices.Sort(digests)
	if want := []string{"digest:0:2026-W47:lark:ou_li", "digest:0:2026-W47:slack:URITA"}; !slices.Equal(digests, want) {
		t.Fatalf("digests enqueued %v, want %v", digests, want)
	}
	if en := e.message("digest:0:2026-W47:slack:URITA").PlainText(); !strings.Contains(en, "Everyone · weekly digest 2026-W47") || !strings.Contains(en, "Rita") {
		t.Errorf("Rita's digest:\n%s", en)
	}
	if zh := e.message("digest:0:2026-W47:lark:ou_li").PlainText(); !strings.Contains(zh, "全员 · 销售周报 2026-W47") {
		t.Errorf("小李's digest:\n%s", zh)
	}
	for _, k := range e.tick("2026-11-23T02:00:00Z") {
		if strings.HasPrefix(k, "digest:") {
			t.Fatalf("digest sent again: %s", k)
		}
	}
}

// TestDefaultTeamDigestNeedsHistoryBeforeTheWeeksEnd: people who came this
// week with this week's deals (a fresh install, a load test) get no digest
// of last week, which had nothing; nothing is recorded, so once a deal
// from before the week's end is there, the digest goes that Monday.
func TestDefaultTeamDigestNeedsHistoryBeforeTheWeeksEnd(t *testing.T) {
	e := newEnv(t, "2026-11-22T16:00:00Z") // Monday 00:00 Shanghai: W47 has just ended
	rita := e.person(coach.Person{Platform: "slack", PlatformID: "URITA", Name: "Rita", Lang: "en", Role: coach.Rep})
	li := e.person(coach.Person{Platform: "lark", PlatformID: "ou_li", Name: "小李", Lang: "zh", Role: coach.Rep})
	e.deal(coach.Deal{Customer: "Acme", OwnerID: rita.ID, Amount: coach.Major(100_000)})
	e.clock.set(utc("2026-11-23T00:30:00Z"))
	e.deal(coach.Deal{Customer: "Bosch", OwnerID: li.ID, Amount: coach.Major(50_000)})
	digests := func(keys []string) []string {
		var out []string
		for _, k := range keys {
			if strings.HasPrefix(k, "digest:") && !strings.HasSuffix(k, ":chart") {
				out = append(out, k)
			}
		}
		slices.Sort(out)
		return out
	}
	for _, at := range []string{"2026-11-23T01:00:00Z", "2026-11-23T01:01:00Z"} { // Monday 09:00 Shanghai, and the next tick
		if got := digests(e.tick(at)); len(got) != 0 {
			t.Fatalf("at %s, with no history before W47 ended, enqueued %v", at, got)
		}
	}
	done, err := e.db.DoneRuns(context.Background(), "digest:")
	if err != nil || len(done) != 0 {
		t.Fatalf("runs recorded for a week with nothing to report: %v, %v", done, err)
	}
	// A deal from W47's last minute (Sunday 23:59 Shanghai), brought in
	// later that Monday: the week has history, and its digest goes.
	e.clock.set(utc("2026-11-22T15:59:00Z"))
	e.deal(coach.Deal{Customer: "Cathay", OwnerID: rita.ID, Amount: coach.Major(80_000)})
	got := digests(e.tick("2026-11-23T02:00:00Z"))
	if want := []string{"digest:0:2026-W47:lark:ou_li", "digest:0:2026-W47:slack:URITA"}; !slices.Equal(got, want) {
		t.Fatalf("with a deal made in W47, enqueued %v, want %v", got, want)
	}
}

// TestDigestInTheTeamsLanguage: the digest is in the team's language, not
// in the one its manager wrote last.
func TestDigestInTheTeamsLanguage(t *testing.T) {
	e := newEnv(t, "2026-11-02T02:00:00Z")
	tm, ps := e.team() // Max, the manager, writes English
	ctx := context.Background()
	tm.Lang, tm.DigestPlatform, tm.DigestChannel = "zh", "slack", "C1"
	if err := e.db.UpdateTeam(ctx, tm); err != nil {
		t.Fatal(err)
	}
	if ps[2].Lang != "en" || ps[2].Role != coach.Manager {
		t.Fatalf("manager %+v", ps[2])
	}
	runs, err := e.s.Digests(ctx, tm, coach.Week{Year: 2026, W: 47})
	if err != nil || len(runs) != 1 {
		t.Fatal(runs, err)
	}
	if got := runs[0].Messages[0].Reply; got.Lang != "zh" || !strings.Contains(got.PlainText(), "East · 销售周报 2026-W47") {
		t.Errorf("digest in %q:\n%s", got.Lang, got.PlainText())
	}
	tm.Lang = "en"
	if err := e.db.UpdateTeam(ctx, tm); err != nil {
		t.Fatal(err)
	}
	tm, _ = e.db.Team(ctx, tm.ID)
	runs, _ = e.s.Digests(ctx, tm, coach.Week{Year: 2026, W: 47})
	if got := runs[0].Messages[0].Reply; got.Lang != "en" || !strings.Contains(got.PlainText(), "East · weekly digest 2026-W47") {
		t.Errorf("digest in %q:\n%s", got.Lang, got.PlainText())
	}
}

// TestDigestShowsAccountTiers: a deal of a tiered customer is named with
// its tier in the digest.
func TestDigestShowsAccountTiers(t *testing.T) {
	e := newEnv(t, "2026-11-02T02:00:00Z")
	tm, _, _ := e.week47()
	if err := e.db.SetTier(context.Background(), "delta", "A"); err != nil {
		t.Fatal(err)
	}
	e.clock.set(utc("2026-11-23T01:00:00Z"))
	runs, err := e.s.Digests(context.Background(), tm, coach.Week{Year: 2026, W: 47})
	if err != nil {
		t.Fatal(err)
	}
	if got := runs[0].Messages[0].Reply.PlainText(); !strings.Contains(got, "[A] Delta") || strings.Contains(got, "[A] Echo") {
		t.Errorf("digest without Delta's tier:\n%s", got)
	}
}
