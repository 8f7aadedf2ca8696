package coach

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/dealcoach/dealcoach/prompts"
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
	for _, d := range deals {
		if d.Status != Open || d.Snoozed(today) {
			continue
		}
		reasons := p.nudgeReasons(d, facts[d.ID], today)
		if len(reasons) == 0 {
			continue
		}
		it := NudgeItem{Deal: d, Reasons: reasons, Priority: Weighted(d.Amount, p.WinRate(d))}
		if s, _ := p.Stage(d.Stage); s.StaleDays > 0 {
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
	slices.SortFunc(out, func(a, b NudgeItem) int {
		return cmp.Or(cmp.Compare(b.Priority, a.Priority), cmp.Compare(b.overdue(), a.overdue()),
			cmp.Compare(a.Deal.ID, b.Deal.ID))
	})
	return out
}

// nudgeReasons keeps the deal's risks a reminder names, and adds a next
// step due today.
func (p *Playbook) nudgeReasons(d Deal, f DealFacts, today Date) []Flag {
	var out []Flag
	missing := false
	for _, fl := range p.Flags(d, f, today) {
		if !slices.Contains(nudgeKinds, fl.Kind) {
			continue
		}
		switch fl.Kind {
		case FlagNextMissing:
			missing = true
		case FlagUnanswered:
			if missing { // "no next step" already says the next-step question is open
				fl.N -= countNextStep(p.Unanswered(d, d.Stage, f.Answers))
			}
			if fl.N == 0 {
				continue
			}
		}
		out = append(out, fl)
	}
	if d.NextStep != "" && d.NextStepDue == today {
		i := 0
		if len(out) > 0 && out[0].Kind == FlagStale { // keep Flags' order: stale, then the next step
			i = 1
		}
		out = slices.Insert(out, i, Flag{Kind: FlagNextDue})
	}
	return out
}

func countNextStep(qs []prompts.Question) int {
	n := 0
	for _, q := range qs {
		if IsNextStepQuestion(q) {
			n++
		}
	}
	return n
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
