package coach

import (
	"cmp"
	"math/big"
	"slices"
	"time"
)

// Funnel analytics for the weekly digest (METHODOLOGY.md §1). Every number
// is computed from the deals' history, so a past moment (last week, for the
// change in velocity) is computed the same way as the present one.
//
// Conventions:
//   - A period is half-open, [from, to); "at t" means after every event
//     earlier than t.
//   - Events of one moment (one write) apply together; a deal at the final
//     stage is won.
//   - A deal's amount at t is the one its history shows then (the From of
//     its first amount change at or after t, else its current amount).
//   - A deal recorded already closed (created at the final stage, or
//     imported won or lost) has no close date: it is not a new deal and
//     counts in no window statistic until it is reopened.

// WindowDays is how far back conversion, win rate, cycle and deal size look.
const WindowDays = 90

// MinThrough is the fewest deals a stage must have seen in the window for
// its measured conversion to be used; below it the rate is assumed from the
// playbook's win rates.
const MinThrough = 5

// Maybe is a number that may be unknown: a mean or a rate over no deals has
// OK false and a zero Value, never NaN or Inf.
type Maybe[T any] struct {
	Value T
	OK    bool
}

func known[T any](v T) Maybe[T] { return Maybe[T]{v, true} }

// Analytics answers funnel questions about one team's deals.
type Analytics struct {
	pb    *Playbook
	deals []timeline
}

// Analyze prepares the analytics of a team's deals. Stages, statuses and
// amounts at a past moment are replayed backwards from each deal's current
// row, so deals must hold every deal open now or changed since the
// earliest moment asked about (HistoryStart), and events every event of
// those deals since then, in any order; older events and events of other
// deals are ignored.
func Analyze(pb *Playbook, deals []Deal, events []Event) *Analytics {
	byDeal := make(map[int64][]Event, len(deals))
	for _, e := range events {
		byDeal[e.DealID] = append(byDeal[e.DealID], e)
	}
	a := &Analytics{pb: pb}
	for _, d := range deals {
		a.deals = append(a.deals, pb.replay(d, byDeal[d.ID]))
	}
	return a
}

// HistoryStart is the earliest moment Digest(from, to, …) looks at: the
// start of the window before from, for last period's velocity.
func HistoryStart(from time.Time) time.Time { return from.AddDate(0, 0, -WindowDays) }

// final is the index of the final stage: reaching it is winning.
func (a *Analytics) final() int { return len(a.pb.Stages) - 1 }

// StageFunnel is one stage's open deals at a moment.
type StageFunnel struct {
	Stage    string
	WinRate  int // the stage's, 0–100
	Count    int
	Amount   Money
	Weighted Money // Σ Weighted(amount, WinRate), deal by deal
}

// Funnel is the open deals at a moment, by stage.
type Funnel struct {
	At       time.Time
	Stages   []StageFunnel // every stage but the final, in funnel order
	Count    int
	Amount   Money
	Forecast Money // the weighted pipeline: Σ of the stages' Weighted
}

// Funnel counts the deals open at at.
func (a *Analytics) Funnel(at time.Time) Funnel {
	f := Funnel{At: at, Stages: make([]StageFunnel, a.final())}
	for i := range f.Stages {
		f.Stages[i] = StageFunnel{Stage: a.pb.Stages[i].Key, WinRate: a.pb.Stages[i].WinRate}
	}
	for _, tl := range a.deals {
		s, _, ok := tl.state(at)
		if !ok || s.status != Open || s.stage >= a.final() {
			continue
		}
		st := &f.Stages[s.stage]
		amount := tl.amountAt(at)
		w := Weighted(amount, st.WinRate)
		st.Count, st.Amount, st.Weighted = st.Count+1, st.Amount+amount, st.Weighted+w
		f.Count, f.Amount, f.Forecast = f.Count+1, f.Amount+amount, f.Forecast+w
	}
	return f
}

// Transition is one change of one deal.
type Transition struct {
	DealID   int64
	From, To string // stage keys before and after; From is "" for a new deal
	At       time.Time
	Amount   Money // the deal's amount at the end of the period
}

// Movement is what changed in a period, each list in time order. A deal
// appears once per change, so twice if it advanced twice.
type Movement struct {
	From, To  time.Time
	Created   []Transition // new deals, at the stage they were recorded in
	Advanced  []Transition // moves to a later stage, but not into the final one (that is Won)
	Regressed []Transition // moves to an earlier stage, but not out of the final one (that is Reopened)
	Won       []Transition
	Lost      []Transition
	Reopened  []Transition // closed deals made open again
}

