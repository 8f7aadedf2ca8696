package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

// digestView is the Shanghai team's digest of week 48 of 2026, built by
// hand: five deals, each of which moved once.
func digestView(t *testing.T) DigestView {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 11, 23, 0, 0, 0, 0, shanghai)
	to := from.AddDate(0, 0, 7)
	m := coach.Major
	known := func(n int) coach.Maybe[int] { return coach.Maybe[int]{Value: n, OK: true} }
	deal := func(id int64, customer, title string) coach.Deal {
		return coach.Deal{ID: id, Customer: customer, Title: title, OwnerID: 2, Currency: "CNY", Status: coach.Open}
	}
	deals := map[int64]coach.Deal{
		1: deal(1, "Acme", "Core system"), 2: deal(2, "Globex", ""), 3: deal(3, "Initech", "ERP"),
		4: deal(4, "Umbrella", ""), 5: deal(5, "<!channel>", ""),
	}
	stale := deals[3]
	stale.Stage, stale.Amount = "approved", m(800_000)
	velocity := coach.Velocity{At: to, OpenDeals: 11, WinRate: coach.Maybe[float64]{Value: 0.375, OK: true},
		CycleDays: coach.Maybe[float64]{Value: 45.5, OK: true}, PerDay: coach.Maybe[coach.Money]{Value: m(12_345), OK: true}}
	return DigestView{
		Team: "East", Week: "2026-W48", From: from, To: to,
		Quarter: "2026-Q4", Target: m(5_000_000), WonQuarter: m(1_200_000),
		Numbers: coach.DigestNumbers{
			Funnel: coach.Funnel{At: to, Count: 11, Amount: m(8_300_000), Forecast: m(2_200_000), Stages: []coach.StageFunnel{
				{Stage: "prospect", WinRate: 0, Count: 4, Amount: m(2_000_000)},
				{Stage: "interest", WinRate: 10, Count: 3, Amount: m(1_500_000), Weighted: m(150_000)},
				{Stage: "approved", WinRate: 25, Count: 2, Amount: m(3_000_000), Weighted: m(750_000)},
				{Stage: "shortlist", WinRate: 50, Count: 1, Amount: m(800_000), Weighted: m(400_000)},
				{Stage: "contract", WinRate: 90, Count: 1, Amount: m(1_000_000), Weighted: m(900_000)},
			}},
			Movement: coach.Movement{From: from, To: to,
				Created:   []coach.Transition{{DealID: 1, To: "prospect", Amount: m(500_000)}},
				Advanced:  []coach.Transition{{DealID: 2, From: "interest", To: "approved", Amount: m(1_500_000)}},
				Regressed: []coach.Transition{{DealID: 3, From: "shortlist", To: "approved", Amount: m(800_000)}},
				Won:       []coach.Transition{{DealID: 4, From: "contract", To: "won", Amount: m(1_200_000)}},
				Lost:      []coach.Transition{{DealID: 5, From: "approved", To: "approved", Amount: m(300_000)}},
			},
			Window: coach.Window{From: to.AddDate(0, 0, -90), To: to, Won: 3, Lost: 5,
				Stages: []coach.StageConversion{
					{Stage: "prospect", Through: 20, Reached: 6, Rate: 0.3, Measured: true},
					{Stage: "interest", Through: 8, Reached: 3, Rate: 0.375, Measured: true},
					{Stage: "approved", Through: 2, Reached: 1, Rate: 0.5},
					{Stage: "shortlist", Through: 1, Reached: 1, Rate: 5.0 / 9},
					{Stage: "contract", Rate: 0.9},
				},
				WinRate: coach.Maybe[float64]{Value: 0.375, OK: true}, CycleDays: coach.Maybe[float64]{Value: 45.5, OK: true}},
			Velocity: velocity,
			VelocityChange: coach.Velocity{OpenDeals: 3, WinRate: coach.Maybe[float64]{Value: -0.021, OK: true},
				CycleDays: coach.Maybe[float64]{Value: 1, OK: true}, PerDay: coach.Maybe[coach.Money]{Value: -m(1_200), OK: true}},
			Balance: coach.Balance{Target: m(3_800_000), AvgSize: coach.Maybe[coach.Money]{Value: m(400_000), OK: true},
				SizeMeasured: true, WinsNeeded: known(10), NewProspects: known(12), Stages: []coach.StageBalance{
					{Stage: "prospect", Have: 4, Needed: known(16), Missing: known(12)},
					{Stage: "interest", Have: 3, Needed: known(8), Missing: known(5)},
					{Stage: "approved", Have: 2, Needed: known(6), Missing: known(4)},
					{Stage: "shortlist", Have: 1, Needed: known(5), Missing: known(4)},
					{Stage: "contract", Have: 1, Needed: known(12), Missing: known(11)},
				}},
			Hygiene: coach.Hygiene{NoNextStep: []int64{1, 2}, NoAmount: []int64{5}},
		},
		Reps: []RepRow{
			{Name: "Alice", Open: 6, Amount: m(5_000_000), Weighted: m(1_500_000), Won: 1, WonAmount: m(1_200_000), Lost: 0, Stale: 1, NoNext: 2},
			{Name: "Bob", Open: 5, Amount: m(3_300_000), Weighted: m(700_000), Lost: 1, Stale: 2},
		},
		Escalated: []coach.NudgeItem{{Deal: stale, OverLimit: 6, Escalation: 2}},
		Deals:     deals,
		Owners:    map[int64]string{2: "Bob"},
	}
}

