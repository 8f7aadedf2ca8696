package parse

import (
	"strings"
	"unicode/utf8"

	"github.com/dealcoach/dealcoach/coach"
)

// updater reads the fields of an update (or of a new deal after its head):
// one piece per keyword, and "bare" clauses between them.
type updater struct {
	p       *parser
	t       text // the whole message (or the body of a new deal)
	hs      []hit
	cmd     Command
	won     bool
	lost    bool
	pronoun bool   // the deal was named "we": "we won Initech"
	next    []text // next-step parts, joined and dated at the end
	inNext  bool   // the last field was a next step: bare clauses continue it
	notes   []string
	reason  text // "because …" after a stage, its keyword included
	reasonK int  // the length of its keyword
	err     *coach.Error
	skip    int // a first stage keyword whose stage came before it ("立项阶段")
}

// update reads a message with keywords: the deal is named before the
// first one ("经信银行 推进到立项, 金额150万").
func (p *parser) update(t text, hs []hit) Command {
	u := &updater{p: p, t: t, hs: hs, cmd: Command{Kind: Update}, skip: -1}
	region := u.stageBefore(t.slice(0, hs[0].start))
	var later []text
	if cs := chunks(t, region, hs); len(cs) > 0 {
		region, later = u.refChunk(cs)
	}
	// "Acme $150k, next step …": an amount may follow the name directly.
	if name, m, ok := splitTrailingAmount(region.trim(), p.pb); ok {
		region = name
		u.setAmount(m)
	}
	u.cmd.Ref, u.pronoun = cleanRef(region)
	for _, c := range later { // "Acme, $150k, next step …"
		if c = c.trim(); !c.empty() {
			u.bareChunk(stripTail(stripLead(c, conjunctions), conjunctions))
		}
	}
	u.run()
	return u.finish()
}

// refChunk picks, among the clauses before the first keyword, the one that
// names the deal: the last that is not a bare value ("Hi, Acme moved …",
// "Acme, $150k, next step …"). The values after it are returned to be read
// as clauses of their own.
func (u *updater) refChunk(cs []text) (text, []text) {
	for i := len(cs) - 1; i >= 0; i-- {
		c := cs[i].trim()
		if c.empty() || u.isValue(c) {
			continue
		}
		return c, cs[i+1:]
	}
	return cs[len(cs)-1], nil
}

// isValue reports a clause that is a whole amount or stage, not a name.
func (u *updater) isValue(c text) bool {
	if a := scanAmount(c.low, 0); a.ok && a.end == len(c.low) {
		return true
	}
	_, ok := matchStage(c.low, u.p.pb)
	return ok
}

// stageBefore handles a stage keyword with nothing after it: the stage is
// at the end of the words before ("经信银行立项阶段", "Acme shortlist stage").
func (u *updater) stageBefore(region text) text {
	if u.hs[0].field() != fStage {
		return region
	}
	end, _ := valueSpan(u.t.low, u.hs, 0)
	if !stripTail(u.t.slice(u.hs[0].end, end), stageTail).empty() {
		return region
	}
	r := region.trim()
	key, start, ok := stageSuffix(r.low, u.p.pb)
	if !ok || start == 0 {
		return region
	}
	u.setStage(key)
	u.skip = 0
	return r.slice(0, start)
}

// run reads the pieces from the first keyword on.
func (u *updater) run() {
	pos := u.hs[0].start
	for k := 0; k < len(u.hs); {
		h := u.hs[k]
		if h.start > pos {
			u.bare(u.t.slice(pos, h.start))
		}
		end, next := valueSpan(u.t.low, u.hs, k)
		if k != u.skip {
			u.field(h, u.t.slice(h.end, end))
		}
		pos, k = end, next
	}
	if pos < len(u.t.low) {
		u.bare(u.t.from(pos))
	}
}

func (u *updater) fail(key string, v text) {
	if u.err == nil {
		u.err = coach.Errorf(coach.Invalid, key, "text", clean(v.raw()))
	}
}

