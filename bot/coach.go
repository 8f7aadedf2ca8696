package bot

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
)

// isCommand reports whether a message that arrives while the bot waits for
// an answer is a command of its own rather than the answer: the slash
// grammar, a read-only question or help, or an update of a deal that
// exists. In a platform thread opened for the question, only the slash
// grammar is a command: everything else there answers.
func (b *Bot) isCommand(ctx context.Context, t *turn, cmd parse.Command) bool {
	if cmd.Slash {
		return true
	}
	if t.msg.Thread != "" && t.msg.Platform != "console" {
		return false
	}
	switch cmd.Kind {
	case parse.Help, parse.List, parse.Pipeline, parse.New, parse.Won, parse.Lost, parse.Snooze, parse.Undo, parse.Pref:
		return true
	case parse.Show:
		// "#12" or "经信银行现在什么情况?"; a bare name ("张总") answers.
		return cmd.Ref.ID != 0 || strings.TrimSpace(t.msg.Text) != cmd.Ref.Name && b.exists(ctx, t, cmd.Ref)
	case parse.Update, parse.Coach, parse.Qualify, parse.Contact, parse.Done, parse.Advice, parse.Tier:
		return b.exists(ctx, t, cmd.Ref)
	case parse.Unknown:
		return cmd.Err != nil && cmd.Err.Key == "err.too_long"
	}
	return false
}

// exists reports whether a reference names a deal (or several).
func (b *Bot) exists(ctx context.Context, t *turn, r parse.Ref) bool {
	if r.ID != 0 {
		return true
	}
	ds, err := b.resolve(ctx, t, r)
	return err == nil && len(ds) > 0
}

// answer takes a message as the answer the conversation waits for.
func (b *Bot) answer(ctx context.Context, t *turn, cmd parse.Command, s state) (Reply, bool, error) {
	kind := parse.ClassifyAnswer(t.msg.Text)
	if kind == parse.AnswerAck {
		// "ok", "thanks": not an answer; the question stays. ("yes" and
		// "no" are answers.)
		return textReply(t.lang, b.text(t.lang, "coach.ack")), true, nil
	}
	d, err := b.cfg.Store.Deal(ctx, s.DealID)
	if err != nil {
		b.endWait(t)
		return Reply{}, true, err
	}
	if !t.person.CanEdit(d) {
		b.endWait(t)
		return Reply{}, true, coach.Errorf(coach.Forbidden, "err.forbidden", "ref", ref(d), "owner", d.Owner)
	}
	switch s.Await {
	case awaitNext:
		return b.answerNext(ctx, t, d, kind)
	case awaitFactor:
		return b.answerFactor(ctx, t, d, s, kind)
	}
	return b.answerQuestion(ctx, t, d, s, kind)
}

// answerQuestion stores the answer to a push question (or the skip) and
// asks the next one.
func (b *Bot) answerQuestion(ctx context.Context, t *turn, d coach.Deal, s state, kind parse.AnswerKind) (Reply, bool, error) {
	q, _, ok := b.cfg.Playbook.Question(s.Key)
	r := Reply{Lang: t.lang, DealID: d.ID}
	switch {
	case !ok:
		b.endWait(t)
		return Reply{}, false, nil
	case kind == parse.AnswerLater:
		r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: b.text(t.lang, "coach.later", "ref", ref(d))})
		b.endWait(t)
		return r, true, nil
	case kind == parse.AnswerDone:
		r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: b.text(t.lang, "coach.done", "ref", ref(d))})
		b.endWait(t)
		return r, true, nil
	case coach.IsNextStepQuestion(q) && kind == parse.AnswerText:
		return b.answerNext(ctx, t, d, kind)
	}
	a := coach.Answer{DealID: d.ID, Question: q.Key, Stage: s.Stage, Status: coach.Answered, Text: strings.TrimSpace(t.msg.Text)}
	if kind == parse.AnswerSkip {
		a.Status, a.Text = coach.Skipped, ""
	}
	if err := t.st.SaveAnswer(ctx, a, t.person.ID); err != nil {
		return Reply{}, true, err
	}
	t.answers = nil
	if a.Status == coach.Answered {
		if line, err := b.noteAnswer(ctx, t, d, q, a.Text); err != nil {
			return Reply{}, true, err
		} else if line != "" {
			r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: line})
		}
		r.Blocks = append(r.Blocks, b.offerNewDeal(t, d, q, a.Text)...) // account.go
	}
	return b.askNextQuestion(ctx, t, d, r, false)
}

// noteAnswer follows an answer up: a question about a person records the
// person as a contact in that role; a question tied to a qualification
// factor suggests marking it (the rep confirms with a command).
func (b *Bot) noteAnswer(ctx context.Context, t *turn, d coach.Deal, q coach.Question, text string) (string, error) {
	var lines []string
	if q.Role != "" && looksLikePersonName(text) {
		c, err := t.st.SaveContact(ctx, coach.Contact{DealID: d.ID, Name: text, Role: q.Role}, t.person.ID)
		if err != nil {
			return "", err
		}
		lines = append(lines, b.text(t.lang, "coach.contact_noted", "name", c.Name, "role", b.roleName(t.lang, q.Role)))
	}
	if f, ok := b.cfg.Playbook.Factor(q.Factor); ok {
		lines = append(lines, b.text(t.lang, "coach.suggest_mark", "factor", f.Name.In(t.lang), "ref", ref(d),
			"example", fmt.Sprintf("%s %s C", ref(d), f.Name.In(t.lang))))
	}
	return strings.Join(lines, "\n"), nil
}

