package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
)

// answerNext reads the answer to "what is your next step, and when?" in
// the same words a next step takes anywhere ("周五拜访刘行长", "demo
// Friday"), sets it, and keeps asking for the date until there is one.
func (b *Bot) answerNext(ctx context.Context, t *turn, d coach.Deal, kind parse.AnswerKind) (Reply, bool, error) {
	if kind != parse.AnswerText {
		r := textReply(t.lang, b.text(t.lang, "coach.later", "ref", ref(d)))
		b.endWait(t)
		return r, true, nil
	}
	text := strings.TrimSpace(t.msg.Text)
	// A bare yes or no is no next step: it is a confirmation's button
	// pressed again (its value is typed text) or a reply meant for another
	// question. Yes asks again; no drops the question, as "later" does.
	switch answerYesNo(text) {
	case 1:
		return textReply(t.lang, b.text(t.lang, "ask_next", "ref", ref(d))), true, nil
	case -1:
		b.endWait(t)
		return textReply(t.lang, b.text(t.lang, "coach.later", "ref", ref(d))), true, nil
	}
	cmd := parse.Next(d.ID, text, b.parseContext(t))
	if cmd.Err != nil {
		return Reply{}, true, cmd.Err // still waiting: the state stays
	}
	if !cmd.HasNext {
		r := textReply(t.lang, b.text(t.lang, "ask_next", "ref", ref(d)))
		return r, true, nil
	}
	r, err := b.update(ctx, t, d.ID, cmd)
	return r, true, err
}

// afterUpdate is what follows a change: a new stage is coached; an open
// deal left without a dated next step is asked for one, and the answer is
// awaited.
func (b *Bot) afterUpdate(ctx context.Context, t *turn, r Reply, before, after coach.Deal) (Reply, error) {
	cur, waiting := t.cur, t.waiting
	// A question about another deal stays pending: this change was a
	// command given in between, not a change of subject.
	other := waiting && cur.DealID != after.ID && cur.Await != awaitPick
	if after.Status != coach.Open {
		if other {
			return r, nil
		}
		b.endWait(t)
		return r, nil
	}
	if before.Stage != after.Stage || before.Status != coach.Open {
		if other {
			r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: b.text(t.lang, "coach.offer", "ref", ref(after))})
			return r, nil
		}
		if t.person.CoachNow {
			return b.startCoaching(ctx, t, after, r, false)
		}
		// Offered, not asked (coachpref.go): the next message stays free,
		// but for the next step below. A question of the old stage that
		// waited is over.
		r.Blocks = append(r.Blocks, b.coachOffer(t, after)...)
		if waiting && cur.Await == awaitQuestion {
			waiting = false
			b.endWait(t)
		}
	}
	switch {
	case after.NextStep == "":
		r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: b.text(t.lang, "ask_next", "ref", ref(after))})
	case after.NextStepDue.IsZero():
		r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: b.text(t.lang, "ask_next_due", "ref", ref(after), "step", after.NextStep)})
	default:
		if waiting && !other {
			return b.continueCoaching(ctx, t, after, r, cur)
		}
		return r, nil
	}
	if other || waiting && cur.Await == awaitQuestion {
		return r, nil // the pending question comes first
	}
	b.await(t, state{Await: awaitNext, DealID: after.ID})
	return r, nil
}

// continueCoaching picks the coaching up again after the deal got a dated
// next step: as the answer to the stage's last question, or while another
// of its questions waits (which is asked again).
func (b *Bot) continueCoaching(ctx context.Context, t *turn, d coach.Deal, r Reply, s state) (Reply, error) {
	switch s.Await {
	case awaitNext:
		b.endWait(t)
		return r, nil
	case awaitQuestion:
		r, _, err := b.askNextQuestion(ctx, t, d, r, false)
		return r, err
	}
	return r, nil
}

// done marks deal d's next step done: it is kept as a note, the next step
// is cleared, and the bot asks for the new one, in the same write.
func (b *Bot) done(ctx context.Context, t *turn, d coach.Deal) (Reply, error) {
	var step string
	decide := func(d coach.Deal) (coach.Update, error) {
		switch {
		case !t.person.CanEdit(d):
			return coach.Update{}, coach.Errorf(coach.Forbidden, "err.forbidden", "ref", ref(d), "owner", d.Owner)
		case d.Status != coach.Open:
			return coach.Update{}, coach.Errorf(coach.Invalid, "err.done_closed", "ref", ref(d))
		case d.NextStep == "" && d.NextStepDue.IsZero():
			return coach.NewUpdate(d, d, nil, b.cfg.Now()), nil
		}
		step = d.NextStep
		after := d
		after.NextStep, after.NextStepDue = "", coach.Date{}
		note := coach.Event{Kind: coach.EvNote, To: b.text(t.lang, "done.note", "step", step)}
		return coach.NewUpdate(d, after, []coach.Event{note}, b.cfg.Now()), nil
	}
	reply := func(u coach.Update) (Reply, error) {
		before, after := u.Before, u.After
		key := "done.marked"
		if before.NextStep == "" && before.NextStepDue.IsZero() {
			key = "done.none"
		}
		r := textReply(t.lang, b.text(t.lang, key, "ref", ref(after), "name", after.Name(), "step", step))
		r.DealID = after.ID
		r, err := b.afterUpdate(ctx, t, r, before, after)
		if err != nil {
			return Reply{}, err
		}
		if len(r.Blocks) > 0 && after.Status == coach.Open {
			r.Blocks = append(r.Blocks, Block{Kind: ButtonsBlock, Buttons: []Button{
				{Label: b.text(t.lang, "btn.next"), Value: fmt.Sprintf("/deal #%d next step", after.ID), Form: FormNext, DealID: after.ID},
			}})
		}
		return r, nil
	}
	_, r, err := b.changeDeal(ctx, t, d.ID, decide, reply)
	return r, err
}
