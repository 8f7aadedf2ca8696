package lark

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/coach"
)

// replyTo returns the card the adapter sent in reply to message id, once
// it has, and its text.
func (h *harness) replyTo(id string) (card map[string]any, text string) {
	h.t.Helper()
	c := h.lark.wait(h.t, "/"+id+"/reply", 1)[0]
	content, _ := c.Body["content"].(string)
	if err := json.Unmarshal([]byte(content), &card); err != nil {
		h.t.Fatalf("the reply to %s is not a card: %s", id, content)
	}
	return card, content
}

// buttonValue is the callback value of the button labelled label on
// card, as Lark sends it back in card.action.trigger; it fails when the
// card has none.
func (h *harness) buttonValue(card map[string]any, label string) map[string]any {
	h.t.Helper()
	var found map[string]any
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if text, _ := v["text"].(map[string]any); v["tag"] == "button" && text["content"] == label && found == nil {
				for _, b := range v["behaviors"].([]any) {
					if b := b.(map[string]any); b["type"] == "callback" {
						found = b["value"].(map[string]any)
					}
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(card)
	if found == nil {
		raw, _ := json.Marshal(card)
		h.t.Fatalf("no button %q on the card: %s", label, raw)
	}
	return found
}

// quietReplies waits a moment, then checks that n replies were shown in
// all (a reply repeating an earlier one's uuid is not shown twice).
func (h *harness) quietReplies(n int) {
	h.t.Helper()
	time.Sleep(300 * time.Millisecond)
	if got := len(h.lark.shown("/reply")); got != n {
		h.t.Fatalf("%d replies shown, want %d", got, n)
	}
}

// privateChat is ou_wang's private chat with the bot: say sends message n
// and returns the bot's reply to it; press sends a button's callback from
// a card there and returns the callback's answer.
func (h *harness) privateChat() (say func(n int, text string) (map[string]any, string), press func(eventID string, value map[string]any) string) {
	say = func(n int, text string) (map[string]any, string) {
		h.send(message(fmt.Sprintf("ev%d", n), fmt.Sprintf("om_%d", n), "p2p", "oc_p2p", "ou_wang", text, false))
		return h.replyTo(fmt.Sprintf("om_%d", n))
	}
	press = func(eventID string, value map[string]any) string {
		_, got := h.send(cardAction(eventID, "ou_wang", "oc_p2p", "om_card", value, "", nil))
		return got
	}
	return say, press
}

// The reader's buttons (#16) work through Lark, in a private chat: 应用 on
// "我的理解是…" applies the reading once, even when Lark delivers the
// callback again; 取消 changes nothing; a "你是说…" candidate changes the
// deal it names; 撤销 on an update puts the deal back.
func TestReaderButtonsInAPrivateChat(t *testing.T) {
	h := newHarness(t)
	say, press := h.privateChat()
	say(1, "新商机 江南水务 智慧水务 120万")
	say(2, "新商机 中信 云平台 500万")
	jn := h.deal(1)

	// 应用: the reading is applied, once.
	confirm, text := say(3, "江南水务 可能下个月签")
	if !strings.Contains(text, "我的理解是") || h.deal(1).Version != jn.Version {
		t.Fatalf("not asked first: %s", text)
	}
	apply := cardAction("ca1", "ou_wang", "oc_p2p", "om_card", h.buttonValue(confirm, "应用"), "", nil)
	if _, got := h.send(apply); !strings.Contains(got, "已更新 #1") {
		t.Fatalf("应用 answered: %s", got)
	}
	after := h.deal(1)
	if after.ExpectedClose.String() != "2026-12-31" || after.Version != jn.Version+1 {
		t.Fatalf("应用 made #1 %v (version %d → %d)", after.ExpectedClose, jn.Version, after.Version)
	}
	if _, text := h.replyTo("om_card"); !strings.Contains(text, "预计成交") {
		t.Fatalf("the reply under the card: %s", text)
	}
	h.send(apply) // Lark delivers the callback again
	h.quietReplies(4)
	if d := h.deal(1); d.Version != after.Version {
		t.Fatalf("a re-delivered 应用 applied again: version %d → %d", after.Version, d.Version)
	}
	press("ca2", h.buttonValue(confirm, "应用")) // pressed again
	if d := h.deal(1); d.Version != after.Version {
		t.Fatalf("a second press of 应用 applied again: version %d → %d", after.Version, d.Version)
	}

	// 取消: nothing changes.
	confirm, text = say(4, "江南水务 可能 金额200万")
	if !strings.Contains(text, "我的理解是") {
		t.Fatalf("not asked first: %s", text)
	}
	if got := press("ca3", h.buttonValue(confirm, "取消")); !strings.Contains(got, "没有做任何修改") {
		t.Fatalf("取消 answered: %s", got)
	}
	if d := h.deal(1); d.Version != after.Version || d.Amount != coach.Major(1_200_000) {
		t.Fatalf("取消 changed #1: %+v", d)
	}

	// 你是说: the candidate's button changes that deal, no other.
	zx := h.deal(2)
	ask, text := say(5, "中兴 赢单了")
	if !strings.Contains(text, "你是说") || h.deal(2).Version != zx.Version {
		t.Fatalf("near miss not asked: %s", text)
	}
	press("ca4", h.buttonValue(ask, "中信 · 云平台"))
	if d := h.deal(2); d.Status != coach.Won {
		t.Fatalf("candidate button: #2 is %v", d.Status)
	}
	if d := h.deal(1); d.Version != after.Version {
		t.Fatalf("candidate button changed #1: %+v", d)
	}

	// 撤销 on an update's reply puts the deal back, once.
	updated, _ := say(6, "江南水务 金额150万")
	if d := h.deal(1); d.Amount != coach.Major(1_500_000) {
		t.Fatalf("update not applied: %+v", d)
	}
	undo := cardAction("ca5", "ou_wang", "oc_p2p", "om_card", h.buttonValue(updated, "撤销"), "", nil)
	if _, got := h.send(undo); !strings.Contains(got, "已撤销 #1") {
		t.Fatalf("撤销 answered: %s", got)
	}
	v := h.deal(1).Version
	if d := h.deal(1); d.Amount != coach.Major(1_200_000) {
		t.Fatalf("撤销 left #1 at %v", d.Amount)
	}
	h.send(undo) // delivered again
	if d := h.deal(1); d.Version != v {
		t.Fatalf("a re-delivered 撤销 ran again: version %d → %d", v, d.Version)
	}
}

// In a group the bot answers a mention in its thread, which is the
// conversation: the buttons of the card it sent there answer it too.
func TestReaderButtonsInAGroupThread(t *testing.T) {
	h := newHarness(t)
	h.send(message("ev1", "om_1", "p2p", "oc_p2p", "ou_wang", "新商机 江南水务 智慧水务 120万", false))
	h.replyTo("om_1")
	v := h.deal(1).Version
	h.send(message("ev2", "om_g1", "group", "oc_group", "ou_wang", "江南水务 可能下个月签", true))
	confirm, text := h.replyTo("om_g1")
	if !strings.Contains(text, "我的理解是") {
		t.Fatalf("not asked first: %s", text)
	}
	_, got := h.send(cardAction("ca1", "ou_wang", "oc_group", "om_group_card", h.buttonValue(confirm, "应用"), "", nil))
	if !strings.Contains(got, "已更新 #1") || !strings.Contains(got, `"thread":"om_g1"`) {
		t.Fatalf("应用 answered (and redrew the card, its buttons in the thread): %s", got)
	}
	if d := h.deal(1); d.ExpectedClose.String() != "2026-12-31" || d.Version != v+1 {
		t.Fatalf("应用 made #1 %+v", d)
	}
	if _, text := h.replyTo("om_group_card"); !strings.Contains(text, "预计成交") {
		t.Fatalf("the reply under the card: %s", text)
	}
}

// A card sent in a thread names it in every callback; one sent outside
// threads is left as it was; a thread that is not a short string is no
// action of ours.
func TestCallbacksNameTheirThread(t *testing.T) {
	card := Card(bot.Reply{Blocks: []bot.Block{{Kind: bot.ButtonsBlock, Buttons: []bot.Button{
		{Label: "Apply", Value: "yes"}, {Label: "Edit", Form: bot.FormEdit, DealID: 3},
		{Label: "Stage", Options: []bot.Button{{Label: "Won", Value: "/deal #3 won"}}}}}}}, "%d more")
	plain, _ := json.Marshal(card)
	if strings.Contains(string(plain), "thread") || !reflect.DeepEqual(inConversation(card, ""), card) {
		t.Fatalf("a card outside threads names one: %s", plain)
	}
	raw, _ := json.Marshal(inConversation(card, "om_root"))
	if n := strings.Count(string(raw), `"thread":"om_root"`); n != 3 {
		t.Fatalf("%d of 3 callbacks name the thread: %s", n, raw)
	}
	for _, c := range []struct {
		value map[string]any
		want  Action
	}{
		{map[string]any{"cmd": "yes", "thread": "om_root"}, Action{Command: "yes", Thread: "om_root"}},
		{map[string]any{"form": "edit", "deal": float64(3), "thread": "om_root"}, Action{Form: "edit", DealID: 3, Thread: "om_root"}},
		{map[string]any{"cmd": "yes"}, Action{Command: "yes"}},
	} {
		if got, err := ReadAction(c.value, "", nil); err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ReadAction(%v) = %+v, %v", c.value, got, err)
		}
	}
	for _, bad := range []any{float64(7), strings.Repeat("x", 200), map[string]any{}} {
		if _, err := ReadAction(map[string]any{"cmd": "yes", "thread": bad}, "", nil); err == nil {
			t.Errorf("thread %v read", bad)
		}
	}
}

// A confirmation's 应用 pressed on an old card (#16), after a newer
// reading replaced it, applies nothing (neither reading) and says the card
// was replaced; 取消 on the old card leaves the newer one waiting, and the
// newer card's 应用 applies its own reading exactly.
func TestStaleConfirmButtonInAPrivateChat(t *testing.T) {
	h := newHarness(t)
	say, press := h.privateChat()
	say(1, "新商机 江南水务 智慧水务 120万")
	before := h.deal(1)
	a, _ := say(2, "江南水务 可能下个月签")
	b, text := say(3, "江南水务 可能 金额200万")
	if !strings.Contains(text, "我的理解是") {
		t.Fatalf("not asked: %s", text)
	}
	if got := press("ca1", h.buttonValue(a, "应用")); !strings.Contains(got, "已被更新的问题取代") {
		t.Fatalf("应用 on the replaced card answered: %s", got)
	}
	if got := press("ca2", h.buttonValue(a, "取消")); !strings.Contains(got, "已被更新的问题取代") {
		t.Fatalf("取消 on the replaced card answered: %s", got)
	}
	if d := h.deal(1); d.Version != before.Version {
		t.Fatalf("a replaced card's buttons changed #1: %+v", d)
	}
	if got := press("ca3", h.buttonValue(b, "应用")); !strings.Contains(got, "已更新 #1") {
		t.Fatalf("应用 on the newer card answered: %s", got)
	}
	d := h.deal(1)
	if d.Amount != coach.Major(2_000_000) || d.ExpectedClose != before.ExpectedClose || d.Version != before.Version+1 {
		t.Fatalf("the newer card's 应用 made #1 %+v", d)
	}
	if got := press("ca4", h.buttonValue(a, "应用")); !strings.Contains(got, "已过期或已处理过") {
		t.Fatalf("应用 after the answer: %s", got)
	}
	if got := h.deal(1); got.Version != d.Version {
		t.Fatalf("a press after the answer changed #1: %+v", got)
	}
}
