package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// Form is a set of fields a person fills in at once. Adapters render it
// (a Slack modal, a Lark card form) and send the values back to Submit.
type Form struct {
	ID     string // FormEdit, FormNext, FormCoach
	DealID int64
	Lang   string
	Title  string // at most 24 characters (Slack's modal title limit)
	Submit string // the submit button's label, at most 24 characters
	Intro  string // a line above the fields (plain text: the deal, its stage)
	Fields []FormField
}

// FieldKind says how a field is filled in.
type FieldKind int

// Field kinds.
const (
	FieldText     FieldKind = iota // one line
	FieldLongText                  // several lines
	FieldSelect                    // one of Options
	FieldDate                      // a date; Value is YYYY-MM-DD
)

// FormField is one input of a form.
type FormField struct {
	Key      string // stable id: "stage", "amount", "next_step", "next_due", "close", or a question key
	Label    string // at most 2000 chars; keep short
	Hint     string // placeholder, may be ""
	Kind     FieldKind
	Value    string  // the current value, pre-filled
	Options  []Field // FieldSelect: Label shown, Value sent back
	Optional bool
}

// The keys of the deal's own fields in a form.
const (
	keyStage  = "stage"
	keyAmount = "amount"
	keyNext   = "next_step"
	keyDue    = "next_due"
	keyClose  = "close"
)

// formTitleMax is Slack's limit on a modal's title and submit label.
const formTitleMax = 24

// Form builds form id for deal dealID as the person sending m sees it.
// When it cannot be shown (unknown deal, not theirs to edit, a closed
// deal, no questions at this stage) Form.ID is "" and the Reply says why
// (ephemeral, localized). It changes nothing.
func (b *Bot) Form(ctx context.Context, m Message, id string, dealID int64) (f Form, r Reply, err error) {
	start := time.Now()
	defer func() { b.cfg.Metrics.observe(m.Platform, "form", outcome(r, err), start) }()
	t, err := b.formTurn(ctx, m)
	if err != nil {
		return Form{}, b.internal(b.formLang(coach.Person{}, m)), b.logForm(ctx, m, id, dealID, err)
	}
	d, err := b.formDeal(ctx, t, id, dealID)
	if err == nil {
		f, err = b.buildForm(ctx, t, id, d)
	}
	if err != nil {
		r, err = b.refusal(ctx, t, id, dealID, err)
		return Form{}, r, err
	}
	return f, Reply{}, nil
}

// Submit applies a filled form. values maps field keys to what was entered
// (dates as YYYY-MM-DD or free text; amounts as the person typed them,
// e.g. "120k", "150万"). When a value is wrong, nothing changes and errs
// maps that field's key to a localized message to show beside it.
// Otherwise the Reply confirms what changed (as a chat update's reply
// does, with the deal card's fields) and everything is committed before it
// returns, claiming m.EventID as Handle does. Permission is checked again:
// the deal may have changed hands since the form opened.
func (b *Bot) Submit(ctx context.Context, m Message, id string, dealID int64, values map[string]string) (r Reply, errs map[string]string, err error) {
	start := time.Now()
	defer func() { b.cfg.Metrics.observe(m.Platform, "submit", outcome(r, err), start) }()
	t, err := b.formTurn(ctx, m)
	if err != nil {
		return b.internal(b.formLang(coach.Person{}, m)), nil, b.logForm(ctx, m, id, dealID, err)
	}
	d, err := b.formDeal(ctx, t, id, dealID)
	if err == nil {
		_, _, err = b.loadState(ctx, t)
	}
	if err == nil {
		if id == FormCoach {
			r, errs, err = b.submitAnswers(ctx, t, d, values)
		} else {
			r, errs, err = b.submitDeal(ctx, t, d, id, values)
		}
	}
	if len(errs) > 0 && err == nil {
		return Reply{Lang: t.lang, Ephemeral: true, code: coach.Invalid}, errs, nil
	}
	if err == nil || coach.ErrorCode(err) != coach.Internal {
		if ferr := b.flushState(ctx, t); ferr != nil { // as Handle: a refusal still ends the wait
			err = ferr
		}
	}
	if errors.Is(err, store.ErrDuplicate) {
		return Reply{Duplicate: true}, nil, nil // a retried or replayed submission: nothing to say
	}
	if err != nil {
		r, err = b.refusal(ctx, t, id, dealID, err)
		r.Claimed = t.claim.Done()
		return r, nil, err
	}
	r.Lang, r.Claimed = t.lang, t.claim.Done()
	return r, nil, nil
}

// formTurn is the turn of a form: the speaker resolved as Handle does.
func (b *Bot) formTurn(ctx context.Context, m Message) (*turn, error) {
	sess, err := b.session(ctx, m)
	if err != nil {
		return nil, err
	}
	p := sess.Person
	t := b.newTurn(m, p, sess)
	t.lang = b.formLang(p, m)
	return t, nil
}

// formLang is a form's language: a form has no words of its own to tell
// it, so it is the person's, else the platform's, else the default.
func (b *Bot) formLang(p coach.Person, m Message) string { return b.language(parse.Command{}, p, m) }

