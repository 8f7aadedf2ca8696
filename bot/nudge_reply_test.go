package bot

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dealcoach/dealcoach/coach"
)

// nudgeDay is testNow's day: Tuesday 24 November 2026.
var nudgeDay = coach.Date{Year: 2026, Month: 11, Day: 24}

// nudgeView is Alice's reminder: three deals of her own, three more left
// out by the cap, and one of her team's deals escalated to her.
func nudgeView() NudgeView {
	acme := coach.Deal{ID: 12, Customer: "Acme", Title: "Core system", OwnerID: 1, Amount: coach.Major(1_500_000), Currency: "CNY",
		Stage: "approved", Status: coach.Open, NextStep: "demo to the CFO", NextStepDue: nudgeDay.AddDays(-3)}
	channel := coach.Deal{ID: 15, Customer: "<!channel>", OwnerID: 1, Amount: coach.Major(80_000), Currency: "CNY",
		Stage: "shortlist", Status: coach.Open}
	fresh := coach.Deal{ID: 16, Customer: "Initech", OwnerID: 1, Currency: "CNY", Stage: "prospect", Status: coach.Open,
		NextStep: "call Bill", NextStepDue: nudgeDay}
	globex := coach.Deal{ID: 31, Customer: "Globex", Title: "ERP", OwnerID: 7, Owner: "bob-id", Amount: coach.Major(800_000),
		Currency: "CNY", Stage: "shortlist", Status: coach.Open}
	return NudgeView{
		Person: coach.Person{ID: 1, Name: "Alice", Role: coach.Manager},
		Today:  nudgeDay,
		Nudge: coach.Nudge{Items: []coach.NudgeItem{
			{Deal: acme, Reasons: []coach.Flag{{Kind: coach.FlagNextOverdue, N: 3}, {Kind: coach.FlagQuiet, N: 28}},
				Stale: 28, Priority: coach.Major(375_000), OverLimit: 5, Escalation: 2},
			{Deal: channel, Reasons: []coach.Flag{{Kind: coach.FlagNextMissing}, {Kind: coach.FlagClosePassed, N: 1}},
				Unanswered: 2, Priority: coach.Major(40_000)},
			{Deal: fresh, Reasons: []coach.Flag{{Kind: coach.FlagNextDue}}},
		}, More: 3, Week: coach.WeekLine{Stale: 2, Unanswered: 1}},
		Team:   []coach.NudgeItem{{Deal: globex, Reasons: []coach.Flag{{Kind: coach.FlagStale, N: 25}}, OverLimit: 7, Escalation: 3}},
		Owners: map[int64]string{7: "Bob"},
	}
}

