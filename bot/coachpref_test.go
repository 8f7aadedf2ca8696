package bot

import (
	"context"
	"strconv"
	"strings"
	"testing"
)

// TestCoachingIsOffered: by default a new deal or a stage move offers the
// coaching (a Coach me button, "coach #N") and asks nothing; the button
// starts it. "coach me right away" / 立即辅导 asks at once, "coach off" /
// 不要立即辅导 offers again. Both languages.
func TestCoachingIsOffered(t *testing.T) {
	h := newHarness(t)
	pb := h.bot.cfg.Playbook
	first, approved := pb.Stages[0], pb.Stages[2]
	for _, tt := range []struct {
		who, lang, create, move, offer, now, nowSaid, off, offSaid, create2 string
	}{
		{"zh1", "zh", "新商机 江南水务 239万 下一步 周五拜访刘总", "江南水务 推进到立项", "随时可以开始:点“辅导我”或说“辅导 #",
			"立即辅导", "以后新建商机或推进阶段时直接开始提问", "不要立即辅导", "只提示可以辅导", "新商机 经信银行 80万 下一步 周五拜访"},
		{"en1", "en", "new deal Oceanic Air 90k next step: call the COO Friday", "Oceanic moved to project approved",
			"is ready when you are: press Coach me or say \"coach #", "coach me right away", "starts its coaching questions at once",
			"coach off", "offers its coaching", "new deal Initech 20k next step: demo Friday"},
	} {
		got := h.say(tt.who, tt.create)
		mustContain(t, got, tt.offer, "/deal #")
		if strings.Contains(got, first.Questions[0].Text.In(tt.lang)) {
			t.Errorf("%s: a new deal asked at once:\n%s", tt.lang, got)
		}
		id := h.lastDeal()
		got = h.say(tt.who, tt.move)
		mustContain(t, got, tt.offer)
		if strings.Contains(got, approved.Questions[0].Text.In(tt.lang)) {
			t.Errorf("%s: a stage move asked at once:\n%s", tt.lang, got)
		}
		// The Coach me button starts the coaching of the stage.
		mustContain(t, h.say(tt.who, "/deal #"+id+" coach"), approved.Questions[0].Text.In(tt.lang))
		h.say(tt.who, map[string]string{"zh": "稍后", "en": "later"}[tt.lang])
		// Asked at once, by choice.
		mustContain(t, h.say(tt.who, tt.now), tt.nowSaid)
		mustContain(t, h.say(tt.who, tt.create2), first.Questions[0].Text.In(tt.lang))
		h.say(tt.who, map[string]string{"zh": "稍后", "en": "later"}[tt.lang])
		mustContain(t, h.say(tt.who, tt.off), tt.offSaid)
		if got := h.say(tt.who, tt.create2+"2"); strings.Contains(got, first.Questions[0].Text.In(tt.lang)) {
			t.Errorf("%s: after coach off, asked at once:\n%s", tt.lang, got)
		}
	}
}

// lastDeal is the id of the newest deal, as text.
func (h *harness) lastDeal() string {
	h.t.Helper()
	n, err := h.db.CountDeals(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return strconv.Itoa(n)
}