func TestDigestReplyContent(t *testing.T) {
	h := newHarness(t)
	for _, tt := range []struct {
		lang  string
		wants []string // in the order the digest says them
	}{
		{"en", []string{
			"== East · weekly digest 2026-W48 ==",
			"Mon Nov 23 – Sun Nov 29",
			"== Funnel ==",
			"• Prospect 0%: 4 deals · ¥2,000,000 · weighted ¥0",
			"• Interested 10%: 3 deals · ¥1,500,000 · weighted ¥150,000",
			"• Shortlisted 50%: 1 deal · ¥800,000 · weighted ¥400,000",
			"• Contract 90%: 1 deal · ¥1,000,000 · weighted ¥900,000",
			"Total: 11 open deals · ¥8,300,000 · weighted forecast ¥2,200,000",
			"== Forecast for 2026-Q4 ==",
			"Won so far ¥1,200,000 (24% of target) + weighted pipeline ¥2,200,000 = ¥3,400,000: 68% of the ¥5,000,000 target.",
			"¥1,600,000 short",
			"== This week ==",
			"• New: 1 · ¥500,000 — #1 Acme · Core system",
			"• Advanced: 1 · ¥1,500,000 — #2 Globex (Interested → Project approved)",
			"• Moved back: 1 · ¥800,000 — #3 Initech · ERP (Shortlisted → Project approved)",
			"• Won: 1 · ¥1,200,000 — #4 Umbrella",
			"• Lost: 1 · ¥300,000 — #5 <!channel>",
			"== Conversion over the last 90 days ==",
			"• Prospect → Interested: 30% (6 of 20)",
			"• Interested → Project approved: 37.5% (3 of 8)",
			"• Project approved → Shortlisted: 50% (assumed: too few deals to measure)",
			"• Shortlisted → Contract: 55.6% (assumed",
			"• Contract → Won: 90% (assumed",
			"Win rate: 37.5% (3 won, 5 lost)",
			"Average sales cycle: 45.5 days",
			"Average deal size: —",
			"== Sales velocity ==",
			"¥12,345 per day (−¥1,200 on last week)",
			"• Open deals: 11 (+3)",
			"• Win rate: 37.5% (−2.1 pts)",
			"• Average deal size: —",
			"• Sales cycle: 45.5 days (+1 day)",
			"== Funnel balance ==",
			"New prospects missing at the top of the funnel: 12",
			"To win the remaining ¥3,800,000: 10 wins at ¥400,000 each.",
			"• Prospect: have 4 · needed 16 · missing 12",
			"• Contract: have 1 · needed 12 · missing 11",
			"== By rep ==",
			"• Alice: 6 open · ¥5,000,000 · weighted ¥1,500,000 · won 1 (¥1,200,000) · lost 0 · stale 1 · no next step 2",
			"• Bob: 5 open · ¥3,300,000 · weighted ¥700,000 · won 0 (¥0) · lost 1 · stale 2 · no next step 0",
			"== Stale and at risk (1) ==",
			"• #3 Initech · ERP — Bob — 6 working days past the stage's limit — ¥800,000",
			"== Data hygiene ==",
			"• No dated next step: 2 — #1 Acme · Core system, #2 Globex",
			"• No amount: 1 — #5 <!channel>",
		}},
		{"zh", []string{
			"== East · 销售周报 2026-W48 ==",
			"11月23日 周一 至 11月29日 周日",
			"== 销售漏斗 ==",
			"• 待开发客户 0%:4 个 · ¥200万 · 加权金额 ¥0",
			"• 合同客户 90%:1 个 · ¥100万 · 加权金额 ¥90万",
			"合计:11 个进行中的商机 · ¥830万 · 加权预测 ¥220万",
			"== 2026-Q4 业绩预测 ==",
			"已赢单 ¥120万(完成目标的 24%)+ 加权漏斗 ¥220万 = ¥340万,为目标 ¥500万 的 68%。",
			"还差 ¥160万",
			"== 本周变化 ==",
			"• 新增:1 个 · ¥50万 — #1 Acme · Core system",
			"• 推进:1 个 · ¥150万 — #2 Globex(意向客户 → 立项客户)",
			"• 回退:1 个 · ¥80万 — #3 Initech · ERP(入围客户 → 立项客户)",
			"• 赢单:1 个 · ¥120万 — #4 Umbrella",
			"• 丢单:1 个 · ¥30万 — #5 <!channel>",
			"== 近 90 天转化率 ==",
			"• 待开发客户 → 意向客户:30%(20 个中 6 个)",
			"• 立项客户 → 入围客户:50%(估计值:样本太少",
			"赢率: 37.5%(赢单 3 个,丢单 5 个)",
			"平均销售周期: 45.5 天",
			"平均客单价: —",
			"== 销售速度 ==",
			"每天 ¥1.23万(比上周 −¥1,200)",
			"• 进行中商机:11(+3)",
			"• 赢率:37.5%(−2.1 个百分点)",
			"• 销售周期:45.5 天(+1 天)",
			"== 漏斗平衡 ==",
			"漏斗顶部还缺新商机:12 个",
			"要完成剩余的 ¥380万:按每单 ¥40万 计,需要赢单 10 个。",
			"• 待开发客户:现有 4 · 需要 16 · 缺 12",
			"== 按销售 ==",
			"• Alice:进行中 6 · ¥500万 · 加权 ¥150万 · 赢单 1(¥120万)· 丢单 0 · 停滞 1 · 无下一步 2",
			"== 停滞与风险商机(1 个) ==",
			"• #3 Initech · ERP — Bob — 超出阶段时限 6 个工作日 — ¥80万",
			"== 数据质量 ==",
			"• 没有带日期的下一步:2 个 — #1 Acme · Core system、#2 Globex",
			"• 没有金额:1 个 — #5 <!channel>",
		}},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			r := h.bot.DigestReply(tt.lang, digestView(t))
			if r.Lang != tt.lang || r.Image != nil {
				t.Errorf("Lang %q, Image %v", r.Lang, r.Image)
			}
			text := r.PlainText()
			mustContain(t, text, tt.wants...)
			at := 0
			for _, w := range tt.wants {
				i := strings.Index(text[at:], w)
				if i < 0 {
					t.Errorf("%q is out of order", w)
					continue
				}
				at += i + len(w)
			}
			checkLimits(t, r)
			if strings.Contains(text, "Reopened") || strings.Contains(text, "重新打开") {
				t.Errorf("an empty movement is listed:\n%s", text)
			}
		})
	}
}

