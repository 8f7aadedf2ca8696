package replay

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

func TestReplaysRememberWithinTheWindowAndAreBounded(t *testing.T) {
	g := New(3)
	now := time.Unix(int64(1531420618), 0)
	sig := func(i int) string { return fmt.Sprintf("v0=%02x%062x", i, 0) } // keys are the first 16 bytes
	if !g.Fresh(sig(1), now) || g.Fresh(sig(1), now.Add(time.Minute)) {
		t.Fatal("a signature seen twice was fresh")
	}
	if g.Fresh("v0=zz", now) || g.Fresh("", now) {
		t.Fatal("a malformed signature was fresh")
	}
	// Past the window the verifier refuses the timestamp: no need to remember.
	if !g.Fresh(sig(1), now.Add(Window+time.Second)) {
		t.Fatal("remembered past the window")
	}
	// At most max: the oldest is forgotten first.
	for i := 2; i <= 4; i++ {
		g.Fresh(sig(i), now.Add(Window+time.Second))
	}
	if g.Fresh(sig(4), now.Add(Window+time.Second)) || !g.Fresh(sig(1), now.Add(Window+2*time.Second)) {
		t.Fatal("not bounded oldest first")
	}
	if n := g.remembered(); n > 3 {
		t.Fatalf("%d kept, max 3", n)
	}
}

// A request whose handling failed is forgotten, so that the platform's
// retry with the same headers is handled; its old entry, when it expires,
// does not forget the new one.
func TestForgottenSignatureIsFreshAgain(t *testing.T) {
	g := New(10)
	now := time.Unix(int64(1531420618), 0)
	const sig = "v0=0123456789abcdef0123456789abcdef"
	if !g.Fresh(sig, now) {
		t.Fatal("first sight not fresh")
	}
	g.Forget(sig)
	g.Forget("v0=zz") // malformed: ignored
	if !g.Fresh(sig, now.Add(time.Minute)) {
		t.Fatal("forgotten signature not fresh")
	}
	// The first entry expires; the second still holds.
	if !g.Fresh("v0=ffffffffffffffff", now.Add(Window+30*time.Second)) || g.Fresh(sig, now.Add(Window+30*time.Second)) {
		t.Fatal("the old entry forgot the new one")
	}
}

// model is the guard as it was first written, a map beside a slice, but
// for the entry a signature is remembered by, which it knows by its
// number (the first compared expiry times, and an entry expiring forgot
// a newer one of the same second): the reference the compact guard must
// agree with.
type model struct {
	max   int
	seq   int
	seen  map[sigKey]int // the number of the signature's entry
	order []entry
}

type entry struct {
	key   sigKey
	until int64
	seq   int
}

func (m *model) fresh(k sigKey, now time.Time) bool {
	for len(m.order) > 0 && (m.order[0].until < now.Unix() || len(m.order) >= m.max) {
		if e := m.order[0]; m.seen[e.key] == e.seq {
			delete(m.seen, e.key)
		}
		m.order = m.order[1:]
	}
	if _, ok := m.seen[k]; ok {
		return false
	}
	m.seq++
	m.seen[k] = m.seq
	m.order = append(m.order, entry{k, now.Add(Window).Unix(), m.seq})
	return true
}

// TestGuardAgreesWithTheModel runs random signatures, repeats, forgets
// and clock steps through the guard and the model, at sizes that make
// the ring wrap, grow and the table's probes collide.
func TestGuardAgreesWithTheModel(t *testing.T) {
	for _, max := range []int{1, 2, 5, 37, 1500, 5000} {
		t.Run(fmt.Sprint(max), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(max), 7))
			g, m := New(max), &model{max: max, seen: map[sigKey]int{}}
			now := time.Unix(1531420618, 0)
			var sigs []string
			for i := range 40_000 {
				var sig string
				switch r := rng.IntN(10); {
				case r < 3 && len(sigs) > 0: // a replay of a recent one
					sig = sigs[len(sigs)-1-rng.IntN(min(len(sigs), 2*max+3))]
				default:
					sig = fmt.Sprintf("v0=%016x%016x", rng.Uint64(), i)
					sigs = append(sigs, sig)
				}
				if rng.IntN(20) == 0 { // a failed request: forgotten
					g.Forget(sig)
					k, _ := key(sig)
					delete(m.seen, k)
					continue
				}
				if rng.IntN(50) == 0 {
					now = now.Add(time.Duration(rng.IntN(300)) * time.Second)
				}
				k, _ := key(sig)
				if got, want := g.Fresh(sig, now), m.fresh(k, now); got != want {
					t.Fatalf("step %d: Fresh(%s) = %v, the model says %v", i, sig, got, want)
				}
				if g.remembered() != len(m.seen) || g.n != len(m.order) {
					t.Fatalf("step %d: remembers %d in %d entries, the model %d in %d", i, g.remembered(), g.n, len(m.seen), len(m.order))
				}
			}
		})
	}
}

// TestGuardMemory: a full guard of 100,000 signatures (the adapters'
// limit) holds about 1.3 MB.
func TestGuardMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	g := New(100_000)
	now := time.Unix(1531420618, 0)
	for i := range 100_000 {
		if !g.Fresh(testSig(i), now.Add(time.Duration(i)*time.Millisecond)) {
			t.Fatalf("signature %d not fresh", i)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if n := int64(after.HeapAlloc) - int64(before.HeapAlloc); n > 1_400_000 {
		t.Fatalf("100,000 signatures hold %d bytes", n)
	}
	runtime.KeepAlive(g)
}

// testSig is the i-th of distinct, well spread signatures.
func testSig(i int) string { return fmt.Sprintf("v0=%016x%048x", uint64(i)*0x9e3779b97f4a7c15, 0) }

// BenchmarkFresh: a full guard taking a new signature (forgetting the
// oldest) five thousand times a second.
func BenchmarkFresh(b *testing.B) {
	sigs := make([]string, 200_000)
	for i := range sigs {
		sigs[i] = testSig(i)
	}
	g := New(100_000)
	now := time.Unix(1531420618, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g.Fresh(sigs[i%len(sigs)], now.Add(time.Duration(i)*200*time.Microsecond))
	}
}

func TestKey(t *testing.T) {
	for sig, want := range map[string]bool{
		"v0=0123456789abcdef":   true,
		"0123456789ABCDEF0011":  true,
		"v0=0123456789abcde":    false, // under 64 bits
		"v0=0123456789abcdef0":  false, // odd length: not hex bytes
		"v0=0123456789abcdefzz": false, // not hex past the key
		"":                      false,
	} {
		if _, ok := key(sig); ok != want {
			t.Errorf("key(%q) ok = %v, want %v", sig, ok, want)
		}
	}
	if k, _ := key("v0=0123456789abcdefff"); k != 0x0123456789abcdef {
		t.Errorf("key = %x", k)
	}
}