// looksLikePersonName: a short answer that reads as a name ("张总", "刘行长",
// "Jane Doe") names a person; anything else is kept as a plain answer.
func looksLikePersonName(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, ",，。.;；?？!！:：") {
		return false
	}
	if han := hanCount(s); han > 0 {
		return han <= 4 && len([]rune(s)) == han
	}
	words := strings.Fields(s)
	if len(words) > 3 {
		return false
	}
	for _, w := range words {
		if r := []rune(w)[0]; r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

func hanCount(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x4E00 && r <= 0x9FFF {
			n++
		}
	}
	return n
}

// startCoaching asks the first pending question of the deal's stage. all
// asks again what was skipped (an explicit "coach #12"); entering a stage
// asks only what was never asked. With nothing to ask it shows the earlier
// answers instead.
func (b *Bot) startCoaching(ctx context.Context, t *turn, d coach.Deal, r Reply, all bool) (Reply, error) {
	if d.Status == coach.Lost || d.Status == coach.Won && d.Stage != b.cfg.Playbook.Final().Key {
		r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: b.text(t.lang, "coach.closed", "ref", ref(d))})
		return r, nil
	}
	// A won deal is coached on the final stage's questions: the repeat
	// step, the account after the win.
	s, _ := b.cfg.Playbook.Stage(d.Stage)
	if s.Goal.In(t.lang) != "" {
		r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: b.text(t.lang, "coach.goal", "stage", s.Name.In(t.lang), "goal", s.Goal.In(t.lang))})
	}
	r, _, err := b.askNextQuestion(ctx, t, d, r, all)
	return r, err
}

// askNextQuestion asks the next pending question of the deal's stage and
// waits for its answer; when none is left it says so, with the answers.
func (b *Bot) askNextQuestion(ctx context.Context, t *turn, d coach.Deal, r Reply, all bool) (Reply, bool, error) {
	answers, err := b.answers(ctx, t, d.ID)
	if err != nil {
		return Reply{}, true, err
	}
	if all {
		for k, a := range answers {
			if a.Status == coach.Skipped {
				delete(answers, k)
			}
		}
	}
	pending := b.cfg.Playbook.Pending(d, answers)
	if len(pending) == 0 {
		r.Blocks = append(r.Blocks, b.answerBlocks(t, d, answers)...)
		b.endWait(t)
		return r, true, nil
	}
	q := pending[0]
	s, _ := b.cfg.Playbook.Stage(d.Stage)
	n := 1
	for i, sq := range s.Questions {
		if sq.Key == q.Key {
			n = i + 1
		}
	}
	tag := ""
	if q.Required {
		tag = b.text(t.lang, "coach.required")
	}
	r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: b.text(t.lang, "coach.ask", "ref", ref(d), "n", n,
		"total", len(s.Questions), "question", q.Text.In(t.lang), "tag", tag)})
	r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: b.text(t.lang, "coach.how")})
	b.await(t, state{Await: awaitQuestion, DealID: d.ID, Key: q.Key, Stage: d.Stage})
	return r, true, nil
}

// answerBlocks shows the answers given in the deal's stage.
func (b *Bot) answerBlocks(t *turn, d coach.Deal, answers map[string]coach.Answer) []Block {
	s, _ := b.cfg.Playbook.Stage(d.Stage)
	var items []string
	for _, q := range s.Questions {
		a, ok := answers[q.Key]
		switch {
		case ok && a.Status == coach.Answered:
			items = append(items, q.Text.In(t.lang)+" — "+a.Text)
		case ok:
			items = append(items, q.Text.In(t.lang)+" — "+b.text(t.lang, "coach.skipped"))
		}
	}
	head := Block{Kind: TextBlock, Text: b.text(t.lang, "coach.all_done", "ref", ref(d), "stage", s.Name.In(t.lang))}
	if len(items) == 0 {
		return []Block{head}
	}
	return []Block{head, {Kind: ListBlock, Items: items}}
}

// answers reads a deal's answers once per turn: a move both checks the
// stage left and coaches the stage entered.
func (b *Bot) answers(ctx context.Context, t *turn, dealID int64) (map[string]coach.Answer, error) {
	if t.answers != nil && t.answersOf == dealID {
		return maps.Clone(t.answers), nil
	}
	a, err := b.cfg.Store.Answers(ctx, dealID)
	if err != nil {
		return nil, err
	}
	t.answers, t.answersOf = a, dealID
	return maps.Clone(a), nil
}

// roleName is a role's name in lang, or its key.
func (b *Bot) roleName(lang, key string) string { return b.termName(lang, b.cfg.People.Roles, key) }

// termName is the name in lang of the term with key, or the key itself.
func (b *Bot) termName(lang string, terms []coach.Term, key string) string {
	for _, t := range terms {
		if t.Key == key {
			return t.Name.In(lang)
		}
	}
	return key
}
