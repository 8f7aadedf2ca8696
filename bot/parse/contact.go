package parse

import (
	"strings"

	"github.com/dealcoach/dealcoach/coach"
)

// A contact sentence names a deal, a person and what they are to us:
//
//	经信银行 涂主任 是需求发起者, 关系 互动
//	Acme: Jane Doe is the decision maker, ally
//	Acme: Jane Doe, technical evaluator, interacting
//	/deal #12 contact Jane Doe decision maker ally
//
// The deal is what comes before a colon; without one it is the first word
// ("Acme Jane Doe is our insider": Acme, Jane Doe), or a Chinese name before
// a person with a title ("经信银行涂主任"). A wrong guess names a deal that
// does not exist, which the bot reports: it never changes another deal.
var (
	// roleLead come before a role, relationship or style: "is the decision
	// maker", "是我们的内线".
	roleLead = byLen("the", "a", "an", "our", "their", "my", "also", "now", "probably", "actually", "definitely",
		"我们的", "我方的", "我方", "咱们的", "我们", "咱们", "一个", "个", "对方的", "他们的", "客户的", "客户方的")
	// personTail come between a person and 是/is: "涂主任也是内线".
	personTail = byLen("也", "就", "才", "现在", "目前", "应该", "可能", "算", "其实", "also", "now", "probably")
	// itemConj join two things said of a person in one clause.
	itemConj = byLen("and", "also", "but", "也是", "并且是", "同时是", "还是", "和", "&")
	// fieldLink come between a field word and its value: "关系是同盟", "style: owl".
	fieldLink = byLen(":", "=", "-", "is", "是", "为")
)

// termKind is a list of people.yaml.
type termKind int

const (
	kindRole termKind = iota
	kindRelationship
	kindStyle
)

// fieldWords say which list the next word is from: "关系 互动", "style owl".
var fieldWords = [...][]string{
	kindRole:         byLen("role", "角色", "身份"),
	kindRelationship: byLen("relationship", "relation", "relationship stage", "关系", "关系阶段"),
	kindStyle:        byLen("style", "communication style", "风格", "沟通风格", "性格", "性格类型"),
}

// contact reads a contact sentence. ref is the deal when the slash grammar
// named it ("/deal #12 contact …"); explicit reports a contact word, which
// makes a sentence we cannot read an error instead of someone else's text.
func (p *parser) contact(t text, ref Ref, explicit bool) (Command, bool) {
	if p.people == nil {
		return Command{}, false
	}
	t = t.trim()
	if !explicit && !strings.Contains(t.low, " is ") && !strings.Contains(t.low, "是") && !strings.ContainsAny(t.low, ",;\n") {
		return Command{}, false
	}
	if t.empty() {
		if explicit {
			return contactErr(ref, t), true
		}
		return Command{}, false
	}
	head, items, ok := p.contactParts(t, explicit)
	if !ok {
		if explicit {
			return contactErr(ref, t), true
		}
		return Command{}, false
	}
	if !explicit && (!p.isTerm(items[0]) || p.isStage(items[0])) {
		return Command{}, false // "Hooli note: CFO is on leave", "Acme is interested"
	}
	deal, person, st := p.dealAndPerson(head, ref)
	switch {
	case st == splitUnclear || st == splitNone && explicit:
		return contactErr(ref, head), true
	case st == splitNone:
		return Command{}, false
	}
	info := ContactInfo{Name: person}
	for _, it := range items {
		for _, part := range splitAt(it, itemConj) {
			if bad, ok := p.setTerm(&info, part); !ok {
				return contactErr(deal, bad), true
			}
		}
	}
	cmd := Command{Kind: Contact, Ref: deal, Contact: &info}
	if deal.IsZero() {
		cmd.Err = coach.Errorf(coach.Invalid, "err.need_deal")
	}
	return cmd, true
}

func contactErr(ref Ref, v text) Command {
	return Command{Kind: Contact, Ref: ref, Err: coach.Errorf(coach.Invalid, "err.contact", "text", clean(v.raw()))}
}

