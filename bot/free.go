package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// awaitConfirm waits for "yes" (or "no") to a reading the bot was not sure
// of: nothing is applied until the person confirms.
const awaitConfirm = "confirm"

// maxNamed caps the deals a speaker's name index holds (about 0.5 KB each):
// a deal beyond it is still found when named exactly (see freeText).
const maxNamed = 2000

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

// dealNames indexes the deals the speaker may name: their own open deals,
// their team's, and for an admin every open deal.
func (b *Bot) dealNames(ctx context.Context, t *turn) (*parse.Names, error) {
	gen := b.namesGens(t.person)
	now := time.Now()
	if v, ok := b.nameCache.Load(t.person.ID); ok {
		e := v.(*namesEntry)
		if e.gen == gen && now.Sub(e.at) < namesTTL && e.role == t.person.Role && e.team == t.person.TeamID {
			return e.names, nil
		}
	}
	names, err := b.loadNames(ctx, t)
	if err != nil {
		return nil, err
	}
	if _, had := b.nameCache.Swap(t.person.ID, &namesEntry{names: names, gen: gen, at: now, role: t.person.Role,
		team: t.person.TeamID}); !had && b.namesCached.Add(1) > maxCachedNames {
		// bound the memory: forget someone else's index (rebuilt when they next write)
		b.nameCache.Range(func(k, _ any) bool {
			if k != t.person.ID {
				b.nameCache.Delete(k)
				b.namesCached.Add(-1)
				return false
			}
			return true
		})
	}
	return names, nil
}

// maxCachedNames bounds the speakers whose name indexes are kept.
const maxCachedNames = 256

// namesTTL bounds how long a cached deal-name index is trusted without
// this process having seen a change to it: changes made by another
// process (an import) are seen within it. A name missing from a stale
// index is not lost: the message is then read by the keyword grammar and
// asked about.
const namesTTL = 5 * time.Minute

type namesEntry struct {
	names *parse.Names
	gen   [3]int64
	at    time.Time
	role  coach.Role
	team  int64
}

// namesGens is what a person's name index depends on: the changes to
// their own deals, to their team's, and (for an admin) to anyone's.
func (b *Bot) namesGens(p coach.Person) [3]int64 {
	var g [3]int64
	g[0] = b.namesGen(namesOfPerson(p.ID))
	if p.TeamID != 0 {
		g[1] = b.namesGen(namesOfTeam(p.TeamID))
	}
	if p.Role == coach.Admin {
		g[2] = b.namesGen(namesOfAll)
	}
	return g
}

// The keys of nameGens: a person's deals, a team's, everyone's. Numbers,
// not strings, so that reading a generation costs no formatting.
func namesOfPerson(id int64) int64 { return id<<2 | 1 }
func namesOfTeam(id int64) int64   { return id<<2 | 2 }

const namesOfAll int64 = 3

func (b *Bot) namesGen(key int64) int64 {
	if v, ok := b.nameGens.Load(key); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}

// namesChanged tells the name cache that a deal was created, renamed,
// closed, reopened or moved between people: the indexes of its owner, its
// team and the admins are rebuilt when next used.
func (b *Bot) namesChanged(d coach.Deal) {
	for _, key := range [...]int64{namesOfPerson(d.OwnerID), namesOfTeam(d.TeamID), namesOfAll} {
		v, _ := b.nameGens.LoadOrStore(key, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
	}
}

func (b *Bot) loadNames(ctx context.Context, t *turn) (*parse.Names, error) {
	// A rep's own deals; a manager's team's too; an admin's, everyone's. A
	// deal outside the index (a colleague's) is still found by the keyword
	// grammar's lookup, and asked about or refused, never applied blindly.
	type scope struct{ owner, team int64 }
	scopes := []scope{{owner: t.person.ID}}
	switch {
	case t.person.Role == coach.Admin:
		scopes = []scope{{}}
	case t.person.Role == coach.Manager && t.person.TeamID != 0:
		scopes = append(scopes, scope{team: t.person.TeamID})
	}
	var nb *parse.NamesBuilder
	for _, sc := range scopes {
		ds, err := b.cfg.Store.OpenDealNames(ctx, sc.owner, sc.team, b.maxNamed)
		if err != nil {
			return nil, err
		}
		if nb == nil {
			nb = parse.NewNamesBuilder(ds.Len())
		}
		for i := range ds.Len() {
			nb.AddBytes(ds.Name(i)) // a deal in both scopes is indexed once
		}
	}
	return nb.Names(), nil
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
