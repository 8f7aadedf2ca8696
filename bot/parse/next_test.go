package parse

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/dealcoach/dealcoach/coach"
)

// nextInputs are answers to "what is your next step, and when?": plain
// steps, dated ones, fields inside, empty and odd ones.
var nextInputs = []string{
	"demo Friday", "send proposal Dec 15", "call the CFO", "Demo on Friday at 3pm", "next Monday onsite workshop",
	"review contract 2026-12-20", "follow up in 3 days", "by end of month", "Friday", "tomorrow",
	"下周三 演示", "明天 打电话", "周五拜访刘行长", "下周一给客户发方案", "12月15日 签合同", "月底前 提交报价", "拜访客户",
	"demo Friday amount 50k", "demo Friday, amount 50k", "stage shortlist", "demo Friday stage shortlist",
	"call CFO close Dec 20", "send quote note: CFO is on leave", "demo Friday title Core upgrade",
	"演示 金额 120万", "周五演示, 预计月底签约", "下周拜访 备注 客户很满意", "移到立项",
	"", " ", "   ", "no", "No.", "later", "稍后", "不知道", "ok", "yes", "done", "Done!", "下一步完成了", "won", "lost to Oracle",
	"!!!", "...", "?", "，。", "- demo", "demo -", "demo, then call", "demo and amount 5k", "and amount 5k",
	": demo Friday", "next step demo", "next Friday", "Next Corp visit", "#12 demo", "#7", "deal 12",
	"🎉 demo Friday 🎉", "📞 明天 打电话", "👍", "demo\nFriday", "demo\n\namount 5k", "ＤＥＭＯ　Ｆｒｉｄａｙ",
	"3天后再提醒", "下周一再提醒我", "snooze 3d", "暂缓一周", "budget C", "预算 冻结了, 竞争 W", "budget soon, timeline W",
	"Jane Doe is the decision maker", "张总是决策人", "coach", "qualify budget C", "tier A", "help", "undo",
	"demo Feb 30", "demo 13/45", "amount -5万", "demo $", "¥", "50k", "120万",
	strings.Repeat("demo Friday ", 300), strings.Repeat("下周三 演示 ", 400),
}

// roundTrip is how the bot read a next step before Next: as the slash
// command it wrote and fed back to Parse. It returns that reading with the
// fields Next gives differently, and rightly, set as Next sets them:
//   - Slash: no slash command was typed;
//   - Lang: the language of the words typed, not of the command written
//     around them (whose "next step" made a text of digits or emoji "en");
//   - the text of err.snooze ("3天后再提醒"): the words typed, not "next
//     step 3天后", which the rep never wrote.
//
// ok is false when the command would be over the input limit while the
// words are not: Parse refused words that Next reads.
func roundTrip(id int64, in string, c Context) (cmd Command, ok bool) {
	s := fmt.Sprintf("/deal #%d next step %s", id, in)
	if len(s) > maxInput && len(in) <= maxInput {
		return Command{}, false
	}
	cmd = Parse(s, c)
	if cmd.Err != nil && cmd.Err.Key == "err.too_long" {
		return Command{Lang: Lang(in[:min(len(in), maxInput)]), Err: cmd.Err}, true
	}
	cmd.Slash, cmd.Lang = false, Lang(in)
	if e := cmd.Err; e != nil && e.Key == "err.snooze" {
		text, _ := e.Args["text"].(string)
		cmd.Err = coach.Errorf(e.Code, e.Key, "text", clean(strings.TrimPrefix(text, "next step")))
	}
	return cmd, true
}

// sameNext compares Next's reading with roundTrip's. The text of
// err.snooze is compared rune by rune: clean, when it collapses spaces,
// writes each stray byte as U+FFFD, and the round trip's text had the
// spaces around "next step" to collapse where Next's may have none.
func sameNext(got, want Command) bool {
	valid := func(c Command) Command {
		if e := c.Err; e != nil && e.Key == "err.snooze" {
			text, _ := e.Args["text"].(string)
			c.Err = coach.Errorf(e.Code, e.Key, "text", string([]rune(text)))
		}
		return c
	}
	return reflect.DeepEqual(valid(got), valid(want))
}

// nextContexts are read against: the plain playbook, and the one with
// factors and the people vocabulary (marks and contacts).
func nextContexts(tb testing.TB) []Context {
	return []Context{testContext(tb, "seven-step"), coachContext(tb), {Now: tue}}
}

// TestNextMatchesRoundTrip: Next reads a next step as the command the bot
// used to write did, field for field but for those roundTrip names.
func TestNextMatchesRoundTrip(t *testing.T) {
	for _, c := range nextContexts(t) {
		for _, id := range []int64{1, 12, 987654321} {
			for _, in := range nextInputs {
				want, ok := roundTrip(id, in, c)
				if !ok {
					continue
				}
				if got := Next(id, in, c); !sameNext(got, want) {
					t.Errorf("Next(%d, %q):\n got %+v\nwant %+v", id, in, got, want)
				}
			}
		}
	}
}

// TestNext pins what the callers rely on: a dated step, fields beside it,
// nothing, and the forms read as another command.
func TestNext(t *testing.T) {
	c := testContext(t, "seven-step")
	fri := coach.DateOf(tue).AddDays(3)
	for _, tc := range []struct {
		in   string
		want Command
	}{
		{"demo Friday", Command{Kind: Update, Lang: "en", Ref: Ref{ID: 12}, NextStep: "demo", NextDue: fri, HasNext: true}},
		{"周五拜访刘行长", Command{Kind: Update, Lang: "zh", Ref: Ref{ID: 12}, NextStep: "拜访刘行长", NextDue: fri, HasNext: true}},
		{"demo Friday amount 50k", Command{Kind: Update, Lang: "en", Ref: Ref{ID: 12}, NextStep: "demo", NextDue: fri, HasNext: true,
			Amount: 5000000, HasAmount: true}},
		{"", Command{Kind: Show, Ref: Ref{ID: 12}}},
		{"done", Command{Kind: Done, Lang: "en", Ref: Ref{ID: 12}}},
		{"3天后再提醒", Command{Kind: Snooze, Lang: "zh", Ref: Ref{ID: 12}, Err: coach.Errorf(coach.Invalid, "err.snooze", "text", "3天后")}},
		{strings.Repeat("x", maxInput+1), Command{Lang: "en", Err: coach.Errorf(coach.Invalid, "err.too_long")}},
	} {
		if got := Next(12, tc.in, c); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Next(12, %.40q):\n got %+v\nwant %+v", tc.in, got, tc.want)
		}
	}
}

// FuzzNextMatchesRoundTrip: on any words and deal id, Next reads as the
// written command did (roundTrip). Deal ids are positive: "#0" and "#-1"
// name no deal in a command, so there is no round trip to compare. New
// lines need no skipping: Next reads the same text Parse read after the
// keyword, separators included. The seeds are in
// testdata/fuzz/FuzzNextMatchesRoundTrip, with nextInputs.
func FuzzNextMatchesRoundTrip(f *testing.F) {
	for _, in := range nextInputs {
		f.Add(int64(12), in)
	}
	cs := nextContexts(f)
	f.Fuzz(func(t *testing.T, id int64, in string) {
		if id <= 0 {
			t.Skip("deal ids are positive")
		}
		for _, c := range cs {
			want, ok := roundTrip(id, in, c)
			if !ok {
				continue
			}
			if got := Next(id, in, c); !sameNext(got, want) {
				t.Fatalf("Next(%d, %q):\n got %+v\nwant %+v", id, in, got, want)
			}
		}
	})
}
