package bot

import (
	"context"
	"strings"

	"github.com/dealcoach/dealcoach/coach"
)

// advice answers "how do I push X?" from the deal itself: its stage's goal
// and people, the required questions still open, the factors not yet C,
// the missing roles, the risks and one suggested next step (coach.Advise),
// in the speaker's language. It changes nothing.
func (b *Bot) advice(ctx context.Context, t *turn, d coach.Deal) (Reply, error) {
	hist, err := b.cfg.Store.History(ctx, d.ID)
	if err != nil {
		return Reply{}, err
	}
	facts, err := b.facts(ctx, d, hist)
	if err != nil {
		return Reply{}, err
	}
	l := t.lang
	a, ok := b.cfg.Playbook.Advise(d, facts, coach.DateOf(t.now))
	if !ok {
		return textReply(l, b.text(l, "advice.lost", "ref", ref(d))), nil
	}
	s := a.Stage
	r := Reply{Lang: l, DealID: d.ID, Blocks: []Block{
		{Kind: HeaderBlock, Text: b.text(l, "advice.title", "ref", ref(d), "name", d.Name(), "stage", b.stageLabel(l, d))},
		{Kind: TextBlock, Text: b.text(l, "advice.goal", "goal", s.Goal.In(l))},
	}}
	if len(s.People) > 0 {
		var people, missing []string
		for _, role := range s.People {
			people = append(people, b.roleName(l, role))
		}
		for _, role := range a.Missing[:min(len(a.Missing), coach.AdviceShown)] {
			missing = append(missing, b.roleName(l, role))
		}
		sep := b.text(l, "digest.sep")
		r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: b.text(l, "advice.people",
			"people", strings.Join(people, sep), "missing", strings.Join(missing, sep),
			"more", max(len(a.Missing)-coach.AdviceShown, 0))})
	}
	if len(a.Open) > 0 {
		key := "advice.open"
		if d.Status == coach.Won {
			key = "advice.open_won"
		}
		var items []string
		for _, q := range a.Open {
			items = append(items, q.Text.In(l))
		}
		r.Blocks = append(r.Blocks, b.adviceList(l, b.text(l, key, "n", len(a.Open)+a.MoreOpen), items, a.MoreOpen)...)
	}
	if len(a.Factors) > 0 {
		var items []string
		for _, f := range a.Factors {
			items = append(items, b.text(l, "advice.factor", "name", f.Factor.Name.In(l), "mark", string(f.Mark),
				"question", f.Factor.Question.In(l)))
		}
		r.Blocks = append(r.Blocks, b.adviceList(l, b.text(l, "advice.factors", "marked", a.Marked), items, a.MoreFactors)...)
	}
	if len(a.Risks) > 0 {
		var words []string
		for _, f := range a.Risks {
			words = append(words, b.text(l, "flag."+string(f.Kind), "n", f.N))
		}
		r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: b.text(l, "advice.risks", "risks", strings.Join(words, b.text(l, "digest.sep")))})
	}
	next := b.nextMoveText(l, a)
	if tip := a.Next.Tip.In(l); tip != "" {
		next += "\n" + b.text(l, "advice.tip", "tip", tip)
	}
	r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: next})
	if exit := s.Exit.In(l); exit != "" && a.Next.Kind != coach.MoveExit {
		r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: b.text(l, "advice.exit", "exit", exit)})
	}
	r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: b.text(l, "advice.footer", "ref", ref(d), "won", d.Status == coach.Won)})
	return r, nil
}

// adviceList is a heading, up to coach.AdviceShown items and "N more".
func (b *Bot) adviceList(lang, head string, items []string, more int) []Block {
	out := []Block{{Kind: TextBlock, Text: head}, {Kind: ListBlock, Items: items}}
	if more > 0 {
		out = append(out, Block{Kind: ContextBlock, Text: b.text(lang, "advice.more", "n", more)})
	}
	return out
}

// nextMoveText says the suggested next step.
func (b *Bot) nextMoveText(l string, a coach.Advice) string {
	m := a.Next
	return b.text(l, "advice.next."+string(m.Kind), "step", m.Text, "factor", m.Factor.Name.In(l),
		"question", cmpText(m.Factor.Question.In(l), m.Question.Text.In(l)), "role", b.roleName(l, m.Role),
		"exit", a.Stage.Exit.In(l))
}

// cmpText is the first non-empty of a and b.
func cmpText(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
