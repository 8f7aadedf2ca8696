package bot

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// historyShown is how many recent events a deal card lists.
const historyShown = 5

// listShown caps a deal list; the rest is counted.
const listShown = 20

// show answers "how is deal X?" with its card: fields, recent history and
// the actions that fit its state. It changes nothing.
func (b *Bot) show(ctx context.Context, t *turn, id int64) (Reply, error) {
	d, err := b.cfg.Store.Deal(ctx, id)
	if err != nil {
		return Reply{}, err
	}
	hist, err := b.cfg.Store.History(ctx, id)
	if err != nil {
		return Reply{}, err
	}
	l := t.lang
	fields := []Field{
		{b.text(l, "f.stage"), b.stageProgress(l, d)},
		{b.text(l, "f.amount"), b.money(l, d.Amount, d.Currency)},
		{b.text(l, "f.owner"), d.Owner},
		{b.text(l, "f.next"), b.nextStep(t, d)},
		{b.text(l, "f.close"), b.date(t, d.ExpectedClose)},
	}
	if tier, err := b.cfg.Store.Tier(ctx, d.Customer); err != nil {
		return Reply{}, err
	} else if tier != "" {
		fields = append(fields, Field{b.text(l, "f.tier"), b.text(l, "account.tier", "tier", tier)})
	}
	switch d.Status {
	case coach.Won:
		fields = append(fields, Field{b.text(l, "f.status"), b.text(l, "status.won")})
	case coach.Lost:
		fields = append(fields, Field{b.text(l, "f.status"), b.text(l, "status.lost", "reason", d.LostReason)})
	default:
		days := int(t.now.Sub(d.StageSince).Hours() / 24)
		fields = append(fields, Field{b.text(l, "f.in_stage"), b.text(l, "days", "n", max(days, 0))})
	}
	if d.Status == coach.Open && d.Snoozed(coach.DateOf(t.now)) {
		fields = append(fields, Field{b.text(l, "f.snoozed"), b.due(t, d.SnoozedUntil)})
	}
	facts, err := b.facts(ctx, d, hist)
	if err != nil {
		return Reply{}, err
	}
	if len(b.cfg.Playbook.Factors) > 0 {
		fields = append(fields, Field{b.text(l, "f.health"), b.healthText(l, facts.Marks)})
	}
	if s, _ := b.cfg.Playbook.Stage(d.Stage); len(s.Questions) > 0 && d.Status == coach.Open {
		n := 0
		for _, q := range s.Questions {
			if facts.Answers[q.Key].Status == coach.Answered {
				n++
			}
		}
		fields = append(fields, Field{b.text(l, "f.answers"), b.text(l, "answers.count", "n", n, "total", len(s.Questions))})
	}
	r := Reply{Lang: l, DealID: d.ID, Blocks: []Block{
		{Kind: HeaderBlock, Text: ref(d) + " " + d.Name()},
		{Kind: FieldsBlock, Fields: fields},
	}}
	if flags := b.cfg.Playbook.Flags(d, facts, coach.DateOf(t.now)); len(flags) > 0 {
		var items []string
		for _, f := range flags {
			items = append(items, b.text(l, "flag."+string(f.Kind), "n", f.N))
		}
		r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: b.text(l, "f.flags")}, Block{Kind: ListBlock, Items: items})
	}
	if len(facts.Contacts) > 0 {
		var items []string
		for _, c := range facts.Contacts {
			items = append(items, b.contactLine(l, c))
		}
		r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: b.text(l, "f.contacts")}, Block{Kind: ListBlock, Items: items})
	}
	if items := b.answerLines(l, d, facts.Answers); len(items) > 0 {
		r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: b.text(l, "f.stage_answers")}, Block{Kind: ListBlock, Items: items})
	}
	if items := b.historyLines(t, hist); len(items) > 0 {
		r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: b.text(l, "f.history")}, Block{Kind: ListBlock, Items: items})
	}
	if d.Status == coach.Open {
		r.Blocks = append(r.Blocks, Block{Kind: ButtonsBlock, Buttons: b.dealButtons(l, d)})
	}
	return r, nil
}

// facts gathers what the risk rules read about a deal besides its row.
func (b *Bot) facts(ctx context.Context, d coach.Deal, hist []coach.Event) (coach.DealFacts, error) {
	var f coach.DealFacts
	var err error
	if f.Answers, err = b.cfg.Store.Answers(ctx, d.ID); err != nil {
		return f, err
	}
	if f.Marks, err = b.cfg.Store.Marks(ctx, d.ID); err != nil {
		return f, err
	}
	if f.Contacts, err = b.cfg.Store.Contacts(ctx, d.ID); err != nil {
		return f, err
	}
	seen := map[string]bool{d.Stage: true}
	for _, e := range hist {
		if (e.Kind == coach.EvCreated || e.Kind == coach.EvStage) && !seen[e.To] {
			seen[e.To] = true
			f.Left = append(f.Left, e.To)
		}
	}
	return f, nil
}

// healthText is the 8C1F0W line with its verdict.
func (b *Bot) healthText(lang string, marks map[string]coach.Mark) string {
	h := coach.Assess(b.cfg.Playbook.FactorKeys(), marks)
	key := "health.not_yet"
	if h.Winnable() {
		key = "health.winnable"
	}
	return b.text(lang, key, "health", h.String())
}

