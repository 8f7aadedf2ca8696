package parse

import (
	"strings"
)

var (
	newPrefixes = byLen("new deal", "new opportunity", "new opp", "new lead", "add deal", "add a deal",
		"add new deal", "add a new deal", "create deal", "create a deal", "create a new deal", "add opportunity",
		"新商机", "新建商机", "新增商机", "添加商机", "创建商机", "新建一个商机", "新建", "新增", "创建",
		"新项目", "新单", "新单子", "新客户", "有个新商机", "有一个新商机")
	newLead = byLen("-", "for", "with", "customer", "client", "客户", "客户名", "客户是", "是")
	// Capitalised, "Customer 5" or "Client Co" is a name, not a filler word.
	newLeadNamed = byLen("-", "for", "with", "客户", "客户名", "客户是", "是")
)

// cutNewPrefix reads "new deal …", "新商机 …" and returns what follows.
func cutNewPrefix(t text) (text, bool) {
	q := t.trim()
	for _, w := range newPrefixes {
		if hasWordPrefix(q.low, w) {
			return q.from(len(w)), true
		}
	}
	return t, false
}

// newDeal reads the body of a new deal: a head with the customer, an
// optional title and the amount ("经信银行 核心系统升级 120万"), then fields
// with keywords as in an update ("预计月底签约", "at shortlist").
func (p *parser) newDeal(body text) Command {
	if raw := strings.TrimSpace(body.raw()); strings.HasPrefix(raw, "Customer") || strings.HasPrefix(raw, "Client") {
		body = stripLead(body, newLeadNamed)
	} else {
		body = stripLead(body, newLead)
	}
	u := &updater{p: p, t: body, cmd: Command{Kind: New}, skip: -1}
	for _, h := range p.hits(body) {
		// words that open the body are the customer's ("Next Corp"), and a
		// new deal is neither won nor lost ("Lost Horizon Ltd")
		if h.start > 0 && h.field() != fWon && h.field() != fLost {
			u.hs = append(u.hs, h)
		}
	}
	head := body
	if len(u.hs) > 0 {
		head = u.stageBefore(body.slice(0, u.hs[0].start))
	}
	u.head(head)
	if len(u.hs) > 0 {
		u.run()
	}
	return u.finish()
}

// amountSpan is an amount found in a new deal's head.
type amountSpan struct {
	start, end int
	a          amountScan
}

// head splits the customer, the title and the amount. The amount is the
// last one with a currency or unit, or else the last bare number that is
// not the first word; the customer is everything before it ("Acme Corp
// $120k"), except that a Chinese name is one word ("经信银行 核心系统 120万").
func (u *updater) head(h text) {
	parts := []text{h}
	if a, ok := u.headAmount(h); ok {
		u.setAmount(a.a)
		parts = []text{h.slice(0, a.start), h.from(a.end)}
	}
	var titles []string
	for _, part := range parts {
		for _, r := range headRuns(u.t, part, u.hs) {
			if u.cmd.Customer != "" {
				titles = append(titles, clean(r.raw()))
				continue
			}
			cust, rest := splitCustomer(r)
			u.cmd.Customer = clean(cust.raw())
			if !rest.empty() {
				titles = append(titles, clean(rest.raw()))
			}
		}
	}
	u.cmd.Title = strings.Join(titles, " ")
}

func (u *updater) headAmount(h text) (amountSpan, bool) {
	var marked, plain amountSpan
	hasMarked, hasPlain := false, false
	low := h.low
	for i := 0; i < len(low); i++ {
		if !amountStart(low, i) {
			continue
		}
		a := scanAmount(low, i)
		if tok := tokenAt(h, i); !a.ok && a.bad && amountLike(tok.low, a) {
			u.fail("err.amount", tok)
			return amountSpan{}, false
		}
		if !a.ok {
			continue
		}
		s := amountSpan{start: i, end: a.end, a: a}
		if a.marked {
			marked, hasMarked = s, true
		} else if strings.TrimSpace(low[:i]) != "" {
			plain, hasPlain = s, true
		}
		i = a.end - 1
	}
	if hasMarked {
		return marked, true
	}
	return plain, hasPlain
}

// amountStart: an amount begins a word, or follows Chinese ("经信银行120万").
func amountStart(low string, i int) bool {
	c := low[i]
	if c&0xC0 == 0x80 {
		return false
	}
	if i > 0 && low[i-1] != ' ' && low[i-1] != ':' && low[i-1] != ',' {
		if low[i-1] < 0x80 || !(isDigit(c) || c == '$') {
			return false
		}
	}
	return isDigit(c) || c == '$' || c >= 0x80 || c == 'r' || c == 'c' || c == 'u'
}

// tokenAt is the word at low[i:], up to the next space.
func tokenAt(t text, i int) text {
	j := strings.IndexByte(t.low[i:], ' ')
	if j < 0 {
		return t.from(i)
	}
	return t.slice(i, i+j)
}

// headRuns splits a part of the head at separators: ",", ":", " - ", " / ".
func headRuns(whole, part text, hs []hit) []text {
	var out []text
	for _, c := range chunks(whole, part, hs) {
		for len(c.low) > 0 {
			i := indexAny(c.low, ":", " - ", " | ", " / ")
			if i < 0 {
				break
			}
			if r := c.slice(0, i).trim(); !r.empty() {
				out = append(out, r)
			}
			c = c.from(i + 1)
		}
		if r := c.trim(); !r.empty() {
			out = append(out, r)
		}
	}
	return out
}

func indexAny(s string, seps ...string) int {
	best := -1
	for _, sep := range seps {
		if i := strings.Index(s, sep); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	return best
}

// splitCustomer: a Chinese customer is one word, the title follows;
// "Acme Corp 核心系统" splits where the Chinese starts; otherwise all of it.
func splitCustomer(r text) (cust, rest text) {
	fields := strings.Fields(r.low)
	if len(fields) < 2 {
		return r, text{}
	}
	if hasHan(fields[0]) {
		i := strings.IndexByte(r.low, ' ')
		return r.slice(0, i), r.from(i).trim()
	}
	for i := 0; i+1 < len(r.low); i++ {
		if r.low[i] == ' ' && r.low[i+1] != ' ' && hasHan(firstField(r.low[i+1:])) {
			return r.slice(0, i), r.from(i).trim()
		}
	}
	return r, text{}
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}
