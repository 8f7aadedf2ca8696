// Package replay recognises a signed platform request seen before: a
// captured request sent again within its timestamp window, or a platform's
// retry that reused its headers. The caller acknowledges such a request
// (200) and does nothing with it: answering it with an error would make a
// genuine retry look like a failure, and Slack disables event delivery to
// apps that fail too often. Only a request whose first delivery failed
// (Forget) is handled again.
package replay

import (
	"math"
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
// It holds 16 bytes or less a signature: a ring of entries in arrival
// order (key and expiry, 12 bytes) and an open-addressed table of ring
// slots (4 bytes, at most half full), both grown as needed. A map of
// keys beside a slice of entries held about 50 bytes a signature, which
// under load was a third of serve's live heap.
type Guard struct {
	mu    sync.Mutex
	max   int
	keys  []sigKey // the ring: the entry of slot i is keys[i], until[i]
	until []uint32 // unix seconds after which the verifier refuses it anyway
	head  int      // the oldest entry's slot
	n     int      // entries in the ring, forgotten ones included
	// table finds a key's entry: linear probing from the key's home
	// slot; each cell holds a ring slot + 1, 0 when empty. Only the
	// entry a signature is remembered by is in it: a forgotten one's
	// entry stays in the ring (and counts towards max) until it expires.
	table []uint32
	shift uint // 64 - log2(len(table))
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
	for g.n > 0 && (int64(g.until[g.head]) < now.Unix() || g.n >= g.max) {
		// A signature forgotten and seen again has a newer entry: only the
		// entry it is remembered by removes it.
		if p, ok := g.find(g.keys[g.head]); ok && int(g.table[p]) == g.head+1 {
			g.remove(p)
		}
		g.head = g.next(g.head)
		g.n--
	}
	if _, ok := g.find(k); ok {
		return false
	}
	if g.n == len(g.keys) {
		g.resize(min(2*len(g.keys), g.max))
	}
	slot := g.head + g.n
	if slot >= len(g.keys) {
		slot -= len(g.keys)
	}
	g.keys[slot], g.until[slot] = k, unixSeconds(now.Add(Window))
	g.n++
	p := g.home(k)
	for g.table[p] != 0 {
		p = (p + 1) & (len(g.table) - 1)
	}
	g.table[p] = uint32(slot + 1)
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

// home is k's first cell in the table (Fibonacci hashing: the keys are
// HMAC output, verified before they get here, but the product spreads
// any bits).
func (g *Guard) home(k sigKey) int { return int(uint64(k) * 0x9e3779b97f4a7c15 >> g.shift) }

// find is the table cell of k's entry.
func (g *Guard) find(k sigKey) (int, bool) {
	mask := len(g.table) - 1
	for p := g.home(k); g.table[p] != 0; p = (p + 1) & mask {
		if g.keys[g.table[p]-1] == k {
			return p, true
		}
	}
	return 0, false
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
			h := g.home(g.keys[g.table[q]-1])
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
// the table twice that (a power of two), then indexes them again.
func (g *Guard) resize(size int) {
	old, oldTable := len(g.keys), g.table
	keys, until := make([]sigKey, size), make([]uint32, size)
	for m, slot := 0, g.head; m < g.n; m, slot = m+1, g.next(slot) {
		keys[m], until[m] = g.keys[slot], g.until[slot]
	}
	cells := 1 << bits.Len(uint(2*size-1))
	g.table, g.shift = make([]uint32, cells), uint(64-bits.TrailingZeros(uint(cells)))
	for _, c := range oldTable {
		if c == 0 {
			continue
		}
		m := int(c-1) - g.head // the entry's place in arrival order
		if m < 0 {
			m += old
		}
		p := g.home(keys[m])
		for g.table[p] != 0 {
			p = (p + 1) & (cells - 1)
		}
		g.table[p] = uint32(m + 1)
	}
	g.keys, g.until, g.head = keys, until, 0
}

// unixSeconds is t in unix seconds, as 32 bits (until 2106).
func unixSeconds(t time.Time) uint32 {
	return uint32(min(max(t.Unix(), 0), math.MaxUint32))
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
