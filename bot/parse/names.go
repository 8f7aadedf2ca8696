package parse

import (
	"cmp"
	"hash/maphash"
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
// message, longest first, in time linear in the message's length. It is
// built once per speaker and kept, so it is packed and holds no pointers
// but a few (the garbage collector does not walk it): the folded names of
// all deals are one string, each form an offset in it, found through an
// open-addressing table; a message is looked up at each word's start with
// the lengths the forms starting with the same three bytes have.
type Names struct {
	buf     string      // each deal's folded customer and title, back to back
	deals   []dealForms // sorted by id
	entries []nameEntry // the distinct forms
	ids     []int64     // an entry's deal (entries naming several: shared)
	shared  map[int32][]int64
	slots   []int32 // open addressing over entries: entry+1, 0 empty; a power of two long
	seed    maphash.Seed
	starts  []formStart // the forms' first three bytes, with the lengths of those forms
	sslots  []int32     // open addressing over starts, as slots
	lens    []uint16    // each start's lengths, longest first
	short   []shortEntry
	// near-miss material, built from deals the first time a message needs it
	nearOnce  sync.Once            // the near-miss indexes are built the first time a message needs them
	latin     map[int][]latinWord  // by length in bytes
	hanFirst  map[uint32][]hanForm // by the sound of the first character (soundOf)
	hanSecond map[uint32][]hanForm // forms of three or more characters, by the sound of the second
}

// dealForms is where a deal's folded names are in Names.buf.
type dealForms struct {
	id          int64
	cust, title uint32 // offsets in buf
	custLen     uint16
	titleLen    uint16
	shortLen    uint16 // the customer's short form is its first shortLen bytes (0: none)
}

// nameEntry is one form: buf[off:off+n].
type nameEntry struct {
	off  uint32
	n    uint16
	kind formKind
}

// formStart is the first three bytes of some forms (packed) and where
// their lengths are in Names.lens.
type formStart struct {
	key      uint32
	at, nlen uint32
}

// shortEntry is a form under three bytes ("hp"), looked up at every word.
type shortEntry struct {
	form  string
	entry int32
}

// maxFormLen bounds the bytes of a form indexed: a longer name is found by
// the keyword grammar's lookup.
const maxFormLen = 1<<16 - 1

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
	b := NewNamesBuilder(len(ds))
	for _, d := range ds {
		b.Add(d.ID, d.Customer, d.Title)
	}
	return b.Names()
}

// NamesBuilder builds a Names from deals added one by one, straight from
// the rows they are read from: nothing of a deal is kept but its folded
// names.
type NamesBuilder struct {
	buf   []byte
	deals []dealForms
}

// NewNamesBuilder starts an index of about n deals.
func NewNamesBuilder(n int) *NamesBuilder {
	return &NamesBuilder{buf: make([]byte, 0, n*24), deals: make([]dealForms, 0, n)}
}

// Add adds a deal. A deal added twice is indexed once.
func (b *NamesBuilder) Add(id int64, customer, title string) { addDeal(b, id, customer, title) }

// AddBytes adds a deal whose names are bytes (valid only during the call).
func (b *NamesBuilder) AddBytes(id int64, customer, title []byte) { addDeal(b, id, customer, title) }

func addDeal[S ~string | ~[]byte](b *NamesBuilder, id int64, customer, title S) {
	d := dealForms{id: id, cust: uint32(len(b.buf))}
	b.buf = appendFold(b.buf, customer)
	if len(b.buf)-int(d.cust) > maxFormLen {
		b.buf = b.buf[:d.cust]
	}
	d.custLen = uint16(len(b.buf) - int(d.cust))
	d.shortLen = uint16(shortFormLen(string(b.buf[d.cust:])))
	d.title = uint32(len(b.buf))
	b.buf = appendFold(b.buf, title)
	if len(b.buf)-int(d.title) > maxFormLen {
		b.buf = b.buf[:d.title]
	}
	d.titleLen = uint16(len(b.buf) - int(d.title))
	b.deals = append(b.deals, d)
}