func TestNudgeReplyContent(t *testing.T) {
	h := newHarness(t)
	for _, tt := range []struct {
		lang  string
		wants []string
	}{
		{"en", []string{
			"== Good morning, Alice · Tue Nov 24 ==",
			"6 deals need a push today, most valuable first:",
			"#12 Acme · Core system — Project approved 25% — ¥1,500,000\n" +
				"next step 3 days overdue: demo to the CFO · nothing logged for 28 days (the stage expects news every 21) · " +
				"escalation 2: idle 5 working days past the stage's limit, so your manager sees it too\n" +
				"→ Did it happen? Say \"#12 done\", or give it a new date: \"#12 next step: … Friday\"",
			"#15 <!channel> — Shortlisted 50% — ¥80,000\nno dated next step · expected close passed 1 day ago\n" +
				"→ Set a dated next step: \"#15 next step: call the CFO Friday\"",
			"#16 Initech — Prospect 0% — no amount yet\nnext step due today: call Bill\n→ Do it today, then say \"#16 done\"",
			"…and 3 more. Say \"list\" to see all your deals.",
			"This week: 2 deals have been in their stage past the limit; 1 deal has coaching questions open.",
			"Your team's deals that need you (1):",
			"#31 Globex · ERP — Bob — Shortlisted 50% — ¥800,000 — idle 7 working days past the stage's limit",
			`Say "reminders off" or "remind me at 8" to change this.`,
		}},
		{"zh", []string{
			"== Alice,早上好 · 11月24日 周二 ==",
			"今天有 6 个商机需要推进,按价值从高到低:",
			"#12 Acme · Core system — 立项客户 25% — ¥150万\n" +
				"下一步已逾期 3 天:demo to the CFO · 已 28 天没有任何记录(本阶段每 21 天应有进展) · 2 级预警:超出阶段时限 5 个工作日没有推进,经理也会看到\n" +
				"→ 做了吗?说“#12 完成”,或给它新日期:“#12 下一步:…… 周五”",
			"#15 <!channel> — 入围客户 50% — ¥8万\n没有带日期的下一步 · 预计成交日期已过 1 天\n→ 定一个带日期的下一步:“#15 下一步:周五约 CFO”",
			"#16 Initech — 待开发客户 0% — 未填金额\n下一步今天到期:call Bill\n→ 今天完成它,然后说“#16 完成”",
			"……还有 3 个。回复“列表”查看你的全部商机。",
			"本周:2 个商机在当前阶段已超时限;1 个商机还有推进问题待回答。",
			"需要你关注的团队商机(1 个):",
			"#31 Globex · ERP — Bob — 入围客户 50% — ¥80万 — 超出阶段时限后 7 个工作日没有推进",
			"回复“关闭提醒”或“每天8点提醒我”可以调整。",
		}},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			r := h.bot.NudgeReply(tt.lang, nudgeView())
			if r.Lang != tt.lang || r.Image != nil {
				t.Errorf("Lang %q, Image %v", r.Lang, r.Image)
			}
			mustContain(t, r.PlainText(), tt.wants...)
			if last := r.Blocks[len(r.Blocks)-1]; last.Kind != ContextBlock || last.Text != tt.wants[len(tt.wants)-1] {
				t.Errorf("last block = %+v, want the footer", last)
			}
			// The deal name reaches the blocks as it is: adapters escape.
			if !slices.ContainsFunc(r.Blocks, func(b Block) bool { return strings.HasPrefix(b.Text, "#15 <!channel> — ") }) {
				t.Errorf("no block starts with the raw deal name:\n%s", r.PlainText())
			}
		})
	}
}

// buttonValues lists what each button of a block sends, a menu's options as
// "label=value".
func buttonValues(b Block) []string {
	var out []string
	for _, bt := range b.Buttons {
		if len(bt.Options) > 0 {
			for _, o := range bt.Options {
				out = append(out, o.Label+"="+o.Value)
			}
			continue
		}
		out = append(out, bt.Value)
	}
	return out
}

func TestNudgeReplyButtons(t *testing.T) {
	h := newHarness(t)
	r := h.bot.NudgeReply("en", nudgeView())
	var rows [][]string
	var forms []Button
	for _, b := range r.Blocks {
		if b.Kind == ButtonsBlock {
			rows = append(rows, buttonValues(b))
			for _, bt := range b.Buttons {
				if bt.Form != "" {
					forms = append(forms, bt)
				}
			}
		}
	}
	want := [][]string{
		{"/deal #12 done", "/deal #12 next step", "1 day=/deal #12 snooze 1d", "3 days=/deal #12 snooze 3d", "7 days=/deal #12 snooze 7d", "/deal show #12"},
		// No next step: nothing to mark done.
		{"/deal #15 next step", "1 day=/deal #15 snooze 1d", "3 days=/deal #15 snooze 3d", "7 days=/deal #15 snooze 7d", "/deal show #15"},
		{"/deal #16 done", "/deal #16 next step", "1 day=/deal #16 snooze 1d", "3 days=/deal #16 snooze 3d", "7 days=/deal #16 snooze 7d", "/deal show #16"},
		{"/deal show #31"},
	}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("buttons:\n got %q\nwant %q", rows, want)
	}
	for i, bt := range forms {
		if id := []int64{12, 15, 16}[i]; bt.Form != FormNext || bt.DealID != id || bt.Label != "Set next step" {
			t.Errorf("form button %d = %+v, want the next-step form of #%d", i, bt, id)
		}
	}
	if len(forms) != 3 {
		t.Errorf("%d form buttons, want 3", len(forms))
	}
	mustContain(t, r.PlainText(), "Done: /deal #12 done", "Snooze…: ", "Open: /deal show #12", "Open #31: /deal show #31")
}

