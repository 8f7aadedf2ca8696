package bot

import (
	"context"
	"testing"
)

// FuzzHandle sends any text through the whole core, coaching state and
// all: it must never panic, and never fail inside (an internal error is a
// bug; a refusal is an answer).
func FuzzHandle(f *testing.F) {
	for _, s := range []string{
		"new deal Acme Corp 120k", "Acme moved to shortlist, next step: demo Friday", "coach Acme", "skip",
		"qualify #1", "C", "Acme: Jane Doe is the decision maker, ally", "经信银行 推进到立项, 金额150万",
		"1", "#1 won", "/deal #1 lost price", "how is my pipeline?", "列表", "later", "\x00\xff", "",
	} {
		f.Add(s)
	}
	h := newHarness(f)
	ctx := context.Background()
	for _, s := range []string{"new deal Acme Corp 120k", "新商机 经信银行 核心系统 120万", "新商机 经信银行 信用卡 80万"} {
		h.say("Alice", s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if _, err := h.bot.Handle(ctx, Message{Platform: "console", Team: "t", Channel: "c", UserID: "Alice", UserName: "Alice", Text: text}); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
	})
}
