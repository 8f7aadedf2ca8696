package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
)

// pickTTL is how long a "which deal did you mean?" question stays open.
const pickTTL = 30 * time.Minute

// pending is a command waiting for the person to say which deal they meant.
type pending struct {
	Cmd        parse.Command `json:"cmd"`
	Candidates []int64       `json:"candidates"`
}

func (b *Bot) dispatch(ctx context.Context, t *turn, cmd parse.Command) (Reply, error) {
	if r, ok, err := b.resumePick(ctx, t, cmd); ok || err != nil {
		return r, err
	}
	if cmd.Err != nil {
		return Reply{}, cmd.Err
	}
	switch cmd.Kind {
	case parse.Help:
		return b.help(t), nil
	case parse.SmallTalk:
		return textReply(t.lang, b.text(t.lang, "smalltalk", "name", t.person.Name)), nil
	case parse.List:
		return b.list(ctx, t, cmd)
	case parse.Pipeline:
		return b.pipeline(ctx, t)
	case parse.New:
		return b.create(ctx, t, cmd)
	case parse.Show, parse.Update, parse.Won, parse.Lost:
		return b.onDeal(ctx, t, cmd)
	}
	r := textReply(t.lang, b.text(t.lang, "unknown"))
	r.Ephemeral = true
	return r, nil
}

// onDeal resolves the deal a command names, then shows or changes it.
func (b *Bot) onDeal(ctx context.Context, t *turn, cmd parse.Command) (Reply, error) {
	cands, err := b.resolve(ctx, t, cmd.Ref)
	if err != nil {
		return Reply{}, err
	}
	if len(cands) > 1 {
		return b.askWhich(ctx, t, cmd, cands)
	}
	if cmd.Kind == parse.Show {
		return b.show(ctx, t, cands[0].ID)
	}
	return b.update(ctx, t, cands[0].ID, cmd)
}

// askWhich lists the candidates and remembers the command, so that the
// person's next message ("2" or "#12") finishes it.
func (b *Bot) askWhich(ctx context.Context, t *turn, cmd parse.Command, cands []coach.Deal) (Reply, error) {
	p := pending{Cmd: cmd}
	var items []string
	for i, d := range cands {
		p.Candidates = append(p.Candidates, d.ID)
		items = append(items, fmt.Sprintf("%d. #%d %s — %s · %s · %s", i+1, d.ID, d.Name(),
			b.stageLabel(t.lang, d), b.money(t.lang, d.Amount, d.Currency), d.Owner))
	}
	state, err := json.Marshal(p)
	if err != nil {
		return Reply{}, fmt.Errorf("encode pending pick: %w", err)
	}
	if err := b.cfg.Store.SaveConversation(ctx, t.person.ID, t.msg.scope(), state); err != nil {
		return Reply{}, err
	}
	r := textReply(t.lang, b.text(t.lang, "which", "ref", cmd.Ref.Name, "n", len(cands)))
	r.Blocks = append(r.Blocks, Block{Kind: ListBlock, Items: items})
	return r, nil
}

// resumePick finishes a pending command when this message picks one of its
// candidates. Any other message drops the pending question.
func (b *Bot) resumePick(ctx context.Context, t *turn, cmd parse.Command) (Reply, bool, error) {
	state, at, ok, err := b.cfg.Store.Conversation(ctx, t.person.ID, t.msg.scope())
	if err != nil || !ok {
		return Reply{}, false, err
	}
	var p pending
	if json.Unmarshal(state, &p) != nil || b.cfg.Now().Sub(at) > pickTTL {
		return Reply{}, false, b.cfg.Store.SaveConversation(ctx, t.person.ID, t.msg.scope(), nil)
	}
	id := pickedID(t.msg.Text, cmd, p.Candidates)
	if err := b.cfg.Store.SaveConversation(ctx, t.person.ID, t.msg.scope(), nil); err != nil {
		return Reply{}, false, err
	}
	if id == 0 {
		return Reply{}, false, nil
	}
	p.Cmd.Ref = parse.Ref{ID: id}
	if p.Cmd.Lang != "" {
		t.lang = p.Cmd.Lang
	}
	r, err := b.onDeal(ctx, t, p.Cmd)
	return r, true, err
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
