package coach

import (
	"cmp"
	"math"
	"math/big"
	"slices"
	"time"
)

// step is a deal's state from a moment on, every event of that moment
// applied.
type step struct {
	at     time.Time
	stage  int // index in the playbook
	status Status
}

// timeline is a deal's history replayed: one step per moment it changed
// stage or status.
type timeline struct {
	deal    Deal
	steps   []step  // steps[0] is the creation, or the oldest state replayed
	amounts []Event // amount changes in time order
}

// replay builds the timeline of d backwards from its current state,
// undoing its events newest first, so only the events since the earliest
// moment asked about are needed. Without its created event, the deal is
// taken to have been in its oldest replayed state since d.CreatedAt.
func (p *Playbook) replay(d Deal, evs []Event) timeline {
	slices.SortStableFunc(evs, func(x, y Event) int {
		if c := x.At.Compare(y.At); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
	tl := timeline{deal: d}
	cur := step{stage: p.Index(d.Stage), status: d.Status}
	var rev []step // states newest first, each from its moment on
	born := false
	for j := len(evs) - 1; j >= 0 && !born; j-- {
		e := evs[j]
		if j == len(evs)-1 || !evs[j+1].At.Equal(e.At) { // the state after this moment
			rev = append(rev, p.norm(cur, e.At))
		}
		if born = e.Kind == EvCreated; born { // as created, before the moment's later events
			rev = append(rev, p.norm(cur, e.At))
		}
		p.undo(&cur, e)
	}
	if !born {
		at := d.CreatedAt
		if n := len(rev); n > 0 && rev[n-1].at.Before(at) {
			at = rev[n-1].at
		}
		rev = append(rev, p.norm(cur, at))
	}
	for i := len(rev) - 1; i >= 0; i-- {
		if n := len(tl.steps); n == 0 || rev[i].stage != tl.steps[n-1].stage || rev[i].status != tl.steps[n-1].status {
			tl.steps = append(tl.steps, rev[i])
		}
	}
	for _, e := range evs {
		if e.Kind == EvAmount {
			tl.amounts = append(tl.amounts, e)
		}
	}
	return tl
}

// undo turns s, the state after e, into the one before it.
func (p *Playbook) undo(s *step, e Event) {
	switch e.Kind {
	case EvStage:
		if i := p.Index(e.From); i >= 0 {
			s.stage = i
		}
	case EvWon, EvLost, EvReopened:
		if st := Status(e.From); st == Open || st == Won || st == Lost {
			s.status = st
		}
	}
}

// norm is s from at on, made consistent: an unknown stage is the first,
// and a deal at the final stage is won.
func (p *Playbook) norm(s step, at time.Time) step {
	s.at, s.stage = at, max(s.stage, 0)
	if s.stage == len(p.Stages)-1 {
		s.status = Won
	}
	return s
}

// state is the deal's state at t and its step's index; ok is false before
// the deal was created.
func (tl timeline) state(t time.Time) (s step, k int, ok bool) {
	k = -1
	for i, st := range tl.steps {
		if !st.at.Before(t) {
			break
		}
		k = i
	}
	if k < 0 {
		return step{}, -1, false
	}
	return tl.steps[k], k, true
}

// amountAt is the deal's amount at t: what its first amount change at or
// after t changed from, else its current amount.
func (tl timeline) amountAt(t time.Time) Money {
	for _, e := range tl.amounts {
		if !e.At.Before(t) {
			if m, err := ParseMoney(e.From); err == nil {
				return m
			}
			break
		}
	}
	return tl.deal.Amount
}

// conversion tells whether the deal was through stage i during [from, to)
// and whether it reached a later stage by to (see StageConversion).
func (tl timeline) conversion(i int, from, to time.Time) (through, reached bool) {
	s, k, ok := tl.state(from)
	through = ok && s.status == Open && s.stage == i
	for j := k + 1; j < len(tl.steps) && tl.steps[j].at.Before(to); j++ {
		st, prev := tl.steps[j], -1
		if j > 0 {
			prev = tl.steps[j-1].stage
		} else if st.status != Open {
			continue // recorded already closed: counts from a reopening on
		}
		switch {
		case through && st.stage > i, !through && prev < i && i < st.stage:
			return true, true
		case st.status == Open && st.stage == i:
			through = true
		}
	}
	return through, false
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// divRound is num ÷ den rounded half away from zero; ok is false when den
// is 0 or the quotient does not fit in Money.
func divRound(num, den *big.Int) (Money, bool) {
	if den.Sign() == 0 {
		return 0, false
	}
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Sign() != 0 {
		twice := new(big.Int).Abs(r)
		if twice.Lsh(twice, 1).Cmp(new(big.Int).Abs(den)) >= 0 {
			q.Add(q, big.NewInt(int64(num.Sign()*den.Sign())))
		}
	}
	if !q.IsInt64() {
		return 0, false
	}
	return Money(q.Int64()), true
}

// ceilDiv is ⌈a × b ÷ c⌉ for a, b ≥ 0 and c > 0; unknown when it does not
// fit in an int.
func ceilDiv(a, b, c int64) Maybe[int] {
	if c <= 0 {
		return Maybe[int]{}
	}
	q, r := new(big.Int).QuoRem(new(big.Int).Mul(big.NewInt(a), big.NewInt(b)), big.NewInt(c), new(big.Int))
	if r.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsInt64() || q.Int64() > math.MaxInt {
		return Maybe[int]{}
	}
	return known(int(q.Int64()))
}
