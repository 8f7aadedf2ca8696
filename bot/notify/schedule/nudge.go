package schedule

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// nudgeKey is the morning reminder's run and message key: one per person
// and local day.
func nudgeKey(p coach.Person, day coach.Date) string {
	return fmt.Sprintf("nudge:%s:%s:%s", day, p.Platform, p.PlatformID)
}

// DueNudges plans the morning reminders due at now and not yet run: for
// each person on an enqueued platform with reminders on, once their
// reminder hour has come on their local day (weekdays unless their team
// reminds at weekends too).
func (s *Scheduler) DueNudges(ctx context.Context, now time.Time) ([]Run, error) {
	var all []Run
	err := s.dueNudges(ctx, now, func(runs []Run) error { all = append(all, runs...); return nil })
	return all, err
}

// renderedAtOnce is how many reminders are rendered before they are handed
// on: a morning's thousand rendered reminders held at once were most of a
// scan's memory.
const renderedAtOnce = 64

// dueNudges is DueNudges handing the runs to each a few at a time.
func (s *Scheduler) dueNudges(ctx context.Context, now time.Time, each func([]Run) error) error {
	rs, err := s.cfg.Store.Recipients(ctx)
	if err != nil {
		return err
	}
	type due struct {
		r   store.Recipient
		day coach.Date
	}
	var dues []due
	done := map[coach.Date]map[string]bool{}
	ran := func(p coach.Person, day coach.Date) (bool, error) {
		if done[day] == nil {
			var err error
			if done[day], err = s.cfg.Store.DoneRuns(ctx, "nudge:"+day.String()+":"); err != nil {
				return false, err
			}
		}
		return done[day][nudgeKey(p, day)], nil
	}
	for _, r := range rs {
		if r.Off || !s.enqueued(r.Person.Platform) {
			continue
		}
		day, ok := coach.NudgeDue(now, s.loc(r), r.Hour, r.Weekends)
		if !ok {
			continue
		}
		sent, err := ran(r.Person, day)
		if err == nil && !sent {
			// A person who moved west may be back on the day before the
			// one they were last reminded of: that day is over for them.
			sent, err = ran(r.Person, day.AddDays(1))
		}
		if err != nil {
			return err
		}
		if !sent {
			dues = append(dues, due{r, day})
		}
	}
	if len(dues) == 0 {
		return nil // the usual minute: nothing is read beyond the people
	}
	days := make(map[int64]coach.Date, len(dues))
	for _, d := range dues {
		days[d.r.Person.ID] = d.day
	}
	w, err := s.scan(ctx, rs, days)
	if err != nil {
		return err
	}
	for chunk := range slices.Chunk(dues, renderedAtOnce) {
		runs := make([]Run, len(chunk))
		parallel(len(chunk), func(i int) { runs[i] = s.nudgeRun(w, chunk[i].r.Person, chunk[i].day) })
		if err := each(runs); err != nil {
			return err
		}
	}
	return nil
}

// parallel runs fn(0..n-1) on as many goroutines as there are CPUs.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// Nudges plans everyone's reminder of day (the nudge command): on every
// platform, whether or not the hour has come, skipping only those whose
// reminders are off or whose day it is not (a weekend).
func (s *Scheduler) Nudges(ctx context.Context, day coach.Date) ([]Run, error) {
	rs, err := s.cfg.Store.Recipients(ctx)
	if err != nil {
		return nil, err
	}
	days := map[int64]coach.Date{}
	var due []coach.Person
	for _, r := range rs {
		if wd := day.Weekday(); r.Off || !r.Weekends && (wd == time.Saturday || wd == time.Sunday) {
			continue
		}
		days[r.Person.ID] = day
		due = append(due, r.Person)
	}
	w, err := s.scan(ctx, rs, days)
	if err != nil {
		return nil, err
	}
	runs := make([]Run, len(due))
	parallel(len(due), func(i int) { runs[i] = s.nudgeRun(w, due[i], day) })
	return runs, nil
}

// DayOff reports whether day is a day off for everyone with reminders on:
// a Saturday or Sunday, and no team reminds at weekends. The nudge
// command then says why there is nothing, rather than that nothing needs
// a push.
func (s *Scheduler) DayOff(ctx context.Context, day coach.Date) (bool, error) {
	if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
		return false, nil
	}
	rs, err := s.cfg.Store.Recipients(ctx)
	if err != nil {
		return false, err
	}
	for _, r := range rs {
		if !r.Off && r.Weekends {
			return false, nil
		}
	}
	return true, nil
}

// loc is a recipient's zone: theirs, else their team's, else the default.
func (s *Scheduler) loc(r store.Recipient) *time.Location {
	return s.zone(r.Person.TZ, s.zone(r.TeamTZ, s.cfg.DefaultTZ))
}

// world is what one scan's reminders are drawn from: of each owner whose
// deals were read, their reminder and the deals escalated to a manager.
// It keeps no more of anyone's deals than that.
type world struct {
	owned  map[int64]owned
	people map[int64]coach.Person
	team   map[int64][]int64 // team id → its people's ids
}

// owned is what a scan keeps of one owner's deals.
type owned struct {
	nudge     coach.Nudge       // their reminder's items, capped
	escalated []coach.NudgeItem // every deal at coach.ManagerLevel or above
}

