package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dealcoach/dealcoach/coach"
)

func (h *harness) answers(id int64) map[string]coach.Answer {
	h.t.Helper()
	a, err := h.db.Answers(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return a
}

// Walk one deal through every stage of both playbooks, in both languages:
// each stage's questions are asked one at a time as the deal enters it; the
// rep answers the first, skips the second, defers ("later"), comes back
// with "coach", and says "done". Answers, skips and flags are checked in the
// store and in "show".
func TestCoachingWalksEveryStage(t *testing.T) {
	for _, tc := range []struct{ playbook, lang, name string }{
		{"seven-step", "en", "Alice"}, {"seven-step", "zh", "张伟"},
		{"project-8", "en", "Alice"}, {"project-8", "zh", "张伟"},
	} {
		t.Run(tc.playbook+"/"+tc.lang, func(t *testing.T) {
			h := newPlaybookHarness(t, tc.playbook)
			pb := h.bot.cfg.Playbook
			words := coachWords[tc.lang]
			h.say(tc.name, map[string]string{"zh": "立即辅导", "en": "coach me right away"}[tc.lang])
			out := h.say(tc.name, words.create)
			first := pb.Stages[0]
			mustContain(t, out, first.Questions[0].Text.In(tc.lang))
			for i, st := range pb.Stages[:len(pb.Stages)-1] {
				if i > 0 {
					out = h.say(tc.name, fmt.Sprintf(words.move, st.Name.In(tc.lang)))
					mustContain(t, out, st.Questions[0].Text.In(tc.lang))
				}
				qs := st.Questions
				// answer, skip, defer
				mustContain(t, h.say(tc.name, words.answer+" "+st.Key), qs[1].Text.In(tc.lang))
				mustContain(t, h.say(tc.name, words.skip), qs[2].Text.In(tc.lang))
				h.say(tc.name, words.later)
				a := h.answers(1)
				if a[qs[0].Key].Status != coach.Answered || a[qs[0].Key].Text != words.answer+" "+st.Key || a[qs[0].Key].Stage != st.Key {
					t.Fatalf("%s: answer of %s = %+v", st.Key, qs[0].Key, a[qs[0].Key])
				}
				if a[qs[1].Key].Status != coach.Skipped {
					t.Fatalf("%s: %s not skipped: %+v", st.Key, qs[1].Key, a[qs[1].Key])
				}
				if _, ok := a[qs[2].Key]; ok {
					t.Fatalf("%s: a deferred question was stored", st.Key)
				}
				// "coach" picks up again, asking the skipped question first.
				mustContain(t, h.say(tc.name, words.coach), qs[1].Text.In(tc.lang))
				mustContain(t, h.say(tc.name, words.answer+" again"), qs[2].Text.In(tc.lang))
				h.say(tc.name, words.done)
				show := h.say(tc.name, words.show)
				mustContain(t, show, words.answer+" "+st.Key, words.answer+" again")
			}
			// Leaving stages with required questions unanswered flags the deal;
			// nothing is qualified yet: every factor is fuzzy.
			mustContain(t, h.say(tc.name, words.show), words.noExit, "8C1F0W", "0C 9F 0W")
			mustContain(t, h.say(tc.name, words.won), words.wonText)
		})
	}
}

type coachLang struct {
	create, move, answer, skip, later, coach, done, show, won, noExit, wonText string
}

var coachWords = map[string]coachLang{
	"en": {create: "new deal Acme Corp 120k", move: "Acme moved to %s", answer: "Because of", skip: "skip",
		later: "later", coach: "coach Acme", done: "done", show: "show #1", won: "Acme won",
		noExit: "advanced without exit criteria", wonText: "Won"},
	"zh": {create: "新商机 经信银行 120万", move: "经信银行 推进到%s", answer: "因为", skip: "跳过",
		later: "稍后", coach: "辅导 经信银行", done: "完成", show: "查看 #1", won: "经信银行 赢单了",
		noExit: "未达出口标准就推进了", wonText: "赢单"},
}

func TestQuestionSurvivesRestartAndCommandsPassThrough(t *testing.T) {
	h := newPlaybookHarness(t, "seven-step")
	pb := h.bot.cfg.Playbook
	qs := pb.Stages[0].Questions
	h.say("Alice", "coach me right away")
	mustContain(t, h.say("Alice", "new deal Acme Corp 120k"), qs[0].Text.In("en"))
	h.say("Alice", "new deal Globex 80k") // a command, handled as one: Globex's questions now
	h.say("Alice", "done")
	mustContain(t, h.say("Alice", "coach Acme"), qs[0].Text.In("en"))
	// Small talk is not an answer; a command is handled and the question stays.
	mustContain(t, h.say("Alice", "thanks!"), "Take your time")
	mustContain(t, h.say("Alice", "Globex amount 90k"), "Updated #2")
	h.db.Close()
	h.open() // the process restarts
	mustContain(t, h.say("Alice", "They need a new CRM"), qs[1].Text.In("en"))
	if a := h.answers(1)[qs[0].Key]; a.Text != "They need a new CRM" {
		t.Fatalf("answer after restart = %+v", a)
	}
	if len(h.answers(2)) != 0 {
		t.Fatalf("the answer went to the wrong deal: %+v", h.answers(2))
	}
}

func TestCoachingInTwoThreadsDoesNotMix(t *testing.T) {
	h := newPlaybookHarness(t, "seven-step")
	qs := h.bot.cfg.Playbook.Stages[0].Questions
	say := func(thread, text string) string {
		r, err := h.bot.Handle(context.Background(), Message{Platform: "slack", Team: "T", Channel: "C", Thread: thread,
			UserID: "U1", UserName: "Alice", Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return r.PlainText()
	}
	say("t0", "coach me right away")
	say("t1", "new deal Acme Corp 120k")
	say("t2", "new deal Globex 80k")
	say("t1", "Acme answer")
	say("t2", "Globex answer")
	if a := h.answers(1)[qs[0].Key]; a.Text != "Acme answer" {
		t.Errorf("Acme's answer = %+v", a)
	}
	if a := h.answers(2)[qs[0].Key]; a.Text != "Globex answer" {
		t.Errorf("Globex's answer = %+v", a)
	}
	// In a thread, even a sentence that looks like an update is an answer.
	say("t1", "Globex moved to shortlist")
	if a := h.answers(1)[qs[1].Key]; a.Text != "Globex moved to shortlist" {
		t.Errorf("thread answer = %+v", a)
	}
	if d := h.deal(2); d.Stage != "prospect" {
		t.Errorf("an answer in a thread moved a deal: %+v", d)
	}
}

func TestNextStepIsAskedAndAnswered(t *testing.T) {
	h := newPlaybookHarness(t, "seven-step")
	h.say("Alice", "new deal Acme Corp 120k")
	h.say("Alice", "done")
	mustContain(t, h.say("Alice", "Acme amount 150k"), "What is your next step on #1")
	mustContain(t, h.say("Alice", "send the proposal"), "When will you")
	mustContain(t, h.say("Alice", "Friday"), "Fri Nov 27")
	if d := h.deal(1); d.NextStep != "send the proposal" || d.NextStepDue != (coach.Date{Year: 2026, Month: 11, Day: 27}) {
		t.Fatalf("next step = %q %v", d.NextStep, d.NextStepDue)
	}
}

func TestQualificationAndDecisionChain(t *testing.T) {
	h := newPlaybookHarness(t, "seven-step")
	pb := h.bot.cfg.Playbook
	if len(pb.Factors) != 9 {
		t.Fatalf("seven-step has %d factors", len(pb.Factors))
	}
	h.say("Alice", "new deal Acme Corp 120k")
	h.say("Alice", "done")
	out := h.say("Alice", "qualify #1")
	mustContain(t, out, pb.Factors[0].Question.In("en"))
	for range 7 {
		h.say("Alice", "C")
	}
	h.say("Alice", "F")
	mustContain(t, h.say("Alice", "W"), "8C1F0W: 7C 1F 1W")
	f := pb.Factors[8]
	mustContain(t, h.say("Alice", "#1 "+f.Name.EN+" C"), "8C 1F 0W — winnable")
	mustContain(t, h.say("Alice", "show #1"), "8C 1F 0W — winnable")

	mustContain(t, h.say("Alice", "Acme: Jane Doe is the decision maker, ally"), "Jane Doe · Decision maker · Ally")
	mustContain(t, h.say("Alice", "Acme: Jane Doe is a tiger"), "Jane Doe · Decision maker · Ally · Tiger")
	mustContain(t, h.say("Alice", "show #1"), "Jane Doe · Decision maker · Ally · Tiger")
	if strings.Contains(h.say("Alice", "show #1"), "no decision maker") {
		t.Error("a known decision maker is still flagged")
	}
}
