package bot

import (
	"strings"
	"testing"

	"github.com/dealcoach/dealcoach/coach"
)

// world makes a rep's deals for the reading traps; "done" ends the
// coaching each new deal starts.
func world(t *testing.T, h *harness, who string, deals ...string) {
	t.Helper()
	for _, d := range deals {
		h.say(who, "new deal "+d)
		h.say(who, "done")
	}
}

// unchanged fails when a deal differs from before.
func unchanged(t *testing.T, h *harness, before coach.Deal, why string) {
	t.Helper()
	after := h.deal(before.ID)
	if after.Version != before.Version {
		t.Fatalf("%s changed #%d: %+v → %+v", why, before.ID, before, after)
	}
}

func TestNearMissIsAskedNeverApplied(t *testing.T) {
	h := newHarness(t)
	world(t, h, "Alice", "中信 云平台 500万", "江南水务 智慧水务 120万")
	before := h.deal(1)
	out := h.say("Alice", "中兴 赢单了")
	mustContain(t, out, "中信 · 云平台", "[中信 · 云平台: #1")
	unchanged(t, h, before, "a near miss")
	// "1" (or the button) applies what was asked, to the deal picked.
	mustContain(t, h.say("Alice", "1"), "已更新 #1")
	if d := h.deal(1); d.Status != coach.Won {
		t.Fatalf("picked near miss not applied: %+v", d)
	}
	if d := h.deal(2); d.Status != coach.Open {
		t.Fatalf("the other deal changed: %+v", d)
	}
	// "no" cancels.
	before = h.deal(2)
	h.say("Alice", "江南水物 金额200万")
	mustContain(t, h.say("Alice", "no"), "nothing changed")
	unchanged(t, h, before, "a cancelled near miss")
}

// A name typed with another character of the same sound (pinyin input
// picks the wrong one) is asked about, never applied.
func TestHomophoneIsAskedNeverApplied(t *testing.T) {
	h := newHarness(t)
	world(t, h, "Alice", "中信 云平台 500万", "华信科技 核心系统 80万", "恒信证券 数据中台 200万")
	var before []coach.Deal
	for id := int64(1); id <= 3; id++ {
		before = append(before, h.deal(id))
	}
	for msg, want := range map[string]string{
		"忠信 赢单了":      "中信 · 云平台",
		"华鑫 推进到立项":    "华信科技 · 核心系统",
		"衡信证券 金额300万": "恒信证券 · 数据中台",
	} {
		out := h.say("Alice", msg)
		mustContain(t, out, want)
		for _, d := range before {
			unchanged(t, h, d, msg)
		}
		mustContain(t, h.say("Alice", "no"), "nothing changed")
	}
	// picked, it applies to the deal picked
	h.say("Alice", "衡信 推进到入围")
	mustContain(t, h.say("Alice", "1"), "#3")
	if d := h.deal(3); d.Stage != "shortlist" {
		t.Fatalf("picked homophone not applied: %+v", d)
	}
}

func TestUnknownDealChangesNothing(t *testing.T) {
	h := newHarness(t)
	world(t, h, "Alice", "Xylo Corp 100k")
	before := h.deal(1)
	out := h.say("Alice", "Zenith moved to contract")
	if strings.Contains(out, "Updated") {
		t.Fatalf("an unknown name updated a deal: %s", out)
	}
	unchanged(t, h, before, "an unknown name")
	// A word the bot does not know is not offered as a new deal's name.
	for _, msg := range []string{"Zenith won", "改成260万", "Zenith 3"} {
		if out := h.say("Alice", msg); strings.Contains(out, "new deal") || strings.Contains(out, "新商机") {
			t.Errorf("%q offered a new deal: %s", msg, out)
		}
	}
}

func TestTwoDealsInOneMessageKeepTheirOwnClauses(t *testing.T) {
	h := newHarness(t)
	world(t, h, "张伟", "江南水务 智慧水务 120万", "恒信证券 数据中台 200万")
	mustContain(t, h.say("张伟", "江南水务 推进到入围; 恒信证券 金额300万"), "#1", "#2")
	a, b := h.deal(1), h.deal(2)
	if a.Stage != "shortlist" || a.Amount != coach.Major(1_200_000) {
		t.Fatalf("江南水务 = %+v", a)
	}
	if b.Stage != "prospect" || b.Amount != coach.Major(3_000_000) {
		t.Fatalf("恒信证券 = %+v", b)
	}
	// Two names in one clause with nothing to tell whose value is whose: asked.
	before1, before2 := h.deal(1), h.deal(2)
	h.say("张伟", "江南水务 恒信证券 金额500万")
	unchanged(t, h, before1, "an unclear split")
	unchanged(t, h, before2, "an unclear split")
}

