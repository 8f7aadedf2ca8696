package parse

import (
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// DealName is a deal the reader may find in a message: the speaker's own
// deals and those they may see.
type DealName struct {
	ID              int64
	Customer, Title string
}

// formKind is how a form names a deal; a longer, fuller form wins.
type formKind uint8

const (
	formShort    formKind = iota + 1 // a unique whole-word short form: "acme" for "Acme Corp", "华信" for "华信科技"
	formTitle                        // the deal's title alone
	formCustomer                     // the customer's full name
)

// Names indexes the names of deals so that Read finds them anywhere in a
// message, longest first, in time linear in the message's length: the
// normalised forms are bucketed by their first three bytes, longest first.
type Names struct {
	deals   map[int64]DealName
	buckets map[string][]*nameEntry // first three bytes of a form → its entries, longest first
	short   []*nameEntry            // forms under three bytes ("hp")
	// near-miss material, built from deals the first time a message needs it
	nearOnce  sync.Once           // the near-miss indexes are built the first time a message needs them
	latin     map[int][]latinWord // by length in bytes
	hanFirst  map[rune][]hanForm  // by first character
	hanSecond map[rune][]hanForm  // forms of three or more characters, by second character
}

// nameEntry is one form and the deals it names.
type nameEntry struct {
	low  string
	ids  []int64
	kind formKind
}

type nameForm struct {
	low  string
	id   int64
	kind formKind
	han  bool // written in Han characters (compared rune by rune)
}

// corporate words dropped to find a customer's short form.
var (
	zhSuffixes = byLen("股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司", "科技", "银行", "证券",
		"水务", "电力", "重工", "物流", "保险", "信息", "软件", "网络", "控股", "电子", "医药", "医院", "能源",
		"汽车", "电气", "通信", "制造", "工业", "实业", "股份", "技术", "智能", "数据", "云")
	enSuffixes = setOf("corp", "corporation", "inc", "ltd", "llc", "co", "company", "group", "holdings", "plc",
		"gmbh", "sa", "ag", "limited", "industries", "international", "technologies", "technology", "tech",
		"systems", "solutions", "airlines", "bank", "retail", "labs")
	// words too common to stand for a customer on their own
	enCommon = setOf("the", "new", "global", "first", "united", "general", "national", "china", "american",
		"big", "best", "top", "one", "my", "our", "test", "demo", "data", "cloud", "north", "south", "east", "west")
)

// NewNames indexes deals. Forms shared by several deals keep all of them:
// the reader then asks which was meant.
func NewNames(ds []DealName) *Names {
	n := &Names{deals: make(map[int64]DealName, len(ds)), buckets: make(map[string][]*nameEntry, len(ds)*2)}
	entries := map[string]*nameEntry{}
	add := func(form string, id int64, kind formKind) {
		e := entries[form]
		if e == nil {
			e = &nameEntry{low: form}
			entries[form] = e
			if len(form) < 3 {
				n.short = append(n.short, e)
			} else {
				n.buckets[form[:3]] = append(n.buckets[form[:3]], e)
			}
		}
		if !slices.Contains(e.ids, id) {
			e.ids = append(e.ids, id)
		}
		e.kind = max(e.kind, kind)
	}
	for _, d := range ds {
		n.deals[d.ID] = d
		cust := foldName(d.Customer)
		title := foldName(d.Title)
		if cust != "" {
			add(cust, d.ID, formCustomer)
			if s := shortForm(cust); s != "" && s != cust {
				add(s, d.ID, formShort)
			}
		}
		if title != "" && title != cust && utf8.RuneCountInString(title) >= 2 && len(title) >= 3 {
			add(title, d.ID, formTitle)
		}
	}
	longestFirst := func(a, b *nameEntry) int { return len(b.low) - len(a.low) }
	for _, b := range n.buckets {
		slices.SortFunc(b, longestFirst)
	}
	slices.SortFunc(n.short, longestFirst)
	return n
}

// foldName normalises a name the way messages are normalised.
func foldName(s string) string {
	return strings.Join(strings.Fields(newText(s).low), " ")
}

// shortForm is the customer's name without its corporate words: "acme" for
// "acme corp", "华信" for "华信科技". Empty when nothing distinctive is left.
func shortForm(low string) string {
	if low == "" {
		return ""
	}
	if low[0] < utf8.RuneSelf {
		ws := strings.Fields(low)
		if len(ws) < 2 {
			return ""
		}
		for len(ws) > 1 && enSuffixes[strings.Trim(ws[len(ws)-1], ".,")] {
			ws = ws[:len(ws)-1]
		}
		if len(ws) == len(strings.Fields(low)) { // "oceanic airlines" kept whole above: try its first word
			ws = ws[:1]
		}
		s := strings.Join(ws, " ")
		if len(s) < 3 || enCommon[s] {
			return ""
		}
		return s
	}
	s := low
	for changed := true; changed; {
		changed = false
		for _, w := range zhSuffixes {
			if strings.HasSuffix(s, w) && utf8.RuneCountInString(s)-utf8.RuneCountInString(w) >= 2 {
				s, changed = s[:len(s)-len(w)], true
				break
			}
		}
	}
	if utf8.RuneCountInString(s) < 2 {
		return ""
	}
	return s
}

// Deal returns an indexed deal.
func (n *Names) Deal(id int64) (DealName, bool) {
	d, ok := n.deals[id]
	return d, ok
}

// Len is the number of deals indexed.
func (n *Names) Len() int {
	if n == nil {
		return 0
	}
	return len(n.deals)
}

// mention is a deal name found in a message.
type mention struct {
	start, end int
	ids        []int64
	kind       formKind
	nearly     bool // a short form run on into a near miss of the full name: "江南水雾" for 江南水务
}

// find lists the deal names in low, longest first, not overlapping. A form
// that starts or ends with a letter or digit must be a whole word there.
func (n *Names) find(low string) []mention {
	if n == nil || len(n.deals) == 0 {
		return nil
	}
	var out []mention
	for i := 0; i < len(low); {
		if low[i]&0xC0 == 0x80 || (isWordByte(low[i]) && i > 0 && isWordByte(low[i-1])) {
			i++
			continue
		}
		var hit *nameEntry
		if i+3 <= len(low) {
			for _, e := range n.buckets[low[i:i+3]] {
				if n.fits(low, i, e.low) {
					hit = e
					break
				}
			}
		}
		if hit == nil {
			for _, e := range n.short {
				if n.fits(low, i, e.low) {
					hit = e
					break
				}
			}
		}
		if hit == nil {
			i++
			continue
		}
		m := mention{start: i, end: i + len(hit.low), ids: hit.ids, kind: hit.kind}
		if m.kind == formCustomer || m.kind == formShort {
			m = n.narrowByTitle(low, m)
		}
		if m.kind == formShort && n.nearlyLonger(low, m) {
			m.nearly = true
		}
		out = append(out, m)
		i = m.end
	}
	return out
}

// fits tells a form found at low[i:] that ends where a word may end.
func (n *Names) fits(low string, i int, form string) bool {
	j := i + len(form)
	if j > len(low) || low[i:j] != form {
		return false
	}
	return j == len(low) || low[j]&0xC0 != 0x80 && (!isWordByte(low[j-1]) || !isWordByte(low[j]))
}

// narrowByTitle reads "经信银行 数据中台": a customer of several deals
// followed by one of their titles names that deal.
func (n *Names) narrowByTitle(low string, m mention) mention {
	j := m.end
	for j < len(low) {
		switch {
		case low[j] == ' ' || low[j] == '-' || low[j] == '/' || low[j] == ':':
			j++
			continue
		case strings.HasPrefix(low[j:], "·"):
			j += len("·")
			continue
		case strings.HasPrefix(low[j:], "的"), strings.HasPrefix(low[j:], "•"):
			j += 3
			continue
		case strings.HasPrefix(low[j:], "'s "):
			j += 3
			continue
		}
		break
	}
	var ids []int64
	best := 0
	for _, id := range m.ids {
		t := foldName(n.deals[id].Title)
		if t == "" || !strings.HasPrefix(low[j:], t) {
			continue
		}
		if e := j + len(t); e < len(low) && isWordByte(low[e-1]) && isWordByte(low[e]) {
			continue
		}
		switch {
		case len(t) > best:
			best, ids = len(t), []int64{id}
		case len(t) == best:
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return m
	}
	return mention{start: m.start, end: j + best, ids: ids, kind: formCustomer}
}

// nearlyLonger tells a Han short form that runs on into something one
// character off the full customer name: "江南水雾" is not 江南水务.
func (n *Names) nearlyLonger(low string, m mention) bool {
	for _, id := range m.ids {
		full := []rune(foldName(n.deals[id].Customer))
		got := []rune(low[m.start:])
		if len(full) <= runeLen(low[m.start:m.end]) || len(got) < len(full) {
			continue
		}
		diff := 0
		for i, r := range full {
			if got[i] != r {
				diff++
			}
		}
		if diff == 1 && isHan(got[len(full)-1]) {
			return true
		}
	}
	return false
}

// nearMisses lists the deals a stretch of text nearly names: a Latin word
// one or two edits from a customer's word, or Han text one character off a
// customer's name or short form. It is only asked for when no name was
// found exactly.
func (n *Names) nearMisses(low string, skip func(i int) bool) []int64 {
	if n == nil {
		return nil
	}
	n.nearOnce.Do(n.indexNearMisses)
	var out []int64
	best := 0 // the length of the best near miss: only the best are offered
	add1 := func(id int64, score int) {
		switch {
		case score > best:
			best, out = score, []int64{id}
		case score == best && !slices.Contains(out, id):
			out = append(out, id)
		}
	}
	// Latin words, against the names' words of about their length.
	var wr []rune
	for i := 0; i < len(low); {
		if !isLetter(low[i]) || skip(i) || i > 0 && isWordByte(low[i-1]) {
			i++
			continue
		}
		j := i
		for j < len(low) && isWordByte(low[j]) {
			j++
		}
		w := low[i:j]
		if len(w) >= 4 && !readVocabulary[w] {
			wr = append(wr[:0], []rune(w)...)
			for l := len(w) - 2; l <= len(w)+2; l++ {
				for _, f := range n.latin[l] {
					limit := 2
					if len(f.w) <= 6 {
						limit = 1
					}
					if f.w != w && EditDistance(wr, f.r, limit+1) <= limit {
						add1(f.id, len(f.w))
					}
				}
			}
		}
		i = j
	}
	// Han runs, against the forms that share their first or second character.
	var rs []rune
	for i, r := range low {
		if isHan(r) && !skip(i) {
			rs = append(rs, r)
		} else if len(rs) == 0 || rs[len(rs)-1] != 0 {
			rs = append(rs, 0)
		}
	}
	try := func(s int, f hanForm) {
		if s+len(f.r) > len(rs) {
			return
		}
		diff := 0
		for k, r := range f.r {
			if rs[s+k] == 0 {
				return
			}
			if rs[s+k] != r {
				diff++
			}
		}
		if diff == 1 && (len(f.r) > 2 || rs[s] == f.r[0]) {
			add1(f.id, 3*len(f.r))
		}
	}
	for s := 0; s < len(rs); s++ {
		if rs[s] == 0 {
			continue
		}
		for _, f := range n.hanFirst[rs[s]] {
			try(s, f)
		}
		if s+1 < len(rs) && rs[s+1] != 0 {
			for _, f := range n.hanSecond[rs[s+1]] {
				if f.r[0] != rs[s] { // else tried above
					try(s, f)
				}
			}
		}
	}
	return out
}

// latinWord is a word of a deal's Latin name, for near misses.
type latinWord struct {
	w  string
	r  []rune
	id int64
}

// hanForm is a deal's Han customer name or short form, for near misses.
type hanForm struct {
	r  []rune
	id int64
}

// indexNearMisses builds the near-miss indexes from the forms.
func (n *Names) indexNearMisses() {
	// the forms again, from the deals: kept only while the indexes are built
	var forms []nameForm
	for _, d := range n.deals {
		cust := foldName(d.Customer)
		if cust == "" {
			continue
		}
		han := cust[0] >= utf8.RuneSelf
		forms = append(forms, nameForm{low: cust, id: d.ID, kind: formCustomer, han: han})
		if s := shortForm(cust); s != "" && s != cust {
			forms = append(forms, nameForm{low: s, id: d.ID, kind: formShort, han: han})
		}
		if t := foldName(d.Title); t != "" && t != cust && t[0] < utf8.RuneSelf {
			forms = append(forms, nameForm{low: t, id: d.ID, kind: formTitle})
		}
	}
	n.latin = map[int][]latinWord{}
	n.hanFirst, n.hanSecond = map[rune][]hanForm{}, map[rune][]hanForm{}
	for _, f := range forms {
		if !f.han {
			for _, fw := range strings.Fields(f.low) {
				if len(fw) >= 4 {
					n.latin[len(fw)] = append(n.latin[len(fw)], latinWord{w: fw, r: []rune(fw), id: f.id})
				}
			}
			continue
		}
		if f.kind == formTitle {
			continue
		}
		h := hanForm{r: []rune(f.low), id: f.id}
		if len(h.r) < 2 {
			continue
		}
		n.hanFirst[h.r[0]] = append(n.hanFirst[h.r[0]], h)
		if len(h.r) > 2 {
			n.hanSecond[h.r[1]] = append(n.hanSecond[h.r[1]], h)
		}
	}
}

// EditDistance is the edit distance of a and b (a transposition counts
// one, so "Crop" is one from "Corp"), or limit when it is at
// least limit.
func EditDistance(a, b []rune, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	pprev := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], pprev[j-2]+1) // a transposition: "Retial", "Crop"
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		pprev, prev, cur = prev, cur, pprev
	}
	return min(prev[len(b)], limit)
}

// Find lists the deals whose names the text holds, exactly.
func (n *Names) Find(text string) []int64 {
	var out []int64
	for _, m := range n.find(newText(text).low) {
		for _, id := range m.ids {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}
