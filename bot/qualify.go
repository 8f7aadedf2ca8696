package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
)

// qualify sets the 8C1F0W marks a message gives ("#12 decision maker C"),
// or, with none, walks the rep through the factors one by one.
func (b *Bot) qualify(ctx context.Context, t *turn, d coach.Deal, cmd parse.Command) (Reply, error) {
	if len(b.cfg.Playbook.Factors) == 0 {
		return textReply(t.lang, b.text(t.lang, "qualify.none")), nil
	}
	if !t.person.CanEdit(d) {
		return Reply{}, coach.Errorf(coach.Forbidden, "err.forbidden", "ref", ref(d), "owner", d.Owner)
	}
	if len(cmd.Marks) == 0 {
		r := textReply(t.lang, b.text(t.lang, "qualify.start", "ref", ref(d), "name", d.Name()))
		r.DealID = d.ID
		return b.askFactor(ctx, t, d, r, "")
	}
	marks, order := map[string]coach.Mark{}, []string{}
	for _, m := range cmd.Marks {
		mk, ok := coach.ParseMark(m.Value)
		if !ok {
			return Reply{}, coach.Errorf(coach.Invalid, "err.mark", "text", m.Value)
		}
		if _, seen := marks[m.Factor]; !seen {
			order = append(order, m.Factor)
		}
		marks[m.Factor] = mk
	}
	if err := t.st.SetMarks(ctx, d.ID, t.person.ID, marks, order); err != nil {
		return Reply{}, err
	}
	var items []string
	for _, f := range order {
		fa, _ := b.cfg.Playbook.Factor(f)
		items = append(items, fmt.Sprintf("%s: %s", fa.Name.In(t.lang), marks[f]))
	}
	r := Reply{Lang: t.lang, DealID: d.ID, Blocks: []Block{
		{Kind: TextBlock, Text: b.text(t.lang, "qualify.set", "ref", ref(d))},
		{Kind: ListBlock, Items: items},
	}}
	line, err := b.healthLine(ctx, t, d.ID)
	if err != nil {
		return Reply{}, err
	}
	r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: line})
	return r, nil
}

// askFactor asks about the factor after the one named (from the first when
// after is ""), or ends the walk with the health line.
func (b *Bot) askFactor(ctx context.Context, t *turn, d coach.Deal, r Reply, after string) (Reply, error) {
	fs := b.cfg.Playbook.Factors
	i := 0
	for j, f := range fs {
		if f.Key == after {
			i = j + 1
		}
	}
	if i >= len(fs) {
		line, err := b.healthLine(ctx, t, d.ID)
		if err != nil {
			return Reply{}, err
		}
		r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: line})
		b.endWait(t)
		return r, nil
	}
	marks, err := b.cfg.Store.Marks(ctx, d.ID)
	if err != nil {
		return Reply{}, err
	}
	f := fs[i]
	cur := string(marks[f.Key])
	if cur == "" {
		cur = "—"
	}
	r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: b.text(t.lang, "qualify.ask", "n", i+1, "total", len(fs),
		"factor", f.Name.In(t.lang), "question", f.Question.In(t.lang), "current", cur)})
	b.await(t, state{Await: awaitFactor, DealID: d.ID, Key: f.Key})
	return r, nil
}

// answerFactor reads a C, F or W (or skip, done) in the qualification walk.
func (b *Bot) answerFactor(ctx context.Context, t *turn, d coach.Deal, s state, kind parse.AnswerKind) (Reply, bool, error) {
	r := Reply{Lang: t.lang, DealID: d.ID}
	switch kind {
	case parse.AnswerDone, parse.AnswerLater:
		line, err := b.healthLine(ctx, t, d.ID)
		if err != nil {
			return Reply{}, true, err
		}
		r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: line})
		b.endWait(t)
		return r, true, nil
	case parse.AnswerSkip:
		r, err := b.askFactor(ctx, t, d, r, s.Key)
		return r, true, err
	}
	m, ok := readMark(t.msg.Text)
	if !ok {
		return textReply(t.lang, b.text(t.lang, "qualify.again")), true, nil
	}
	if err := t.st.SetMarks(ctx, d.ID, t.person.ID, map[string]coach.Mark{s.Key: m}, []string{s.Key}); err != nil {
		return Reply{}, true, err
	}
	r, err := b.askFactor(ctx, t, d, r, s.Key)
	return r, true, err
}

// readMark reads a walk answer: C, F or W, or their words in either
// language.
func readMark(s string) (coach.Mark, bool) {
	s = strings.ToLower(strings.Trim(strings.TrimSpace(s), ".。!！"))
	if m, ok := coach.ParseMark(s); ok {
		return m, true
	}
	switch s {
	case "clear", "yes", "清楚", "明确", "是", "有", "确认":
		return coach.Clear, true
	case "fuzzy", "unclear", "not sure", "unknown", "模糊", "不清楚", "不确定", "不知道":
		return coach.Fuzzy, true
	case "warning", "against us", "no", "警告", "风险", "不利", "否", "没有":
		return coach.Warning, true
	}
	return "", false
}

// healthLine is "经信银行: 7C 2F 0W — …verdict".
func (b *Bot) healthLine(ctx context.Context, t *turn, dealID int64) (string, error) {
	marks, err := b.cfg.Store.Marks(ctx, dealID)
	if err != nil {
		return "", err
	}
	return b.text(t.lang, "qualify.health", "health", b.healthText(t.lang, marks)), nil
}
