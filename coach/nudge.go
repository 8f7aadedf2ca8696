package coach

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// FlagNextDue is a nudge reason Flags does not report, because a next step
// due today is not yet a risk: the morning reminder still names it. N = 0.
const FlagNextDue FlagKind = "next_due"

// DefaultNudgeCap is how many deals a morning reminder lists before "N more".
const DefaultNudgeCap = 5

// ManagerLevel is the escalation level from which a deal is also shown to
// the rep's manager, in the digest and in the manager's morning reminder.
const ManagerLevel = 2

// defaultEscalation is the working days past a stage's limit at which a
// stale deal reaches escalation levels 1, 2 and 3.
var defaultEscalation = []int{3, 5, 7}

// NudgeRules are the configurable parts of the morning reminder.
type NudgeRules struct {
	Cap int // deals listed per reminder; 0: DefaultNudgeCap
	// Escalation lists, ascending, the working days past its stage's limit
	// at which a stale deal reaches level 1, 2, 3…; nil: 3, 5 and 7. An
	// empty, non-nil list turns escalation off.
	Escalation []int
}

// Check reports rules a reminder cannot follow, saying what to set.
func (r NudgeRules) Check() error {
	if r.Cap < 0 {
		return fmt.Errorf("nudge cap %d: want 0 (default %d) or more", r.Cap, DefaultNudgeCap)
	}
	for i, n := range r.Escalation {
		if n <= 0 || (i > 0 && n <= r.Escalation[i-1]) {
			return fmt.Errorf("nudge escalation %v: want ascending working days above 0, e.g. 3,5,7", r.Escalation)
		}
	}
	return nil
}

func (r NudgeRules) cap() int {
	if r.Cap <= 0 {
		return DefaultNudgeCap
	}
	return r.Cap
}

func (r NudgeRules) escalation() []int {
	if r.Escalation == nil {
		return defaultEscalation
	}
	return r.Escalation
}

// FlagQuiet is a nudge reason: nothing was written on the deal (no
// update, no stage move) for longer than its stage's stale days. N = days
// since the last activity. Flags does not report it: the card shows the
// deal's time in stage instead.
const FlagQuiet FlagKind = "quiet"

// WeeklyDay is the day the morning reminder adds the week's line: deals
// past their stage's time limit and deals with coaching questions open.
// Those are worth a look once a week, not every morning.
const WeeklyDay = time.Monday

// NudgeItem is one deal that needs a push: today (Reasons), this week
// (Stale, Unanswered), or on the escalation ladder.
type NudgeItem struct {
	Deal       Deal
	Reasons    []Flag // what needs the rep today, most pressing first: next_due | next_overdue | next_missing, close_passed, quiet
	Stale      int    // days in its stage when past the stage's limit, else 0 (the weekly line, the ladder)
	Unanswered int    // required coaching questions of its stage still open (the weekly line)
	Priority   Money  // the weighted amount: amount × win rate
	OverLimit  int    // working days without activity since the deal went past its stage's limit
	Escalation int    // 0: none; else the number of escalation thresholds OverLimit has reached
}

// Today reports whether the item belongs in the daily list.
func (it NudgeItem) Today() bool { return len(it.Reasons) > 0 }

// WeekLine counts the deals a weekly line mentions.
type WeekLine struct {
	Stale      int // open deals past their stage's time limit
	Unanswered int // open deals with required coaching questions open
}

// Empty reports whether the weekly line has nothing to say.
func (w WeekLine) Empty() bool { return w.Stale == 0 && w.Unanswered == 0 }

// Nudge is what one morning reminder says. No items and an empty week
// line: send nothing.
type Nudge struct {
	Items []NudgeItem // what needs the rep today, most valuable first, at most the cap
	More  int         // deals left out by the cap
	Week  WeekLine    // on WeeklyDay only; else zero
}

// Empty reports whether there is nothing to say.
func (n Nudge) Empty() bool { return len(n.Items) == 0 && n.Week.Empty() }

// Nudge is the morning reminder on day today for deals, one rep's deals:
// NudgeItems capped by the rules.
func (p *Playbook) Nudge(deals []Deal, facts map[int64]DealFacts, today Date, r NudgeRules) Nudge {
	return r.Capped(p.NudgeItems(deals, facts, today, r), today)
}

// NudgeItems lists every open, unsnoozed deal that needs a push on day
// today, now or this week, most valuable first (ties: the most overdue
// next step, then the lowest id). facts holds each deal's facts by id; a
// missing entry means no answers, contacts or marks.
func (p *Playbook) NudgeItems(deals []Deal, facts map[int64]DealFacts, today Date, r NudgeRules) []NudgeItem {
	var out []NudgeItem
	// Every item's reasons in one array: the morning scan asks this of
	// every open deal, and one small list each was a fifth of its memory.
	// Items keep capped slices, so appending to one never writes another's.
	var reasons []Flag
	for _, d := range deals {
		if d.Status != Open || d.Snoozed(today) {
			continue
		}
		from := len(reasons)
		it := NudgeItem{Deal: d}
		reasons = p.appendNudgeReasons(reasons, &it, facts[d.ID], today)
		it.Reasons = reasons[from:len(reasons):len(reasons)]
		if !it.Today() && it.Stale == 0 && it.Unanswered == 0 {
			continue
		}
		if out == nil {
			out = make([]NudgeItem, 0, len(deals))
		}
		it.Priority = Weighted(d.Amount, p.WinRate(d))
		if s := p.stage(d.Stage); s != nil && s.StaleDays > 0 && it.Stale > 0 {
			// The ladder counts working days without activity since the
			// stage's limit: a deal worked on yesterday climbs no rung.
			idle := DateOf(d.StageSince).AddDays(s.StaleDays) // the last day Flags calls fresh
			if last := lastActivity(d); idle.Before(last) {
				idle = last
			}
			it.OverLimit = WorkingDaysBetween(idle, today)
		}
		for _, n := range r.escalation() {
			if it.OverLimit >= n {
				it.Escalation++
			}
		}
		out = append(out, it)
	}
	sortItems(out)
	return out
}