// Without a target the forecast says how to set one and there is no balance.
func TestDigestReplyNoTarget(t *testing.T) {
	h := newHarness(t)
	for _, tt := range []struct{ lang, want, absent string }{
		{"en", `No target is set for 2026-Q4, so there is nothing to compare the forecast with (won so far ¥1,200,000, weighted pipeline ¥2,200,000). A manager can set one with "/deal team target 2026-Q4 5000000".`, "Funnel balance"},
		{"zh", "2026-Q4 还没有设定目标,预测无从比较(已赢单 ¥120万,加权漏斗 ¥220万)。经理可以发送“/deal team target 2026-Q4 500万”来设定。", "漏斗平衡"},
	} {
		v := digestView(t)
		v.Target, v.Numbers.Balance = 0, coach.Balance{WinsNeeded: coach.Maybe[int]{OK: true}}
		text := h.bot.DigestReply(tt.lang, v).PlainText()
		mustContain(t, text, tt.want)
		if strings.Contains(text, tt.absent) {
			t.Errorf("%s: balance shown without a target:\n%s", tt.lang, text)
		}
	}
}

// What cannot be computed yet reads "—" or says why, never 0.
func TestDigestReplyUnknowns(t *testing.T) {
	h := newHarness(t)
	v := digestView(t)
	n := &v.Numbers
	n.Window.WinRate, n.Window.CycleDays, n.Window.Won, n.Window.Lost = coach.Maybe[float64]{}, coach.Maybe[float64]{}, 0, 0
	n.Velocity = coach.Velocity{OpenDeals: 11}
	n.VelocityChange = coach.Velocity{OpenDeals: -2}
	n.Balance.NewProspects, n.Balance.WinsNeeded, n.Balance.AvgSize = coach.Maybe[int]{}, coach.Maybe[int]{}, coach.Maybe[coach.Money]{}
	for i := range n.Balance.Stages {
		n.Balance.Stages[i].Needed, n.Balance.Stages[i].Missing = coach.Maybe[int]{}, coach.Maybe[int]{}
	}
	for _, tt := range []struct {
		lang  string
		wants []string
	}{
		{"en", []string{"Win rate: —\n", "Average sales cycle: —", "Average deal size: —",
			"Sales velocity can't be computed yet: it needs at least one deal won in the last 90 days.",
			"• Open deals: 11 (−2)", "• Win rate: —\n", "• Sales cycle: —\n",
			"New prospects missing at the top of the funnel can't be computed yet",
			"To win the remaining ¥3,800,000: — wins at — each.", "• Prospect: have 4 · needed — · missing —"}},
		{"zh", []string{"赢率: —\n", "平均销售周期: —", "暂时算不出销售速度", "• 进行中商机:11(−2)", "• 赢率:—\n",
			"漏斗顶部缺多少新商机暂时算不出来", "• 待开发客户:现有 4 · 需要 — · 缺 —"}},
	} {
		text := h.bot.DigestReply(tt.lang, v).PlainText()
		mustContain(t, text, tt.wants...)
		if strings.Contains(text, "per day") || strings.Contains(text, "每天 ") {
			t.Errorf("%s: an unknown velocity is given a value:\n%s", tt.lang, text)
		}
	}
}

