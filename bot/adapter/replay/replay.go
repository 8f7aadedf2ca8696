// Package replay recognises a signed platform request seen before: a
// captured request sent again within its timestamp window, or a platform's
// retry that reused its headers. The caller acknowledges such a request
// (200) and does nothing with it: answering it with an error would make a
// genuine retry look like a failure, and Slack disables event delivery to
// apps that fail too often. Only a request whose first delivery failed
// (Forget) is handled again.
package replay

import (
	"encoding/binary"
	"encoding/hex"
	"strings"
	"sync"
	"time"
)

// Guard remembers the signatures of verified requests for as long as
// their timestamps pass verification, so that a captured request sent
// again is known. (Platforms' own retries are usually new requests,
// signed anew.) It keeps at most max signatures, forgetting the oldest
// first.
type Guard struct {
	mu    sync.Mutex
	max   int
	seen  map[sigKey]int64 // the until of the signature's entry in order
	order []seenSig        // in arrival order
	head  int              // order[head:] are remembered
}

// sigKey is the first 64 bits of a signature: among the at most 100,000
// kept, two requests share one by chance about once in 10^9 years of
// traffic, and a key takes an eighth of the memory.
type sigKey uint64

type seenSig struct {
	key   sigKey
	until int64 // unix seconds after which the verifier refuses it anyway
}

// Window outlasts the platforms' timestamp checks: a timestamp may be up
// to five minutes old or ahead.
const Window = 10 * time.Minute

// New makes a guard of at most max signatures.
func New(max int) *Guard {
	return &Guard{max: max, seen: map[sigKey]int64{}}
}

// Fresh records a request's hex signature (a "v0=" prefix is ignored)
// seen at now and reports whether it was new; one that is not hex, or
// shorter than 64 bits, is never fresh.
func (g *Guard) Fresh(signature string, now time.Time) bool {
	k, ok := key(signature)
	if !ok {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.head < len(g.order) && (g.order[g.head].until < now.Unix() || len(g.order)-g.head >= g.max) {
		// A signature forgotten and seen again has a newer entry: only the
		// entry it is remembered by removes it.
		if e := g.order[g.head]; g.seen[e.key] == e.until {
			delete(g.seen, e.key)
		}
		g.head++
	}
	if g.head > len(g.order)/2 { // reuse the slice's front
		g.order = append(g.order[:0], g.order[g.head:]...)
		g.head = 0
	}
	if _, ok := g.seen[k]; ok {
		return false
	}
	until := now.Add(Window).Unix()
	g.seen[k] = until
	g.order = append(g.order, seenSig{key: k, until: until})
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
	delete(g.seen, k)
}

// key reads a hex signature's first 64 bits.
func key(signature string) (sigKey, bool) {
	raw, err := hex.DecodeString(strings.TrimPrefix(signature, "v0="))
	if err != nil || len(raw) < 8 {
		return 0, false
	}
	return sigKey(binary.BigEndian.Uint64(raw)), true
}
