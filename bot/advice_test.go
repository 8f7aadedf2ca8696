package bot

import (
	"context"
	"testing"

	"github.com/dealcoach/dealcoach/coach"
)

// TestAdviceOnRequest asks for advice in both languages through the chat
// core and checks the answer against the playbook's own data: the stage's
// goal, its required questions still open, a W factor with the question
// that would make it C, the missing roles, a tip and the exit criteria.
func TestAdviceOnRequest(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.say("zh1", "新商机 江南水务 239万")
	h.say("zh1", "稍后")
	if _, _, err := editDeal(ctx, h.db, 1, 0, func(d *coach.Deal) ([]coach.Event, error) {
		d.Stage, d.NextStep, d.NextStepDue = "approved", "POC", coach.DateOf(testNow).AddDays(5)
		return []coach.Event{{Kind: coach.EvStage, From: "prospect", To: "approved"}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	h.say("zh1", "江南水务 内线 W")
	pb := h.bot.cfg.Playbook
	st, _ := pb.Stage("approved")
	insider, _ := pb.Factor("insider")
	var required []string
	for _, q := range st.Questions {
		if q.Required && !coach.IsNextStepQuestion(q) {
			required = append(required, q.Text.ZH)
		}
	}
	for _, ask := range []string{"我该怎么推进江南水务?", "江南水务 下一步怎么做?", "江南水务怎么推进", "#1 怎么推进?"} {
		got := h.say("zh1", ask)
		mustContain(t, got, "怎么推进 #1 江南水务", "这一步的目标:"+st.Goal.ZH, required[0], required[1],
			"内线 W — 做到这一点就是 C:"+insider.Question.ZH,
			"→ 下一步:把 内线 从 W 扭转过来。", "建议:"+st.Tips[0].ZH, "出口标准:"+st.Exit.ZH, "决策链上还缺:", "说“辅导 #1”")
	}
	if d := h.deal(1); d.Version != 2 {
		t.Errorf("advice changed the deal: version %d", d.Version)
	}
	// In English, for a deal named in English.
	h.say("en1", "new deal Oceanic Air 90k")
	h.say("en1", "later")
	prospect, _ := pb.Stage("prospect")
	for _, ask := range []string{"what should I do next on Oceanic?", "how do I push Oceanic Air?", "what next on #2?", "what's next on #2"} {
		got := h.say("en1", ask)
		mustContain(t, got, "How to push #2 Oceanic Air — Prospect 0%", "Goal of this step: "+prospect.Goal.EN,
			"Still to find out", "8C1F0W factors not yet C (nothing marked yet, so all count as F):",
			"Insider F — it is C when: "+insider.Question.EN, "→ Next: ", "Tip: "+prospect.Tips[0].EN,
			`Say "coach #2" to walk through all the questions, "qualify #2" to mark the factors.`)
	}
	// A lost deal has nothing to push; an unknown deal is said so.
	h.say("en1", "Oceanic lost to a cheaper vendor")
	mustContain(t, h.say("en1", "how do I push #2?"), "#2 was lost, so there is nothing to push.")
	mustContain(t, h.say("en1", "how do I push Globex?"), "Globex")
}

// TestAdviceWhileAQuestionWaits: asking for advice on a deal while a
// coaching question waits is not the answer; the question stays.
func TestAdviceWhileAQuestionWaits(t *testing.T) {
	h := newHarness(t)
	h.say("en1", "coach me right away")
	first := h.bot.cfg.Playbook.First()
	mustContain(t, h.say("en1", "new deal Oceanic Air 90k"), first.Questions[0].Text.EN)
	mustContain(t, h.say("en1", "how do I push Oceanic?"), "How to push #1 Oceanic Air")
	if a := h.answers(1); len(a) != 0 {
		t.Errorf("the advice request was taken as an answer: %+v", a)
	}
	h.say("en1", "Their crew app")
	if a := h.answers(1)[first.Questions[0].Key]; a.Text != "Their crew app" {
		t.Errorf("the waiting question did not take the answer: %+v", a)
	}
}
