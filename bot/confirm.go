package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
)

// awaitConfirm waits for "yes" (or "no") to a reading the bot was not sure
// of: nothing is applied until the person confirms.
const awaitConfirm = "confirm"

// confirm shows a reading it is unsure of and waits for yes or no.
func (b *Bot) confirm(ctx context.Context, t *turn, rd parse.Reading) (Reply, error) {
	l := t.lang
	var doubts []string
	for _, d := range rd.Doubts {
		if d.Key == "read.no_deal" {
			r := textReply(l, b.text(l, "read.no_deal"))
			r.Ephemeral = true
			return r, nil
		}
		doubts = append(doubts, b.text(l, d.Key, "text", d.Text))
	}
	r := Reply{Lang: l}
	var items []string
	var cmds []parse.Command
	for _, c := range rd.Updates {
		d, err := b.cfg.Store.Deal(ctx, c.Ref.ID)
		if err != nil {
			return Reply{}, err
		}
		if !t.person.CanEdit(d) {
			return Reply{}, coach.Errorf(coach.Forbidden, "err.forbidden", "ref", ref(d), "owner", d.Owner)
		}
		ch, err := b.describe(t, c, d)
		if err != nil {
			return Reply{}, err
		}
		for _, s := range ch {
			items = append(items, fmt.Sprintf("%s %s: %s", ref(d), d.Name(), s))
		}
		cmds = append(cmds, c)
		r.DealID = d.ID
	}
	if len(items) == 0 {
		r := textReply(l, b.text(l, "unknown"))
		r.Ephemeral = true
		return r, nil
	}
	r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: b.text(l, "read.confirm")})
	r.Blocks = append(r.Blocks, Block{Kind: ListBlock, Items: items})
	if len(doubts) > 0 {
		r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: strings.Join(doubts, " ")})
	}
	// The buttons carry the token of this reading: pressed after another
	// reading replaced it, they apply (or cancel) nothing (see pressed).
	tok := confirmToken(t, cmds)
	btns := []Button{{Label: b.text(l, "read.apply"), Value: pressApply + tok, Style: "primary"}}
	if len(cmds) == 1 {
		btns = append(btns, Button{Label: b.text(l, "read.edit"), Value: fmt.Sprintf("/deal show #%d", cmds[0].Ref.ID), Form: FormEdit, DealID: cmds[0].Ref.ID})
	}
	btns = append(btns, Button{Label: b.text(l, "read.cancel"), Value: pressCancel + tok})
	r.Blocks = append(r.Blocks, Block{Kind: ButtonsBlock, Buttons: btns})
	r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: b.text(l, "read.confirm_hint")})
	b.await(t, state{Await: awaitConfirm, Cmds: cmds, Token: tok})
	return r, nil
}

// A confirmation's Apply and Cancel buttons send these, then the token of
// the reading they answer. A slash command keeps the person's language
// (typed "yes" would make it English) and passes through Slack and Lark
// unchanged; a typed "yes" or "是" still answers whatever waits.
const (
	pressApply  = "/deal apply "
	pressCancel = "/deal cancel "
)

// confirmToken names one question the bot asks (a reading to confirm, a
// near miss to pick from): the message that raised it, when, and what it
// would change. Only the buttons of that question carry it.
func confirmToken(t *turn, cmds []parse.Command) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%d\x00%s\x00", t.msg.Platform, t.msg.EventID, t.msg.UserID,
		t.msg.scope(), t.now.UnixNano(), t.msg.Text)
	if raw, err := json.Marshal(cmds); err == nil {
		h.Write(raw)
	}
	return hex.EncodeToString(h.Sum(nil)[:5])
}

// pressOf reads a confirmation button's value: yes is 1 for Apply, -1 for
// Cancel; ok is false for any other text.
func pressOf(text string) (yes int, token string, ok bool) {
	s := strings.TrimSpace(text)
	for _, p := range []struct {
		prefix string
		yes    int
	}{{pressApply, 1}, {pressCancel, -1}} {
		if len(s) > len(p.prefix) && strings.EqualFold(s[:len(p.prefix)], p.prefix) {
			tok := strings.TrimSpace(s[len(p.prefix):])
			if tok == "" || strings.ContainsAny(tok, " \t\n") {
				return 0, "", false
			}
			return p.yes, strings.ToLower(tok), true
		}
	}
	return 0, "", false
}