func (u *updater) field(h hit, v text) {
	u.inNext = false
	switch h.field() {
	case fStage:
		u.stage(v)
	case fAmount:
		u.amount(stripTail(stripLead(v, amountLead), amountTail))
	case fNext:
		u.next = append(u.next, stripLead(v, nextLead))
		u.inNext = true
	case fClose:
		u.close(stripTail(stripLead(v, closeLead), closeTail))
	case fNote:
		u.note(stripLead(v, noteLead))
	case fTitle:
		if s := clean(stripLead(v, titleLead).raw()); s != "" {
			u.cmd.Title = s
		}
	case fWon:
		u.won = true
		u.refAfter(h, stripLead(v, wonLead))
	case fLost:
		u.lostReason(h, stripLead(v, lostLead))
	case fReason:
		u.reason, u.reasonK = u.t.slice(h.start, v.off-u.t.off+len(v.low)), h.end-h.start
	}
}

func (u *updater) stage(v text) {
	key, rest, ok := stagePrefix(stripLead(v, stageLead), u.p.pb)
	if !ok {
		u.fail("err.stage", v)
		return
	}
	u.setStage(key)
	u.rest(stripTail(rest, stageTail))
}

// setStage records a stage; reaching the playbook's last stage is a win.
func (u *updater) setStage(key string) {
	if isFinal(key, u.p.pb) && u.cmd.Kind != New {
		u.won = true
		return
	}
	u.cmd.Stage = key
}

func (u *updater) amount(v text) {
	if v.empty() {
		return // "Acme amount?" asks, it does not set
	}
	a := scanAmount(v.low, 0)
	if !a.ok {
		u.fail("err.amount", v)
		return
	}
	u.setAmount(a)
	u.rest(v.from(a.end))
}

func (u *updater) close(v text) {
	if v.empty() {
		return
	}
	ds := scanDate(v.low, 0, u.p.today, true)
	switch {
	case ds.ok:
		u.cmd.Close = ds.d
		u.rest(stripTail(v.from(ds.end), closeTail))
	case ds.bad:
		u.fail("err.date", v)
	default:
		if a := scanAmount(v.low, 0); a.ok && a.end == len(v.low) { // "预计120万": an estimate
			u.setAmount(a)
			return
		}
		u.fail("err.date", v)
	}
}

func (u *updater) note(v text) {
	if s := clean(v.raw()); s != "" {
		u.notes = append(u.notes, s)
	}
}

// refAfter takes the deal from after the keyword when it was named "we":
// "we won Initech".
func (u *updater) refAfter(h hit, v text) {
	if !u.cmd.Ref.IsZero() || !(u.pronoun || strings.HasPrefix(h.kw.word, "we ")) || v.empty() {
		return
	}
	if ref, ok := nameRef(v, false, u.p.pb); ok {
		u.cmd.Ref = ref
	}
}

// lostReason: "lost to a cheaper vendor" → "a cheaper vendor"; "we lost
// Globex to Oracle" names the deal too.
func (u *updater) lostReason(h hit, v text) {
	u.lost = true
	if u.cmd.Ref.IsZero() && (u.pronoun || strings.HasPrefix(h.kw.word, "we ")) {
		name, reason := v, text{}
		if i := strings.Index(v.low, " to "); i > 0 {
			name, reason = v.slice(0, i), v.from(i+len(" to "))
		}
		if ref, ok := nameRef(name, false, u.p.pb); ok {
			u.cmd.Ref, v = ref, reason
		}
	}
	if !v.empty() {
		u.cmd.Reason = clean(v.raw())
	}
}

// rest reads what followed a value in the same clause ("shortlist $120k").
func (u *updater) rest(r text) {
	if r = r.trim(); !r.empty() {
		u.bare(r)
	}
}

// bare reads clauses without a keyword.
func (u *updater) bare(region text) {
	for _, c := range chunks(u.t, region, u.hs) {
		u.bareChunk(stripTail(stripLead(c, conjunctions), conjunctions))
	}
}

// bareChunk places a clause without a keyword: an amount, a stage, a zh
// close date ("月底签约"), the rest of a next step, or else a note.
func (u *updater) bareChunk(c text) {
	if c.empty() {
		return
	}
	a := scanAmount(c.low, 0)
	switch {
	case a.ok && a.end == len(c.low) && !u.cmd.HasAmount:
		u.setAmount(a)
		return
	case !(a.ok && a.end == len(c.low)) && amountLike(c.low, a):
		u.fail("err.amount", c)
		return
	}
	if key, ok := matchStage(stripTail(c, stageTail).low, u.p.pb); ok && !u.inNext && u.cmd.Stage == "" && !u.won {
		u.setStage(key)
		return
	}
	if d, ok := u.closeClause(c); ok {
		u.cmd.Close = d
		return
	}
	if u.inNext {
		u.next = append(u.next, c)
		return
	}
	u.note(c)
}