// The buttons' commands do what they say on a real deal (Done's command
// is not the bot's yet).
func TestNudgeReplyButtonsRun(t *testing.T) {
	h := newHarness(t)
	h.say("Alice", "new deal Acme Corp 120k")
	h.say("Alice", "done") // no coaching now
	d := h.deal(1)
	r := h.bot.NudgeReply("en", NudgeView{Person: coach.Person{Name: "Alice"}, Today: nudgeDay,
		Nudge: coach.Nudge{Items: []coach.NudgeItem{{Deal: d, Reasons: []coach.Flag{{Kind: coach.FlagNextMissing}}}}}})
	var cmds []string
	for _, b := range r.Blocks {
		for _, v := range buttonValues(b) {
			if _, cmd, ok := strings.Cut(v, "="); ok {
				v = cmd
			}
			cmds = append(cmds, v)
		}
	}
	if len(cmds) != 5 {
		t.Fatalf("commands %q, want next step, three snoozes and open", cmds)
	}
	for _, cmd := range cmds {
		if got := h.say("Alice", cmd); strings.Contains(got, "I didn't catch that") || !strings.Contains(got, "#1") {
			t.Errorf("%s: %s", cmd, got)
		}
	}
	if got := h.deal(1); got.SnoozedUntil.IsZero() {
		t.Errorf("snooze buttons did not snooze: %+v", got)
	}
}

func TestNudgeReplyEmpty(t *testing.T) {
	h := newHarness(t)
	for _, lang := range []string{"en", "zh"} {
		if r := h.bot.NudgeReply(lang, NudgeView{Person: coach.Person{Name: "Alice"}, Today: nudgeDay}); len(r.Blocks) != 0 {
			t.Errorf("%s: empty view renders %d blocks:\n%s", lang, len(r.Blocks), r.PlainText())
		}
	}
}

// A manager with nothing of their own still hears about the team.
func TestNudgeReplyTeamOnly(t *testing.T) {
	h := newHarness(t)
	v := nudgeView()
	v.Nudge = coach.Nudge{}
	got := h.bot.NudgeReply("en", v).PlainText()
	mustContain(t, got, "None of your own deals needs a push today.", "#31 Globex · ERP — Bob")
	if strings.Contains(got, "#12") || strings.Contains(got, "more") {
		t.Errorf("own deals shown:\n%s", got)
	}
}

// However many deals need a push, the reminder stays within the
// adapters' limits, counting what it leaves out.
func TestNudgeReplyLimits(t *testing.T) {
	h := newHarness(t)
	long := strings.Repeat("长", 500)
	var own, team []coach.NudgeItem
	for i := range 40 {
		d := coach.Deal{ID: int64(100 + i), Customer: long, Title: long, OwnerID: int64(i % 7), Amount: coach.Major(1000),
			Currency: "CNY", Stage: "interest", Status: coach.Open, NextStep: long, NextStepDue: nudgeDay}
		it := coach.NudgeItem{Deal: d, Reasons: []coach.Flag{{Kind: coach.FlagStale, N: 40}, {Kind: coach.FlagNextDue},
			{Kind: coach.FlagUnanswered, N: 4}}, OverLimit: 9, Escalation: 3}
		own, team = append(own, it), append(team, it)
	}
	v := NudgeView{Person: coach.Person{Name: "Alice"}, Today: nudgeDay, Nudge: coach.Nudge{Items: own, More: 5},
		Team: team, Owners: map[int64]string{1: long}}
	for _, lang := range []string{"en", "zh"} {
		r := h.bot.NudgeReply(lang, v)
		checkLimits(t, r)
		more := map[string]string{"en": "…and 30 more.", "zh": "……还有 30 个。"}[lang]
		teamMore := map[string]string{"en": "…and 30 more of your team's deals", "zh": "……团队还有 30 个商机"}[lang]
		mustContain(t, r.PlainText(), more, teamMore)
	}
}

// checkLimits fails when a reply has 45 blocks or more, or a block whose
// text reaches 2,900 characters.
func checkLimits(t *testing.T, r Reply) {
	t.Helper()
	if len(r.Blocks) >= 45 {
		t.Errorf("%d blocks, want fewer than 45", len(r.Blocks))
	}
	for i, b := range r.Blocks {
		n := utf8.RuneCountInString(b.Text)
		for _, it := range b.Items {
			n += utf8.RuneCountInString(it) + 3
		}
		for _, f := range b.Fields {
			n += utf8.RuneCountInString(f.Label) + utf8.RuneCountInString(f.Value) + 3
		}
		if n >= 2900 {
			t.Errorf("block %d (kind %d) holds %d characters, want fewer than 2,900", i, b.Kind, n)
		}
		if b.Kind == ButtonsBlock && len(b.Buttons) > 25 {
			t.Errorf("block %d holds %d buttons", i, len(b.Buttons))
		}
	}
}