func TestWaitingQuestionDoesNotSwallowUpdates(t *testing.T) {
	h := newHarness(t)
	world(t, h, "Alice", "Acme Corp 100k", "Globex 80k")
	for _, tc := range []struct {
		msg   string
		check func(a, g coach.Deal) bool
	}{
		{"push Acme to contract and set amount 200k", func(a, _ coach.Deal) bool {
			return a.Stage == "contract" && a.Amount == coach.Major(200_000)
		}},
		{"Globex 1,200,000", func(_, g coach.Deal) bool { return g.Amount == coach.Major(1_200_000) }},
		{"客户说下周三再聊", func(_, g coach.Deal) bool { return g.NextStepDue.String() == "2026-12-02" }},
	} {
		h.say("Alice", "coach Globex")
		h.say("Alice", tc.msg)
		if !tc.check(h.deal(1), h.deal(2)) {
			t.Errorf("%q while a question waits: Acme %+v, Globex %+v", tc.msg, h.deal(1), h.deal(2))
		}
		if a := h.answers(2); len(a) > 0 {
			for k, v := range a {
				if v.Text == tc.msg {
					t.Errorf("%q stored as the answer to %s", tc.msg, k)
				}
			}
		}
	}
	// An answer with a tentative value and no deal's name is an answer.
	h.say("Alice", "coach Globex")
	h.say("Alice", "预算大概300万")
	if g := h.deal(2); g.Amount != coach.Major(1_200_000) {
		t.Errorf("a tentative answer changed the amount: %+v", g)
	}
	stored := false
	for _, v := range h.answers(2) {
		stored = stored || v.Text == "预算大概300万"
	}
	if !stored {
		t.Error("the tentative answer was not stored as the answer")
	}
	// The question still waits: plain text answers it.
	h.say("Alice", "coach Globex")
	h.say("Alice", "their CFO wants a pilot first")
	found := false
	for _, v := range h.answers(2) {
		found = found || v.Text == "their CFO wants a pilot first"
	}
	if !found {
		t.Fatal("a plain answer was not stored")
	}
}

func TestGuardsChangeNothing(t *testing.T) {
	h := newHarness(t)
	world(t, h, "Alice", "Acme Corp 100k", "江南水务 智慧水务 120万")
	a, j := h.deal(1), h.deal(2)
	for _, msg := range []string{
		"江南水务 还没立项", "Acme isn't at contract yet", "如果江南水务能签就好了", "if Acme signs we hit quota",
		"Acme might sign next week", "江南水务 可能下个月签", "江南水务什么时候能签?", "has Acme been approved?",
	} {
		out := h.say("Alice", msg)
		if strings.Contains(out, "Updated") || strings.Contains(out, "已更新") {
			t.Errorf("%q applied a change: %s", msg, out)
		}
		// answer "no" to anything that was asked
		h.say("Alice", "no")
		unchanged(t, h, a, msg)
		unchanged(t, h, j, msg)
	}
	// a question is answered with the deal's card
	mustContain(t, h.say("Alice", "has Acme been approved?"), "== #1 Acme Corp ==")
}

func TestUncertainReadingIsConfirmedFirst(t *testing.T) {
	h := newHarness(t)
	world(t, h, "Alice", "Acme Corp 100k")
	before := h.deal(1)
	out := h.say("Alice", "Acme might close end of month")
	mustContain(t, out, "I read:", "Expected close", "[Apply: /deal apply ")
	unchanged(t, h, before, "an unconfirmed reading")
	mustContain(t, h.say("Alice", "yes"), "Updated #1")
	if d := h.deal(1); d.ExpectedClose.String() != "2026-11-30" {
		t.Fatalf("confirmed close = %v", d.ExpectedClose)
	}
	// A past date is asked about.
	before = h.deal(1)
	mustContain(t, h.say("Alice", "Acme demo 2026-11-01"), "in the past")
	unchanged(t, h, before, "a past date")
	h.say("Alice", "no")
	// An ambiguous day/month is asked about.
	mustContain(t, h.say("Alice", "Acme demo 3/4"), "month first or day first")
	unchanged(t, h, before, "an ambiguous date")
	h.say("Alice", "no")
	// A negative amount is refused, quoted as typed.
	mustContain(t, h.say("Alice", "Acme -5"), `"-5"`)
	unchanged(t, h, before, "a negative amount")
}

