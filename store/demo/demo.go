// Package demo fills a fresh database with a realistic sales team and a
// living funnel, so that a newcomer sees every feature in the first minute:
// two teams (one Chinese, one English-speaking), reps and managers, and
// some 45 deals in every stage of the playbook, with three months of
// history behind them.
//
// The data is made up with a fixed random seed: the same playbook and the
// same now give the same database, so demos and tests are repeatable.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// Summary says what Seed created.
type Summary struct {
	Teams, People, Deals, Events int
	Reps, Managers               []string // names, as `dealcoach chat --as` takes them
}

// Seed fills db, which must hold no deals yet, with the demo teams, people
// (on the console platform, known by name) and deals in playbook pb,
// amounts in currency, and history over the 90 days before now. All deals
// are written in one transaction.
func Seed(ctx context.Context, db *store.DB, pb *coach.Playbook, now time.Time, currency string) (Summary, error) {
	if pb == nil || currency == "" {
		return Summary{}, errors.New("demo: a playbook and a currency are required")
	}
	n, err := db.CountDeals(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("demo: %w", err)
	}
	if n > 0 {
		return Summary{}, fmt.Errorf("demo: the database already has %d deals; seed a fresh database", n)
	}
	reps, sum, err := seedPeople(ctx, db)
	if err != nil {
		return sum, err
	}
	r := rand.New(rand.NewPCG(1, 2))
	var items []store.RestoreItem
	var langs []int
	for _, s := range specs(r, pb, reps) {
		langs = append(langs, s.lang)
		st := &story{r: r, pb: pb, s: s, today: coach.DateOf(now.In(s.owner.loc)), currency: currency}
		it := st.item()
		items = append(items, it)
		sum.Events += len(it.History)
	}
	deals, err := db.RestoreDeals(ctx, items)
	if err != nil {
		return sum, fmt.Errorf("demo: %w", err)
	}
	if err := seedCoaching(ctx, db, pb, r, deals, langs); err != nil {
		return sum, err
	}
	if err := seedTargets(ctx, db, now); err != nil {
		return sum, err
	}
	sum.Deals = len(items)
	return sum, nil
}

// seedTargets sets each team's target for the quarter of now, so that the
// digest shows the forecast against it and the funnel's balance.
func seedTargets(ctx context.Context, db *store.DB, now time.Time) error {
	teams, err := db.Teams(ctx)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	for _, ts := range teamSpecs() {
		for _, t := range teams {
			if t.Name != ts.name {
				continue
			}
			q := coach.QuarterOf(coach.DateOf(now.In(zone(ts.tz)))).String()
			if err := db.SetTarget(ctx, t.ID, q, coach.Major(ts.target)); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
		}
	}
	return nil
}

// seedPeople creates the teams and people (or finds them, when a previous
// seed stopped half-way) and returns the reps of each language.
func seedPeople(ctx context.Context, db *store.DB) ([2][]rep, Summary, error) {
	var reps [2][]rep
	var sum Summary
	var teams [2]coach.Team
	var locs [2]*time.Location
	for i, ts := range teamSpecs() {
		t, err := ensureTeam(ctx, db, coach.Team{Name: ts.name, TZ: ts.tz, Lang: langCode(i)}) // a team's language is its people's
		if err != nil {
			return reps, sum, err
		}
		teams[i], locs[i] = t, zone(ts.tz)
		sum.Teams++
	}
	for _, m := range memberSpecs() {
		p, err := ensurePerson(ctx, db, coach.Person{Platform: "console", PlatformID: m.name, Name: m.name,
			TZ: teams[m.team].TZ, Lang: langCode(m.team), Role: m.role, TeamID: teams[m.team].ID})
		if err != nil {
			return reps, sum, err
		}
		sum.People++
		if m.role == coach.Manager {
			sum.Managers = append(sum.Managers, p.Name)
			continue
		}
		sum.Reps = append(sum.Reps, p.Name)
		reps[m.team] = append(reps[m.team], rep{Person: p, loc: locs[m.team]})
	}
	return reps, sum, nil
}

func ensureTeam(ctx context.Context, db *store.DB, t coach.Team) (coach.Team, error) {
	created, err := db.CreateTeam(ctx, t)
	if coach.ErrorCode(err) != coach.Conflict {
		if err != nil {
			return t, fmt.Errorf("demo: create team %s: %w", t.Name, err)
		}
		return created, nil
	}
	teams, err := db.Teams(ctx)
	if err != nil {
		return t, fmt.Errorf("demo: %w", err)
	}
	for _, have := range teams {
		if have.Name == t.Name {
			return have, nil
		}
	}
	return t, fmt.Errorf("demo: team %s exists but cannot be found", t.Name)
}

// ensurePerson creates p, or brings the person already known by the same
// console id in line with it.
func ensurePerson(ctx context.Context, db *store.DB, p coach.Person) (coach.Person, error) {
	got, err := db.EnsurePerson(ctx, p)
	if err != nil {
		return p, fmt.Errorf("demo: add %s: %w", p.Name, err)
	}
	p.ID = got.ID
	if got != p {
		if err := db.UpdatePerson(ctx, p); err != nil {
			return p, fmt.Errorf("demo: update %s: %w", p.Name, err)
		}
	}
	return p, nil
}

// zone loads an IANA zone. Both demo zones have been UTC+8 without daylight
// saving for decades, so a fixed offset stands in when the system has no
// zone database.
func zone(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.FixedZone(name, 8*60*60)
}
