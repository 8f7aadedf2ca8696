package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
)

// remind changes or shows the speaker's morning reminders.
func (b *Bot) remind(ctx context.Context, t *turn, c *parse.RemindCmd) (Reply, error) {
	db := t.st
	cur, err := db.ReminderOf(ctx, t.person.ID)
	if err != nil {
		return Reply{}, err
	}
	if c.TZ != "" {
		tz, ok := b.zoneName(c.TZ)
		if !ok {
			return Reply{}, coach.Errorf(coach.Invalid, "err.tz", "text", c.TZ)
		}
		if err := db.SetPersonTZ(ctx, t.person.ID, tz); err != nil {
			return Reply{}, err
		}
		t.person.TZ = tz
	}
	if !c.Show {
		switch {
		case c.Off:
			cur.Off = true
		case c.On:
			cur.Off = false
		}
		if c.Hour >= 0 {
			cur.Hour = c.Hour
		}
		if err := db.SetReminder(ctx, t.person.ID, cur); err != nil {
			return Reply{}, err
		}
	}
	var lines []string
	if c.TZ != "" {
		lines = append(lines, b.text(t.lang, "remind.tz", "tz", t.person.TZ))
	}
	if cur.Off {
		return textReply(t.lang, strings.Join(append(lines, b.text(t.lang, "remind.off")), "\n")), nil
	}
	// The hour and zone the scheduler will use: the person's own, else
	// their team's, else the defaults.
	hour, loc := cur.Hour, b.location(t.person)
	if t.person.TeamID != 0 && (hour < 0 || t.person.TZ == "") {
		tm, err := db.Team(ctx, t.person.TeamID)
		if err != nil {
			return Reply{}, err
		}
		if hour < 0 {
			hour = tm.RemindHour
		}
		if z, ok := b.zones.Load(tm.TZ); ok && t.person.TZ == "" {
			loc = z
		}
	}
	if hour < 0 {
		hour = coach.DefaultRemindHour
	}
	return textReply(t.lang, strings.Join(append(lines, b.text(t.lang, "remind.on", "hour", fmt.Sprintf("%02d:00", hour),
		"tz", loc.String())), "\n")), nil
}