func TestUndoPutsBackTheLastChange(t *testing.T) {
	h := newHarness(t, "boss")
	world(t, h, "Alice", "Acme Corp 100k")
	h.say("Alice", "Acme moved to shortlist, 250k")
	if d := h.deal(1); d.Stage != "shortlist" || d.Amount != coach.Major(250_000) {
		t.Fatalf("update not applied: %+v", d)
	}
	out := h.say("Alice", "undo")
	mustContain(t, out, "Undone on #1", "Shortlisted", "Prospect", "¥250,000", "¥100,000")
	if d := h.deal(1); d.Stage != "prospect" || d.Amount != coach.Major(100_000) {
		t.Fatalf("undo did not put the deal back: %+v", d)
	}
	mustContain(t, h.say("Alice", "show #1"), "undo")
	// Someone else's later change is never reverted.
	h.say("Alice", "Acme won")
	h.say("boss", "/deal #1 amount 300k")
	mustContain(t, h.say("Alice", "撤销"), "又变过了")
	// Nothing left to undo for a new person.
	mustContain(t, h.say("Carol", "undo"), "nothing of yours to undo")
}

// An undo of an update takes back the notes it added, and says so.
func TestUndoTakesBackTheNotes(t *testing.T) {
	h := newHarness(t)
	world(t, h, "Alice", "Acme Corp 100k")
	h.say("Alice", "/deal #1 stage shortlist note CFO joined the call")
	if d := h.deal(1); d.Stage != "shortlist" {
		t.Fatalf("update not applied: %+v", d)
	}
	mustContain(t, h.say("Alice", "show #1"), "CFO joined the call")
	out := h.say("Alice", "undo")
	mustContain(t, out, "Undone on #1", "note removed: CFO joined the call")
	if d := h.deal(1); d.Stage != "prospect" {
		t.Fatalf("undo did not put the stage back: %+v", d)
	}
	if strings.Contains(h.say("Alice", "show #1"), "CFO joined the call") {
		t.Fatal("the undone note is still shown")
	}
}

// An undo right after creating a deal closes it (removed, its number
// would be the next deal's); once someone changed it, it stays.
func TestUndoClosesADealJustCreated(t *testing.T) {
	h := newHarness(t, "boss")
	world(t, h, "Alice", "Acme Corp 100k")
	h.say("Alice", "Acme moved to shortlist")
	world(t, h, "Alice", "Globex 50k")
	out := h.say("Alice", "undo")
	mustContain(t, out, "#2", "Globex", "closed")
	if d := h.deal(2); d.Status != coach.Lost || d.LostReason != "undone: created by mistake" {
		t.Fatalf("the deal undone is not closed: %+v", d)
	}
	if strings.Contains(h.say("Alice", "Globex 80k"), "Updated") {
		t.Fatal("the closed deal was updated by name")
	}
	h.say("Alice", "no")
	// the next undo is the update before it
	mustContain(t, h.say("Alice", "undo"), "Undone on #1", "Prospect")
	// a deal changed since it was created stays
	world(t, h, "Alice", "Initech 30k")
	h.say("boss", "/deal #3 amount 40k")
	mustContain(t, h.say("Alice", "撤销"), "又变过了")
	if d := h.deal(3); d.Status != coach.Open {
		t.Fatalf("a deal changed since was closed: %+v", d)
	}
	// in Chinese too
	world(t, h, "Alice", "华信科技 核心系统 80万")
	mustContain(t, h.say("Alice", "撤销"), "已关闭")
}

func TestNamesAreShownAsTyped(t *testing.T) {
	h := newHarness(t)
	world(t, h, "Alice", "<!channel> 100k")
	mustContain(t, h.say("Alice", "<!channel> moved to shortlist"), "<!channel>")
	if d := h.deal(1); d.Customer != "<!channel>" || d.Stage != "shortlist" {
		t.Fatalf("deal = %+v", d)
	}
}

// A deal beyond the name index's cap (an admin over a big organisation) is
// still updated when named exactly, and never by a near miss.
func TestDealBeyondTheIndexCap(t *testing.T) {
	h := newHarness(t, "boss")
	world(t, h, "boss", "Acme Corp 100k", "Globex 80k", "Initech 50k")
	h.bot.maxNamed = 1
	h.bot.nameCache.Clear()
	mustContain(t, h.say("boss", "Initech moved to shortlist, 90k"), "Updated #3")
	if d := h.deal(3); d.Stage != "shortlist" || d.Amount != coach.Major(90_000) {
		t.Fatalf("deal beyond the cap = %+v", d)
	}
	before := h.deal(2)
	h.say("boss", "Globx moved to contract")
	unchanged(t, h, before, "a near miss beyond the cap")
}