// Total is the sum of the amounts of ts.
func Total(ts []Transition) Money {
	var sum Money
	for _, t := range ts {
		sum += t.Amount
	}
	return sum
}

// Movement lists the changes in [from, to).
func (a *Analytics) Movement(from, to time.Time) Movement {
	m := Movement{From: from, To: to}
	key := func(i int) string { return a.pb.Stages[i].Key }
	for _, tl := range a.deals {
		amount := tl.amountAt(to)
		for j, s := range tl.steps {
			if s.at.Before(from) || !s.at.Before(to) {
				continue
			}
			tr := Transition{DealID: tl.deal.ID, To: key(s.stage), At: s.at, Amount: amount}
			if j == 0 {
				if s.status == Open {
					m.Created = append(m.Created, tr)
				}
				continue
			}
			prev := tl.steps[j-1]
			tr.From = key(prev.stage)
			switch {
			case s.stage == prev.stage, s.stage == a.final(), prev.stage == a.final():
			case s.stage > prev.stage:
				m.Advanced = append(m.Advanced, tr)
			default:
				m.Regressed = append(m.Regressed, tr)
			}
			switch {
			case s.status == prev.status:
			case s.status == Won:
				m.Won = append(m.Won, tr)
			case s.status == Lost:
				m.Lost = append(m.Lost, tr)
			default:
				m.Reopened = append(m.Reopened, tr)
			}
		}
	}
	for _, l := range []*[]Transition{&m.Created, &m.Advanced, &m.Regressed, &m.Won, &m.Lost, &m.Reopened} {
		slices.SortStableFunc(*l, func(x, y Transition) int {
			if c := x.At.Compare(y.At); c != 0 {
				return c
			}
			return cmp.Compare(x.DealID, y.DealID)
		})
	}
	return m
}

// StageConversion is how one stage converted over a window.
//
// A deal is Through a stage when, during the window, it was open in it: it
// was there at the window's start, or entered it (created there, moved
// there, or moved back there). A deal that jumps over the stage (moved from
// an earlier stage to a later one, or created at a later stage) passed
// through it at that moment, and has already Reached a later stage. A deal
// Reached a later stage when, after it was first in the stage during the
// window and before the window's end, its history shows it at a later stage
// (won is the last). A deal lost while in the stage counts as Through and
// not Reached; a deal regressed after reaching a later stage still counts
// as Reached. Deals recorded already closed count nowhere.
type StageConversion struct {
	Stage    string
	Through  int
	Reached  int
	Rate     float64 // Reached ÷ Through when Measured, else the playbook's win rate of the stage ÷ that of the next (0 when it is 0 ÷ 0)
	Measured bool    // Through ≥ MinThrough
	num, den int64   // Rate, exactly, for the balance's ceilings
}

// Window is what the deals show over the WindowDays days before To.
// Won and Lost count deals closed in [From, To) and still closed at To.
type Window struct {
	From, To  time.Time
	Stages    []StageConversion // every stage but the final, in funnel order
	Won, Lost int
	WinRate   Maybe[float64] // Won ÷ (Won + Lost)
	CycleDays Maybe[float64] // mean time from creation to win of the Won deals, in days of 24 hours
	AvgSize   Maybe[Money]   // mean amount at To of the Won deals, rounded half away from zero
	wonAmount Money          // Σ amounts of the Won deals
	cycleSecs int64          // Σ cycles of the Won deals, in seconds
}

// Window computes conversion, win rate, cycle and size over the WindowDays
// days before to (calendar days in to's location).
func (a *Analytics) Window(to time.Time) Window {
	w := Window{From: to.AddDate(0, 0, -WindowDays), To: to}
	for _, tl := range a.deals {
		w.addClose(tl)
	}
	if w.Won+w.Lost > 0 {
		w.WinRate = known(float64(w.Won) / float64(w.Won+w.Lost))
	}
	if w.Won > 0 {
		w.CycleDays = known(float64(w.cycleSecs) / 86400 / float64(w.Won))
		size, ok := divRound(big.NewInt(int64(w.wonAmount)), big.NewInt(int64(w.Won)))
		w.AvgSize = Maybe[Money]{size, ok}
	}
	w.Stages = make([]StageConversion, a.final())
	for i := range w.Stages {
		c := StageConversion{Stage: a.pb.Stages[i].Key}
		for _, tl := range a.deals {
			through, reached := tl.conversion(i, w.From, to)
			c.Through, c.Reached = c.Through+b2i(through), c.Reached+b2i(reached)
		}
		c.num, c.den = int64(c.Reached), int64(c.Through)
		if c.Measured = c.Through >= MinThrough; !c.Measured {
			c.num, c.den = int64(a.pb.Stages[i].WinRate), int64(a.pb.Stages[i+1].WinRate)
		}
		if c.den == 0 {
			c.num = 0
		} else {
			c.Rate = float64(c.num) / float64(c.den)
		}
		w.Stages[i] = c
	}
	return w
}

