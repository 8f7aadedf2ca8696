package bot

import (
	"strings"
	"testing"
)

// The reader's buttons send their value as typed text. A confirmation's
// Apply and Cancel send a slash command with the reading's token (the
// reply stays in Chinese, and so does the person's language), Undo sends
// the slash command (a command wherever a question waits), and a
// confirmation's Apply pressed again, after the change it confirmed,
// changes nothing and is not taken as the next step the bot asks for.
func TestReaderButtonValues(t *testing.T) {
	h := newHarness(t)
	world(t, h, "张伟", "江南水务 智慧水务 120万")
	out := h.say("张伟", "江南水务 可能下个月签")
	mustContain(t, out, "[应用: /deal apply ", "取消: /deal cancel ")
	apply, cancel := button(t, out, "应用"), button(t, out, "取消")
	mustContain(t, h.say("张伟", apply), "已更新 #1", "#1 的下一步是什么")
	v := h.deal(1).Version
	// Apply pressed again: nothing is stored, and the next step question still waits.
	mustContain(t, h.say("张伟", apply), "已过期或已处理过")
	if d := h.deal(1); d.Version != v || d.NextStep != "" {
		t.Fatalf("a second 应用 changed #1: %+v", d)
	}
	// Cancel pressed on the answered card changes nothing.
	mustContain(t, h.say("张伟", cancel), "已过期或已处理过")
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

// button is the value of the button labelled label in a plain-text reply
// ("[Apply: /deal apply 1a2b | Cancel: …]").
func button(t *testing.T, out, label string) string {
	t.Helper()
	_, rest, ok := strings.Cut(out, "["+label+": ")
	if !ok {
		_, rest, ok = strings.Cut(out, " | "+label+": ")
	}
	if !ok {
		t.Fatalf("no button %q in:\n%s", label, out)
	}
	if i := strings.IndexAny(rest, "|]"); i >= 0 {
		rest = rest[:i]
	}
	return strings.TrimSpace(rest)
}

// A confirmation's buttons answer their own card only (#16): with card A
// replaced by card B, A's Apply applies nothing (neither A's reading nor
// B's) and says so, A's Cancel does not cancel B, B's Apply applies B's
// reading exactly, once; a typed "yes" answers the card that waits.
func TestStaleConfirmButtonChangesNothing(t *testing.T) {
	for _, lang := range []struct {
		a, b, apply, cancel, replaced, expired, updated string
	}{
		{"Acme might close end of month", "Acme might sign at 300k", "Apply", "Cancel",
			"replaced by a newer question", "expired or was already answered", "Updated #1"},
		{"Acme 可能月底签", "Acme 可能 金额300万", "应用", "取消",
			"已被更新的问题取代", "已过期或已处理过", "已更新 #1"},
	} {
		h := newHarness(t)
		world(t, h, "Alice", "Acme Corp 100k")
		before := h.deal(1)
		a := h.say("Alice", lang.a)
		b := h.say("Alice", lang.b)
		if button(t, a, lang.apply) == button(t, b, lang.apply) {
			t.Fatalf("two readings share a token:\n%s\n%s", a, b)
		}
		mustContain(t, h.say("Alice", button(t, a, lang.apply)), lang.replaced)
		unchanged(t, h, before, "Apply on a replaced card")
		mustContain(t, h.say("Alice", button(t, a, lang.cancel)), lang.replaced)
		unchanged(t, h, before, "Cancel on a replaced card")
		// B still waits: its Apply applies B's reading, not A's.
		mustContain(t, h.say("Alice", button(t, b, lang.apply)), lang.updated)
		d := h.deal(1)
		if d.Amount.String() != "300000" && d.Amount.String() != "3000000" || d.ExpectedClose != before.ExpectedClose ||
			d.Version != before.Version+1 {
			t.Fatalf("B's Apply made %+v (before %+v)", d, before)
		}
		// Pressed again, or A's pressed now: nothing waits, nothing changes.
		mustContain(t, h.say("Alice", button(t, b, lang.apply)), lang.expired)
		mustContain(t, h.say("Alice", button(t, a, lang.apply)), lang.expired)
		unchanged(t, h, d, "a press after the answer")
		// The terminal has no buttons: a typed yes confirms the card that waits.
		h.say("Alice", lang.a)
		h.say("Alice", "yes")
		if got := h.deal(1); got.Version != d.Version+1 || got.ExpectedClose.IsZero() {
			t.Fatalf("typed yes: %+v", got)
		}
	}
}

// A "Did you mean" card's Cancel cancels only its own question: pressed
// after a confirmation replaced it, the confirmation still waits.
func TestStaleCandidateCancelKeepsTheNewerQuestion(t *testing.T) {
	h := newHarness(t)
	world(t, h, "Alice", "中信 云平台 500万", "江南水务 智慧水务 120万")
	ask := h.say("Alice", "中兴 赢单了")
	h.say("Alice", "江南水务 可能下个月签")
	before := h.deal(2)
	mustContain(t, h.say("Alice", button(t, ask, "取消")), "已被更新的问题取代")
	unchanged(t, h, before, "a stale Cancel")
	mustContain(t, h.say("Alice", "是"), "已更新 #2")
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
