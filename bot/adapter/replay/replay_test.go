package replay

import (
	"fmt"
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
	if len(g.seen) > 3 {
		t.Fatalf("%d kept, max 3", len(g.seen))
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
