package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// create opens a new deal owned by the speaker, unless they already have
// one open of that name (a second "new" is almost always a repeat). The
// deal, its first events, the conversation's next state and the event's
// dedupe mark commit in one transaction, and the reply is worked out
// once, inside it, as an update's is.
func (b *Bot) create(ctx context.Context, t *turn, cmd parse.Command) (Reply, error) {
	pb := b.cfg.Playbook
	d := coach.Deal{
		Customer: cmd.Customer, Title: cmd.Title, OwnerID: t.person.ID, Owner: t.person.Name,
		TeamID: t.person.TeamID, Currency: b.cfg.Currency, Stage: pb.First().Key, Status: coach.Open,
	}
	extra, err := b.apply(t, cmd, &d)
	if err != nil {
		return Reply{}, err
	}
	var r Reply
	follow := func(before, d coach.Deal) (*store.Conv, error) {
		r = Reply{Lang: t.lang, DealID: d.ID}
		r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: b.text(t.lang, "created", "ref", ref(d), "name", d.Name())},
			Block{Kind: ListBlock, Items: b.summary(t, d, cmd.Note)})
		// A deal created now has no answers: coaching need not read them.
		t.answers, t.answersOf = map[string]coach.Answer{}, d.ID
		var err error
		if r, err = b.afterUpdate(ctx, t, r, before, d); err != nil {
			return nil, err
		}
		return t.conv()
	}
	if _, err := b.cfg.Store.NewDeal(ctx, d, t.person.ID, extra, follow); err != nil {
		return Reply{}, err
	}
	b.namesChanged(d)
	return r, nil
}

// update applies a command to deal id in one transaction, after checking
// that the speaker may change it, then warns about what the move skipped
// and coaches the new stage.
func (b *Bot) update(ctx context.Context, t *turn, id int64, cmd parse.Command) (Reply, error) {
	var r Reply
	change := func(d *coach.Deal) ([]coach.Event, error) {
		if !t.person.CanEdit(*d) {
			return nil, coach.Errorf(coach.Forbidden, "err.forbidden", "ref", ref(*d), "owner", d.Owner)
		}
		return b.apply(t, cmd, d)
	}
	// The reply and the conversation's next state are worked out inside the
	// update's transaction, so that both are committed in one write.
	follow := func(before, after coach.Deal) (*store.Conv, error) {
		var err error
		if r, err = b.updated(ctx, t, cmd, before, after); err != nil {
			return nil, err
		}
		return t.conv()
	}
	before, after, err := b.cfg.Store.UpdateDeal(ctx, id, t.person.ID, change, follow)
	if err != nil {
		return Reply{}, err
	}
	if before.Status != after.Status || before.Name() != after.Name() || before.OwnerID != after.OwnerID || before.TeamID != after.TeamID {
		b.namesChanged(before)
		b.namesChanged(after)
	}
	return r, nil
}

// updated is the reply to a change: what changed, what the move left
// behind, and what the bot asks next. It runs inside the update's
// transaction, so it only reads the store (the read pool), never writes.
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

// apply changes d as cmd says. Reaching the final stage wins the deal;
// moving the stage of a closed deal reopens it.
func (b *Bot) apply(t *turn, cmd parse.Command, d *coach.Deal) ([]coach.Event, error) {
	pb := b.cfg.Playbook
	if cmd.Stage != "" && cmd.Kind != parse.List {
		if d.Status != coach.Open {
			d.Status, d.LostReason = coach.Open, ""
		}
		d.Stage = cmd.Stage
		if cmd.Stage == pb.Final().Key {
			d.Status = coach.Won
		}
	}
	if cmd.HasAmount {
		// Amounts are kept in the deal's currency; converting at a guessed
		// rate would be a silent misparse, so a different currency is asked about.
		if cmd.Currency != "" && cmd.Currency != d.Currency {
			return nil, coach.Errorf(coach.Invalid, "err.currency", "given", cmd.Currency, "currency", d.Currency)
		}
		d.Amount = cmd.Amount
	}
	if cmd.HasNext {
		if cmd.NextStep != "" && cmd.NextDue.IsZero() && coach.NormalizeName(cmd.NextStep) == coach.NormalizeName(d.NextStep) {
			// "下一步还是提交标书": the same step again keeps its date
		} else if cmd.NextStep != "" {
			d.NextStep, d.NextStepDue = cmd.NextStep, cmd.NextDue
		} else if !cmd.NextDue.IsZero() {
			d.NextStepDue = cmd.NextDue
		}
	}
	if !cmd.Close.IsZero() {
		d.ExpectedClose = cmd.Close
	}
	switch cmd.Kind {
	case parse.Won:
		d.Status, d.Stage, d.LostReason = coach.Won, pb.Final().Key, ""
	case parse.Lost:
		d.Status, d.LostReason = coach.Lost, cmd.Reason
	}
	var extra []coach.Event
	if cmd.Note != "" {
		extra = append(extra, coach.Event{Kind: coach.EvNote, To: cmd.Note})
	}
	if cmd.Kind == parse.Update && cmd.Reason != "" { // why a deal moved back
		extra = append(extra, coach.Event{Kind: coach.EvNote, To: b.text(t.lang, "regress_reason", "reason", cmd.Reason)})
	}
	return extra, nil
}

func ref(d coach.Deal) string { return fmt.Sprintf("#%d", d.ID) }
