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
	switch d.Status {
	case coach.Won:
		fields = append(fields, Field{b.text(l, "f.status"), b.text(l, "status.won")})
	case coach.Lost:
		fields = append(fields, Field{b.text(l, "f.status"), b.text(l, "status.lost", "reason", d.LostReason)})
	default:
		days := int(t.now.Sub(d.StageSince).Hours() / 24)
		fields = append(fields, Field{b.text(l, "f.in_stage"), b.text(l, "days", "n", max(days, 0))})
	}
	r := Reply{Lang: l, DealID: d.ID, Blocks: []Block{
		{Kind: HeaderBlock, Text: ref(d) + " " + d.Name()},
		{Kind: FieldsBlock, Fields: fields},
	}}
	if items := b.historyLines(t, hist); len(items) > 0 {
		r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: b.text(l, "f.history")}, Block{Kind: ListBlock, Items: items})
	}
	if d.Status == coach.Open {
		r.Blocks = append(r.Blocks, Block{Kind: ButtonsBlock, Buttons: b.dealButtons(l, d)})
	}
	return r, nil
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

// dealButtons are the actions on an open deal: advance, won, lost.
func (b *Bot) dealButtons(lang string, d coach.Deal) []Button {
	var bs []Button
	pb := b.cfg.Playbook
	if i := pb.Index(d.Stage); i >= 0 && i+1 < len(pb.Stages)-1 {
		next := pb.Stages[i+1]
		bs = append(bs, Button{Label: b.text(lang, "btn.advance", "stage", next.Name.In(lang)),
			Value: fmt.Sprintf("/deal #%d stage %s", d.ID, next.Key), Style: "primary"})
	}
	bs = append(bs,
		Button{Label: b.text(lang, "btn.won"), Value: fmt.Sprintf("/deal #%d won", d.ID)},
		Button{Label: b.text(lang, "btn.lost"), Value: fmt.Sprintf("/deal #%d lost", d.ID), Style: "danger"})
	return bs
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
