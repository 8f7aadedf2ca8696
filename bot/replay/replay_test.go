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