// A quiet week says so; a funnel with no deals says so; no reps, risks or
// hygiene problems: no such sections.
func TestDigestReplyQuietWeek(t *testing.T) {
	h := newHarness(t)
	v := digestView(t)
	v.Numbers.Movement = coach.Movement{}
	v.Numbers.Funnel = coach.Funnel{Stages: v.Numbers.Funnel.Stages[:0]}
	v.Numbers.Hygiene = coach.Hygiene{}
	v.Reps, v.Escalated = nil, nil
	text := h.bot.DigestReply("en", v).PlainText()
	mustContain(t, text, "No deal was created, moved, won or lost this week.", "No open deals at the end of the week.")
	for _, absent := range []string{"By rep", "Stale and at risk", "Data hygiene", "Total:"} {
		if strings.Contains(text, absent) {
			t.Errorf("%q shown:\n%s", absent, text)
		}
	}
}

func TestDigestReplyTargetReached(t *testing.T) {
	h := newHarness(t)
	v := digestView(t)
	v.WonQuarter, v.Numbers.Balance = coach.Major(5_500_000), coach.Balance{WinsNeeded: coach.Maybe[int]{OK: true}}
	mustContain(t, h.bot.DigestReply("en", v).PlainText(), "154% of the ¥5,000,000 target.", "On track: ¥2,700,000 above the target.",
		"The quarter's target is already won")
}

