package parse

import (
	"strings"

	"github.com/dealcoach/dealcoach/coach"
)

// Next reads text as the next step of deal id: the answer to "what is your
// next step, and when?" or a form's next-step field ("周五拜访刘行长",
// "demo Friday"). It reads the words as the slash grammar reads what
// follows "/deal #id next step", without writing that command: the step
// and its date, and any field named after them ("demo Friday amount 50k"
// sets the amount too); the few forms that grammar reads as another command
// first ("done", "3天后再提醒", a bad 8C1F0W mark before marks) are read as
// it reads them (next, below). The result is an Update of deal id, or a
// Show when the words hold nothing. Lang is the language of text; Slash is
// false, for no command was typed.
func Next(id int64, text string, c Context) Command {
	if len(text) > maxInput {
		return Command{Lang: detectLang(text[:maxInput]), Err: coach.Errorf(coach.Invalid, "err.too_long")}
	}
	p := &parser{pb: c.Playbook, people: c.People, today: coach.DateOf(c.Now)}
	cmd := p.next(Ref{ID: id}, newText(" "+text))
	cmd.Lang = detectLang(text)
	return cmd
}

// nextKeyword is the keyword the words of Next follow.
var nextKeyword = &keyword{word: "next step", field: fNext}

// next reads t, the words of Next after a space, in the order of slash:
// the rules that may take a message whose deal is named first (done,
// snooze, marks), then the update its keywords make. The next-step keyword
// is a hit of no length before the space, so that the clause rules (a
// separator at that space, a keyword right after it) see what they see
// after "next step" in a message. The other slash rules never take such a
// message: those that look at the first word see "#id", a contact's person
// would hold "next step", and refVerb's deal would too.
func (p *parser) next(ref Ref, t text) Command {
	// A message is read without the punctuation and emoji at its end.
	if tt := t.trim(); tt.empty() {
		t = t.slice(0, 0)
	} else {
		t = t.slice(0, tt.off-t.off+len(tt.low))
	}
	// done: "/deal #12 next step done" ends with a done word that begins
	// with the keyword, with nothing but the deal before it.
	if doneWords[nextKeyword.word+strings.TrimRight(t.low, ".!。！ ")] {
		return Command{Kind: Done, Ref: ref}
	}
	if cmd, ok := p.nextRemindAgain(ref, t); ok {
		return cmd
	}
	if cmd, ok := p.nextBadMark(t); ok {
		return cmd
	}
	hs := p.keepHits(t, append([]hit{{kw: nextKeyword}}, findHits(t.low)...))
	u := &updater{p: p, t: t, hs: hs, cmd: Command{Kind: Update, Ref: ref}, skip: -1}
	u.run()
	return u.finish()
}

// nextRemindAgain is remindAgain on a message that names the deal by id:
// "3天后再提醒" after "/deal #12 next step" is a snooze whose length, the
// words from "next step" on, never reads. The error quotes the words typed.
func (p *parser) nextRemindAgain(ref Ref, t text) (Command, bool) {
	q := t.trim()
	w, ok := suffixAny(q.low, remindAgain)
	if !ok {
		return Command{}, false
	}
	body := q.slice(0, len(q.low)-len(w))
	return Command{Kind: Snooze, Ref: ref, Err: coach.Errorf(coach.Invalid, "err.snooze", "text", clean(body.raw()))}, true
}

// nextBadMark is marks on a message whose first clause holds the deal and
// the next-step keyword, so it names no deal: only a first clause that
// ends with a factor and a value that is no mark, followed by a clause of
// marks, reads ("预算 冻结了, 竞争 W"): as the bad mark, of no deal.
func (p *parser) nextBadMark(t text) (Command, bool) {
	if p.pb == nil || len(p.pb.Factors) == 0 || !hasMarkEnd(t) {
		return Command{}, false
	}
	cs := p.markClauses(t)
	if len(cs) < 2 {
		return Command{}, false
	}
	if _, ms := p.peelMarks(cs[0]); len(ms) > 0 {
		return Command{}, false // marks after the keyword: no deal before them
	}
	if region, ms := p.peelMarks(cs[1]); len(ms) == 0 || !region.empty() {
		return Command{}, false
	}
	// factorValue looks for the factor after a first word, which in the
	// message was the keyword: here it may begin the clause.
	v, ok := p.valueAfterFactor(cs[0].trim(), 0)
	if !ok {
		_, v, ok = p.factorValue(cs[0], true)
	}
	if !ok {
		return Command{}, false
	}
	return markErr(Ref{}, v), true
}
