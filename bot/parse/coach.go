package parse

import (
	"slices"
	"strings"

	"github.com/dealcoach/dealcoach/coach"
)

// The words that ask for coaching or qualification, at the start of a
// message ("coach me on Acme", "辅导 经信银行", "qualify #12", "评估 经信银行")
// or, in the slash grammar, before or after the deal ("/deal #12 coach").
// 教练 is not among them: it names an insider (people.yaml).
var (
	coachVerbs = byLen("coach", "coach me", "coach me on", "coach me about", "coach me for", "coach me through",
		"coach me with", "coach on", "coaching", "coaching on", "coaching for", "辅导", "辅导一下", "帮我辅导",
		"帮我辅导一下", "请辅导", "辅导我")
	qualifyVerbs = byLen("qualify", "qualification", "qualification of", "qualification for", "qualify deal",
		"8c1f0w", "8c1f0w for", "资格评估", "评估", "评估一下", "帮我评估", "帮我评估一下", "做个评估",
		"8c1f0w评估")
	slashCoach   = setOf("coach", "辅导", "coaching")
	slashQualify = setOf("qualify", "qualification", "8c1f0w", "资格评估", "评估")
	slashContact = setOf("contact", "person", "联系人", "人员", "关键人")
	// notQualify: 评估 followed by these is a role (评估者, 评估人), not the verb
	notQualify = []string{"者", "人", "报告"}
	// verbFirst are the first bytes of the verbs: most messages start with none.
	verbFirst = func() (set [256]bool) {
		for _, w := range slices.Concat(coachVerbs, qualifyVerbs) {
			set[w[0]] = true
		}
		return set
	}()
)

// coaching reads the messages of the coaching conversation: coach and
// qualify a deal, mark its factors, describe a person. t is the message
// trimmed, whole as typed. A question ("经信银行预算清楚吗?", "Acme budget
// C?") changes nothing and is left to the other rules.
func (p *parser) coaching(t, whole text) (Command, bool) {
	if verbFirst[t.low[0]] {
		if rest, ok := cutVerb(t, coachVerbs); ok {
			if cmd, ok := p.coachRef(rest); ok {
				return cmd, true
			}
		}
		if rest, ok := cutVerb(t, qualifyVerbs); ok {
			if cmd, ok := p.qualifyRest(rest, Ref{}, false); ok {
				return cmd, true
			}
		}
	}
	if _, q := asking(whole); q {
		return Command{}, false
	}
	if cmd, st := p.marks(t, Ref{}); st != marksNone {
		return cmd, true
	}
	return p.contact(t, Ref{}, false)
}

// cutVerb cuts one of verbs off the start of t: as a whole word in
// English, and in Chinese unless a role follows (评估者).
func cutVerb(t text, verbs []string) (text, bool) {
	q := t.trim()
	for _, w := range verbs {
		if !hasWordPrefix(q.low, w) {
			continue
		}
		rest := q.from(len(w))
		if w == "评估" || w == "评估一下" {
			for _, n := range notQualify {
				if strings.HasPrefix(rest.low, n) {
					return t, false
				}
			}
		}
		if isWordByte(w[len(w)-1]) && rest.low != "" && rest.low[0] != ' ' && rest.low[0] != ':' && rest.low[0] != '#' {
			continue // "coach" is not "coach-led"
		}
		return rest.trim(), true
	}
	return t, false
}

// coachRef reads the deal after a coach word: "coach Acme", "辅导 #12". A
// message that is not a deal's name ("coach me on pricing") is not ours:
// as for a name on its own, an English name must look like one.
func (p *parser) coachRef(rest text) (Command, bool) {
	if rest.empty() {
		return Command{Kind: Coach, Err: coach.Errorf(coach.Invalid, "err.need_deal")}, true
	}
	ref, ok := nameRef(rest, true, p.pb)
	if !ok {
		return Command{}, false
	}
	return Command{Kind: Coach, Ref: ref}, true
}

