package slack

import (
	"fmt"
	"strings"
	"testing"
)

// TestAdviceThroughSlack: "/deal advice #1" and "/deal how do I push Acme"
// answer from the deal, as in every adapter.
func TestAdviceThroughSlack(t *testing.T) {
	h := newHarness(t)
	h.command("U1", "C1", "new Acme 120k")
	for _, text := range []string{"advice #1", "建议 Acme"} {
		_, r := h.command("U1", "C1", text)
		got := fmt.Sprint(r["blocks"])
		if !strings.Contains(got, "#1 Acme") || !(strings.Contains(got, "Goal of this step") || strings.Contains(got, "这一步的目标")) {
			t.Errorf("/deal %s: %v", text, r)
		}
	}
}