// dealsPerRead is about how many deals a scan reads at a time (more when
// one owner has more): a scan of 100,000 deals holds a few percent of
// them, and has groups enough to keep every CPU busy.
const dealsPerRead = 2048

// scan reads the open deals and answers of the people in days and of the
// teams of the managers among them, a group of owners at a time (on as
// many goroutines as there are CPUs), and keeps each owner's reminder as
// of their day in days (a rep read for their manager alone: the
// manager's day).
func (s *Scheduler) scan(ctx context.Context, rs []store.Recipient, days map[int64]coach.Date) (*world, error) {
	w := &world{owned: map[int64]owned{}, people: make(map[int64]coach.Person, len(rs)), team: map[int64][]int64{}}
	for _, r := range rs {
		w.people[r.Person.ID] = r.Person
		if r.Person.TeamID != 0 {
			w.team[r.Person.TeamID] = append(w.team[r.Person.TeamID], r.Person.ID)
		}
	}
	owners := make(map[int64]coach.Date, len(days))
	for id, day := range days {
		if p := w.people[id]; isLead(p) {
			for _, m := range w.team[p.TeamID] {
				owners[m] = day
			}
		}
	}
	maps.Copy(owners, days) // a rep's own day first
	counts, err := s.cfg.Store.OpenDealCounts(ctx)
	if err != nil {
		return nil, err
	}
	groups := groupOwners(slices.Sorted(maps.Keys(owners)), counts, s.readSize)
	kept := make([]map[int64]owned, len(groups))
	errs := make([]error, len(groups))
	parallel(len(groups), func(i int) { kept[i], errs[i] = s.scanOwners(ctx, groups[i], owners) })
	for _, err := range errs {
		if err != nil {
			return nil, err // the first: after a cancellation, every later group says so again
		}
	}
	for _, k := range kept {
		maps.Copy(w.owned, k)
	}
	return w, nil
}

// ownerGroup is owners whose deals a scan reads at once, and how many
// open deals they have.
type ownerGroup struct {
	ids   []int64
	deals int
}

// groupOwners cuts ids, in order, into groups of about size open deals by
// counts; owners without open deals are left out.
func groupOwners(ids []int64, counts map[int64]int, size int) []ownerGroup {
	var out []ownerGroup
	var g ownerGroup
	for _, id := range ids {
		n := counts[id]
		if n == 0 {
			continue
		}
		if g.deals > 0 && g.deals+n > size {
			out, g = append(out, g), ownerGroup{}
		}
		g.ids, g.deals = append(g.ids, id), g.deals+n
	}
	if g.deals > 0 {
		out = append(out, g)
	}
	return out
}

// scanOwners reads one group of owners' deals and answers and keeps their
// reminders.
func (s *Scheduler) scanOwners(ctx context.Context, g ownerGroup, days map[int64]coach.Date) (map[int64]owned, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ids := g.ids
	deals, err := s.cfg.Store.OwnersNudgeDeals(ctx, ids, g.deals)
	if err != nil {
		return nil, err
	}
	answers, err := s.cfg.Store.OwnersOpenAnswers(ctx, ids)
	if err != nil {
		return nil, err
	}
	facts := make(map[int64]coach.DealFacts, len(answers))
	for id, a := range answers {
		facts[id] = coach.DealFacts{Answers: a}
	}
	out := make(map[int64]owned, len(ids))
	for len(deals) > 0 { // the deals come owner by owner
		owner := deals[0].OwnerID
		n := 1
		for n < len(deals) && deals[n].OwnerID == owner {
			n++
		}
		items := s.cfg.Playbook.NudgeItems(deals[:n], facts, days[owner], s.cfg.Rules)
		capped := s.cfg.Rules.Capped(items, days[owner])
		capped.Items = slices.Clone(capped.Items)
		o := owned{nudge: capped}
		for _, it := range items {
			if it.Escalation >= coach.ManagerLevel {
				o.escalated = append(o.escalated, it)
			}
		}
		out[owner] = o
		deals = deals[n:]
	}
	return out, nil
}

// isLead reports whether p sees their team's escalations: a manager, or an
// admin in a team.
func isLead(p coach.Person) bool {
	return (p.Role == coach.Manager || p.Role == coach.Admin) && p.TeamID != 0
}

// nudgeRun is one person's reminder of day: their own deals, and for a
// manager (or an admin in a team) their reps' deals escalated to them.
func (s *Scheduler) nudgeRun(w *world, p coach.Person, day coach.Date) Run {
	v := bot.NudgeView{Person: p, Today: day, Nudge: w.owned[p.ID].nudge}
	if isLead(p) {
		var items []coach.NudgeItem
		v.Owners = map[int64]string{}
		for _, id := range w.team[p.TeamID] {
			if id == p.ID {
				continue
			}
			items = append(items, w.owned[id].escalated...)
			v.Owners[id] = w.people[id].Name
		}
		v.Team = coach.ManagerEscalations(items)
	}
	run := Run{Key: nudgeKey(p, day), Platform: p.Platform}
	if v.Empty() {
		return run
	}
	run.Messages = []Message{{Key: run.Key, Platform: p.Platform, Channel: p.PlatformID, To: p.Name,
		Reply: s.cfg.Format.NudgeReply(s.lang(p), v)}}
	return run
}
