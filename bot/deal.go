package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// maxTries is how many times a turn runs again when its deal changed
// between its read and its commit, before it asks the person to try again.
const maxTries = 8

// create opens a new deal owned by the speaker, unless they already have
// one open of that name (a second "new" is almost always a repeat). The
// deal's id is reserved first, so that the reply and the conversation's
// next state, worked out before the commit, can name it; the deal, its
// first events, that state and the event's dedupe mark then commit in one
// transaction.
func (b *Bot) create(ctx context.Context, t *turn, cmd parse.Command) (Reply, error) {
	pb := b.cfg.Playbook
	d := coach.Deal{
		Customer: cmd.Customer, Title: cmd.Title, OwnerID: t.person.ID, Owner: t.person.Name,
		TeamID: t.person.TeamID, Currency: b.cfg.Currency, Stage: pb.First().Key, Status: coach.Open,
	}
	u, err := b.apply(t, cmd, d)
	if err != nil {
		return Reply{}, err
	}
	start := t.snapshot()
	for try := 1; ; try++ {
		d := u.After
		if d.ID, err = b.cfg.Store.NextDealID(ctx); err != nil {
			return Reply{}, err
		}
		r, conv, err := b.created(ctx, t, cmd, d)
		if err == nil {
			_, err = t.st.NewDeal(ctx, d, t.person.ID, u.Notes, conv)
		}
		if err == nil {
			t.committed()
			b.namesChanged(d)
			return r, nil
		}
		t.restore(start)
		if !errors.Is(err, store.ErrStale) || try == maxTries {
			return Reply{}, err
		}
	}
}

// created is the reply to a create of d, and the conversation's next state.
func (b *Bot) created(ctx context.Context, t *turn, cmd parse.Command, d coach.Deal) (Reply, *store.Conv, error) {
	// The deal as it will be written: the store stamps it alike.
	now := b.cfg.Now().UTC()
	d.CreatedAt, d.UpdatedAt, d.StageSince, d.Version = now, now, now, 1
	r := Reply{Lang: t.lang, DealID: d.ID}
	r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: b.text(t.lang, "created", "ref", ref(d), "name", d.Name())},
		Block{Kind: ListBlock, Items: b.summary(t, d, cmd.Note)})
	// A deal created now has no answers: coaching need not read them.
	t.answers, t.answersOf = map[string]coach.Answer{}, d.ID
	r, err := b.afterUpdate(ctx, t, r, coach.Deal{Status: coach.Open}, d)
	if err != nil {
		return Reply{}, nil, err
	}
	conv, err := t.conv()
	return r, conv, err
}

// update applies a command to deal id, after checking that the speaker may
// change it, then warns about what the move skipped and coaches the new
// stage.
func (b *Bot) update(ctx context.Context, t *turn, id int64, cmd parse.Command) (Reply, error) {
	decide := func(d coach.Deal) (coach.Update, error) {
		if !t.person.CanEdit(d) {
			return coach.Update{}, coach.Errorf(coach.Forbidden, "err.forbidden", "ref", ref(d), "owner", d.Owner)
		}
		return b.apply(t, cmd, d)
	}
	reply := func(u coach.Update) (Reply, error) { return b.updated(ctx, t, cmd, u.Before, u.After) }
	u, r, err := b.changeDeal(ctx, t, id, decide, reply)
	if err != nil {
		return Reply{}, err
	}
	before, after := u.Before, u.After
	if before.Status != after.Status || before.Name() != after.Name() || before.OwnerID != after.OwnerID || before.TeamID != after.TeamID {
		b.namesChanged(before)
		b.namesChanged(after)
	}
	return r, nil
}

// changeDeal is a turn that changes deal id: it reads the deal, decides
// the update (decide checks permission and works the change out as data),
// builds the reply and the conversation's next state from it, and commits
// the update with that state in one write. Should the deal have changed
// since it was read, the turn runs again on the deal as it now is; a
// concurrent change is never overwritten.
func (b *Bot) changeDeal(ctx context.Context, t *turn, id int64, decide func(coach.Deal) (coach.Update, error),
	reply func(coach.Update) (Reply, error)) (coach.Update, Reply, error) {
	// Turns of this process on the same deal take turns, so that none of
	// them runs again for another's change; a retry is for other processes.
	defer b.dealTurns.lock(id)()
	start := t.snapshot()
	for try := 1; ; try++ {
		d, err := b.cfg.Store.Deal(ctx, id)
		if err != nil {
			return coach.Update{}, Reply{}, err
		}
		u, err := decide(d)
		if err != nil {
			return u, Reply{}, err
		}
		r, err := reply(u)
		var conv *store.Conv
		if err == nil {
			conv, err = t.conv()
		}
		if err == nil {
			u.After, err = t.st.UpdateDeal(ctx, u, t.person.ID, conv)
		}
		if err == nil {
			t.committed()
			return u, r, nil
		}
		t.restore(start)
		switch {
		case !errors.Is(err, store.ErrStale):
			return u, Reply{}, err
		case try == maxTries:
			return u, Reply{}, coach.Errorf(coach.Conflict, "err.deal_conflict", "ref", ref(d))
		}
	}
}

