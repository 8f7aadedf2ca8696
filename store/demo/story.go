package demo

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// step is one change in a deal's life, as its owner would have made it in
// the chat: a change to the deal (given the day it happens), a note, or both.
type step struct {
	change func(d *coach.Deal, day coach.Date)
	note   string
}

// story makes up one deal's history over the 90 days before now. Days are
// counted back from today in the owner's zone; every event falls on a
// working day at least one day ago, so none is ever after now.
type story struct {
	r        *rand.Rand
	pb       *coach.Playbook
	s        spec
	today    coach.Date // now, in the owner's zone
	currency string
}

// item is the deal of s as it stands today, with its history.
func (st *story) item() store.RestoreItem {
	created, staged, last := st.days()
	early, late := st.earlySteps(), st.lateSteps()
	times := st.times(created, staged, len(early), time.Time{})
	times = append(times, st.times(staged, last, len(late), times[len(times)-1])...)
	return st.play(append(early, late...), times)
}

// days picks, in days before today, when the deal was created, when it
// entered its current stage, and when it was last touched.
func (st *story) days() (created, staged, last int) {
	r := st.r
	switch st.s.sit {
	case stale:
		staged = 35 + r.IntN(20)
		last = staged - r.IntN(4)
	case overdue:
		staged = 6 + r.IntN(15)
		last = max(2, staged-r.IntN(4))
	case onTrack:
		staged = 2 + r.IntN(19)
		last = 1 + r.IntN(min(staged, 7))
	default: // noStep, closed
		staged = 2 + r.IntN(25)
		last = staged
	}
	created = staged
	if moves := len(st.path()); moves > 0 || st.s.status != coach.Open {
		created = min(89, staged+3+2*moves+r.IntN(40))
	}
	return created, staged, last
}

// path is the stages the deal moved into after its first one, in order:
// up to the stage it reached (the win itself is a step of its own), or
// one stage further and back for a regression.
func (st *story) path() []int {
	top := st.s.target
	if st.s.status == coach.Won {
		top--
	}
	if st.s.regress {
		top++
	}
	var p []int
	for i := 1; i <= top; i++ {
		p = append(p, i)
	}
	if st.s.regress {
		p = append(p, st.s.target)
	}
	return p
}

// earlySteps run from the deal's creation to the day it entered its
// current stage, won or lost.
func (st *story) earlySteps() []step {
	r, s := st.r, st.s
	first := s.amount
	if r.IntN(5) < 2 { // the size changed as the deal was qualified
		_, _, unit := amountRange(s.lang)
		first = max(coach.Major(unit), s.amount*coach.Money(70+r.IntN(61))/100/coach.Major(unit)*coach.Major(unit))
	}
	closeDate := st.today.AddDays(30 + r.IntN(71))
	steps := []step{{change: func(d *coach.Deal, _ coach.Date) {
		*d = coach.Deal{Customer: s.customer, Title: s.title, OwnerID: s.owner.ID, Owner: s.owner.Name,
			TeamID: s.owner.TeamID, Amount: first, Currency: st.currency, Stage: st.pb.First().Key,
			Status: coach.Open, ExpectedClose: closeDate}
	}}}
	if r.IntN(2) == 0 {
		steps = append(steps, step{note: pick(r, notes()[s.lang])})
	}
	path := st.path()
	if s.sit != noStep && len(path) > 0 {
		steps = append(steps, st.nextStep(3+r.IntN(5)))
	}
	resize := step{change: func(d *coach.Deal, _ coach.Date) { d.Amount = s.amount }}
	if len(path) == 0 && first != s.amount {
		steps = append(steps, resize)
	}
	for i, idx := range path {
		key, mv := st.pb.Stages[idx].Key, step{}
		mv.change = func(d *coach.Deal, _ coach.Date) { d.Stage = key }
		if s.regress && i == len(path)-1 {
			mv.note = pick(r, regressNotes()[s.lang])
		}
		steps = append(steps, mv)
		if i == len(path)/2 && first != s.amount {
			steps = append(steps, resize)
		}
	}
	return append(steps, st.ending()...)
}