// lastActivity is the day of the last write on the deal: its last update,
// its stage move or its creation, whichever is latest.
func lastActivity(d Deal) Date {
	t := d.UpdatedAt
	if d.StageSince.After(t) {
		t = d.StageSince
	}
	if d.CreatedAt.After(t) {
		t = d.CreatedAt
	}
	return DateOf(t)
}

// sortItems puts items most valuable first; ties: the most overdue next
// step, then the lowest id. It sorts small keys and then moves each item
// once: swapping the items themselves, a deal each, was nearly a tenth of
// the morning scan.
func sortItems(items []NudgeItem) {
	type key struct {
		priority Money
		overdue  int
		id       int64
		at       int
	}
	keys := make([]key, len(items))
	for i, it := range items {
		keys[i] = key{it.Priority, it.overdue(), it.Deal.ID, i}
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(b.priority, a.priority), cmp.Compare(b.overdue, a.overdue), cmp.Compare(a.id, b.id))
	})
	// Follow each cycle of the permutation: position i takes the item at
	// keys[i].at; a moved position is marked with at = -1.
	for start := range keys {
		if keys[start].at < 0 {
			continue
		}
		held, i := items[start], start
		for {
			from := keys[i].at
			keys[i].at = -1
			if from == start {
				items[i] = held
				break
			}
			items[i] = items[from]
			i = from
		}
	}
}

// appendNudgeReasons appends to out what needs the rep today, and fills
// its weekly fields: the time in stage and the open questions.
func (p *Playbook) appendNudgeReasons(out []Flag, it *NudgeItem, f DealFacts, today Date) []Flag {
	d := it.Deal
	var buf [8]Flag // more than Flags' kinds: the flags stay on the stack
	missing := false
	if d.NextStep != "" && d.NextStepDue == today { // neither missing nor overdue: Flags says nothing
		out = append(out, Flag{Kind: FlagNextDue})
	}
	for _, fl := range p.appendFlags(buf[:0], d, f, today) {
		switch fl.Kind {
		case FlagStale:
			it.Stale = fl.N
		case FlagNextMissing, FlagNextOverdue, FlagClosePassed:
			missing = missing || fl.Kind == FlagNextMissing
			out = append(out, fl)
		case FlagUnanswered:
			if missing { // "no next step" already says the next-step question is open
				_, next := p.countUnanswered(d, d.Stage, f.Answers)
				fl.N -= next
			}
			it.Unanswered = fl.N
		}
	}
	if s := p.stage(d.Stage); s != nil && s.StaleDays > 0 {
		if days := lastActivity(d).DaysUntil(today); days > s.StaleDays {
			out = append(out, Flag{FlagQuiet, days})
		}
	}
	return out
}

// overdue is how many days the deal's next step is overdue, 0 when it is not.
func (it NudgeItem) overdue() int {
	for _, f := range it.Reasons {
		if f.Kind == FlagNextOverdue {
			return f.N
		}
	}
	return 0
}

// Capped is the reminder of day today: the items that need the rep today
// up to the cap, and on WeeklyDay the week's line over all items.
func (r NudgeRules) Capped(items []NudgeItem, today Date) Nudge {
	var out Nudge
	daily := make([]NudgeItem, 0, min(len(items), r.cap()))
	for _, it := range items {
		if today.Weekday() == WeeklyDay {
			if it.Stale > 0 {
				out.Week.Stale++
			}
			if it.Unanswered > 0 {
				out.Week.Unanswered++
			}
		}
		if !it.Today() {
			continue
		}
		if len(daily) < r.cap() {
			daily = append(daily, it)
		} else {
			out.More++
		}
	}
	if len(daily) > 0 {
		out.Items = daily
	}
	return out
}

// ManagerEscalations picks, from the nudge items of a manager's team (see
// NudgeItems, uncapped: a deal left out of its rep's reminder still
// escalates), the deals at ManagerLevel or above: the most escalated
// first, then in the reps' order.
func ManagerEscalations(items []NudgeItem) []NudgeItem {
	var out []NudgeItem
	for _, it := range items {
		if it.Escalation >= ManagerLevel {
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(a, b NudgeItem) int { return cmp.Compare(b.Escalation, a.Escalation) })
	return out
}

// WorkingDaysBetween counts the weekdays (Monday to Friday) after a up to
// and including b; 0 when b is not after a.
func WorkingDaysBetween(a, b Date) int {
	days := a.DaysUntil(b)
	if days <= 0 {
		return 0
	}
	n := days / 7 * 5
	for d := a.AddDays(days / 7 * 7); d.Before(b); {
		d = d.AddDays(1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n++
		}
	}
	return n
}

// NudgeDue reports whether a rep in loc is due the morning reminder at
// now: it is hour:00 (0–23) or later on the rep's wall clock, on a weekday
// unless weekends is set. The date is the rep's local day of now, the
// period of the reminder's idempotency key. The wall-clock hour, not a
// fixed offset, decides, so the reminder keeps to 09:00 across daylight
// saving changes, and an hour skipped by one is due from the next hour.
func NudgeDue(now time.Time, loc *time.Location, hour int, weekends bool) (Date, bool) {
	local := now.In(loc)
	day := DateOf(local)
	if wd := local.Weekday(); !weekends && (wd == time.Saturday || wd == time.Sunday) {
		return day, false
	}
	return day, local.Hour() >= hour
}