// behind, and what the bot asks next. It runs before the update commits,
// so it only reads the store, never writes.
func (b *Bot) updated(ctx context.Context, t *turn, cmd parse.Command, before, after coach.Deal) (Reply, error) {
	r := Reply{Lang: t.lang, DealID: after.ID}
	items := b.changes(t, before, after, cmd.Note)
	if len(items) == 0 {
		r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: b.text(t.lang, "unchanged", "ref", ref(after), "name", after.Name())})
		return r, nil
	}
	r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: b.text(t.lang, "updated", "ref", ref(after), "name", after.Name())})
	r.Blocks = append(r.Blocks, Block{Kind: ListBlock, Items: items})
	if before.Stage != after.Stage && before.Status == coach.Open && after.Status == coach.Open {
		warn, err := b.gateWarnings(ctx, t, before, after)
		if err != nil {
			return Reply{}, err
		}
		r.Blocks = append(r.Blocks, warn...)
	}
	return b.afterUpdate(ctx, t, r, before, after)
}

// gateWarnings tells what a move left behind: the required questions of
// the stage left unanswered (the deal is flagged until they are), stages
// jumped over, or a regression. The move has already applied: reps never
// fight the tool.
func (b *Bot) gateWarnings(ctx context.Context, t *turn, before, after coach.Deal) ([]Block, error) {
	answers, err := b.answers(ctx, t, before.ID)
	if err != nil {
		return nil, err
	}
	m := b.cfg.Playbook.CheckMove(before, before.Stage, after.Stage, answers)
	var out []Block
	if m.Backward {
		out = append(out, Block{Kind: ContextBlock, Text: b.text(t.lang, "regressed")})
	}
	if len(m.Skipped) > 0 {
		var names []string
		for _, s := range m.Skipped {
			names = append(names, s.Name.In(t.lang))
		}
		out = append(out, Block{Kind: ContextBlock, Text: b.text(t.lang, "gate.skipped", "stages", strings.Join(names, ", "))})
	}
	if len(m.Unanswered) > 0 {
		var qs []string
		for _, q := range m.Unanswered {
			qs = append(qs, q.Text.In(t.lang))
		}
		out = append(out, Block{Kind: ContextBlock, Text: b.text(t.lang, "gate.unanswered",
			"stage", b.stageName(t.lang, before.Stage), "ref", ref(before))}, Block{Kind: ListBlock, Items: qs})
	}
	return out, nil
}

// apply works out what cmd changes of deal d (coach.Playbook.Apply).
func (b *Bot) apply(t *turn, cmd parse.Command, d coach.Deal) (coach.Update, error) {
	return b.cfg.Playbook.Apply(d, b.changeOf(t, cmd), b.cfg.Now())
}

// changeOf is the change cmd asks for, as data.
func (b *Bot) changeOf(t *turn, cmd parse.Command) coach.Change {
	c := coach.Change{HasAmount: cmd.HasAmount, Amount: cmd.Amount, Currency: cmd.Currency,
		HasNext: cmd.HasNext, NextStep: cmd.NextStep, NextDue: cmd.NextDue, Close: cmd.Close,
		Won: cmd.Kind == parse.Won, Lost: cmd.Kind == parse.Lost, Reason: cmd.Reason}
	if cmd.Kind != parse.List {
		c.Stage = cmd.Stage
	}
	if cmd.Note != "" {
		c.Notes = append(c.Notes, cmd.Note)
	}
	if cmd.Kind == parse.Update && cmd.Reason != "" { // why a deal moved back
		c.Notes = append(c.Notes, b.text(t.lang, "regress_reason", "reason", cmd.Reason))
	}
	return c
}

func ref(d coach.Deal) string { return fmt.Sprintf("#%d", d.ID) }
