package schedule

import (
	"context"
	"fmt"
	"runtime"
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
	rs, err := s.cfg.Store.Recipients(ctx)
	if err != nil {
		return nil, err
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
			return nil, err
		}
		if !sent {
			dues = append(dues, due{r, day})
		}
	}
	if len(dues) == 0 {
		return nil, nil // the usual minute: nothing is read beyond the people
	}
	w, err := s.world(ctx, rs)
	if err != nil {
		return nil, err
	}
	runs := make([]Run, len(dues))
	parallel(len(dues), func(i int) { runs[i] = s.nudgeRun(w, dues[i].r.Person, dues[i].day) })
	return runs, nil
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
	w, err := s.world(ctx, rs)
	if err != nil {
		return nil, err
	}
	var runs []Run
	for _, r := range rs {
		if wd := day.Weekday(); r.Off || !r.Weekends && (wd == time.Saturday || wd == time.Sunday) {
			continue
		}
		runs = append(runs, s.nudgeRun(w, r.Person, day))
	}
	return runs, nil
}

// loc is a recipient's zone: theirs, else their team's, else the default.
func (s *Scheduler) loc(r store.Recipient) *time.Location {
	return s.zone(r.Person.TZ, s.zone(r.TeamTZ, s.cfg.DefaultTZ))
}

// world is what reminders are computed from: every open deal, by owner,
// with the coaching answers the rules read.
type world struct {
	byOwner map[int64][]coach.Deal
	facts   map[int64]coach.DealFacts
	people  map[int64]coach.Person
	team    map[int64][]int64 // team id → its people's ids
}

func (s *Scheduler) world(ctx context.Context, rs []store.Recipient) (*world, error) {
	deals, err := s.cfg.Store.NudgeDeals(ctx)
	if err != nil {
		return nil, err
	}
	answers, err := s.cfg.Store.OpenAnswers(ctx, 0)
	if err != nil {
		return nil, err
	}
	w := &world{byOwner: map[int64][]coach.Deal{}, facts: make(map[int64]coach.DealFacts, len(answers)),
		people: make(map[int64]coach.Person, len(rs)), team: map[int64][]int64{}}
	// Each owner's deals in one allocation, of the right size.
	count := map[int64]int{}
	for _, d := range deals {
		count[d.OwnerID]++
	}
	for id, n := range count {
		w.byOwner[id] = make([]coach.Deal, 0, n)
	}
	for _, d := range deals {
		w.byOwner[d.OwnerID] = append(w.byOwner[d.OwnerID], d)
	}
	for id, a := range answers {
		w.facts[id] = coach.DealFacts{Answers: a}
	}
	for _, r := range rs {
		w.people[r.Person.ID] = r.Person
		if r.Person.TeamID != 0 {
			w.team[r.Person.TeamID] = append(w.team[r.Person.TeamID], r.Person.ID)
		}
	}
	return w, nil
}

// nudgeRun is one person's reminder of day: their own deals, and for a
// manager (or an admin in a team) their reps' deals escalated to them.
func (s *Scheduler) nudgeRun(w *world, p coach.Person, day coach.Date) Run {
	pb, rules := s.cfg.Playbook, s.cfg.Rules
	v := bot.NudgeView{Person: p, Today: day, Nudge: pb.Nudge(w.byOwner[p.ID], w.facts, day, rules)}
	if (p.Role == coach.Manager || p.Role == coach.Admin) && p.TeamID != 0 {
		var items []coach.NudgeItem
		v.Owners = map[int64]string{}
		for _, id := range w.team[p.TeamID] {
			if id == p.ID {
				continue
			}
			items = append(items, pb.NudgeItems(w.byOwner[id], w.facts, day, rules)...)
			v.Owners[id] = w.people[id].Name
		}
		v.Team = coach.ManagerEscalations(items)
	}
	run := Run{Key: nudgeKey(p, day), Platform: p.Platform}
	if v.Empty() {
		return run
	}
	run.Messages = []Message{{Key: run.Key, Platform: p.Platform, Channel: p.PlatformID, To: p.Name,
		Reply: s.cfg.Bot.NudgeReply(s.lang(p), v)}}
	return run
}
