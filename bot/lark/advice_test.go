package lark

import (
	"net/http"
	"strings"
	"testing"
)

// TestAdviceThroughLark: "我该怎么推进经信银行?" in a private chat answers
// from the deal, as in every adapter.
func TestAdviceThroughLark(t *testing.T) {
	h := newHarness(t)
	h.send(message("ev1", "om_1", "p2p", "oc_p2p", "ou_wang", "新商机 经信银行 120万 下一步 周五拜访", false))
	h.lark.wait(t, "/reply", 1)
	if code, _ := h.send(message("ev2", "om_2", "p2p", "oc_p2p", "ou_wang", "我该怎么推进经信银行?", false)); code != http.StatusOK {
		t.Fatalf("advice: %d", code)
	}
	replies := h.lark.wait(t, "/reply", 2)
	if raw := replies[1].Raw; !strings.Contains(raw, "怎么推进 #1 经信银行") || !strings.Contains(raw, "这一步的目标") {
		t.Fatalf("advice reply: %s", raw)
	}
}
