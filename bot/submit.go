package bot

import (
	"context"
	"slices"
	"strings"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
)

// submitDeal applies the edit or next-step form as one chat update: one
// version, one event per changed field, and the same warnings, coaching
// and questions as "#12 stage 3, 150k, next step …".
func (b *Bot) submitDeal(ctx context.Context, t *turn, d coach.Deal, id string, values map[string]string) (Reply, map[string]string, error) {
	cmd, errs := b.formCommand(t, d, id, values)
	if len(errs) > 0 {
		return Reply{}, errs, nil
	}
	r, err := b.update(ctx, t, d.ID, cmd)
	if err != nil {
		return Reply{}, nil, err
	}
	// The card the form was opened from is stale now: its fields follow
	// the list of changes ("Updated #12 …:", then the list).
	l := t.lang
	if len(r.Blocks) < 2 || r.Blocks[0].Text != b.text(l, "updated", "ref", ref(d), "name", d.Name()) {
		return r, nil, nil // unchanged
	}
	after, err := b.cfg.Store.Deal(ctx, d.ID)
	if err != nil {
		return Reply{}, nil, err
	}
	fields := Block{Kind: FieldsBlock, Fields: []Field{
		{b.text(l, "f.stage"), b.stageProgress(l, after)},
		{b.text(l, "f.amount"), b.money(l, after.Amount, after.Currency)},
		{b.text(l, "f.next"), b.nextStep(t, after)},
		{b.text(l, "f.close"), b.date(t, after.ExpectedClose)},
	}}
	r.Blocks = slices.Insert(r.Blocks, 2, fields)
	return r, nil, nil
}

// formCommand reads a deal form into the command a chat update would be.
// Empty fields leave the deal as it is.
func (b *Bot) formCommand(t *turn, d coach.Deal, id string, values map[string]string) (parse.Command, map[string]string) {
	l, pb := t.lang, b.cfg.Playbook
	cmd := parse.Command{Kind: parse.Update, Ref: parse.Ref{ID: d.ID}}
	errs := map[string]string{}
	val := func(k string) string { return strings.TrimSpace(values[k]) }
	if id == FormEdit {
		if s := val(keyStage); s != "" && s != d.Stage {
			switch _, ok := pb.Stage(s); {
			case !ok:
				errs[keyStage] = b.text(l, "err.stage", "text", s)
			case s == pb.Final().Key: // as "/deal #12 stage won"
				cmd.Kind = parse.Won
			default:
				cmd.Stage = s
			}
		}
		if s := val(keyAmount); s != "" {
			if m, cur, ok := parse.ReadAmount(s); !ok {
				errs[keyAmount] = b.text(l, "err.amount", "text", s)
			} else if cur != "" && cur != d.Currency {
				errs[keyAmount] = b.text(l, "err.currency", "given", cur, "currency", d.Currency)
			} else {
				cmd.Amount, cmd.HasAmount = m, true
			}
		}
		if s := val(keyClose); s != "" {
			if day, ok := parse.ParseDate(s, t.now); ok {
				cmd.Close = day
			} else {
				errs[keyClose] = b.text(l, "err.date", "text", s)
			}
		}
	}
	step, due := val(keyNext), val(keyDue)
	if id == FormNext {
		for k, v := range map[string]string{keyNext: step, keyDue: due} {
			if v == "" {
				errs[k] = b.text(l, "form.required")
			}
		}
	}
	var day coach.Date
	if due != "" {
		var ok bool
		if day, ok = parse.ParseDate(due, t.now); !ok {
			errs[keyDue] = b.text(l, "err.date", "text", due)
		}
	}
	switch {
	case step == "": // the chat never clears a next step; a date alone moves it
		cmd.NextDue, cmd.HasNext = day, !day.IsZero()
	case step == d.NextStep && day.IsZero(): // unchanged
	case !day.IsZero():
		cmd.NextStep, cmd.NextDue, cmd.HasNext = step, day, true
	default: // a new step without a date: read it as chat does ("demo Friday")
		c, msg := b.readNext(t, d, step)
		if msg != "" {
			errs[keyNext] = msg
		}
		cmd.NextStep, cmd.NextDue, cmd.HasNext = c.NextStep, c.NextDue, c.HasNext
	}
	return cmd, errs
}

// readNext reads a next step as the answer to "what is your next step, and
// when?" does (answerNext). Words that are not plainly a next step and its
// date are kept as they were typed.
func (b *Bot) readNext(t *turn, d coach.Deal, text string) (parse.Command, string) {
	literal := parse.Command{NextStep: text, HasNext: true}
	c := parse.Next(d.ID, text, b.parseContext(t))
	switch {
	case c.Err != nil:
		return c, b.cfg.Catalog.Text(t.lang, c.Err.Key, c.Err.Args)
	case c.Kind != parse.Update || !c.HasNext || c.HasAmount || c.Stage != "" || !c.Close.IsZero() || c.Note != "" || c.Title != "":
		return literal, ""
	}
	return c, ""
}

func (b *Bot) parseContext(t *turn) parse.Context {
	return parse.Context{Now: t.now, Playbook: b.cfg.Playbook, People: b.cfg.People}
}