// contactParts splits a contact sentence into the words before what is
// said of the person (deal and person) and the things said: after 是/is,
// and in the clauses that follow.
func (p *parser) contactParts(t text, explicit bool) (text, []text, bool) {
	cs := chunks(t, t, nil)
	c0 := cs[0].trim()
	var items []text
	head, said, isForm := splitIs(c0)
	if isForm {
		if head.empty() || said.empty() {
			return text{}, nil, false
		}
		items = append(items, said)
	} else {
		head = c0
	}
	for _, c := range cs[1:] {
		if c = c.trim(); !c.empty() {
			items = append(items, c)
		}
	}
	if len(items) == 0 && explicit { // "Jane Doe decision maker ally", or only "Jane Doe"
		if h, parts, ok := p.splitTerms(c0); ok {
			return h, parts, true
		}
		return c0, nil, true
	}
	return head, items, len(items) > 0 && !head.empty()
}

// splitIs cuts a clause at its first "is" or 是: "Jane Doe is the decision
// maker", "涂主任是决策者". "不是" and "is not" say what a person is not: no
// contact.
func splitIs(c text) (head, said text, ok bool) {
	low := c.low
	i, n := strings.Index(low, " is "), len(" is ")
	if j := strings.Index(low, "是"); j >= 0 && (i < 0 || j < i) {
		i, n = j, len("是")
		if strings.HasSuffix(low[:j], "不") || strings.HasSuffix(low[:j], "没") {
			return text{}, text{}, false
		}
	}
	if i < 0 {
		return text{}, text{}, false
	}
	head = stripTail(c.slice(0, i), personTail)
	return head, c.from(i + n).trim(), true
}

// splitTerms reads "Jane Doe decision maker ally": the person's words, then
// words that are all terms. The person is as short as that allows.
func (p *parser) splitTerms(c text) (text, []text, bool) {
	var starts []int
	for i := 0; i < len(c.low); i++ {
		if c.low[i] != ' ' && (i == 0 || c.low[i-1] == ' ') {
			starts = append(starts, i)
		}
	}
	if len(starts) < 2 || len(starts) > 30 {
		return text{}, nil, false
	}
	failed := make([]bool, len(starts))
	for i := 1; i < len(starts); i++ {
		if parts, ok := p.segment(c, starts, i, failed); ok {
			return c.slice(0, starts[i]).trim(), parts, true
		}
	}
	return text{}, nil, false
}

// segment splits the words from starts[i] on into terms of up to four
// words; failed remembers the positions that cannot start a split.
func (p *parser) segment(c text, starts []int, i int, failed []bool) ([]text, bool) {
	if i == len(starts) {
		return nil, true
	}
	if failed[i] {
		return nil, false
	}
	for j := min(len(starts), i+4); j > i; j-- {
		end := len(c.low)
		if j < len(starts) {
			end = starts[j]
		}
		part := c.slice(starts[i], end).trim()
		if !p.isTerm(part) {
			continue
		}
		if rest, ok := p.segment(c, starts, j, failed); ok {
			return append([]text{part}, rest...), true
		}
	}
	failed[i] = true
	return nil, false
}

// splitStatus is how the words before what is said of a person split.
type splitStatus int

const (
	splitNone    splitStatus = iota // not a deal and a person: no contact
	splitOK                         // a deal (or none) and a person
	splitUnclear                    // "经信银行张三": a contact, but where does the deal end?
)

