package bot

import (
	"context"
	"fmt"

	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// pipeline answers "how is my pipeline?": the open funnel by stage with the
// weighted forecast, and the hygiene problems worth fixing today. A rep
// sees their own deals, a manager their team's, an admin everyone's.
func (b *Bot) pipeline(ctx context.Context, t *turn) (Reply, error) {
	f := store.DealFilter{Status: coach.Open}
	scope := "pipe.mine"
	switch {
	case t.person.Role == coach.Admin:
		scope = "pipe.all"
	case t.person.Role == coach.Manager && t.person.TeamID != 0:
		f.TeamID, scope = t.person.TeamID, "pipe.team"
	default:
		f.OwnerID = t.person.ID
	}
	ds, err := b.cfg.Store.Deals(ctx, f)
	if err != nil {
		return Reply{}, err
	}
	if len(ds) == 0 {
		return textReply(t.lang, b.text(t.lang, "list.empty")), nil
	}
	pb := b.cfg.Playbook
	type row struct {
		n             int
		sum, weighted coach.Money
	}
	rows := make([]row, len(pb.Stages))
	var total, weighted coach.Money
	var noNext, overdue int
	today := coach.DateOf(t.now)
	for _, d := range ds {
		i := pb.Index(d.Stage)
		if i < 0 {
			continue
		}
		w := d.Weighted(pb.WinRate(d))
		rows[i].n++
		rows[i].sum += d.Amount
		rows[i].weighted += w
		total += d.Amount
		weighted += w
		switch {
		case d.NextStep == "" || d.NextStepDue.IsZero():
			noNext++
		case d.NextStepDue.Before(today):
			overdue++
		}
	}
	cur := b.cfg.Currency
	var items []string
	for i, s := range pb.Stages {
		if rows[i].n == 0 {
			continue
		}
		items = append(items, fmt.Sprintf("%s %d%% — %s", s.Name.In(t.lang), s.WinRate,
			b.text(t.lang, "pipe.row", "n", rows[i].n, "sum", b.money(t.lang, rows[i].sum, cur),
				"weighted", b.money(t.lang, rows[i].weighted, cur))))
	}
	r := textReply(t.lang, b.text(t.lang, scope, "n", len(ds), "sum", b.money(t.lang, total, cur),
		"weighted", b.money(t.lang, weighted, cur)))
	r.Blocks = append(r.Blocks, Block{Kind: ListBlock, Items: items})
	if noNext > 0 || overdue > 0 {
		r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: b.text(t.lang, "pipe.hygiene", "no_next", noNext, "overdue", overdue)})
	}
	return r, nil
}

// help explains the language with examples in the speaker's language.
func (b *Bot) help(t *turn) Reply {
	pb := b.cfg.Playbook
	var stages []string
	for i, s := range pb.Stages {
		stages = append(stages, fmt.Sprintf("%d. %s (%s) %d%%", i+1, s.Name.In(t.lang), s.Key, s.WinRate))
	}
	r := textReply(t.lang, b.text(t.lang, "help", "playbook", pb.Name.In(t.lang)))
	r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: b.text(t.lang, "help.stages")}, Block{Kind: ListBlock, Items: stages})
	r.Ephemeral = true
	return r
}