// ending is the win or the loss of a closed deal.
func (st *story) ending() []step {
	final, lang := st.pb.Final().Key, st.s.lang
	switch st.s.status {
	case coach.Won:
		return []step{{note: pick(st.r, wonNotes()[lang]), change: func(d *coach.Deal, day coach.Date) {
			d.Status, d.Stage, d.LostReason, d.ExpectedClose = coach.Won, final, "", day
		}}}
	case coach.Lost:
		reason := pick(st.r, lostReasons()[lang])
		return []step{{change: func(d *coach.Deal, _ coach.Date) { d.Status, d.LostReason = coach.Lost, reason }}}
	}
	return nil
}

// nextStep sets a next step due in days after the day it is set.
func (st *story) nextStep(days int) step {
	text := pick(st.r, nextSteps()[st.s.lang])
	return step{change: func(d *coach.Deal, day coach.Date) { d.NextStep, d.NextStepDue = text, day.AddDays(days) }}
}

// lateSteps follow the last stage move of an open deal: the next step it
// stands on today, sometimes a later expected close, sometimes a note.
func (st *story) lateSteps() []step {
	r, s := st.r, st.s
	var steps []step
	switch s.sit {
	case closed, noStep:
		return nil
	case onTrack:
		steps = append(steps, st.dueOn(st.today.AddDays(r.IntN(14))))
	case overdue:
		steps = append(steps, st.dueOn(st.today.AddDays(-1-r.IntN(7))))
	case stale:
		steps = append(steps, st.nextStep(3+r.IntN(5)))
	}
	if s.sit != stale && r.IntN(4) == 0 {
		slip := 7 + r.IntN(14)
		steps = append(steps, step{change: func(d *coach.Deal, _ coach.Date) { d.ExpectedClose = d.ExpectedClose.AddDays(slip) }})
	}
	if r.IntN(3) == 0 {
		steps = append(steps, step{note: pick(r, notes()[s.lang])})
	}
	return steps
}

// dueOn sets a next step due on date, or on the day it is set if that is
// later (a step is never due before it was agreed).
func (st *story) dueOn(date coach.Date) step {
	text := pick(st.r, nextSteps()[st.s.lang])
	return step{change: func(d *coach.Deal, day coach.Date) {
		d.NextStep, d.NextStepDue = text, date
		if date.Before(day) {
			d.NextStepDue = day
		}
	}}
}

// times are n increasing moments in working hours from day from to day to
// (days before today, from ≥ to), all after prev.
func (st *story) times(from, to, n int, prev time.Time) []time.Time {
	days := make([]int, n)
	for i := range days {
		days[i] = to + st.r.IntN(from-to+1)
	}
	slices.Sort(days)
	slices.Reverse(days)
	if n > 0 {
		days[0], days[n-1] = from, to
	}
	out := make([]time.Time, n)
	for i, ago := range days {
		t := time.Date(st.today.Year, st.today.Month, st.today.Day-ago, 9, st.r.IntN(8*60), 0, 0, st.s.owner.loc)
		if !t.After(prev) {
			t = prev.Add(time.Duration(5+st.r.IntN(40)) * time.Minute)
		}
		out[i], prev = t, t
	}
	return out
}

// play applies the steps at their times and records, for each, the
// history events the chat would have written (coach.Diff) plus its note.
func (st *story) play(steps []step, times []time.Time) store.RestoreItem {
	var d coach.Deal
	var evs []coach.Event
	for i, sp := range steps {
		at := times[i].UTC()
		before := d
		if sp.change != nil {
			sp.change(&d, coach.DateOf(times[i]))
		}
		diff := coach.Diff(before, d)
		if sp.note != "" {
			diff = append(diff, coach.Event{Kind: coach.EvNote, To: sp.note})
		}
		for _, e := range diff {
			e.At, e.ActorID = at, st.s.owner.ID
			if e.Kind == coach.EvCreated || e.Kind == coach.EvStage {
				d.StageSince = at
			}
			evs = append(evs, e)
		}
		if i == 0 {
			d.CreatedAt = at
		}
		d.ID, d.UpdatedAt = 1, at // an id makes Diff see an existing deal
	}
	d.ID = 0
	return store.RestoreItem{Deal: d, History: evs}
}

func pick(r *rand.Rand, words []string) string { return words[r.IntN(len(words))] }
