package coach

import "time"

// EventKind names one kind of change in a deal's history.
type EventKind string

// History event kinds.
const (
	EvCreated   EventKind = "created"
	EvStage     EventKind = "stage"     // From → To are stage keys
	EvAmount    EventKind = "amount"    // From → To are amounts in major units
	EvNextStep  EventKind = "next_step" // To is the step, Due its date
	EvClose     EventKind = "expected_close"
	EvNote      EventKind = "note"
	EvWon       EventKind = "won"
	EvLost      EventKind = "lost" // To is the reason
	EvReopened  EventKind = "reopened"
	EvRenamed   EventKind = "renamed"
	EvOwner     EventKind = "owner"
	EvAnswer    EventKind = "answer"    // From is the question key, To the answer
	EvSkipped   EventKind = "skipped"   // From is the question key
	EvQualified EventKind = "qualified" // From → To are "factor:mark"
	EvContact   EventKind = "contact"   // From is the name, To "role/relationship/style"
	EvSnoozed   EventKind = "snoozed"   // From → To are the old and new SnoozedUntil, "" when not snoozed
	EvUndo      EventKind = "undo"      // the events before it in the same change put back the actor's last change
)

// Event is one entry of a deal's history: who changed what, and when.
type Event struct {
	ID      int64
	DealID  int64
	Kind    EventKind
	From    string
	To      string
	ActorID int64
	Actor   string // display name, filled by reads
	At      time.Time
}

// Diff lists the history events that turn before into after. A new deal
// (before.ID == 0) yields one created event.
func Diff(before, after Deal) []Event {
	if before.ID == 0 {
		return []Event{{Kind: EvCreated, To: after.Stage}}
	}
	var evs []Event
	add := func(k EventKind, from, to string) { evs = append(evs, Event{Kind: k, From: from, To: to}) }
	if before.Customer != after.Customer || before.Title != after.Title {
		add(EvRenamed, before.Name(), after.Name())
	}
	if before.OwnerID != after.OwnerID {
		add(EvOwner, before.Owner, after.Owner)
	}
	if before.Stage != after.Stage {
		add(EvStage, before.Stage, after.Stage)
	}
	if before.Amount != after.Amount {
		add(EvAmount, before.Amount.String(), after.Amount.String())
	}
	if before.NextStep != after.NextStep || before.NextStepDue != after.NextStepDue {
		add(EvNextStep, joinStep(before.NextStep, before.NextStepDue), joinStep(after.NextStep, after.NextStepDue))
	}
	if before.ExpectedClose != after.ExpectedClose {
		add(EvClose, before.ExpectedClose.String(), after.ExpectedClose.String())
	}
	if before.SnoozedUntil != after.SnoozedUntil {
		add(EvSnoozed, before.SnoozedUntil.String(), after.SnoozedUntil.String())
	}
	if before.Status != after.Status {
		switch after.Status {
		case Won:
			add(EvWon, string(before.Status), "")
		case Lost:
			add(EvLost, string(before.Status), after.LostReason)
		case Open:
			add(EvReopened, string(before.Status), "")
		}
	}
	return evs
}

func joinStep(step string, due Date) string {
	if due.IsZero() {
		return step
	}
	return step + " @" + due.String()
}