// closeClause reads "月底签约", "12月3日成交": a date and a word for signing.
func (u *updater) closeClause(c text) (coach.Date, bool) {
	inner := c
	for _, w := range closeWords {
		if strings.HasSuffix(c.low, w) {
			inner = c.slice(0, len(c.low)-len(w)).trim()
			break
		}
	}
	if len(inner.low) == len(c.low) || inner.empty() {
		return coach.Date{}, false
	}
	ds := scanDate(inner.low, 0, u.p.today, true)
	return ds.d, ds.ok && ds.end == len(inner.low)
}

// finish joins the parts into the command.
func (u *updater) finish() Command {
	c := u.cmd
	u.finishNext(&c)
	u.finishReason(&c)
	c.Note = joinClauses(u.notes, "；", "; ")
	switch { // a new deal is never won or lost: newDeal drops those keywords
	case u.lost:
		c.Kind, c.Stage = Lost, ""
	case u.won:
		c.Kind, c.Stage = Won, ""
	}
	if u.err != nil {
		return Command{Kind: c.Kind, Ref: c.Ref, Err: u.err}
	}
	if c.Kind == New {
		if c.Customer == "" {
			return Command{Kind: New, Err: coach.Errorf(coach.Invalid, "err.need_customer")}
		}
		return c
	}
	if c.Kind == Update && !changes(c) {
		if c.Ref.IsZero() {
			return Command{}
		}
		return Command{Kind: Show, Ref: c.Ref}
	}
	if c.Ref.IsZero() {
		c.Err = coach.Errorf(coach.Invalid, "err.need_deal")
	}
	return c
}

func changes(c Command) bool {
	return c.HasAmount || c.Stage != "" || c.HasNext || !c.Close.IsZero() || c.Note != "" || c.Title != ""
}

// finishReason: why a deal changed stage is the Reason of an update; a
// win or loss or a new deal keeps it as a note, as before reasons were read.
func (u *updater) finishReason(c *Command) {
	switch {
	case u.reason.empty():
	case c.Kind == Update && !u.won && !u.lost:
		c.Reason = clean(stripLead(u.reason.from(u.reasonK), reasonLead).raw())
	default:
		u.note(u.reason)
	}
}

// finishNext takes the due date out of the next step's words.
func (u *updater) finishNext(c *Command) {
	var parts []string
	for _, part := range u.next {
		if c.NextDue.IsZero() {
			d, before, after, bad, ok := cutDate(part, u.p.today)
			if !bad.empty() {
				u.fail("err.date", bad)
			}
			if ok {
				c.NextDue = d
				parts = appendJoin(parts, joinRaw(clean(before.raw()), clean(after.raw())))
				continue
			}
		}
		parts = appendJoin(parts, clean(part.raw()))
	}
	c.NextStep = joinClauses(parts, "，", ", ")
	c.HasNext = c.NextStep != "" || !c.NextDue.IsZero()
}

func appendJoin(parts []string, s string) []string {
	if s == "" {
		return parts
	}
	return append(parts, s)
}

// joinRaw joins the words before and after a cut: no space between two
// Chinese characters.
func joinRaw(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	ra, _ := utf8.DecodeLastRuneInString(a)
	rb, _ := utf8.DecodeRuneInString(b)
	if ra > 0x7f && rb > 0x7f {
		return a + b
	}
	return a + " " + b
}

// joinClauses joins clauses with the mark of the script before it: zh
// after Chinese, latin after anything else.
func joinClauses(parts []string, zh, latin string) string {
	out := ""
	for i, s := range parts {
		if i > 0 {
			if r, _ := utf8.DecodeLastRuneInString(out); isHan(r) {
				out += zh
			} else {
				out += latin
			}
		}
		out += s
	}
	return out
}

// setAmount records an amount and the currency it was written in.
func (u *updater) setAmount(a amountScan) {
	u.cmd.Amount, u.cmd.HasAmount, u.cmd.Currency = a.m, true, a.cur
}