// formDeal loads the deal a form is about and checks that the speaker may
// fill the form in now.
func (b *Bot) formDeal(ctx context.Context, t *turn, id string, dealID int64) (coach.Deal, error) {
	if id != FormEdit && id != FormNext && id != FormCoach {
		return coach.Deal{}, fmt.Errorf("unknown form %q", id)
	}
	d, err := b.cfg.Store.Deal(ctx, dealID)
	switch {
	case err != nil:
		return d, err
	case !t.person.CanEdit(d):
		return d, coach.Errorf(coach.Forbidden, "err.forbidden", "ref", ref(d), "owner", d.Owner)
	case d.Status != coach.Open:
		return d, coach.Errorf(coach.Invalid, "form.closed", "ref", ref(d))
	}
	if s, _ := b.cfg.Playbook.Stage(d.Stage); id == FormCoach && len(s.Questions) == 0 {
		return d, coach.Errorf(coach.Invalid, "form.no_questions", "ref", ref(d), "stage", s.Name.In(t.lang))
	}
	return d, nil
}

// refusal is the reply to a form that failed: the reason in the person's
// language, or an apology for an internal error, which is logged here.
func (b *Bot) refusal(ctx context.Context, t *turn, id string, dealID int64, err error) (Reply, error) {
	if coach.ErrorCode(err) == coach.Internal {
		return b.internal(t.lang), b.logForm(ctx, t.msg, id, dealID, err)
	}
	return b.errorReply(t.lang, err), nil
}

func (b *Bot) logForm(ctx context.Context, m Message, id string, dealID int64, err error) error {
	b.log.ErrorContext(ctx, "form", "platform", m.Platform, "user", m.UserID, "deal_id", dealID, "form", id, "err", err)
	return err
}

// outcome is the metrics label of an answer, as Handle counts it.
func outcome(r Reply, err error) string {
	switch {
	case err != nil:
		return string(coach.Internal)
	case r.Ephemeral && r.code != "":
		return string(r.code)
	}
	return "ok"
}

func (b *Bot) buildForm(ctx context.Context, t *turn, id string, d coach.Deal) (Form, error) {
	l := t.lang
	f := Form{ID: id, DealID: d.ID, Lang: l, Title: Clip(b.text(l, "form."+id+".title", "ref", ref(d)), formTitleMax),
		Submit: Clip(b.text(l, "form.submit"), formTitleMax), Intro: ref(d) + " " + d.Name() + " — " + b.stageLabel(l, d)}
	next := FormField{Key: keyNext, Label: b.text(l, "f.next"), Hint: b.text(l, "form.next_hint"), Value: d.NextStep}
	due := FormField{Key: keyDue, Label: b.text(l, "form.next_due"), Kind: FieldDate, Value: d.NextStepDue.String()}
	switch id {
	case FormNext:
		f.Fields = []FormField{next, due}
	case FormEdit:
		var stages []Field
		for _, s := range b.cfg.Playbook.Stages {
			stages = append(stages, Field{Label: stageOption(l, s), Value: s.Key})
		}
		next.Optional, due.Optional = true, true
		f.Fields = []FormField{
			{Key: keyStage, Label: b.text(l, "f.stage"), Kind: FieldSelect, Value: d.Stage, Options: stages, Optional: true},
			{Key: keyAmount, Label: b.text(l, "f.amount"), Hint: b.text(l, "form.amount_hint"), Value: b.amountValue(l, d), Optional: true},
			next, due,
			{Key: keyClose, Label: b.text(l, "f.close"), Kind: FieldDate, Value: d.ExpectedClose.String(), Optional: true},
		}
	case FormCoach:
		answers, err := b.answers(ctx, t, d.ID)
		if err != nil {
			return Form{}, err
		}
		s, _ := b.cfg.Playbook.Stage(d.Stage)
		if goal := s.Goal.In(l); goal != "" {
			f.Intro += "\n" + goal
		}
		for _, q := range s.Questions {
			fd := FormField{Key: q.Key, Label: q.Text.In(l), Kind: FieldLongText, Optional: !q.Required}
			if a := answers[q.Key]; a.Status == coach.Answered {
				fd.Value = a.Text
			}
			if coach.IsNextStepQuestion(q) { // the deal's next step answers it
				fd.Value, fd.Hint = nextValue(d), b.text(l, "form.next_dated_hint")
			}
			f.Fields = append(f.Fields, fd)
		}
	}
	return f, nil
}

// stageOption is a stage in a menu: "Shortlisted 50%".
func stageOption(lang string, s coach.Stage) string {
	return fmt.Sprintf("%s %d%%", s.Name.In(lang), s.WinRate)
}

// amountValue is a deal's amount as the person would type it and the
// parser reads back exactly: "¥150万" where that is exact, else
// "¥1,234,567.89", else the bare number; "" when there is none.
func (b *Bot) amountValue(lang string, d coach.Deal) string {
	if d.Amount == 0 {
		return ""
	}
	for _, s := range []string{b.money(lang, d.Amount, d.Currency), b.money("en", d.Amount, d.Currency)} {
		if m, ok := parse.ParseAmount(s); ok && m == d.Amount {
			return s
		}
	}
	return strings.TrimSpace(b.money("en", d.Amount, "")) // an unknown currency's code would not read back
}

// nextValue is a deal's next step as one answer: "send proposal 2026-12-10".
func nextValue(d coach.Deal) string {
	if d.NextStep == "" || d.NextStepDue.IsZero() {
		return d.NextStep
	}
	return d.NextStep + " " + d.NextStepDue.String()
}