// qualifyRest reads what follows a qualify word: nothing (the deal comes
// from the conversation), the deal ("qualify Acme"), or the deal and marks
// ("qualify #12 budget C"). ref is the deal when the slash grammar named it
// before the word ("/deal #12 qualify budget C"); slash reports that the
// message is a slash command, where a stray word is an error, not text.
func (p *parser) qualifyRest(rest text, ref Ref, slash bool) (Command, bool) {
	if rest.empty() {
		if ref.IsZero() {
			return Command{Kind: Qualify, Err: coach.Errorf(coach.Invalid, "err.need_deal")}, true
		}
		return Command{Kind: Qualify, Ref: ref}, true
	}
	if cmd, st := p.marks(rest, ref); st != marksNone {
		return cmd, true
	}
	if cmd, ok := p.badFactor(rest, ref, true); ok {
		return cmd, true
	}
	if ref.IsZero() {
		if r, ok := nameRef(rest, !slash, p.pb); ok {
			return Command{Kind: Qualify, Ref: r}, true
		}
	}
	if slash {
		return Command{Kind: Qualify, Ref: ref, Err: coach.Errorf(coach.Invalid, "err.mark", "text", clean(rest.raw()))}, true
	}
	return Command{}, false
}

// slashVerb reads "/deal coach #12", "/deal qualify #12 budget C" and
// "/deal contact #12 Jane Doe decision maker": the word first, then the deal.
func (p *parser) slashVerb(w string, rest text) (Command, bool) {
	switch {
	case slashCoach[w]:
		if rest.empty() {
			return Command{Kind: Coach, Err: coach.Errorf(coach.Invalid, "err.need_deal")}, true
		}
		if ref, ok := nameRef(rest, false, p.pb); ok {
			return Command{Kind: Coach, Ref: ref}, true
		}
		return Command{}, true
	case slashQualify[w]:
		ref, after := leadingID(rest)
		return p.qualifyRest(after, ref, true)
	case slashContact[w] && p.people != nil:
		ref, after := leadingID(rest)
		return p.contact(after, ref, true)
	}
	return Command{}, false
}

// refVerb reads "/deal #12 coach", "/deal Acme Corp qualify budget C" and
// "/deal #12 contact Jane Doe ally": the deal, then the word.
func (p *parser) refVerb(b text) (Command, bool) {
	for i := 1; i < len(b.low); i++ {
		if b.low[i-1] != ' ' || b.low[i] == ' ' {
			continue
		}
		w, rest := firstWord(b.from(i))
		coachW, qualifyW, contactW := slashCoach[w], slashQualify[w], slashContact[w] && p.people != nil
		if !coachW && !qualifyW && !contactW {
			continue
		}
		ref, ok := nameRef(b.slice(0, i), false, p.pb)
		switch {
		case !ok:
			return Command{}, false
		case coachW && rest.empty():
			return Command{Kind: Coach, Ref: ref}, true
		case qualifyW:
			return p.qualifyRest(rest, ref, true)
		case contactW:
			return p.contact(rest, ref, true)
		}
		return Command{}, false
	}
	return Command{}, false
}

// leadingID takes "#12" off the start of t.
func leadingID(t text) (Ref, text) {
	w, rest := firstWord(t)
	if len(w) > 1 && w[0] == '#' && strings.Trim(w[1:], "0123456789") == "" {
		if id, ok := findID(w); ok {
			return Ref{ID: id}, rest
		}
	}
	return Ref{}, t
}

// slashCoaching reads the coaching forms of a slash command that begins
// with the deal: "/deal #12 coach", "/deal #12 decision maker C",
// "/deal #12 Jane Doe is our insider".
func (p *parser) slashCoaching(b text) (Command, bool) {
	if cmd, ok := p.refVerb(b); ok {
		return cmd, true
	}
	if cmd, st := p.marks(b, Ref{}); st != marksNone {
		return cmd, true
	}
	return p.contact(b, Ref{}, false)
}