// addClose counts tl in Won or Lost when it closed in the window.
func (w *Window) addClose(tl timeline) {
	s, k, ok := tl.state(w.To)
	if !ok || s.status == Open {
		return
	}
	for k > 0 && tl.steps[k-1].status == s.status {
		k--
	}
	if k == 0 || tl.steps[k].at.Before(w.From) { // recorded closed, or closed before the window
		return
	}
	if s.status == Lost {
		w.Lost++
		return
	}
	w.Won++
	w.wonAmount += tl.amountAt(w.To)
	w.cycleSecs += int64(tl.steps[k].at.Sub(tl.steps[0].at) / time.Second)
}

// Velocity is sales velocity at a moment and its four levers, taken over
// the window before it.
type Velocity struct {
	At        time.Time
	OpenDeals int
	WinRate   Maybe[float64]
	AvgSize   Maybe[Money]
	CycleDays Maybe[float64]
	// PerDay is OpenDeals × WinRate × AvgSize ÷ CycleDays, money per day,
	// computed exactly from the window's sums and rounded once; unknown
	// without wins or when every win took no time.
	PerDay Maybe[Money]
}

// Velocity computes sales velocity at to.
func (a *Analytics) Velocity(to time.Time) Velocity {
	return velocity(a.Window(to), a.Funnel(to))
}

func velocity(w Window, f Funnel) Velocity {
	v := Velocity{At: w.To, OpenDeals: f.Count, WinRate: w.WinRate, AvgSize: w.AvgSize, CycleDays: w.CycleDays}
	if w.Won > 0 && w.cycleSecs > 0 {
		// n × W/(W+L) × S/W ÷ (secs/W/86400) = n × S × W × 86400 ÷ ((W+L) × secs)
		num := big.NewInt(int64(f.Count))
		num.Mul(num, big.NewInt(int64(w.wonAmount)))
		num.Mul(num, big.NewInt(int64(w.Won)*86400))
		den := big.NewInt(int64(w.Won + w.Lost))
		den.Mul(den, big.NewInt(w.cycleSecs))
		perDay, ok := divRound(num, den)
		v.PerDay = Maybe[Money]{perDay, ok}
	}
	return v
}

// Minus is the change from prev to v, lever by lever; a lever unknown on
// either side is unknown.
func (v Velocity) Minus(prev Velocity) Velocity {
	return Velocity{
		At:        v.At,
		OpenDeals: v.OpenDeals - prev.OpenDeals,
		WinRate:   minus(v.WinRate, prev.WinRate),
		AvgSize:   minus(v.AvgSize, prev.AvgSize),
		CycleDays: minus(v.CycleDays, prev.CycleDays),
		PerDay:    minus(v.PerDay, prev.PerDay),
	}
}

func minus[T ~int64 | ~float64](a, b Maybe[T]) Maybe[T] {
	if !a.OK || !b.OK {
		return Maybe[T]{}
	}
	return known(a.Value - b.Value)
}

// StageBalance is one stage of the funnel balance. Needed is unknown when
// the target cannot be reached from this stage: a zero (or unknown) rate
// here or at a later stage, or no deal size to start from.
type StageBalance struct {
	Stage    string
	Rate     float64 // the stage's conversion (see StageConversion)
	Measured bool
	Have     int        // open deals in the stage now
	Gross    Maybe[int] // deals the stage must convert from an empty funnel: ⌈next stage's Gross ÷ Rate⌉
	Needed   Maybe[int] // deals that must still pass through it, given what later stages hold: ⌈next stage's Missing ÷ Rate⌉
	Missing  Maybe[int] // max(Needed − Have, 0): what the stage before must supply
}

// Balance works backwards from a target amount to the deals needed at each
// stage (漏斗平衡). The "next stage" of the last open stage is winning:
// its Gross and Missing are WinsNeeded.
type Balance struct {
	Target       Money
	AvgSize      Maybe[Money] // the window's mean won amount; without one, the mean of open deals' positive amounts
	SizeMeasured bool         // AvgSize comes from won deals
	WinsNeeded   Maybe[int]   // ⌈Target ÷ AvgSize⌉; 0 for a target of 0 or less
	Stages       []StageBalance
	NewProspects Maybe[int] // new deals the top of the funnel lacks: the first stage's Missing
}

