package parse

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSlowDev(t *testing.T) {
	c := testContext(t, "seven-step")
	for _, unit := range []string{"is at and ", "next step and ", "a and ", "到了然后", "推进到立项,", "1,", "金额", "next next ", "stage stage ", "周五", "是是", "the ", "1.", "#1 ", "lost ", "and moved to ", " ", "x", "万", "note:", "下一步周五拜访 然后 "} {
		s := strings.Repeat(unit, 4000/len(unit))
		if len(s) > 4000 {
			s = s[:4000]
		}
		start := time.Now()
		Parse(s, c)
		Parse("Acme "+s[:len(s)-10], c)
		Parse("Acme next step "+s[:len(s)-20], c)
		Parse("new deal "+s[:len(s)-20], c)
		if d := time.Since(start); d > 20*time.Millisecond {
			t.Logf("%q: %v", unit, d)
		}
	}
}

func TestSlowCorpus(t *testing.T) {
	dir := os.Getenv("CORPUS")
	if dir == "" {
		t.Skip()
	}
	c := testContext(t, "seven-step")
	ents, _ := os.ReadDir(dir)
	type r struct {
		d time.Duration
		s string
	}
	var worst r
	for _, e := range ents {
		b, _ := os.ReadFile(dir + "/" + e.Name())
		lines := strings.SplitN(string(b), "\n", 2)
		if len(lines) < 2 {
			continue
		}
		s, err := strconv.Unquote(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lines[1]), "string(")[:len(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lines[1]), "string(")))-1]))
		if err != nil {
			continue
		}
		start := time.Now()
		for i := 0; i < 10; i++ {
			Parse(s, c)
		}
		if d := time.Since(start) / 10; d > worst.d {
			worst = r{d, s}
		}
	}
	t.Logf("worst %v len %d: %q", worst.d, len(worst.s), worst.s)
}
