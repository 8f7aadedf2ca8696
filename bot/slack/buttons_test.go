package slack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

// A posted message as the person sees it: where it is, and its blocks.
type postedCard struct {
	channel, ts, thread, text string
	blocks                    []map[string]any
}

// post returns the nth (1-based) chat.postMessage, with the ts the fake
// Slack gave it, once there are n.
func (h *harness) postN(n int) postedCard {
	h.t.Helper()
	c := h.api.wait(h.t, "chat.postMessage", n)[n-1]
	channel := c.Form.Get("channel")
	k := 0 // c is the kth post to its channel
	for _, o := range h.api.of("chat.postMessage")[:n] {
		if o.Form.Get("channel") == channel {
			k++
		}
	}
	h.api.mu.Lock()
	ts := h.api.posted[channel][k-1].TS
	h.api.mu.Unlock()
	card := postedCard{channel: channel, ts: ts, thread: c.Form.Get("thread_ts"), text: c.text()}
	if err := json.Unmarshal([]byte(c.Form.Get("blocks")), &card.blocks); err != nil {
		h.t.Fatalf("post %d has no blocks: %v", n, c.Form)
	}
	return card
}

// press is Slack's block_actions payload for the button labelled label
// on card, as the person user pressing it: the action as Slack sends it
// (its action_id, block_id and value from the message), the message with
// its ts and thread. It fails when the card has no such button.
func (h *harness) press(user string, card postedCard, label string) map[string]any {
	h.t.Helper()
	for _, b := range card.blocks {
		if b["type"] != "actions" {
			continue
		}
		for _, el := range b["elements"].([]any) {
			el := el.(map[string]any)
			text, _ := el["text"].(map[string]any)
			if el["type"] != "button" || text["text"] != label {
				continue
			}
			act := map[string]any{"action_id": el["action_id"], "block_id": b["block_id"], "type": "button",
				"value": el["value"], "text": text, "action_ts": fmt.Sprintf("1764000100.%06d", h.seq)}
			if s, ok := el["style"]; ok {
				act["style"] = s
			}
			p := h.blockAction(user, card.channel, card.ts, act)
			msg := p["message"].(map[string]any)
			if card.thread != "" {
				msg["thread_ts"] = card.thread
			}
			if strings.HasPrefix(card.channel, "D") {
				p["channel"].(map[string]any)["name"] = "directmessage"
			}
			return p
		}
	}
	h.t.Fatalf("no button %q on the card: %s", label, card.text)
	return nil
}

func (h *harness) interact(payload map[string]any) {
	h.t.Helper()
	if code, body := h.post("/slack/interactions", formType, interactionBody(payload)); code != http.StatusOK {
		h.t.Fatalf("interaction: %d %s", code, body)
	}
}

// quiet waits a moment for background work, then checks that n messages
// were posted in all.
func (h *harness) quiet(n int) {
	h.t.Helper()
	time.Sleep(300 * time.Millisecond)
	if got := len(h.api.of("chat.postMessage")); got != n {
		h.t.Fatalf("%d messages posted, want %d: %v", got, n, h.api.all())
	}
}

func (h *harness) dm(id, text string) {
	h.t.Helper()
	h.seq++
	ts := fmt.Sprintf("1764000000.%06d", 500+h.seq)
	if code, _ := h.post("/slack/events", "application/json", eventBody(id, dm("U1", "D1", text, ts))); code != http.StatusOK {
		h.t.Fatalf("event %s: %d", id, code)
	}
}