// Names indexes the deals added. The builder is not used after.
func (b *NamesBuilder) Names() *Names {
	n := &Names{buf: string(b.buf), deals: b.deals, seed: maphash.MakeSeed()}
	slices.SortFunc(n.deals, func(x, y dealForms) int { return cmp.Compare(x.id, y.id) })
	n.deals = slices.CompactFunc(n.deals, func(x, y dealForms) bool { return x.id == y.id })
	n.entries = make([]nameEntry, 0, len(n.deals)*2)
	n.ids = make([]int64, 0, len(n.deals)*2)
	n.slots = make([]int32, tableSize(len(n.deals)*3))
	add := func(off uint32, l uint16, id int64, kind formKind) {
		form := n.buf[off : off+uint32(l)]
		k := n.lookup(form)
		if k < 0 {
			k = int32(len(n.entries))
			n.entries = append(n.entries, nameEntry{off: off, n: l})
			n.ids = append(n.ids, id)
			n.insert(form, k)
			if l < 3 {
				n.short = append(n.short, shortEntry{form: form, entry: k})
			}
		} else if sh, ok := n.shared[k]; !ok && n.ids[k] != id || ok && sh[len(sh)-1] != id {
			// a form of several deals; deals come in order, so a deal's forms are added together
			if n.shared == nil {
				n.shared = map[int32][]int64{}
			}
			if !ok {
				sh = []int64{n.ids[k]}
			}
			n.shared[k] = append(sh, id)
		}
		n.entries[k].kind = max(n.entries[k].kind, kind)
	}
	for i, d := range n.deals {
		cust, title := n.customer(i), n.title(i)
		if cust != "" {
			add(d.cust, d.custLen, d.id, formCustomer)
			if d.shortLen > 0 {
				add(d.cust, d.shortLen, d.id, formShort)
			}
		}
		if title != "" && title != cust && utf8.RuneCountInString(title) >= 2 && len(title) >= 3 {
			add(d.title, d.titleLen, d.id, formTitle)
		}
	}
	slices.SortFunc(n.short, func(a, b shortEntry) int { return len(b.form) - len(a.form) })
	n.indexStarts()
	return n
}

// tableSize is a power of two at least twice n, for open addressing.
func tableSize(n int) int {
	size := 8
	for size < 2*n {
		size *= 2
	}
	return size
}

// lookup is the entry of form, or -1.
func (n *Names) lookup(form string) int32 {
	mask := uint64(len(n.slots) - 1)
	for i := maphash.String(n.seed, form) & mask; ; i = (i + 1) & mask {
		k := n.slots[i] - 1
		if k < 0 {
			return -1
		}
		if e := n.entries[k]; n.buf[e.off:e.off+uint32(e.n)] == form {
			return k
		}
	}
}

func (n *Names) insert(form string, k int32) {
	if len(n.entries) > len(n.slots)/2 { // more forms than foreseen: a bigger table
		n.slots = make([]int32, len(n.slots)*2)
		for j := range n.entries[:len(n.entries)-1] {
			e := n.entries[j]
			n.insert(n.buf[e.off:e.off+uint32(e.n)], int32(j))
		}
	}
	mask := uint64(len(n.slots) - 1)
	i := maphash.String(n.seed, form) & mask
	for n.slots[i] != 0 {
		i = (i + 1) & mask
	}
	n.slots[i] = k + 1
}

// startKey packs the first three bytes of s.
func startKey(s string) uint32 { return uint32(s[0])<<16 | uint32(s[1])<<8 | uint32(s[2]) }

func (n *Names) startSlot(key uint32) uint32 {
	return (key * 2654435761) >> 7 & uint32(len(n.sslots)-1)
}

