package bot

import (
	"strings"
	"testing"
)

// The reader's buttons send their value as typed text. In Chinese they
// send Chinese (the reply stays in Chinese, and so does the person's
// language), Undo sends the slash command (a command wherever a question
// waits), and a confirmation's Apply pressed again, after the change it
// confirmed, is not taken as the next step the bot asks for.
func TestReaderButtonValues(t *testing.T) {
	h := newHarness(t)
	world(t, h, "张伟", "江南水务 智慧水务 120万")
	out := h.say("张伟", "江南水务 可能下个月签")
	mustContain(t, out, "[应用: 是", "取消: 取消]")
	mustContain(t, h.say("张伟", "是"), "已更新 #1", "#1 的下一步是什么")
	v := h.deal(1).Version
	// Apply pressed again: the next step question waits; nothing is stored.
	mustContain(t, h.say("张伟", "是"), "#1 的下一步是什么")
	if d := h.deal(1); d.Version != v || d.NextStep != "" {
		t.Fatalf("a second 应用 became the next step: %+v", d)
	}
	// Cancel pressed on a stale card drops the question, changing nothing.
	h.say("张伟", "取消")
	if d := h.deal(1); d.Version != v {
		t.Fatalf("a stale 取消 changed #1: %+v", d)
	}
	out = h.say("张伟", "江南水务 金额150万")
	mustContain(t, out, "[撤销: /deal undo]")
	out = h.say("张伟", "/deal undo")
	mustContain(t, out, "已撤销 #1")
	if strings.Contains(out, "Undone") {
		t.Fatalf("undo answered in English: %s", out)
	}
	if d := h.deal(1); d.Amount.String() != "1200000" {
		t.Fatalf("undo left %v", d.Amount)
	}
}

// A "Did you mean" candidate's button names the deal: pressed after
// another near miss replaced its question, it changes nothing rather than
// apply the newer question's change to the newer candidate.
func TestStaleCandidateButtonChangesNothing(t *testing.T) {
	h := newHarness(t)
	world(t, h, "Alice", "中信 云平台 500万", "江南水务 智慧水务 120万")
	mustContain(t, h.say("Alice", "中兴 赢单了"), "[中信 · 云平台: #1")
	mustContain(t, h.say("Alice", "江南水物 金额200万"), "[江南水务 · 智慧水务: #2")
	a, b := h.deal(1), h.deal(2)
	h.say("Alice", "#1") // the first card's button
	unchanged(t, h, a, "a stale candidate button")
	unchanged(t, h, b, "a stale candidate button")
	// The current card's button picks its deal.
	h.say("Alice", "江南水物 金额200万")
	mustContain(t, h.say("Alice", "#2"), "已更新 #2")
	if d := h.deal(2); d.Amount.String() != "2000000" {
		t.Fatalf("picked candidate: %+v", d)
	}
}