// The reader's buttons (#16) work through Slack, in a DM: Apply on "I
// read: …" applies the reading once, even when Slack delivers the press
// again; Cancel changes nothing; a "Did you mean" candidate changes the
// deal it names; Undo on an update puts the deal back.
func TestReaderButtonsInADirectMessage(t *testing.T) {
	h := newHarness(t)
	h.dm("Ev1", "new deal Acme Corp 100k")
	h.postN(1)
	h.dm("Ev2", "new deal Zenith Bank 500k")
	h.postN(2)
	acme := h.deal(1)

	// Apply: the reading is applied, once.
	h.dm("Ev3", "Acme might close end of month")
	confirm := h.postN(3)
	if !strings.Contains(confirm.text, "I read:") || h.deal(1).Version != acme.Version {
		t.Fatalf("not asked first: %s", confirm.text)
	}
	apply := h.press("U1", confirm, "Apply")
	h.interact(apply)
	applied := h.postN(4)
	if !strings.Contains(applied.text, "Updated #1") || !strings.Contains(applied.text, "Expected close") {
		t.Fatalf("Apply answered: %s", applied.text)
	}
	after := h.deal(1)
	if after.ExpectedClose.String() != "2026-11-30" || after.Version != acme.Version+1 {
		t.Fatalf("Apply made #1 %+v (version %d → %d)", after.ExpectedClose, acme.Version, after.Version)
	}
	h.interact(apply) // Slack re-delivers the same press
	h.quiet(4)
	if d := h.deal(1); d.Version != after.Version {
		t.Fatalf("a re-delivered Apply applied again: version %d → %d", after.Version, d.Version)
	}
	// A second press of the same button (a new trigger): nothing waits, nothing changes.
	h.interact(h.press("U1", confirm, "Apply"))
	t.Logf("second Apply: %s", h.postN(5).text)
	if d := h.deal(1); d.Version != after.Version {
		t.Fatalf("a second press of Apply applied again: version %d → %d", after.Version, d.Version)
	}

	// Cancel: nothing changes.
	h.dm("Ev4", "Acme might sign at 300k")
	confirm = h.postN(6)
	if !strings.Contains(confirm.text, "I read:") {
		t.Fatalf("not asked first: %s", confirm.text)
	}
	h.interact(h.press("U1", confirm, "Cancel"))
	if got := h.postN(7); !strings.Contains(got.text, "nothing changed") {
		t.Fatalf("Cancel answered: %s", got.text)
	}
	if d := h.deal(1); d.Version != after.Version || d.Amount != coach.Major(100_000) {
		t.Fatalf("Cancel changed #1: %+v", d)
	}

	// Did you mean: the candidate's button changes that deal, no other.
	zenith := h.deal(2)
	h.dm("Ev5", "Zenth won")
	ask := h.postN(8)
	if !strings.Contains(ask.text, "Did you mean") || h.deal(2).Version != zenith.Version {
		t.Fatalf("near miss not asked: %s", ask.text)
	}
	h.interact(h.press("U1", ask, "Zenith Bank"))
	if got := h.postN(9); !strings.Contains(got.text, "#2") {
		t.Fatalf("candidate answered: %s", got.text)
	}
	if d := h.deal(2); d.Status != coach.Won {
		t.Fatalf("candidate button: #2 is %v", d.Status)
	}
	if d := h.deal(1); d.Version != after.Version {
		t.Fatalf("candidate button changed #1: %+v", d)
	}

	// Undo on an update's reply puts the deal back.
	h.dm("Ev6", "Acme 250k")
	updated := h.postN(10)
	if d := h.deal(1); d.Amount != coach.Major(250_000) {
		t.Fatalf("update not applied: %s", updated.text)
	}
	undo := h.press("U1", updated, "Undo")
	h.interact(undo)
	if got := h.postN(11); !strings.Contains(got.text, "Undone on #1") {
		t.Fatalf("Undo answered: %s", got.text)
	}
	if d := h.deal(1); d.Amount != coach.Major(100_000) {
		t.Fatalf("Undo left #1 at %v", d.Amount)
	}
	v := h.deal(1).Version
	h.interact(undo) // re-delivered
	h.quiet(11)
	if d := h.deal(1); d.Version != v {
		t.Fatalf("a re-delivered Undo ran again: version %d → %d", v, d.Version)
	}
}

// The same in a channel: the card answering a mention is in the mention's
// thread, and its buttons answer there.
func TestReaderButtonsInAChannelThread(t *testing.T) {
	h := newHarness(t)
	h.command("U1", "C1", "new Acme 100k")
	v := h.deal(1).Version
	h.post("/slack/events", "application/json", eventBody("Ev1", mention("U1", "C1", "Acme might close end of month", "1764000050.000001")))
	confirm := h.postN(1)
	if confirm.thread != "1764000050.000001" || !strings.Contains(confirm.text, "I read:") {
		t.Fatalf("confirmation: thread %q: %s", confirm.thread, confirm.text)
	}
	h.interact(h.press("U1", confirm, "Apply"))
	if got := h.postN(2); !strings.Contains(got.text, "Updated #1") || got.thread != confirm.thread {
		t.Fatalf("Apply answered in %q: %s", got.thread, got.text)
	}
	if d := h.deal(1); d.ExpectedClose.String() != "2026-11-30" || d.Version != v+1 {
		t.Fatalf("Apply made #1 %+v", d)
	}
}

// A confirmation's Apply pressed on an old card (#16), after a newer
// reading replaced it, applies nothing (neither reading) and says the card
// was replaced; Cancel on the old card leaves the newer one waiting, and
// the newer card's Apply applies its own reading exactly.
func TestStaleConfirmButtonInADirectMessage(t *testing.T) {
	h := newHarness(t)
	h.dm("Ev1", "new deal Acme Corp 100k")
	h.postN(1)
	before := h.deal(1)
	h.dm("Ev2", "Acme might close end of month")
	a := h.postN(2)
	h.dm("Ev3", "Acme might sign at 300k")
	b := h.postN(3)
	if !strings.Contains(a.text, "I read:") || !strings.Contains(b.text, "I read:") {
		t.Fatalf("not asked first: %s / %s", a.text, b.text)
	}
	h.interact(h.press("U1", a, "Apply"))
	if got := h.postN(4); !strings.Contains(got.text, "replaced by a newer question") {
		t.Fatalf("Apply on the replaced card answered: %s", got.text)
	}
	h.interact(h.press("U1", a, "Cancel"))
	if got := h.postN(5); !strings.Contains(got.text, "replaced by a newer question") {
		t.Fatalf("Cancel on the replaced card answered: %s", got.text)
	}
	if d := h.deal(1); d.Version != before.Version {
		t.Fatalf("a replaced card's buttons changed #1: %+v", d)
	}
	h.interact(h.press("U1", b, "Apply"))
	if got := h.postN(6); !strings.Contains(got.text, "Updated #1") {
		t.Fatalf("Apply on the newer card answered: %s", got.text)
	}
	d := h.deal(1)
	if d.Amount != coach.Major(300_000) || d.ExpectedClose != before.ExpectedClose || d.Version != before.Version+1 {
		t.Fatalf("the newer card's Apply made #1 %+v", d)
	}
	h.interact(h.press("U1", a, "Apply"))
	if got := h.postN(7); !strings.Contains(got.text, "expired or was already answered") {
		t.Fatalf("Apply after the answer: %s", got.text)
	}
	if got := h.deal(1); got.Version != d.Version {
		t.Fatalf("a press after the answer changed #1: %+v", got)
	}
}