// pressed answers a confirmation's button. Only the question the button
// belongs to is answered; a button of a question that another replaced,
// that expired or was answered already changes nothing and leaves what
// waits now waiting (a press on an old card must not apply or cancel the
// newer reading).
func (b *Bot) pressed(ctx context.Context, t *turn, yes int, tok string, s state, ok bool) (Reply, error) {
	if ok && s.Token == tok && (s.Await == awaitConfirm || s.Await == awaitPick && yes < 0) {
		if yes < 0 {
			b.endWait(t)
			return textReply(t.lang, b.text(t.lang, "read.cancelled")), nil
		}
		if len(s.Cmds) > 0 && s.Cmds[0].Lang != "" {
			t.lang = s.Cmds[0].Lang
		}
		b.endWait(t)
		return b.applyAll(ctx, t, s.Cmds)
	}
	if ok && (s.Await == awaitConfirm || s.Await == awaitPick) {
		return textReply(t.lang, b.text(t.lang, "read.press_replaced")), nil
	}
	return textReply(t.lang, b.text(t.lang, "read.press_expired")), nil
}

// didYouMean asks about a near miss; nothing changes until the person picks.
func (b *Bot) didYouMean(ctx context.Context, t *turn, rd parse.Reading) (Reply, error) {
	l := t.lang
	ds, err := b.dealsByID(ctx, rd.Candidates)
	if err != nil {
		return Reply{}, err
	}
	c := parse.Command{Kind: parse.Show, Lang: t.lang}
	if len(rd.Updates) > 0 && rd.Updates[0].Changes() {
		c = rd.Updates[0]
	}
	c.Ref = parse.Ref{}
	p := state{Await: awaitPick, Cmd: &c}
	var btns []Button
	var items []string
	for i, d := range ds {
		p.Candidates = append(p.Candidates, d.ID)
		items = append(items, fmt.Sprintf("%d. %s %s", i+1, ref(d), d.Name()))
		// The deal's id, not its place in the list: a card pressed after
		// another question replaced this one must not pick from that one.
		btns = append(btns, Button{Label: d.Name(), Value: fmt.Sprintf("#%d", d.ID)})
	}
	p.Token = confirmToken(t, []parse.Command{c})
	btns = append(btns, Button{Label: b.text(l, "read.cancel"), Value: pressCancel + p.Token})
	names := make([]string, len(ds))
	for i, d := range ds {
		names[i] = d.Name()
	}
	r := textReply(l, b.text(l, "read.did_you_mean", "names", strings.Join(names, " / "), "n", len(ds)))
	r.Blocks = append(r.Blocks, Block{Kind: ListBlock, Items: items})
	r.Blocks = append(r.Blocks, Block{Kind: ButtonsBlock, Buttons: btns})
	r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: b.text(l, "read.pick_hint")})
	b.await(t, p)
	return r, nil
}

// confirmed reads the answer to a confirmation: yes applies, no cancels;
// anything else is read afresh (and the reading is dropped).
func (b *Bot) confirmed(ctx context.Context, t *turn, s state) (Reply, bool, error) {
	switch answerYesNo(t.msg.Text) {
	case 1:
		b.endWait(t)
		r, err := b.applyAll(ctx, t, s.Cmds)
		return r, true, err
	case -1:
		r := textReply(t.lang, b.text(t.lang, "read.cancelled"))
		b.endWait(t)
		return r, true, nil
	}
	b.endWait(t)
	return Reply{}, false, nil
}

// answerYesNo is 1 for yes, -1 for no, 0 for anything else.
func answerYesNo(s string) int {
	s = strings.ToLower(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(s), ".。!！")))
	switch s {
	case "yes", "y", "yep", "yeah", "ok", "okay", "sure", "apply", "confirm", "1", "是", "是的", "对", "对的", "好", "好的",
		"确认", "可以", "行", "没问题", "应用", "嗯", "correct", "right", "go", "do it":
		return 1
	case "no", "n", "nope", "cancel", "stop", "don't", "dont", "不", "不是", "不对", "取消", "算了", "别", "否", "错了", "wrong":
		return -1
	}
	return 0
}
