// Package replay recognises a signed platform request seen before: a
// captured request sent again within its timestamp window, or a platform's
// retry that reused its headers. The caller acknowledges such a request
// (200) and does nothing with it: answering it with an error would make a
// genuine retry look like a failure, and Slack disables event delivery to
// apps that fail too often. Only a request whose first delivery failed
// (Forget) is handled again.
package replay

import (
	"math/bits"
	"strings"
	"sync"
	"time"
)

// Guard remembers the signatures of verified requests for as long as
// their timestamps pass verification, so that a captured request sent
// again is known. (Platforms' own retries are usually new requests,
// signed anew.) It keeps at most max signatures, forgetting the oldest
// first.
//
// It holds about 13 bytes a signature: a ring of keys in arrival order
// (8 bytes), their expiry times run-length coded (a second's requests
// share one), and an open-addressed table of ring slots (4 bytes a cell,
// at most 80% full), grown as needed. A map of keys beside a slice of
// entries held about 50 bytes a signature, which under load was a third
// of serve's live heap.
type Guard struct {
	mu   sync.Mutex
	max  int
	keys []sigKey // the ring of entries, forgotten ones included
	head int      // the oldest entry's slot
	n    int      // entries in the ring
	// runs are the entries' expiry times in arrival order, runs[rhead:]
	// current: the first runs[rhead].n entries from head expire at
	// runs[rhead].until, and so on.
	runs  []run
	rhead int
	// table finds a key's entry: linear probing from the key's home
	// cell; a cell holds the entry's ring slot + 1 in its low slotBits
	// bits and a tag of the key's hash above, 0 when empty. Only the
	// entry a signature is remembered by is in it: a forgotten one's
	// entry stays in the ring (and counts towards max) until it expires.
	table    []uint32
	shift    uint // 64 - log2(len(table))
	slotBits uint
}

// run is n consecutive entries expiring at until (unix seconds, after
// which the verifier refuses them anyway).
type run struct {
	until int64
	n     int
}

// sigKey is the first 64 bits of a signature: among the at most 100,000
// kept, two requests share one by chance about once in 10^9 years of
// traffic, and a key takes an eighth of the memory.
type sigKey uint64

// Window outlasts the platforms' timestamp checks: a timestamp may be up
// to five minutes old or ahead.
const Window = 10 * time.Minute

// minRing is the ring's first size: memory grows with the traffic.
const minRing = 1024

// New makes a guard of at most limit signatures.
func New(limit int) *Guard {
	g := &Guard{max: limit}
	g.resize(max(min(limit, minRing), 1))
	return g
}

