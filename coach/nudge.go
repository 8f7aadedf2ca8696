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

// NudgeItem is one deal that needs a push, with every reason at once.
type NudgeItem struct {
	Deal       Deal
	Reasons    []Flag // in Flags' order; kinds: stale, next_due, next_overdue, next_missing, close_passed, unanswered
	Priority   Money  // the weighted amount: amount × win rate
	OverLimit  int    // working days the deal has sat in its stage past the stage's limit
	Escalation int    // 0: none; else the number of escalation thresholds OverLimit has reached
}

// Nudge is what one morning reminder says. No items: send nothing.
type Nudge struct {
	Items []NudgeItem // most valuable first, at most the cap
	More  int         // deals left out by the cap
}

// Empty reports whether there is nothing to say.
func (n Nudge) Empty() bool { return len(n.Items) == 0 }

// nudgeKinds are the risks a morning reminder mentions; the others wait
// for the deal card and the digest.
var nudgeKinds = []FlagKind{FlagStale, FlagNextOverdue, FlagNextMissing, FlagClosePassed, FlagUnanswered}

// Nudge is the morning reminder on day today for deals, one rep's deals:
// NudgeItems capped by the rules.
func (p *Playbook) Nudge(deals []Deal, facts map[int64]DealFacts, today Date, r NudgeRules) Nudge {
	return r.Capped(p.NudgeItems(deals, facts, today, r))
}

// NudgeItems lists every open, unsnoozed deal that needs a push on day
// today, most valuable first (ties: the most overdue next step, then the
// lowest id). facts holds each deal's facts by id; a missing entry means
// no answers, contacts or marks.
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
		reasons = p.appendNudgeReasons(reasons, d, facts[d.ID], today)
		if len(reasons) == from {
			continue
		}
		if out == nil {
			out = make([]NudgeItem, 0, len(deals))
		}
		it := NudgeItem{Deal: d, Priority: Weighted(d.Amount, p.WinRate(d))}
		it.Reasons = reasons[from:len(reasons):len(reasons)]
		if s := p.stage(d.Stage); s != nil && s.StaleDays > 0 {
			limit := DateOf(d.StageSince).AddDays(s.StaleDays) // the last day Flags calls fresh
			it.OverLimit = WorkingDaysBetween(limit, today)
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

// appendNudgeReasons appends the deal's risks a reminder names, and a
// next step due today, to out.
func (p *Playbook) appendNudgeReasons(out []Flag, d Deal, f DealFacts, today Date) []Flag {
	var buf [8]Flag // more than Flags' kinds: the flags stay on the stack
	from := len(out)
	missing := false
	for _, fl := range p.appendFlags(buf[:0], d, f, today) {
		if !slices.Contains(nudgeKinds, fl.Kind) {
			continue
		}
		switch fl.Kind {
		case FlagNextMissing:
			missing = true
		case FlagUnanswered:
			if missing { // "no next step" already says the next-step question is open
				_, next := p.countUnanswered(d, d.Stage, f.Answers)
				fl.N -= next
			}
			if fl.N == 0 {
				continue
			}
		}
		out = append(out, fl)
	}
	if d.NextStep != "" && d.NextStepDue == today {
		i := from
		if len(out) > from && out[from].Kind == FlagStale { // keep Flags' order: stale, then the next step
			i++
		}
		out = slices.Insert(out, i, Flag{Kind: FlagNextDue})
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

// Capped is the reminder listing the first items up to the cap.
func (r NudgeRules) Capped(items []NudgeItem) Nudge {
	n := min(len(items), r.cap())
	return Nudge{Items: items[:n:n], More: len(items) - n}
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