// indexStarts lists, for the first three bytes of forms, the lengths of
// the forms that start so, longest first.
func (n *Names) indexStarts() {
	keys := make([]uint64, 0, len(n.entries))
	for _, e := range n.entries {
		if e.n >= 3 {
			keys = append(keys, uint64(startKey(n.buf[e.off:]))<<16|uint64(^e.n)) // by start, then longest first
		}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	n.lens = make([]uint16, len(keys))
	for i, k := range keys {
		n.lens[i] = ^uint16(k)
		if key := uint32(k >> 16); len(n.starts) == 0 || n.starts[len(n.starts)-1].key != key {
			n.starts = append(n.starts, formStart{key: key, at: uint32(i)})
		}
		n.starts[len(n.starts)-1].nlen++
	}
	n.sslots = make([]int32, tableSize(len(n.starts)))
	mask := uint32(len(n.sslots) - 1)
	for k, st := range n.starts {
		i := n.startSlot(st.key)
		for n.sslots[i] != 0 {
			i = (i + 1) & mask
		}
		n.sslots[i] = int32(k) + 1
	}
}

// lengths lists the lengths of the forms that start as s, longest first.
func (n *Names) lengths(s string) []uint16 {
	key := startKey(s)
	mask := uint32(len(n.sslots) - 1)
	for i := n.startSlot(key); ; i = (i + 1) & mask {
		k := n.sslots[i] - 1
		if k < 0 {
			return nil
		}
		if st := n.starts[k]; st.key == key {
			return n.lens[st.at : st.at+st.nlen]
		}
	}
}

// dealsOf lists the deals entry k names.
func (n *Names) dealsOf(k int32) []int64 {
	if sh, ok := n.shared[k]; ok {
		return sh
	}
	return n.ids[k : k+1 : k+1]
}

// customer and title are the folded names of the i-th deal.
func (n *Names) customer(i int) string {
	d := n.deals[i]
	return n.buf[d.cust : d.cust+uint32(d.custLen)]
}

func (n *Names) title(i int) string {
	d := n.deals[i]
	return n.buf[d.title : d.title+uint32(d.titleLen)]
}

// shortOf is the short form of the i-th deal's customer ("" when none).
func (n *Names) shortOf(i int) string {
	d := n.deals[i]
	return n.buf[d.cust : d.cust+uint32(d.shortLen)]
}

// at is the position of deal id in n.deals, or -1.
func (n *Names) at(id int64) int {
	i, ok := slices.BinarySearchFunc(n.deals, id, func(d dealForms, id int64) int { return cmp.Compare(d.id, id) })
	if !ok {
		return -1
	}
	return i
}

// foldName normalises a name the way messages are normalised.
func foldName(s string) string {
	return strings.Join(strings.Fields(newText(s).low), " ")
}

// appendFold appends foldName(s) to dst without building it: ASCII
// lower-cased, the runes newText folds folded, words separated by one space.
func appendFold[S ~string | ~[]byte](dst []byte, s S) []byte {
	space := false // a space is pending: written before the next word
	start := len(dst)
	for i := 0; i < len(s); {
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			var rb [utf8.UTFMax]byte
			r, n = utf8.DecodeRune(rb[:copy(rb[:], s[i:])])
			r = foldRune(r)
		}
		i += n
		if r < 0 {
			continue // dropped
		}
		if r < utf8.RuneSelf {
			if r < ' ' || r == 0x7f {
				r = ' '
			}
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		}
		if r == ' ' || r == '\n' {
			space = len(dst) > start
			continue
		}
		if space {
			dst = append(dst, ' ')
			space = false
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// shortForm is the customer's name without its corporate words: "acme" for
// "acme corp", "华信" for "华信科技". Empty when nothing distinctive is left.
func shortForm(low string) string { return low[:shortFormLen(low)] }

// shortFormLen is the length of low's short form, a prefix of it (0: none).
func shortFormLen(low string) int {
	if low == "" {
		return 0
	}
	if low[0] < utf8.RuneSelf {
		// words are separated by one space: the short form is the first words
		words := strings.Count(low, " ") + 1
		if words < 2 {
			return 0
		}
		end, kept := len(low), words
		for kept > 1 {
			i := strings.LastIndexByte(low[:end], ' ')
			if !enSuffixes[strings.Trim(low[i+1:end], ".,")] {
				break
			}
			end, kept = i, kept-1
		}
		if kept == words { // "oceanic airlines" kept whole above: try its first word
			end = strings.IndexByte(low, ' ')
		}
		if end < 3 || enCommon[low[:end]] || end == len(low) {
			return 0
		}
		return end
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
	if utf8.RuneCountInString(s) < 2 || len(s) == len(low) {
		return 0
	}
	return len(s)
}

// Deal returns an indexed deal, its names folded.
func (n *Names) Deal(id int64) (DealName, bool) {
	i := n.at(id)
	if i < 0 {
		return DealName{}, false
	}
	return DealName{ID: id, Customer: n.customer(i), Title: n.title(i)}, true
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
		hit, end := int32(-1), 0
		if i+3 <= len(low) {
			for _, l := range n.lengths(low[i : i+3]) {
				if j := i + int(l); j <= len(low) && endsWord(low, j) {
					if k := n.lookup(low[i:j]); k >= 0 {
						hit, end = k, j
						break
					}
				}
			}
		}
		if hit < 0 {
			for _, e := range n.short {
				if j := i + len(e.form); j <= len(low) && low[i:j] == e.form && endsWord(low, j) {
					hit, end = e.entry, j
					break
				}
			}
		}
		if hit < 0 {
			i++
			continue
		}
		m := mention{start: i, end: end, ids: n.dealsOf(hit), kind: n.entries[hit].kind}
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

// endsWord tells whether a name may end at low[j]: not inside a character
// nor inside a word.
func endsWord(low string, j int) bool {
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
		i := n.at(id)
		if i < 0 {
			continue
		}
		t := n.title(i)
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
		i := n.at(id)
		if i < 0 {
			continue
		}
		full := n.customer(i)
		if len(full) <= m.end-m.start || !strings.HasPrefix(full, low[m.start:m.end]) {
			continue
		}
		// the rest of the name against what follows, character by character
		diff, got, last := 0, low[m.end:], rune(0)
		for _, r := range full[m.end-m.start:] {
			g, k := utf8.DecodeRuneInString(got)
			if k == 0 {
				diff = 2 // the message ends first
				break
			}
			if g != r {
				diff++
			}
			got, last = got[k:], g
		}
		if diff == 1 && isHan(last) {
			return true
		}
	}
	return false
}

// nearMisses lists the deals a stretch of text nearly names: a Latin word
// one or two edits from a customer's word, or Han text one character off a
// customer's name or short form, or sounding the same ("忠信" for 中信: the
// same pinyin, another character). It is only asked for when no name was
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
	// Han runs, against the forms whose first or second character sounds
	// like theirs.
	var rs []rune
	var ss []uint32 // the sounds of rs
	for i, r := range low {
		if isHan(r) && !skip(i) {
			rs, ss = append(rs, r), append(ss, soundOf(r))
		} else if len(rs) == 0 || rs[len(rs)-1] != 0 {
			rs, ss = append(rs, 0), append(ss, 0)
		}
	}
	try := func(s int, f hanForm) {
		if s+len(f.r) > len(rs) {
			return
		}
		diff, sdiff := 0, 0 // characters that differ; that differ in sound
		for k, r := range f.r {
			if rs[s+k] == 0 {
				return
			}
			if rs[s+k] != r {
				diff++
				if ss[s+k] != f.s[k] {
					sdiff++
				}
			}
		}
		// a short name by sound only where a name may start: "重新评估"
		// is not 中信, "衡信 赢单了" may be 恒信
		starts := s == 0 || rs[s-1] == 0 || len(f.r) > 3
		switch {
		case diff == 0:
		case diff == 1 && (len(f.r) > 2 || rs[s] == f.r[0]), // one character off
			sdiff == 0 && starts,       // every character sounds the same
			sdiff == 1 && len(f.r) > 3: // and one of a longer name off
			add1(f.id, 3*len(f.r))
		}
	}
	for s := 0; s < len(rs); s++ {
		if rs[s] == 0 {
			continue
		}
		for _, f := range n.hanFirst[ss[s]] {
			try(s, f)
		}
		if s+1 < len(rs) && rs[s+1] != 0 {
			for _, f := range n.hanSecond[ss[s+1]] {
				if f.s[0] != ss[s] { // else tried above
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
	s  []uint32 // the sounds of r
	id int64
}

// indexNearMisses builds the near-miss indexes from the forms.
func (n *Names) indexNearMisses() {
	n.latin = map[int][]latinWord{}
	n.hanFirst, n.hanSecond = map[uint32][]hanForm{}, map[uint32][]hanForm{}
	latin := func(f string, id int64) {
		for fw := range strings.FieldsSeq(f) {
			if len(fw) >= 4 {
				n.latin[len(fw)] = append(n.latin[len(fw)], latinWord{w: fw, r: []rune(fw), id: id})
			}
		}
	}
	han := func(f string, id int64) {
		h := hanForm{r: []rune(f), id: id}
		if len(h.r) < 2 {
			return
		}
		h.s = make([]uint32, len(h.r))
		for k, r := range h.r {
			h.s[k] = soundOf(r)
		}
		n.hanFirst[h.s[0]] = append(n.hanFirst[h.s[0]], h)
		if len(h.r) > 2 {
			n.hanSecond[h.s[1]] = append(n.hanSecond[h.s[1]], h)
		}
	}
	for i, d := range n.deals {
		cust := n.customer(i)
		if cust == "" {
			continue
		}
		if cust[0] >= utf8.RuneSelf {
			han(cust, d.id)
			if s := n.shortOf(i); s != "" {
				han(s, d.id)
			}
		} else {
			latin(cust, d.id) // its short form is its first words: no other word
		}
		if t := n.title(i); t != "" && t != cust && t[0] < utf8.RuneSelf {
			latin(t, d.id)
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
