package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

// Caps of the morning reminder. Each own deal takes two blocks (its lines
// and its buttons), so with the team's section and the frame the reminder
// stays well under the adapters' 50 blocks whatever the nudge cap is set to.
const (
	nudgeShown = 15 // own deals shown; the rest are counted in "N more"
	teamShown  = 10 // team deals shown, one Open button each
)

// NudgeReply renders a person's morning reminder: a greeting, each of
// their deals that needs a push with its reasons and actions, the team's
// escalated deals for a manager, and how to change the reminders. An
// empty view renders as a reply with no blocks: send nothing.
func (fm *Formatter) NudgeReply(lang string, v NudgeView) Reply {
	r := Reply{Lang: lang}
	if v.Empty() {
		return r
	}
	items, more := v.Nudge.Items, v.Nudge.More
	if len(items) > nudgeShown {
		items, more = items[:nudgeShown], more+len(items)-nudgeShown
	}
	r.Blocks = append(r.Blocks,
		Block{Kind: HeaderBlock, Text: fm.text(lang, "nudge.title", "name", Clip(v.Person.Name, nameRunes), "date", fm.Date(lang, v.Today.In(time.UTC), v.Today))},
		Block{Kind: TextBlock, Text: fm.text(lang, "nudge.intro", "n", len(v.Nudge.Items)+v.Nudge.More)})
	for _, it := range items {
		r.Blocks = append(r.Blocks,
			Block{Kind: TextBlock, Text: fm.nudgeHead(lang, it.Deal) + "\n" + fm.nudgeReasons(lang, it) + "\n" + fm.nudgeAction(lang, it)},
			Block{Kind: ButtonsBlock, Buttons: fm.nudgeButtons(lang, it.Deal)})
	}
	if more > 0 {
		r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: fm.text(lang, "nudge.more", "n", more)})
	}
	if w := v.Nudge.Week; !w.Empty() {
		r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: fm.text(lang, "nudge.week", "stale", w.Stale, "unanswered", w.Unanswered)})
	}
	r.Blocks = append(r.Blocks, fm.teamNudge(lang, v)...)
	r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: fm.text(lang, "nudge.footer")})
	return r
}

// nudgeHead is a deal's first line: "#12 Acme · Core system — Approved 25% — ¥1,500,000".
func (fm *Formatter) nudgeHead(lang string, d coach.Deal) string {
	return fmt.Sprintf("%s %s — %s — %s", ref(d), Clip(d.Name(), nameRunes), fm.stageLabel(lang, d), fm.dealAmount(lang, d))
}

// dealAmount is a deal's amount, or words saying it has none.
func (fm *Formatter) dealAmount(lang string, d coach.Deal) string {
	if d.Amount <= 0 {
		return fm.text(lang, "nudge.no_amount")
	}
	return fm.money(lang, d.Amount, d.Currency)
}

// nudgeReasons says in words why a deal needs a push, escalation last.
func (fm *Formatter) nudgeReasons(lang string, it coach.NudgeItem) string {
	d := it.Deal
	step := Clip(d.NextStep, nameRunes)
	s, _ := fm.pb.Stage(d.Stage)
	var out []string
	for _, f := range it.Reasons {
		key := "nudge.why." + string(f.Kind)
		if !fm.cat.Has(key) { // a kind coach may add later: the deal card's words
			key = "flag." + string(f.Kind)
		}
		out = append(out, fm.text(lang, key, "n", f.N, "limit", s.StaleDays, "step", step))
	}
	if it.Escalation > 0 {
		out = append(out, fm.text(lang, "nudge.escalated", "level", it.Escalation, "days", it.OverLimit,
			"manager", it.Escalation >= coach.ManagerLevel))
	}
	return strings.Join(out, " · ")
}

// nudgeAction is the one thing to do about a reminded deal: the action of
// its first (most pressing) reason.
func (fm *Formatter) nudgeAction(lang string, it coach.NudgeItem) string {
	kind := coach.FlagNextMissing
	if len(it.Reasons) > 0 {
		kind = it.Reasons[0].Kind
	}
	key := "nudge.do." + string(kind)
	if !fm.cat.Has(key) {
		key = "nudge.do." + string(coach.FlagNextMissing)
	}
	return fm.text(lang, key, "ref", ref(it.Deal))
}

// nudgeButtons are a reminded deal's quick actions. Done marks the next
// step done, so it is offered only when there is one.
func (fm *Formatter) nudgeButtons(lang string, d coach.Deal) []Button {
	cmd := func(verb string) string { return fmt.Sprintf("/deal #%d %s", d.ID, verb) }
	var bs []Button
	if d.NextStep != "" {
		bs = append(bs, Button{Label: fm.text(lang, "nudge.btn.done"), Value: cmd("done"), Style: "primary"})
	}
	bs = append(bs, Button{Label: fm.text(lang, "nudge.btn.next"), Value: cmd("next step"), Form: FormNext, DealID: d.ID})
	snooze := Button{Label: fm.text(lang, "btn.snooze")}
	for _, n := range snoozeDays {
		snooze.Options = append(snooze.Options, Button{Label: fm.text(lang, "days", "n", n), Value: cmd(fmt.Sprintf("snooze %dd", n))})
	}
	return append(bs, snooze, Button{Label: fm.text(lang, "nudge.btn.open"), Value: fmt.Sprintf("/deal show #%d", d.ID)})
}

// teamNudge is a manager's section: their reps' deals escalated to them,
// one line each, and a row of Open buttons.
func (fm *Formatter) teamNudge(lang string, v NudgeView) []Block {
	if len(v.Team) == 0 {
		return nil
	}
	items := v.Team[:min(len(v.Team), teamShown)]
	var lines []string
	var open []Button
	for _, it := range items {
		d := it.Deal
		lines = append(lines, fm.text(lang, "nudge.team_line", "deal", ref(d)+" "+Clip(d.Name(), nameRunes),
			"owner", Clip(ownerName(v.Owners, d), nameRunes), "stage", fm.stageLabel(lang, d), "amount", fm.dealAmount(lang, d),
			"days", it.OverLimit))
		open = append(open, Button{Label: fm.text(lang, "nudge.btn.open_deal", "ref", ref(d)), Value: fmt.Sprintf("/deal show #%d", d.ID)})
	}
	out := []Block{
		{Kind: TextBlock, Text: fm.text(lang, "nudge.team", "n", len(v.Team))},
		{Kind: ListBlock, Items: lines},
		{Kind: ButtonsBlock, Buttons: open},
	}
	if more := len(v.Team) - len(items); more > 0 {
		out = append(out, Block{Kind: ContextBlock, Text: fm.text(lang, "nudge.team_more", "n", more)})
	}
	return out
}

// ownerName is who owns d, by the view's names, else the deal's own.
func ownerName(owners map[int64]string, d coach.Deal) string {
	if n := owners[d.OwnerID]; n != "" {
		return n
	}
	return d.Owner
}

// nameRunes is how long a name may run in a scheduled message's line, so
// that a list of them stays within an adapter's block.
const nameRunes = 80
