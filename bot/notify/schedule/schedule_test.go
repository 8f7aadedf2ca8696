package schedule

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/adapter/outbox"
	"github.com/dealcoach/dealcoach/bot/bottest"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/prompts"
	"github.com/dealcoach/dealcoach/store"
)

// clock is the tests' fixed, movable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

type env struct {
	t     *testing.T
	path  string
	clock *clock
	db    *store.DB
	pb    *coach.Playbook
	bot   *bot.Bot
	s     *Scheduler
	font  bool
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func newEnv(t *testing.T, start string) *env {
	e := &env{t: t, path: filepath.Join(t.TempDir(), "s.db"), clock: &clock{t: utc(start)}}
	e.open()
	t.Cleanup(func() { e.db.Close() })
	return e
}

// open opens (or reopens, after a "crash") the store and builds the bot
// and scheduler on it.
func (e *env) open() {
	e.t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, e.path, store.WithClock(e.clock.now))
	if err != nil {
		e.t.Fatal(err)
	}
	pb, err := prompts.LoadPlaybook("seven-step")
	if err != nil {
		e.t.Fatal(err)
	}
	cat, err := prompts.LoadCatalog()
	if err != nil {
		e.t.Fatal(err)
	}
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	b, err := bot.New(bot.Config{Store: db, Playbook: pb, Catalog: cat, Now: e.clock.now, DefaultTZ: shanghai,
		DefaultLang: "en", Currency: "USD", Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		e.t.Fatal(err)
	}
	s, err := New(Config{Store: db, Format: b.Formatter, Playbook: pb, Now: e.clock.now, DefaultTZ: shanghai, DefaultLang: "en",
		Platforms: []string{"slack", "lark"}, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		e.t.Fatal(err)
	}
	e.db, e.pb, e.bot, e.s = db, pb, b, s
}

func (e *env) crash() { e.db.Close(); e.open() }

func (e *env) person(p coach.Person) coach.Person {
	e.t.Helper()
	out, err := e.db.EnsurePerson(context.Background(), p)
	if err != nil {
		e.t.Fatal(err)
	}
	if p.TeamID != 0 || p.TZ != "" || p.Lang != "" {
		out.TeamID, out.TZ, out.Lang, out.Role = p.TeamID, p.TZ, p.Lang, p.Role
		if err := e.db.UpdatePerson(context.Background(), out); err != nil {
			e.t.Fatal(err)
		}
	}
	return out
}

func (e *env) deal(d coach.Deal) coach.Deal {
	e.t.Helper()
	if d.Currency == "" {
		d.Currency = "USD"
	}
	if d.Stage == "" {
		d.Stage = "interest"
	}
	out, err := e.db.CreateDeal(context.Background(), d, d.OwnerID)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// tick runs the scheduler at t and returns the keys it enqueued.
func (e *env) tick(t string) []string {
	e.t.Helper()
	e.clock.set(utc(t))
	before := e.keys()
	if _, err := e.s.Tick(context.Background()); err != nil {
		e.t.Fatalf("tick at %s: %v", t, err)
	}
	var out []string
	for _, k := range e.keys() {
		if !slices.Contains(before, k) {
			out = append(out, k)
		}
	}
	return out
}

// keys lists every outbox message's key.
func (e *env) keys() []string {
	e.t.Helper()
	out, err := e.db.OutboxKeys(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *env) message(key string) bot.Reply {
	e.t.Helper()
	m, err := e.db.OutboxByKey(context.Background(), key)
	if err != nil {
		e.t.Fatal(err)
	}
	var r bot.Reply
	if err := json.Unmarshal(m.Payload, &r); err != nil {
		e.t.Fatal(err)
	}
	return r
}

// team is East: a New York rep on Slack, a Berlin rep on Lark, and a
// Shanghai manager, each with a deal due for a push.
func (e *env) team() (coach.Team, []coach.Person) {
	ctx := context.Background()
	tm, err := e.db.CreateTeam(ctx, coach.Team{Name: "East", TZ: "Asia/Shanghai"})
	if err != nil {
		e.t.Fatal(err)
	}
	ps := []coach.Person{
		e.person(coach.Person{Platform: "slack", PlatformID: "UNY", Name: "Rita", TZ: "America/New_York", Lang: "en", TeamID: tm.ID, Role: coach.Rep}),
		e.person(coach.Person{Platform: "lark", PlatformID: "ou_be", Name: "Bert", TZ: "Europe/Berlin", Lang: "en", TeamID: tm.ID, Role: coach.Rep}),
		e.person(coach.Person{Platform: "slack", PlatformID: "UMAX", Name: "Max", TZ: "Asia/Shanghai", Lang: "en", TeamID: tm.ID, Role: coach.Manager}),
	}
	for i, p := range ps {
		e.deal(coach.Deal{Customer: []string{"Acme", "Bosch", "Cathay"}[i], OwnerID: p.ID, TeamID: tm.ID, Amount: coach.Major(100_000)})
	}
	return tm, ps
}

func TestRemindersAtNineInEachZoneAcrossDST(t *testing.T) {
	for _, tc := range []struct {
		name, day string
		// UTC hour at which each rep's 09:00 falls
		ny, berlin, shanghai int
	}{
		{"winter", "2026-11-25", 14, 8, 1},
		{"US summer time began on Sunday 8 March", "2026-03-09", 13, 8, 1},
		{"Europe's began on Sunday 29 March", "2026-03-30", 13, 7, 1},
		{"Europe's ended on Sunday 25 October", "2026-10-26", 13, 8, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.day+"T00:00:00Z")
			e.team()
			e.tick(tc.day + "T00:00:00Z")
			got := map[int][]string{}
			for h := 0; h < 24; h++ {
				if keys := e.tick(fmt.Sprintf("%sT%02d:00:00Z", tc.day, h)); len(keys) > 0 {
					got[h] = keys
				}
				// Ticks within the hour add nothing.
				if keys := e.tick(fmt.Sprintf("%sT%02d:30:00Z", tc.day, h)); len(keys) > 0 {
					t.Errorf("%02d:30 enqueued %v again", h, keys)
				}
			}
			want := map[int][]string{
				tc.ny:       {"nudge:" + tc.day + ":slack:UNY"},
				tc.berlin:   {"nudge:" + tc.day + ":lark:ou_be"},
				tc.shanghai: {"nudge:" + tc.day + ":slack:UMAX"},
			}
			if !equalMaps(got, want) {
				t.Errorf("enqueued by UTC hour %v, want %v", got, want)
			}
		})
	}
}

func equalMaps(a, b map[int][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestRemindersSkipWeekendsQuietDaysAndThoseWhoOptedOut(t *testing.T) {
	e := newEnv(t, "2026-11-28T00:00:00Z") // Saturday
	ctx := context.Background()
	tm, ps := e.team()
	if keys := e.tick("2026-11-28T23:00:00Z"); len(keys) != 0 {
		t.Fatalf("Saturday enqueued %v", keys)
	}
	tm.Weekends = true
	if err := e.db.UpdateTeam(ctx, tm); err != nil {
		t.Fatal(err)
	}
	if keys := e.tick("2026-11-29T14:00:00Z"); len(keys) != 3 { // Sunday, all zones past 09:00
		t.Fatalf("Sunday with weekends on enqueued %v", keys)
	}
	// Monday: Rita turned reminders off, Bert moved his to 07:00, and
	// Max's deal needs nothing: a run without a message.
	if err := e.db.SetReminder(ctx, ps[0].ID, store.Reminder{Hour: -1, Off: true}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SetReminder(ctx, ps[1].ID, store.Reminder{Hour: 7}); err != nil {
		t.Fatal(err)
	}
	var maxDeal coach.Deal
	for _, d := range mustDeals(t, e.db) {
		if d.OwnerID == ps[2].ID {
			maxDeal = d
		}
	}
	if _, _, err := bottest.EditDeal(ctx, e.db, maxDeal.ID, ps[2].ID, func(d *coach.Deal) ([]coach.Event, error) {
		d.SnoozedUntil = coach.Date{Year: 2026, Month: 12, Day: 3}
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	if keys := e.tick("2026-11-30T06:00:00Z"); !slices.Equal(keys, []string{"nudge:2026-11-30:lark:ou_be"}) {
		t.Fatalf("Monday 07:00 Berlin enqueued %v", keys)
	}
	if done, _ := e.db.RunDone(ctx, "nudge:2026-11-30:slack:UMAX"); !done {
		t.Fatal("Max's quiet run was not recorded")
	}
	if keys := e.tick("2026-11-30T23:00:00Z"); len(keys) != 0 {
		t.Fatalf("Monday evening enqueued %v (Rita is off, Max has nothing to hear)", keys)
	}
}

func mustDeals(t *testing.T, db *store.DB) []coach.Deal {
	t.Helper()
	ds, err := db.Deals(context.Background(), store.DealFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestCatchUpOnlyTheCurrentDay(t *testing.T) {
	e := newEnv(t, "2026-11-24T00:00:00Z")
	e.team()
	// The process was down from Tuesday 05:00 UTC to Wednesday 20:00 UTC:
	// Tuesday's reminders are not sent late; Wednesday's are, once.
	e.tick("2026-11-24T05:00:00Z") // Max's Tuesday (Shanghai 13:00)
	keys := e.tick("2026-11-25T20:00:00Z")
	want := []string{"nudge:2026-11-25:lark:ou_be", "nudge:2026-11-25:slack:UNY"}
	// Shanghai is already on Thursday at 04:00, before its 09:00.
	if !slices.Equal(keys, want) {
		t.Fatalf("catch-up enqueued %v, want %v", keys, want)
	}
	e.crash()
	if keys := e.tick("2026-11-25T20:01:00Z"); len(keys) != 0 {
		t.Fatalf("after a restart, enqueued again: %v", keys)
	}
}

// TestMovingWestDoesNotRemindAgain: Max, reminded on Wednesday in
// Shanghai, says he is in New York, where it is still Tuesday evening.
// Tuesday is over for him, and Wednesday was his: the next is Thursday's.
func TestMovingWestDoesNotRemindAgain(t *testing.T) {
	e := newEnv(t, "2026-11-25T00:00:00Z")
	_, ps := e.team()
	if keys := e.tick("2026-11-25T01:00:00Z"); !slices.Contains(keys, "nudge:2026-11-25:slack:UMAX") {
		t.Fatalf("Wednesday 09:00 Shanghai enqueued %v", keys)
	}
	if err := e.db.SetPersonTZ(context.Background(), ps[2].ID, "America/New_York"); err != nil {
		t.Fatal(err)
	}
	for _, at := range []string{"2026-11-25T02:00:00Z", "2026-11-25T14:00:00Z"} { // Tuesday 21:00, Wednesday 09:00 in New York
		if keys := e.tick(at); slices.ContainsFunc(keys, func(k string) bool { return strings.HasSuffix(k, "UMAX") }) {
			t.Fatalf("at %s Max was reminded again: %v", at, keys)
		}
	}
	if keys := e.tick("2026-11-26T14:00:00Z"); !slices.Contains(keys, "nudge:2026-11-26:slack:UMAX") {
		t.Fatalf("Thursday 09:00 New York enqueued %v", keys)
	}
}

func TestStaleDealsEscalateToTheManager(t *testing.T) {
	e := newEnv(t, "2026-11-02T00:00:00Z") // Monday
	_, ps := e.team()
	// interest allows 21 days: the deal is fresh until 23 November.
	stale := e.deal(coach.Deal{Customer: "Dormant Ltd", OwnerID: ps[0].ID, TeamID: ps[0].TeamID, Amount: coach.Major(50_000),
		NextStep: "call", NextStepDue: coach.Date{Year: 2026, Month: 12, Day: 30}})
	day := func(d string) (rita, max string) {
		e.tick(d + "T14:00:00Z") // 09:00 in New York, 22:00 in Shanghai
		return e.message("nudge:" + d + ":slack:UNY").PlainText(), e.message("nudge:" + d + ":slack:UMAX").PlainText()
	}
	// 3 working days past the limit (26 Nov): the rep hears; the manager does not yet.
	rita, max := day("2026-11-26")
	if !strings.Contains(rita, "Dormant Ltd") || strings.Contains(max, "Dormant Ltd") {
		t.Fatalf("at 3 working days:\nrita: %s\nmax: %s", rita, max)
	}
	// 5 working days past (30 Nov): the manager's own morning message names it, with its rep.
	_, max = day("2026-11-30")
	if !strings.Contains(max, "Dormant Ltd") || !strings.Contains(max, "Rita") {
		t.Fatalf("at 5 working days, max's reminder lacks the deal:\n%s", max)
	}
	// Snoozed, it leaves both reminders until the snooze ends.
	ctx := context.Background()
	if _, _, err := bottest.EditDeal(ctx, e.db, stale.ID, ps[0].ID, func(d *coach.Deal) ([]coach.Event, error) {
		d.SnoozedUntil = coach.Date{Year: 2026, Month: 12, Day: 3}
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	rita, max = day("2026-12-01")
	if strings.Contains(rita, "Dormant Ltd") || strings.Contains(max, "Dormant Ltd") {
		t.Fatalf("a snoozed deal was mentioned:\nrita: %s\nmax: %s", rita, max)
	}
	// The snooze was a write on the deal: its next step is dated, so after
	// the snooze its time in stage waits for Monday's weekly line.
	rita, _ = day("2026-12-03")
	if strings.Contains(rita, "Dormant Ltd") {
		t.Fatalf("a deal worked on this week, with a dated next step, is in the daily list:\n%s", rita)
	}
	rita, _ = day("2026-12-07")
	if !strings.Contains(rita, "This week: 2 deals have been in their stage past the limit") { // and Acme
		t.Fatalf("Monday's reminder lacks the weekly line:\n%s", rita)
	}
}

// TestReminderListsOnlyWhatNeedsTheRepToday: a deal long in its stage but
// worked on yesterday, with a next step next week, and a deal with
// coaching questions open, stay out of the daily list; they are counted in
// Monday's line. A next step due today is listed, with its one action.
func TestReminderListsOnlyWhatNeedsTheRepToday(t *testing.T) {
	e := newEnv(t, "2026-10-01T00:00:00Z")
	_, ps := e.team()
	e.deal(coach.Deal{Customer: "Old Stage Inc", OwnerID: ps[0].ID, TeamID: ps[0].TeamID, Amount: coach.Major(90_000),
		NextStep: "workshop", NextStepDue: coach.Date{Year: 2026, Month: 12, Day: 1}})
	e.deal(coach.Deal{Customer: "Due Today Co", OwnerID: ps[0].ID, TeamID: ps[0].TeamID, Amount: coach.Major(10_000),
		NextStep: "send the quote", NextStepDue: coach.Date{Year: 2026, Month: 11, Day: 24}})
	e.clock.set(utc("2026-11-23T10:00:00Z")) // the rep touches Old Stage on Monday
	old, err := e.db.FindDeals(context.Background(), "Old Stage Inc", 1)
	if err != nil || len(old) != 1 {
		t.Fatal(old, err)
	}
	if _, _, err := bottest.EditDeal(context.Background(), e.db, old[0].ID, ps[0].ID, func(d *coach.Deal) ([]coach.Event, error) {
		d.NextStepDue = coach.Date{Year: 2026, Month: 12, Day: 2}
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	e.tick("2026-11-24T14:00:00Z") // Tuesday 09:00 in New York
	rita := e.message("nudge:2026-11-24:slack:UNY").PlainText()
	if strings.Contains(rita, "Old Stage Inc") || strings.Contains(rita, "This week") ||
		!strings.Contains(rita, "Due Today Co") || !strings.Contains(rita, `→ Do it today, then say "#5 done"`) {
		t.Fatalf("Tuesday's reminder:\n%s", rita)
	}
	e.tick("2026-11-30T14:00:00Z") // Monday
	rita = e.message("nudge:2026-11-30:slack:UNY").PlainText()
	if !strings.Contains(rita, "This week: 3 deals have been in their stage past the limit") || strings.Contains(rita, "Old Stage Inc") {
		t.Fatalf("Monday's reminder:\n%s", rita)
	}
}

// fakePlatform records deliveries, and says whether a key was delivered.
type fakePlatform struct {
	mu   sync.Mutex
	sent []string
}

func (f *fakePlatform) Deliver(ctx context.Context, m outbox.Message, r bot.Reply) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, m.IdemKey)
	return nil
}

func (f *fakePlatform) Delivered(ctx context.Context, m outbox.Message) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Contains(f.sent, m.IdemKey), nil
}

func (f *fakePlatform) Classify(err error) (bool, time.Duration) { return true, 0 }

func (e *env) sender(f *fakePlatform) *outbox.Sender {
	return outbox.NewSender(e.db, "slack", f, outbox.Config{Now: e.clock.now, Lease: time.Minute, Log: slog.New(slog.DiscardHandler)})
}

// A crash at any point leaves each reminder delivered once: after the run
// is recorded and before delivery, and after delivery before it is marked.
func TestCrashesNeitherLoseNorDoubleAReminder(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "2026-11-25T00:00:00Z")
	e.team()
	f := &fakePlatform{}

	// 1. Recorded, then the process dies before any delivery. (At 02:00
	// UTC it is 10:00 on Wednesday for Max, 21:00 on Tuesday for Rita.)
	e.tick("2026-11-25T02:00:00Z")
	e.crash()
	if keys := e.tick("2026-11-25T02:01:00Z"); len(keys) != 0 {
		t.Fatalf("re-planned after the crash: %v", keys)
	}
	if n, err := e.sender(f).Once(ctx); err != nil || n != 2 {
		t.Fatalf("sent %d, %v", n, err)
	}

	// 2. Delivered, then the process dies before marking it sent.
	e.tick("2026-11-25T15:00:00Z") // Rita's 10:00
	ms, err := e.db.Claim(ctx, "slack", e.clock.now(), time.Minute, 10)
	if err != nil || len(ms) != 1 {
		t.Fatalf("claim: %v, %v", ms, err)
	}
	if err := f.Deliver(ctx, outbox.MessageOf(ms[0]), bot.Reply{}); err != nil {
		t.Fatal(err)
	}
	e.crash()
	e.clock.set(utc("2026-11-25T15:05:00Z")) // past the lease
	if _, err := e.sender(f).Once(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sender(f).Once(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{"nudge:2026-11-24:slack:UNY", "nudge:2026-11-25:slack:UMAX", "nudge:2026-11-25:slack:UNY"}
	if !slices.Equal(f.sent, want) {
		t.Fatalf("delivered %v, want each once: %v", f.sent, want)
	}
	m, err := e.db.OutboxByKey(ctx, "nudge:2026-11-25:slack:UNY")
	if err != nil || m.SentAt.IsZero() {
		t.Fatalf("the delivered message is not marked sent: %+v, %v", m, err)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestGroupOwners(t *testing.T) {
	counts := map[int64]int{1: 3, 2: 0, 3: 5, 4: 1, 5: 9, 6: 2}
	var got [][]int64
	for _, g := range groupOwners([]int64{1, 2, 3, 4, 5, 6, 7}, counts, 6) {
		got = append(got, g.ids)
		n := 0
		for _, id := range g.ids {
			n += counts[id]
		}
		if n != g.deals {
			t.Errorf("group %v counts %d deals, has %d", g.ids, g.deals, n)
		}
	}
	// 1+3 would be 8: 3 starts a group; 5 alone is over the size, and
	// alone; 2 and 7 have no open deals.
	if want := [][]int64{{1}, {3, 4}, {5}, {6}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("groups %v, want %v", got, want)
	}
}

// TestScanInGroupsSeesWhatOneReadSees: the reminders of a scan that reads
// one owner at a time, manager's included, are those of one read of all.
func TestScanInGroupsSeesWhatOneReadSees(t *testing.T) {
	e := newEnv(t, "2026-10-01T00:00:00Z") // deals made then are stale by late November
	_, ps := e.team()
	for i := range 12 { // more deals each, every third one stale enough to reach the manager
		if i%3 != 0 {
			e.clock.set(utc("2026-11-20T00:00:00Z"))
		}
		e.deal(coach.Deal{Customer: fmt.Sprintf("Deal %d", i), OwnerID: ps[i%2].ID, Amount: coach.Major(int64(1000 * (i + 1)))})
		e.clock.set(utc("2026-10-01T00:00:00Z"))
	}
	now := utc("2026-11-25T14:00:00Z") // Wednesday in every zone, 09:00 in New York
	whole, err := e.s.Nudges(context.Background(), coach.Date{Year: 2026, Month: 11, Day: 25})
	if err != nil {
		t.Fatal(err)
	}
	e.s.readSize = 1
	parts, err := e.s.Nudges(context.Background(), coach.Date{Year: 2026, Month: 11, Day: 25})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(whole, parts) || len(whole) != 3 {
		t.Fatalf("one owner at a time:\n%+v\nall at once:\n%+v", parts, whole)
	}
	if len(whole[2].Messages) != 1 || !strings.Contains(fmt.Sprint(whole[2].Messages[0].Reply), "Deal 0") {
		t.Fatalf("the manager's reminder does not name the team's stale deal: %+v", whole[2])
	}
	due, err := e.s.DueNudges(context.Background(), now)
	if err != nil || !reflect.DeepEqual(due, parts) {
		t.Fatalf("due at %v: %+v (%v), want %+v", now, due, err, parts)
	}
}