// Balance computes the funnel balance for target with the funnel at at and
// the conversion of the window before it.
func (a *Analytics) Balance(target Money, at time.Time) Balance {
	return a.balance(target, a.Window(at), a.Funnel(at))
}

func (a *Analytics) balance(target Money, w Window, f Funnel) Balance {
	b := Balance{Target: target, AvgSize: w.AvgSize, SizeMeasured: w.AvgSize.OK && w.AvgSize.Value > 0}
	if !b.SizeMeasured {
		b.AvgSize = a.openMean(f.At)
	}
	switch {
	case target <= 0:
		b.WinsNeeded = known(0)
	case b.AvgSize.OK:
		b.WinsNeeded = ceilDiv(int64(target), 1, int64(b.AvgSize.Value))
	}
	b.Stages = make([]StageBalance, len(w.Stages))
	gross, missing := b.WinsNeeded, b.WinsNeeded
	for i := len(w.Stages) - 1; i >= 0; i-- {
		c := w.Stages[i]
		sb := StageBalance{Stage: c.Stage, Rate: c.Rate, Measured: c.Measured, Have: f.Stages[i].Count}
		sb.Gross = c.through(gross)
		sb.Needed = c.through(missing)
		if sb.Needed.OK {
			sb.Missing = known(max(sb.Needed.Value-sb.Have, 0))
		}
		b.Stages[i] = sb
		gross, missing = sb.Gross, sb.Missing
	}
	b.NewProspects = missing
	return b
}

// through is how many deals must be in the stage for next of them to reach
// a later one: ⌈next ÷ rate⌉, exactly.
func (c StageConversion) through(next Maybe[int]) Maybe[int] {
	switch {
	case !next.OK:
		return next
	case next.Value == 0:
		return known(0)
	case c.num == 0:
		return Maybe[int]{}
	}
	return ceilDiv(int64(next.Value), c.den, c.num)
}

// openMean is the mean of the positive amounts of the deals open at at:
// the size to assume before any win.
func (a *Analytics) openMean(at time.Time) Maybe[Money] {
	var sum, n int64
	for _, tl := range a.deals {
		if s, _, ok := tl.state(at); ok && s.status == Open {
			if m := tl.amountAt(at); m > 0 {
				sum, n = sum+int64(m), n+1
			}
		}
	}
	if n == 0 {
		return Maybe[Money]{}
	}
	m, ok := divRound(big.NewInt(sum), big.NewInt(n))
	return Maybe[Money]{m, ok}
}

// Hygiene lists open deals with missing data, by id, as the deals stand now.
type Hygiene struct {
	NoNextStep []int64 // no next step, or no date for it
	NoAmount   []int64 // no amount (zero or less)
}

// CheckHygiene finds the open deals among deals that lack a dated next
// step or an amount.
func CheckHygiene(deals []Deal) Hygiene {
	var h Hygiene
	for _, d := range deals {
		if d.Status != Open {
			continue
		}
		if d.NextStep == "" || d.NextStepDue.IsZero() {
			h.NoNextStep = append(h.NoNextStep, d.ID)
		}
		if d.Amount <= 0 {
			h.NoAmount = append(h.NoAmount, d.ID)
		}
	}
	slices.Sort(h.NoNextStep)
	slices.Sort(h.NoAmount)
	return h
}

// DigestNumbers are the funnel numbers of one period's digest.
type DigestNumbers struct {
	Funnel         Funnel   // open deals at the period's end
	Movement       Movement // the period's changes
	Window         Window   // conversion, win rate, cycle and size over WindowDays before the end
	Velocity       Velocity // at the end
	LastVelocity   Velocity // at the start: the end of the period before
	VelocityChange Velocity // Velocity.Minus(LastVelocity)
	Balance        Balance
	Hygiene        Hygiene
}

// Digest computes the numbers of the digest of [from, to), with target
// the amount still to win (say, the quarter's remaining target).
func (a *Analytics) Digest(from, to time.Time, target Money) DigestNumbers {
	w, f := a.Window(to), a.Funnel(to)
	n := DigestNumbers{Funnel: f, Movement: a.Movement(from, to), Window: w, Velocity: velocity(w, f),
		LastVelocity: a.Velocity(from), Balance: a.balance(target, w, f)}
	n.VelocityChange = n.Velocity.Minus(n.LastVelocity)
	deals := make([]Deal, len(a.deals))
	for i, tl := range a.deals {
		deals[i] = tl.deal
	}
	n.Hygiene = CheckHygiene(deals)
	return n
}
