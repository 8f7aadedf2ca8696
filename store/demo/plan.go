package demo

import (
	"math/rand/v2"
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

// rep is a deal owner, with the zone their working day is in.
type rep struct {
	coach.Person
	loc *time.Location
}

// situation is how an open deal stands today.
type situation int

const (
	onTrack situation = iota // next step due within two weeks
	overdue                  // next step due a few days ago
	noStep                   // never given a next step: the defect to coach
	stale                    // stage entered long ago, next step long overdue
	closed                   // won or lost
)

// spec is one deal to make up.
type spec struct {
	lang            int // zh or en
	customer, title string
	owner           rep
	target          int // index of the stage the deal reached
	status          coach.Status
	amount          coach.Money
	sit             situation
	regress         bool // went one stage too far and fell back
}

// specs decides every deal: who owns it, how big it is, how far it got and
// how it stands today.
func specs(r *rand.Rand, pb *coach.Playbook, reps [2][]rep) []spec {
	var out []spec
	for lang, names := range dealNames() {
		status := outcomes(r, lang, len(names))
		for i, n := range names {
			out = append(out, spec{lang: lang, customer: n[0], title: n[1], status: status[i],
				owner: owner(r, reps[lang], i), amount: amount(r, lang)})
		}
	}
	setStages(r, pb, out)
	setSituations(r, pb, out)
	return out
}

// owner picks a deal's rep. The first rep of each language (the one
// "chat --demo" logs in as) owns every other deal, so the newcomer's own
// funnel is full; the rest share the remainder.
func owner(r *rand.Rand, owners []rep, i int) rep {
	if i%2 == 0 || len(owners) == 1 {
		return owners[0]
	}
	return owners[1+r.IntN(len(owners)-1)]
}

// outcomes are n statuses in random order: three won, a few lost, the rest
// open.
func outcomes(r *rand.Rand, lang, n int) []coach.Status {
	won, lost := 3, 3
	if lang == en {
		lost = 2
	}
	s := make([]coach.Status, n)
	for i := range s {
		switch {
		case i < won:
			s[i] = coach.Won
		case i < won+lost:
			s[i] = coach.Lost
		default:
			s[i] = coach.Open
		}
	}
	r.Shuffle(n, func(i, j int) { s[i], s[j] = s[j], s[i] })
	return s
}

// amount is a realistic deal size, small ones likelier, rounded to a unit.
// Integer arithmetic only, so the demo is the same on every platform.
func amount(r *rand.Rand, lang int) coach.Money {
	lo, hi, unit := amountRange(lang)
	u := int64(r.IntN(1001))
	v := lo + (hi-lo)*u*u/1_000_000
	return coach.Major(v / unit * unit)
}

// setStages sets how far each deal got. Won deals reached the final stage;
// every other stage holds at least one open deal and the rest fill the
// funnel top-heavy; lost deals died anywhere before the end.
func setStages(r *rand.Rand, pb *coach.Playbook, ss []spec) {
	final := len(pb.Stages) - 1
	j := 0
	for _, i := range r.Perm(len(ss)) {
		switch ss[i].status {
		case coach.Won:
			ss[i].target = final
		case coach.Lost:
			ss[i].target = r.IntN(final)
		default:
			if j < final {
				ss[i].target = j
			} else {
				ss[i].target = funnel(r, final)
			}
			j++
		}
	}
}

// funnel picks a stage index below final, earlier ones likelier: stage i
// weighs final-i.
func funnel(r *rand.Rand, final int) int {
	n := r.IntN(final * (final + 1) / 2)
	for i := range final {
		w := final - i
		if n < w {
			return i
		}
		n -= w
	}
	return final - 1
}

// setSituations gives a few open deals each kind of trouble, and a few a
// regression, so that every coaching rule has something to say.
func setSituations(r *rand.Rand, pb *coach.Playbook, ss []spec) {
	final := len(pb.Stages) - 1
	kinds := []situation{stale, stale, stale, overdue, overdue, overdue, overdue, noStep, noStep, noStep}
	k, regress := 0, 0
	for _, i := range r.Perm(len(ss)) {
		s := &ss[i]
		if s.status != coach.Open {
			s.sit = closed
			continue
		}
		if k < len(kinds) {
			s.sit = kinds[k]
			k++
		}
		if regress < 3 && s.sit != stale && s.target >= 1 && s.target+1 < final {
			s.regress = true
			regress++
		}
	}
}
