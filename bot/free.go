package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// freeText reads a free-text message against the speaker's deals and
// applies what it says only when the reading is certain; otherwise it asks.
// cmd is the keyword grammar's reading, the fallback when Read finds no deal.
func (b *Bot) freeText(ctx context.Context, t *turn, cmd parse.Command) (Reply, error) {
	names, err := b.dealNames(ctx, t)
	if err != nil {
		return Reply{}, err
	}
	var focus int64
	if t.waiting && t.cur.Await != awaitPick && t.cur.Await != awaitConfirm {
		focus = t.cur.DealID // the deal being coached, or the conversation's topic
	}
	rd := b.read(t, names, focus)
	if rd.Err != nil {
		return Reply{}, rd.Err
	}
	switch rd.Kind {
	case parse.ReadUpdate:
		return b.applyAll(ctx, t, rd.Updates)
	case parse.ReadShow:
		r, err := b.show(ctx, t, rd.Deal)
		if err == nil {
			b.setTopic(t, rd.Deal)
		}
		return r, err
	case parse.ReadAsk:
		if rd.Focused && !cmd.Ref.IsZero() && cmd.Ref.ID == 0 {
			break // "Initech won" while talking of Acme: a name it does not know, said so below
		}
		if cmd.Err != nil && cmd.Err.Key == "err.stage" && !readStage(rd) {
			// the keyword grammar found a stage that does not exist ("moved to nowhere"): say so
			return Reply{}, cmd.Err
		}
		if !noDeal(rd) || cmd.Ref.IsZero() {
			return b.confirm(ctx, t, rd)
		}
	case parse.ReadNearMiss:
		return b.didYouMean(ctx, t, rd)
	case parse.ReadWhich:
		c := parse.Command{Kind: parse.Show, Lang: t.lang, Ref: parse.Ref{Name: rd.Named}}
		if len(rd.Updates) > 0 && rd.Updates[0].Changes() {
			c = rd.Updates[0]
			c.Ref = parse.Ref{Name: rd.Named}
		}
		ds, err := b.dealsByID(ctx, rd.Candidates)
		if err != nil {
			return Reply{}, err
		}
		return b.askWhich(ctx, t, c, ds)
	case parse.ReadGuarded:
		r := textReply(t.lang, b.text(t.lang, "read.guard."+rd.Guard, "ref", fmt.Sprintf("#%d", rd.Deal)))
		r.DealID = rd.Deal
		return r, nil
	}
	// No deal found: what the keyword grammar read is not applied blindly.
	switch cmd.Kind {
	case parse.Show:
		if cmd.Ref.IsZero() {
			break
		}
		return b.onDeal(ctx, t, cmd)
	case parse.Update, parse.Won, parse.Lost:
		if cmd.Ref.IsZero() {
			return b.dispatchKind(ctx, t, cmd)
		}
		if cmd.Err != nil {
			return Reply{}, cmd.Err
		}
		ds, err := b.resolve(ctx, t, cmd.Ref)
		if err != nil {
			return Reply{}, err
		}
		// A deal the reader does not index (closed, or outside the
		// speaker's view) or a name it cannot place, read by the keyword
		// grammar: asked about, never applied blindly.
		if len(ds) == 1 && exactName(ds[0], cmd.Ref.Name) {
			// Named exactly, but not in the speaker's index (an admin's deal
			// beyond its cap, a colleague's): read again against that deal
			// alone, and applied only when that reading is certain.
			d := ds[0]
			one := parse.NewNames([]parse.DealName{{ID: d.ID, Customer: d.Customer, Title: d.Title}})
			if rd := parse.Read(t.msg.Text, b.readContext(t), one, 0); rd.Kind == parse.ReadUpdate && d.Status == coach.Open {
				return b.applyAll(ctx, t, rd.Updates)
			}
			cmd.Ref = parse.Ref{ID: d.ID}
			return b.confirm(ctx, t, parse.Reading{Kind: parse.ReadAsk, Updates: []parse.Command{cmd}})
		}
		ids := make([]int64, len(ds))
		for i, d := range ds {
			ids[i] = d.ID
		}
		return b.didYouMean(ctx, t, parse.Reading{Kind: parse.ReadNearMiss, Candidates: ids, Updates: []parse.Command{cmd}})
	}
	if cmd.Err != nil {
		return Reply{}, cmd.Err
	}
	r := textReply(t.lang, b.text(t.lang, "unknown"))
	r.Ephemeral = true
	return r, nil
}

