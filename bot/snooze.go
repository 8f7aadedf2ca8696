package bot

import (
	"context"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
)

// snooze holds the reminders about deal d back until cmd.SnoozeUntil
// (the parser has checked the day against the message's), or ends its
// snooze when that is zero. Whoever may change the deal may snooze it; a
// closed deal has no reminders to hold back.
func (b *Bot) snooze(ctx context.Context, t *turn, d coach.Deal, cmd parse.Command) (Reply, error) {
	today := coach.DateOf(t.now)
	decide := func(d coach.Deal) (coach.Update, error) {
		if !t.person.CanEdit(d) {
			return coach.Update{}, coach.Errorf(coach.Forbidden, "err.forbidden", "ref", ref(d), "owner", d.Owner)
		}
		after := d
		switch {
		case !cmd.SnoozeUntil.IsZero() && d.Status != coach.Open:
			return coach.Update{}, coach.Errorf(coach.Invalid, "err.snooze_closed", "ref", ref(d))
		case cmd.SnoozeUntil.IsZero() && !d.Snoozed(today):
			// an ended snooze stays as it was: nothing to undo
		default:
			after.SnoozedUntil = cmd.SnoozeUntil
		}
		return coach.NewUpdate(d, after, nil, b.cfg.Now()), nil
	}
	reply := func(u coach.Update) (Reply, error) { return b.snoozed(t, u.Before, u.After), nil }
	_, r, err := b.changeDeal(ctx, t, d.ID, decide, reply)
	return r, err
}

// snoozed is the reply to a snooze: until when, or that it ended.
func (b *Bot) snoozed(t *turn, before, after coach.Deal) Reply {
	today := coach.DateOf(t.now)
	args := []any{"ref", ref(after), "name", after.Name()}
	key := "snooze.cleared"
	switch {
	case after.Snoozed(today):
		key, args = "snooze.set", append(args, "date", b.date(t, after.SnoozedUntil))
	case !before.Snoozed(today):
		key = "snooze.not_snoozed"
	}
	r := textReply(t.lang, b.text(t.lang, key, args...))
	r.DealID = after.ID
	return r
}
