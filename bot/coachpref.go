package bot

import (
	"context"
	"fmt"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
)

// Coaching waits its turn: on a new deal or a stage move the bot offers
// the coaching (a "Coach me" button, or "coach #12") and leaves the next
// message free, unless the person chose to be asked at once.

// setCoachPref stores when the speaker is coached.
func (b *Bot) setCoachPref(ctx context.Context, t *turn, c *parse.CoachPref) (Reply, error) {
	t.person.CoachNow = c.Now
	if err := b.cfg.Store.UpdatePerson(ctx, t.person); err != nil {
		return Reply{}, err
	}
	key := "pref.offer"
	if c.Now {
		key = "pref.now"
	}
	return textReply(t.lang, b.text(t.lang, key)), nil
}

// coachOffer offers the coaching of deal d's stage.
func (b *Bot) coachOffer(t *turn, d coach.Deal) []Block {
	s, _ := b.cfg.Playbook.Stage(d.Stage)
	return []Block{
		{Kind: ContextBlock, Text: b.text(t.lang, "coach.offer_stage", "ref", ref(d), "stage", s.Name.In(t.lang), "n", len(s.Questions))},
		{Kind: ButtonsBlock, Buttons: []Button{{Label: b.text(t.lang, "coach.btn.coach_me"), Value: fmt.Sprintf("/deal #%d coach", d.ID)}}},
	}
}