// answerLines lists the answers given in the deal's current stage.
func (b *Bot) answerLines(lang string, d coach.Deal, answers map[string]coach.Answer) []string {
	s, _ := b.cfg.Playbook.Stage(d.Stage)
	var out []string
	for _, q := range s.Questions {
		if a, ok := answers[q.Key]; ok && a.Status == coach.Answered {
			out = append(out, q.Text.In(lang)+" — "+a.Text)
		}
	}
	return out
}

// stageProgress is "立项客户 25% · 3/6".
func (b *Bot) stageProgress(lang string, d coach.Deal) string {
	return fmt.Sprintf("%s · %d/%d", b.stageLabel(lang, d), b.cfg.Playbook.Index(d.Stage)+1, len(b.cfg.Playbook.Stages))
}

func (b *Bot) nextStep(t *turn, d coach.Deal) string {
	if d.NextStep == "" {
		return b.text(t.lang, "none")
	}
	return d.NextStep + " · " + b.due(t, d.NextStepDue)
}

// historyLines renders the latest events, newest last.
func (b *Bot) historyLines(t *turn, hist []coach.Event) []string {
	if len(hist) > historyShown {
		hist = hist[len(hist)-historyShown:]
	}
	var out []string
	for _, e := range hist {
		from, to := e.From, e.To
		if e.Kind == coach.EvStage || e.Kind == coach.EvCreated {
			from, to = b.stageName(t.lang, from), b.stageName(t.lang, to)
		}
		what := b.text(t.lang, "ev."+string(e.Kind), "from", from, "to", to)
		out = append(out, fmt.Sprintf("%s %s: %s", e.At.In(t.now.Location()).Format("01-02"), e.Actor, what))
	}
	return out
}

// snoozeDays are the choices of the card's snooze menu.
var snoozeDays = []int{1, 3, 7}

// dealButtons are the actions on an open deal: a menu of the other stages
// (the final one is Won's button), the next step, the stage's questions
// (when it has any), edit, a snooze menu, won and lost. The form buttons
// open a form where the platform has them; elsewhere their Value is sent.
// "/deal #12 next step" with nothing after it shows the card (the chat has
// no command that only asks for the next step); in a terminal it reads as
// the command to complete.
func (b *Bot) dealButtons(lang string, d coach.Deal) []Button {
	pb := b.cfg.Playbook
	cmd := func(verb string) string { return fmt.Sprintf("/deal #%d %s", d.ID, verb) }
	var bs []Button
	move := Button{Label: b.text(lang, "btn.move")}
	for _, s := range pb.Stages[:len(pb.Stages)-1] {
		if s.Key != d.Stage {
			move.Options = append(move.Options, Button{Label: stageOption(lang, s), Value: cmd("stage " + s.Key)})
		}
	}
	if len(move.Options) > 0 {
		bs = append(bs, move)
	}
	bs = append(bs, Button{Label: b.text(lang, "btn.next"), Value: cmd("next step"), Form: FormNext, DealID: d.ID})
	if s, _ := pb.Stage(d.Stage); len(s.Questions) > 0 {
		bs = append(bs, Button{Label: b.text(lang, "btn.coach"), Value: cmd("coach"), Form: FormCoach, DealID: d.ID})
	}
	bs = append(bs, Button{Label: b.text(lang, "btn.edit"), Value: fmt.Sprintf("/deal #%d", d.ID), Form: FormEdit, DealID: d.ID})
	snooze := Button{Label: b.text(lang, "btn.snooze")}
	for _, n := range snoozeDays {
		snooze.Options = append(snooze.Options, Button{Label: b.text(lang, "days", "n", n), Value: cmd(fmt.Sprintf("snooze %dd", n))})
	}
	return append(bs, snooze,
		Button{Label: b.text(lang, "btn.won"), Value: cmd("won"), Style: "primary"},
		Button{Label: b.text(lang, "btn.lost"), Value: cmd("lost"), Style: "danger"})
}

// list shows the speaker's open deals, furthest along and largest first.
func (b *Bot) list(ctx context.Context, t *turn, cmd parse.Command) (Reply, error) {
	ds, err := b.cfg.Store.Deals(ctx, store.DealFilter{OwnerID: t.person.ID, Status: coach.Open, Stage: cmd.Stage})
	if err != nil {
		return Reply{}, err
	}
	if len(ds) == 0 {
		return textReply(t.lang, b.text(t.lang, "list.empty")), nil
	}
	pb := b.cfg.Playbook
	slices.SortStableFunc(ds, func(x, y coach.Deal) int {
		return cmp.Or(cmp.Compare(pb.Index(y.Stage), pb.Index(x.Stage)), cmp.Compare(y.Amount, x.Amount))
	})
	var items []string
	for _, d := range ds[:min(len(ds), listShown)] {
		items = append(items, b.dealLine(t, d))
	}
	r := textReply(t.lang, b.text(t.lang, "list.title", "n", len(ds)))
	r.Blocks = append(r.Blocks, Block{Kind: ListBlock, Items: items})
	if more := len(ds) - listShown; more > 0 {
		r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: b.text(t.lang, "list.more", "n", more)})
	}
	return r, nil
}

// dealLine is one deal in a list: "#12 经信银行 · 核心系统 — 立项客户 25% — ¥150万 — 下一步 …".
func (b *Bot) dealLine(t *turn, d coach.Deal) string {
	s := fmt.Sprintf("%s %s — %s — %s", ref(d), d.Name(), b.stageLabel(t.lang, d), b.money(t.lang, d.Amount, d.Currency))
	if d.Status == coach.Open {
		s += " — " + b.text(t.lang, "f.next") + ": " + b.nextStep(t, d)
	}
	return s
}
