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
	return b.funnel(ctx, t, f, scope)
}

// funnel is the pipeline of the deals f selects, headed by message key
// head (which takes n, sum, weighted and name).
func (b *Bot) funnel(ctx context.Context, t *turn, f store.DealFilter, head string, args ...any) (Reply, error) {
	fu, err := b.cfg.Store.Funnel(ctx, f, coach.DateOf(t.now))
	if err != nil {
		return Reply{}, err
	}
	pb := b.cfg.Playbook
	var n int
	var total, weighted coach.Money
	rows := make([]store.StageTotal, len(pb.Stages))
	for _, st := range fu.Stages {
		if i := pb.Index(st.Stage); i >= 0 {
			rows[i] = st
		}
	}
	cur := b.cfg.Currency
	var items []string
	for i, s := range pb.Stages {
		st := rows[i]
		if st.Count == 0 {
			continue
		}
		w := coach.Weighted(st.Amount, s.WinRate)
		n, total, weighted = n+st.Count, total+st.Amount, weighted+w
		items = append(items, fmt.Sprintf("%s %d%% — %s", s.Name.In(t.lang), s.WinRate,
			b.text(t.lang, "pipe.row", "n", st.Count, "sum", b.money(t.lang, st.Amount, cur),
				"weighted", b.money(t.lang, w, cur))))
	}
	if n == 0 {
		return textReply(t.lang, b.text(t.lang, "list.empty")), nil
	}
	r := textReply(t.lang, b.text(t.lang, head, append([]any{"n", n, "sum", b.money(t.lang, total, cur),
		"weighted", b.money(t.lang, weighted, cur)}, args...)...))
	r.Blocks = append(r.Blocks, Block{Kind: ListBlock, Items: items})
	if fu.NoNext > 0 || fu.Overdue > 0 {
		r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: b.text(t.lang, "pipe.hygiene", "no_next", fu.NoNext, "overdue", fu.Overdue)})
	}
	return r, nil
}