// A big team's busy week stays within the adapters' limits, every list
// capped with a count of the rest.
func TestDigestReplyLimits(t *testing.T) {
	h := newHarness(t)
	long := strings.Repeat("名", 300)
	v := digestView(t)
	v.Deals = map[int64]coach.Deal{}
	var moves []coach.Transition
	var ids []int64
	v.Escalated, v.Owners = nil, map[int64]string{}
	for i := range 300 {
		id := int64(1000 + i)
		d := coach.Deal{ID: id, Customer: long, Title: long, OwnerID: int64(i), Amount: coach.Major(1000), Currency: "CNY",
			Stage: "approved", Status: coach.Open}
		v.Deals[id] = d
		v.Owners[int64(i)] = long
		moves = append(moves, coach.Transition{DealID: id, From: "interest", To: "approved", Amount: coach.Major(1000)})
		ids = append(ids, id)
		v.Escalated = append(v.Escalated, coach.NudgeItem{Deal: d, OverLimit: 9, Escalation: 3})
	}
	m := &v.Numbers.Movement
	m.Created, m.Advanced, m.Regressed, m.Won, m.Lost, m.Reopened = moves, moves, moves, moves, moves, moves
	v.Numbers.Hygiene = coach.Hygiene{NoNextStep: ids, NoAmount: ids}
	v.Reps = nil
	for i := range 200 {
		v.Reps = append(v.Reps, RepRow{Name: fmt.Sprintf("Rep %03d %s", i, long), Open: 999, Amount: coach.Major(123_456_789_012),
			Weighted: coach.Major(98_765_432_109), Won: 99, WonAmount: coach.Major(123_456_789), Lost: 99, Stale: 99, NoNext: 99})
	}
	for _, tt := range []struct {
		lang  string
		wants []string
		lines []string // lines naming five deals and counting the rest
		more  string
	}{
		{"en", []string{"…and 180 more reps.", "…and 290 more deals."},
			[]string{"• New: 300 · ¥300,000 — ", "• Advanced: 300 · ", "• Reopened: 300 · ", "• No dated next step: 300 — ", "• No amount: 300 — "},
			", and 295 more"},
		{"zh", []string{"……还有 180 位销售。", "……还有 290 个商机。"},
			[]string{"• 新增:300 个 · ¥30万 — ", "• 推进:300 个 · ", "• 重新打开:300 个 · ", "• 没有带日期的下一步:300 个 — ", "• 没有金额:300 个 — "},
			"、另有 295 个"},
	} {
		r := h.bot.DigestReply(tt.lang, v)
		checkLimits(t, r)
		mustContain(t, r.PlainText(), tt.wants...)
		for _, prefix := range tt.lines {
			line := lineWith(r.PlainText(), prefix)
			if strings.Count(line, "#1") != 5 || !strings.HasSuffix(line, tt.more) {
				t.Errorf("%s: want five deals and %q:\n%s", tt.lang, tt.more, line)
			}
		}
		if n := strings.Count(r.PlainText(), "• Rep 000 ") + strings.Count(r.PlainText(), "• Rep 019 "); n != 2 {
			t.Errorf("%s: first and twentieth reps shown %d times, want once each", tt.lang, n)
		}
		if strings.Contains(r.PlainText(), "Rep 020 ") {
			t.Errorf("%s: a 21st rep is shown", tt.lang)
		}
	}
}

// lineWith is the first line of text that contains s, or "".
func lineWith(text, s string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

func TestPercentAndSigns(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{pct(0.37), "37%"}, {pct(0.375), "37.5%"}, {pct(1.0 / 3), "33.3%"}, {pct(0), "0%"}, {pct(1), "100%"},
		{pct(-0.0001), "0%"}, {signedInt(3), "+3"}, {signedInt(-2), "−2"}, {signedInt(0), "±0"},
		{signedFloat(-2.14), "−2.1"}, {signedFloat(0.04), "±0"}, {signedFloat(0.05), "+0.1"}, {decimal1(45.25), "45.3"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