// exactName tells whether name is the deal's customer, title or full name.
func exactName(d coach.Deal, name string) bool {
	n := coach.NormalizeName(name)
	return n == coach.NormalizeName(d.Customer) || n == coach.NormalizeName(d.Title) ||
		n == coach.NormalizeName(d.Customer+" "+d.Title)
}

func (b *Bot) dealsByID(ctx context.Context, ids []int64) ([]coach.Deal, error) {
	var out []coach.Deal
	for _, id := range ids {
		d, err := b.cfg.Store.Deal(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
		if len(out) == maxCandidates {
			break
		}
	}
	return out, nil
}

// dispatchKind runs a command the keyword grammar read in full.
func (b *Bot) dispatchKind(ctx context.Context, t *turn, cmd parse.Command) (Reply, error) {
	if cmd.Err != nil {
		return Reply{}, cmd.Err
	}
	return b.onDeal(ctx, t, cmd)
}

// applyAll applies one change per deal. Every deal is checked first, so
// that a refusal for one changes none.
func (b *Bot) applyAll(ctx context.Context, t *turn, cmds []parse.Command) (Reply, error) {
	for _, c := range cmds {
		if len(cmds) == 1 {
			break // one change: its update checks it
		}
		d, err := b.cfg.Store.Deal(ctx, c.Ref.ID)
		if err != nil {
			return Reply{}, err
		}
		if !t.person.CanEdit(d) {
			return Reply{}, coach.Errorf(coach.Forbidden, "err.forbidden", "ref", ref(d), "owner", d.Owner)
		}
		if _, err := b.apply(t, c, d); err != nil {
			return Reply{}, err
		}
	}
	if len(cmds) == 1 {
		// written with the change: the next update that names no deal is about this one
		b.setTopic(t, cmds[0].Ref.ID)
	}
	var out Reply
	for i, c := range cmds {
		var r Reply
		var err error
		if c.Kind == parse.Done {
			var d coach.Deal
			if d, err = b.cfg.Store.Deal(ctx, c.Ref.ID); err == nil {
				r, err = b.done(ctx, t, d)
			}
		} else {
			r, err = b.update(ctx, t, c.Ref.ID, c)
		}
		if err != nil {
			return Reply{}, err
		}
		if i == 0 {
			out = r
			continue
		}
		out.Blocks = append(out.Blocks, r.Blocks...)
	}
	out.Blocks = append(out.Blocks, Block{Kind: ButtonsBlock, Buttons: []Button{{Label: b.text(t.lang, "read.undo_button"), Value: "/deal undo"}}})
	return out, nil
}

// describe says what a command would change on deal d, without changing it.
func (b *Bot) describe(t *turn, c parse.Command, d coach.Deal) ([]string, error) {
	u, err := b.apply(t, c, d)
	if err != nil {
		return nil, err
	}
	return b.changes(t, d, u.After, c.Note), nil
}

// readsAsUpdate tells whether a message that came while a question waits
// is an update (or a question about a deal) rather than the answer: it
// names one of the speaker's deals with a change or a question, or it
// carries a clean update of the deal being coached. In a platform thread
// the bot's question was asked there, so replies there are answers.
func (b *Bot) readsAsUpdate(ctx context.Context, t *turn, cmd parse.Command) (bool, error) {
	if t.msg.Thread != "" && t.msg.Platform != "console" {
		return false, nil
	}
	names, err := b.dealNames(ctx, t)
	if err != nil {
		return false, err
	}
	rd := b.read(t, names, 0)
	switch rd.Kind {
	case parse.ReadUpdate, parse.ReadNearMiss, parse.ReadWhich, parse.ReadGuarded:
		return true, nil
	case parse.ReadShow:
		return rd.Question, nil // a bare name answers ("张总" may be one)
	case parse.ReadAsk:
		named := true
		for _, d := range rd.Doubts {
			switch d.Key {
			case "read.note":
				// a remark about the deal being coached is an answer; about another deal, it is not
				return len(rd.Updates) > 0 && rd.Updates[0].Ref.ID != t.cur.DealID, nil
			case "read.no_deal":
				named = false
			}
		}
		if named {
			return true, nil
		}
		for _, c := range rd.Updates {
			if c.Updates() && cmd.Ref.Name != "" {
				// "Umbr moved to approved": an update of a deal the grammar names,
				// to be asked about; "预算大概300万" names none: an answer
				return true, nil
			}
		}
	}
	rd = b.read(t, names, t.cur.DealID)
	if rd.Kind != parse.ReadUpdate {
		return false, nil
	}
	for _, c := range rd.Updates {
		if c.Updates() {
			return true, nil
		}
	}
	return false, nil
}

// readMemo is a turn's reading of its message: deciding whether a message
// answers the question waiting and then applying it read it once.
type readMemo struct {
	focus int64
	rd    parse.Reading
}

// read reads the turn's message against the speaker's names, once: a
// reading that named a deal is the same whatever the focus.
func (b *Bot) read(t *turn, names *parse.Names, focus int64) parse.Reading {
	if m := t.read; m != nil && (m.focus == focus || m.rd.Err == nil && m.rd.Kind != parse.ReadNothing && !noDeal(m.rd) && !m.rd.Focused) {
		return m.rd
	}
	rd := parse.Read(t.msg.Text, b.readContext(t), names, focus)
	t.read = &readMemo{focus: focus, rd: rd}
	return rd
}

// noDeal tells a reading that found no deal to apply to.
func noDeal(rd parse.Reading) bool {
	for _, d := range rd.Doubts {
		if d.Key == "read.no_deal" {
			return true
		}
	}
	return false
}

// undo puts back the speaker's last change to a deal and says what it put
// back: the values and the notes it added; a deal they just created is
// closed.
func (b *Bot) undo(ctx context.Context, t *turn) (Reply, error) {
	u, err := t.st.Undo(ctx, t.person.ID, b.text(t.lang, "read.undone_reason"))
	switch {
	case errors.Is(err, store.ErrNothingToUndo):
		return textReply(t.lang, b.text(t.lang, "read.nothing_to_undo")), nil
	case errors.Is(err, store.ErrUndoStale):
		return textReply(t.lang, b.text(t.lang, "read.undo_stale", "ref", ref(u.Before))), nil
	case err != nil:
		return Reply{}, err
	}
	if u.Closed {
		b.namesChanged(u.After)
		r := textReply(t.lang, b.text(t.lang, "read.undone_create", "ref", ref(u.After), "name", u.After.Name()))
		r.DealID = u.After.ID
		b.endWait(t)
		return r, nil
	}
	if u.Before.Status != u.After.Status {
		b.namesChanged(u.After)
	}
	r := Reply{Lang: t.lang, DealID: u.After.ID}
	r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: b.text(t.lang, "read.undone", "ref", ref(u.After), "name", u.After.Name())})
	items := b.changes(t, u.Before, u.After, "")
	for _, n := range u.Notes {
		items = append(items, b.text(t.lang, "read.undone_note", "note", n))
	}
	r.Blocks = append(r.Blocks, Block{Kind: ListBlock, Items: items})
	b.endWait(t)
	return r, nil
}

// readStage tells a reading that found a stage.
func readStage(rd parse.Reading) bool {
	for _, c := range rd.Updates {
		if c.Stage != "" {
			return true
		}
	}
	return false
}

// pickedByName reads an answer to "which one?" that names one of the
// candidates ("数据中台", "the core system one"): the only candidate whose
// name the answer holds, or 0.
func (b *Bot) pickedByName(ctx context.Context, text string, cands []int64) int64 {
	ds, err := b.dealsByID(ctx, cands)
	if err != nil || len(text) > 200 {
		return 0
	}
	var ns []parse.DealName
	for _, d := range ds {
		ns = append(ns, parse.DealName{ID: d.ID, Title: d.Title})
	}
	found := parse.NewNames(ns).Find(text)
	if len(found) == 1 {
		return found[0]
	}
	return 0
}

// readContext is what Read reads a turn's message against.
func (b *Bot) readContext(t *turn) parse.Context {
	return parse.Context{Now: t.now, Playbook: b.cfg.Playbook, People: b.cfg.People, Stages: b.stages}
}