// dealAndPerson splits the words before what is said of a person: "Acme:
// Jane Doe", "#12 Jane Doe", "Acme Jane Doe", "经信银行 涂主任", "经信银行涂主任".
// ref is the deal already named. A deal that does not read as a name makes
// the sentence no contact.
func (p *parser) dealAndPerson(head text, ref Ref) (Ref, string, splitStatus) {
	head = head.trim()
	var deal, who text
	switch {
	case !ref.IsZero():
		who = head
	case strings.IndexByte(head.low, ':') >= 0:
		i := strings.IndexByte(head.low, ':')
		deal, who = head.slice(0, i), head.from(i+1)
	case strings.IndexByte(head.low, ' ') >= 0:
		i := strings.IndexByte(head.low, ' ')
		deal, who = head.slice(0, i), head.from(i+1)
	case hasHan(head.low):
		start, ok := zhPersonStart(head.low)
		if !ok && countHan(head.low) > 3 { // a Chinese name has two to three characters
			return Ref{}, "", splitUnclear
		}
		deal, who = head.slice(0, start), head.from(start)
	default:
		who = head
	}
	name, ok := personName(who)
	if !ok {
		return Ref{}, "", splitNone
	}
	if deal = deal.trim(); deal.empty() {
		return ref, name, splitOK
	}
	r, ok := nameRef(deal, false, p.pb)
	if !ok {
		return Ref{}, "", splitNone
	}
	return r, name, splitOK
}

// setTerm records one thing said of a person: a field word and its value
// ("关系 互动", "style owl") or a term of any list ("the decision maker",
// "ally"). It returns the text that could not be read.
func (p *parser) setTerm(info *ContactInfo, part text) (text, bool) {
	part = stripLead(part, roleLead)
	kinds := []termKind{kindRole, kindRelationship, kindStyle}
	v := part
	for k, words := range fieldWords {
		if w := stripLead(part, words); len(w.low) < len(part.low) {
			kinds, v = []termKind{termKind(k)}, stripLead(stripLead(w, fieldLink), roleLead)
			if v.empty() {
				return part, false
			}
			break
		}
	}
	for _, k := range kinds {
		key, ok := findTerm(p.terms(k), v.low)
		if !ok {
			continue
		}
		field := info.field(k)
		if *field != "" && *field != key {
			return part, false // two roles for one person
		}
		*field = key
		return text{}, true
	}
	return v, false
}

func (c *ContactInfo) field(k termKind) *string {
	switch k {
	case kindRelationship:
		return &c.Relationship
	case kindStyle:
		return &c.Style
	}
	return &c.Role
}

func (p *parser) terms(k termKind) []coach.Term {
	switch k {
	case kindRelationship:
		return p.people.Relationships
	case kindStyle:
		return p.people.Styles
	}
	return p.people.Roles
}

// isTerm reports whether t is something said of a person: a term of any
// list, with or without its field word.
func (p *parser) isTerm(t text) bool {
	if len(t.low) > 80 || strings.ContainsAny(t.low, "0123456789$¥€£") { // "金额150万", "$120k"
		return false
	}
	var info ContactInfo
	for _, part := range splitAt(t, itemConj) {
		if _, ok := p.setTerm(&info, part); !ok {
			return false
		}
	}
	return true
}

// isStage reports a stage: "Acme is interested" moves a deal.
func (p *parser) isStage(t text) bool {
	_, ok := matchStage(stripLead(t, roleLead).low, p.pb)
	return ok
}

// findTerm finds the term of list that low names: its key, a name or an
// alias, ignoring case, spaces, underscores and hyphens (see fold.go).
func findTerm(list []coach.Term, low string) (string, bool) {
	if low == "" || len(low) > 48 || strings.ContainsAny(low, "0123456789") {
		return "", false
	}
	for _, t := range list {
		if foldEqual(low, t.Key) || foldEqual(low, t.Name.ZH) || foldEqual(low, t.Name.EN) {
			return t.Key, true
		}
		for _, a := range t.Aliases {
			if foldEqual(low, a) {
				return t.Key, true
			}
		}
	}
	return "", false
}

// splitAt splits t at any of words standing as whole words.
func splitAt(t text, words []string) []text {
	var out []text
	start := 0
	for i := 0; i < len(t.low); i++ {
		if t.low[i]&0xC0 == 0x80 || (i > 0 && isWordByte(t.low[i]) && isWordByte(t.low[i-1])) {
			continue
		}
		for _, w := range words {
			if i > start && hasWordPrefix(t.low[i:], w) {
				out = append(out, t.slice(start, i).trim())
				start = i + len(w)
				i = start - 1
				break
			}
		}
	}
	return append(out, t.from(start).trim())
}