// formAnswer is an answer a coaching form gives, with its question.
type formAnswer struct {
	q coach.Question
	a coach.Answer
}

// submitAnswers stores the answers of a coaching form as chat answers are
// stored (with the contacts they name and the marks they suggest), sets
// the next step its question gives, and says what is still unanswered.
func (b *Bot) submitAnswers(ctx context.Context, t *turn, d coach.Deal, values map[string]string) (Reply, map[string]string, error) {
	stored, err := b.answers(ctx, t, d.ID)
	if err != nil {
		return Reply{}, nil, err
	}
	s, _ := b.cfg.Playbook.Stage(d.Stage)
	errs := map[string]string{}
	var given []formAnswer
	var next *parse.Command
	for _, q := range s.Questions {
		v := strings.TrimSpace(values[q.Key])
		a := coach.Answer{DealID: d.ID, Question: q.Key, Stage: d.Stage, Status: coach.Answered, Text: v}
		switch kind := parse.ClassifyAnswer(v); {
		case kind == parse.AnswerSkip:
			a.Status, a.Text = coach.Skipped, ""
		case kind != parse.AnswerText: // "", "ok", "later": no answer, as in chat
			continue
		case coach.IsNextStepQuestion(q):
			if v != nextValue(d) {
				c, msg := b.readNext(t, d, v)
				if msg != "" {
					errs[q.Key] = msg
				}
				next = &c
			}
			continue
		}
		if old, ok := stored[q.Key]; !ok || old.Status != a.Status || old.Text != a.Text {
			given = append(given, formAnswer{q, a})
		}
	}
	if len(errs) > 0 {
		return Reply{}, errs, nil
	}
	if t.waiting && t.cur.DealID == d.ID && t.cur.Await == awaitQuestion {
		// The form answered what the chat was asking; "coach #12" resumes.
		b.endWait(t)
	}
	r := Reply{Lang: t.lang, DealID: d.ID}
	if err := b.saveAnswers(ctx, t, d, given, &r); err != nil {
		return Reply{}, nil, err
	}
	if next != nil {
		next.Kind, next.Ref = parse.Update, parse.Ref{ID: d.ID}
		u, err := b.update(ctx, t, d.ID, *next)
		if err != nil {
			return Reply{}, nil, err
		}
		r.Blocks = append(r.Blocks, u.Blocks...)
	}
	if len(r.Blocks) == 0 {
		r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: b.text(t.lang, "form.coach.nothing", "ref", ref(d))})
	}
	left, err := b.unansweredBlocks(ctx, t, d.ID)
	r.Blocks = append(r.Blocks, left...)
	return r, nil, err
}

// saveAnswers stores answers one by one, exactly as chat answers are
// stored, and lists them in r.
func (b *Bot) saveAnswers(ctx context.Context, t *turn, d coach.Deal, given []formAnswer, r *Reply) error {
	if len(given) == 0 {
		return nil
	}
	l := t.lang
	var items, notes []string
	for _, g := range given {
		if err := t.st.SaveAnswer(ctx, g.a, t.person.ID); err != nil {
			return err
		}
		if g.a.Status == coach.Skipped {
			items = append(items, g.q.Text.In(l)+" — "+b.text(l, "coach.skipped"))
			continue
		}
		items = append(items, g.q.Text.In(l)+" — "+g.a.Text)
		line, err := b.noteAnswer(ctx, t, d, g.q, g.a.Text)
		if err != nil {
			return err
		}
		if line != "" {
			notes = append(notes, line)
		}
	}
	t.answers = nil
	r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: b.text(l, "form.coach.saved", "ref", ref(d), "name", d.Name())},
		Block{Kind: ListBlock, Items: items})
	if len(notes) > 0 {
		r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: strings.Join(notes, "\n")})
	}
	return nil
}

// unansweredBlocks lists the questions of the deal's stage not answered
// yet (skipped ones included), or says that every one is.
func (b *Bot) unansweredBlocks(ctx context.Context, t *turn, dealID int64) ([]Block, error) {
	d, err := b.cfg.Store.Deal(ctx, dealID)
	if err != nil {
		return nil, err
	}
	answers, err := b.answers(ctx, t, dealID)
	if err != nil {
		return nil, err
	}
	s, _ := b.cfg.Playbook.Stage(d.Stage)
	var left []string
	for _, q := range s.Questions {
		if answers[q.Key].Status == coach.Answered || coach.IsNextStepQuestion(q) && d.NextStep != "" && !d.NextStepDue.IsZero() {
			continue
		}
		tag := ""
		if q.Required {
			tag = b.text(t.lang, "coach.required")
		}
		left = append(left, q.Text.In(t.lang)+tag)
	}
	if len(left) == 0 {
		return []Block{{Kind: ContextBlock, Text: b.text(t.lang, "form.coach.complete", "ref", ref(d), "stage", s.Name.In(t.lang))}}, nil
	}
	return []Block{{Kind: ContextBlock, Text: b.text(t.lang, "form.coach.left", "stage", s.Name.In(t.lang))},
		{Kind: ListBlock, Items: left}}, nil
}