// Fresh records a request's hex signature (a "v0=" prefix is ignored)
// seen at now and reports whether it was new; one that is not hex, or
// shorter than 64 bits, is never fresh.
func (g *Guard) Fresh(signature string, now time.Time) bool {
	k, ok := key(signature)
	if !ok {
		return false
	}
	if g.max <= 0 {
		return true // remembers nothing
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.n > 0 && (g.runs[g.rhead].until < now.Unix() || g.n >= g.max) {
		// A signature forgotten and seen again has a newer entry: only the
		// entry it is remembered by removes it.
		if p, ok := g.find(g.keys[g.head]); ok && g.slot(g.table[p]) == g.head {
			g.remove(p)
		}
		g.head = g.next(g.head)
		g.n--
		if g.runs[g.rhead].n--; g.runs[g.rhead].n == 0 {
			g.rhead++
		}
	}
	if g.rhead > len(g.runs)/2 { // reuse the slice's front
		g.runs = append(g.runs[:0], g.runs[g.rhead:]...)
		g.rhead = 0
	}
	if _, ok := g.find(k); ok {
		return false
	}
	if g.n == len(g.keys) {
		g.resize(min(len(g.keys)+len(g.keys)/2, g.max))
	}
	slot := g.head + g.n
	if slot >= len(g.keys) {
		slot -= len(g.keys)
	}
	g.keys[slot] = k
	g.n++
	until := now.Add(Window).Unix()
	if last := len(g.runs) - 1; last >= g.rhead && g.runs[last].until == until {
		g.runs[last].n++
	} else {
		g.runs = append(g.runs, run{until: until, n: 1})
	}
	g.insert(k, slot)
	return true
}

// Forget drops a signature Fresh recorded, so that the same request is
// fresh again: for a request whose handling failed (a 5xx answer), which
// the platform will send again, possibly with the same headers.
func (g *Guard) Forget(signature string) {
	k, ok := key(signature)
	if !ok {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if p, ok := g.find(k); ok {
		g.remove(p)
	}
}

// remembered is the number of signatures remembered.
func (g *Guard) remembered() int {
	n := 0
	for _, c := range g.table {
		if c != 0 {
			n++
		}
	}
	return n
}

func (g *Guard) next(slot int) int {
	if slot++; slot == len(g.keys) {
		return 0
	}
	return slot
}

// hash places k: its home cell, and the tag its cells carry, which
// spares reading the ring for most cells a probe passes (Fibonacci
// hashing: the keys are HMAC output, verified before they get here, but
// the product spreads any bits).
func (g *Guard) hash(k sigKey) (home int, tag uint32) {
	h := uint64(k) * 0x9e3779b97f4a7c15
	return int(h >> g.shift), uint32(h) >> g.slotBits << g.slotBits
}

// slot is the ring slot of a full cell.
func (g *Guard) slot(cell uint32) int { return int(cell&(1<<g.slotBits-1)) - 1 }

// find is the table cell of k's entry.
func (g *Guard) find(k sigKey) (int, bool) {
	mask := len(g.table) - 1
	p, tag := g.hash(k)
	for ; g.table[p] != 0; p = (p + 1) & mask {
		if c := g.table[p]; c&^(1<<g.slotBits-1) == tag && g.keys[g.slot(c)] == k {
			return p, true
		}
	}
	return 0, false
}

// insert puts k, at slot of the ring, in the table; k is not in it.
func (g *Guard) insert(k sigKey, slot int) {
	p, tag := g.hash(k)
	for g.table[p] != 0 {
		p = (p + 1) & (len(g.table) - 1)
	}
	g.table[p] = tag | uint32(slot+1)
}

// remove empties cell p, moving back the entries after it that would
// no longer be found past the hole (no tombstones).
func (g *Guard) remove(p int) {
	mask := len(g.table) - 1
	for {
		g.table[p] = 0
		q := p
		for {
			q = (q + 1) & mask
			if g.table[q] == 0 {
				return
			}
			h, _ := g.hash(g.keys[g.slot(g.table[q])])
			// The entry at q stays if its home is cyclically in (p, q].
			if p <= q && p < h && h <= q || p > q && (p < h || h <= q) {
				continue
			}
			g.table[p] = g.table[q]
			p = q
			break
		}
	}
}

// resize makes the ring size entries, its entries first in order, and
// the table a power of two at most 80% full, then indexes them again.
func (g *Guard) resize(size int) {
	old, oldTable, oldBits := len(g.keys), g.table, g.slotBits
	keys := make([]sigKey, size)
	for m, slot := 0, g.head; m < g.n; m, slot = m+1, g.next(slot) {
		keys[m] = g.keys[slot]
	}
	cells := 1 << bits.Len(uint(size+size/4))
	g.keys, g.table = keys, make([]uint32, cells)
	g.shift, g.slotBits = uint(64-bits.TrailingZeros(uint(cells))), uint(bits.Len(uint(size)))
	for _, c := range oldTable {
		if c == 0 {
			continue
		}
		m := int(c&(1<<oldBits-1)) - 1 - g.head // the entry's place in arrival order
		if m < 0 {
			m += old
		}
		g.insert(keys[m], m)
	}
	g.head = 0
}

// key reads a hex signature's first 64 bits; the whole signature must be
// hex, of an even length.
func key(signature string) (sigKey, bool) {
	s := strings.TrimPrefix(signature, "v0=")
	if len(s) < 16 || len(s)%2 != 0 {
		return 0, false
	}
	var k uint64
	for i := 0; i < len(s); i++ {
		v, ok := unhex(s[i])
		if !ok {
			return 0, false
		}
		if i < 16 {
			k = k<<4 | uint64(v)
		}
	}
	return sigKey(k), true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
