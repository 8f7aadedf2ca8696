package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
)

func (b *Bot) dispatch(ctx context.Context, t *turn, cmd parse.Command) (Reply, error) {
	if st, ok, err := b.loadState(ctx, t); err != nil {
		return Reply{}, err
	} else if yes, tok, press := pressOf(t.msg.Text); press {
		return b.pressed(ctx, t, yes, tok, st, ok) // a confirmation's button (free.go)
	} else if ok {
		if r, handled, err := b.resume(ctx, t, cmd, st); handled || err != nil {
			return r, err
		}
	}
	if t.free && !cmd.Slash {
		return b.freeText(ctx, t, cmd)
	}
	if cmd.Err != nil {
		return Reply{}, cmd.Err
	}
	if cmd.View != nil { // someone else's or the team's list or pipeline (teamview.go)
		return b.view(ctx, t, cmd)
	}
	switch cmd.Kind {
	case parse.Help:
		return b.help(t, cmd.Topic), nil
	case parse.SmallTalk:
		return textReply(t.lang, b.text(t.lang, "smalltalk", "name", t.person.Name)), nil
	case parse.List:
		return b.list(ctx, t, cmd)
	case parse.Pipeline:
		return b.pipeline(ctx, t)
	case parse.New:
		return b.create(ctx, t, cmd)
	case parse.Show, parse.Update, parse.Won, parse.Lost, parse.Coach, parse.Qualify, parse.Contact, parse.Snooze, parse.Done, parse.Advice:
		return b.onDeal(ctx, t, cmd)
	case parse.Team:
		return b.teamCmd(ctx, t, cmd.Team)
	case parse.Remind:
		return b.remind(ctx, t, cmd.Remind)
	case parse.Undo:
		return b.undo(ctx, t)
	case parse.Pref:
		return b.setCoachPref(ctx, t, cmd.Pref)
	case parse.Tier:
		return b.setTier(ctx, t, cmd)
	}
	r := textReply(t.lang, b.text(t.lang, "unknown"))
	r.Ephemeral = true
	return r, nil
}

// onDeal resolves the deal a command names, then shows or changes it.
func (b *Bot) onDeal(ctx context.Context, t *turn, cmd parse.Command) (Reply, error) {
	if cmd.Ref.ID != 0 && (cmd.Kind == parse.Update || cmd.Kind == parse.Won || cmd.Kind == parse.Lost) {
		// By id there is nothing to choose, and the update reads the deal
		// and checks permission itself: reading it first would be a second
		// read of the same row.
		return b.update(ctx, t, cmd.Ref.ID, cmd)
	}
	cands, err := b.resolve(ctx, t, cmd.Ref)
	if err != nil {
		return Reply{}, err
	}
	if len(cands) > 1 {
		return b.askWhich(ctx, t, cmd, cands)
	}
	d := cands[0]
	switch cmd.Kind {
	case parse.Show:
		return b.show(ctx, t, d.ID)
	case parse.Coach:
		if !t.person.CanEdit(d) {
			return Reply{}, coach.Errorf(coach.Forbidden, "err.forbidden", "ref", ref(d), "owner", d.Owner)
		}
		r := textReply(t.lang, b.text(t.lang, "coach.start", "ref", ref(d), "name", d.Name()))
		r.DealID = d.ID
		return b.startCoaching(ctx, t, d, r, true)
	case parse.Qualify:
		return b.qualify(ctx, t, d, cmd)
	case parse.Contact:
		return b.contact(ctx, t, d, cmd)
	case parse.Snooze:
		return b.snooze(ctx, t, d, cmd)
	case parse.Done:
		return b.done(ctx, t, d)
	case parse.Advice:
		return b.advice(ctx, t, d)
	case parse.Tier: // picked from several customers by that name
		cmd.Ref = parse.Ref{ID: d.ID}
		return b.setTier(ctx, t, cmd)
	}
	return b.update(ctx, t, d.ID, cmd)
}

// askWhich lists the candidates and remembers the command, so that the
// person's next message ("2" or "#12") finishes it.
func (b *Bot) askWhich(ctx context.Context, t *turn, cmd parse.Command, cands []coach.Deal) (Reply, error) {
	p := state{Await: awaitPick, Cmd: &cmd}
	var items []string
	for i, d := range cands {
		p.Candidates = append(p.Candidates, d.ID)
		items = append(items, fmt.Sprintf("%d. #%d %s — %s · %s · %s", i+1, d.ID, d.Name(),
			b.stageLabel(t.lang, d), b.money(t.lang, d.Amount, d.Currency), d.Owner))
	}
	b.await(t, p)
	r := textReply(t.lang, b.text(t.lang, "which", "ref", cmd.Ref.Name, "n", len(cands)))
	r.Blocks = append(r.Blocks, Block{Kind: ListBlock, Items: items})
	return r, nil
}

// pickedID reads a pick: a position in the list ("2") or one of the
// candidates' ids ("#12"). 0 means the message is not a pick.
func pickedID(text string, cmd parse.Command, cands []int64) int64 {
	s := strings.TrimSpace(strings.TrimRight(text, ".。!！"))
	if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= len(cands) {
		return cands[n-1]
	}
	if cmd.Kind == parse.Show && cmd.Ref.ID != 0 && slices.Contains(cands, cmd.Ref.ID) {
		return cmd.Ref.ID
	}
	return 0
}
