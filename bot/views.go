package bot

import (
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

// The scheduled messages' content: the scheduler (bot/notify/schedule) gathers it
// from the store and coach, and NudgeReply and DigestReply render it.

// NudgeView is one person's morning reminder.
type NudgeView struct {
	Person coach.Person
	Today  coach.Date        // the person's local day
	Nudge  coach.Nudge       // their own deals that need a push
	Team   []coach.NudgeItem // a manager's: their reps' deals escalated to them (coach.ManagerEscalations), most escalated first
	Owners map[int64]string  // person id → name, for Team's deals
}

// Empty reports whether there is nothing to remind of: then no message.
func (v NudgeView) Empty() bool { return v.Nudge.Empty() && len(v.Team) == 0 }

// DigestView is one team's weekly digest.
type DigestView struct {
	Team     string
	Week     string    // ISO week, "2026-W48"
	From, To time.Time // the week, [From, To), in the team's zone
	Numbers  coach.DigestNumbers

	Quarter    string      // "2026-Q4", the quarter To falls in
	Target     coach.Money // the quarter's target; 0: none set
	WonQuarter coach.Money // won in the quarter up to To

	Reps      []RepRow          // one per rep of the team with deals, by weighted amount, largest first
	Escalated []coach.NudgeItem // deals at coach.ManagerLevel or above, most escalated first
	Deals     map[int64]coach.Deal
	Owners    map[int64]string  // person id → name
	Tiers     map[string]string // customer (coach.NormalizeName) → key-account tier, shown beside its deals
}

// RepRow is one rep's line of the digest's table.
type RepRow struct {
	Name      string
	Open      int
	Amount    coach.Money // open deals' amount
	Weighted  coach.Money // open deals' weighted amount
	Won       int         // won in the week
	WonAmount coach.Money
	Lost      int // lost in the week
	Stale     int // open deals past their stage's limit
	NoNext    int // open deals without a dated next step
}
