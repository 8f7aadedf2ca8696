package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

// viewTeam is 华东 (manager 陈经理, reps 李娜 and 张伟, all on Slack) and
// West (manager Wendy, rep Bob), each rep with deals: 李娜's 申城地铁 stale
// for 40 days, 江南水务 without a next step, and a healthy 经信银行.
func viewTeam(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, "UADMIN")
	ctx := context.Background()
	h.sayOn("slack", "D0", "UADMIN", "Ada", "hello")
	for _, c := range []struct{ who, name, text string }{
		{"UADMIN", "Ada", "/deal team new 华东"},
		{"UADMIN", "Ada", "/deal team manager <@UCHEN|陈经理>"},
		{"UADMIN", "Ada", "/deal team add <@ULINA|李娜> <@UZHANG|张伟>"},
		{"UADMIN", "Ada", "/deal team new West"},
		{"UADMIN", "Ada", "/deal team manager <@UWENDY|Wendy>"},
		{"UADMIN", "Ada", "/deal team add <@UBOB|Bob>"},
	} {
		h.sayOn("slack", "D0", c.who, c.name, c.text)
	}
	h.sayOn("slack", "D0", "UADMIN", "Ada", "/deal team use 华东") // the admin ends up in 华东
	lina, zhang, bob := h.person("slack", "ULINA"), h.person("slack", "UZHANG"), h.person("slack", "UBOB")
	day := coach.DateOf(testNow)
	for _, d := range []coach.Deal{
		{Customer: "经信银行", OwnerID: lina.ID, TeamID: lina.TeamID, Stage: "interest", Amount: coach.Major(500_000),
			NextStep: "确认预算", NextStepDue: day.AddDays(3)},
		{Customer: "申城地铁", OwnerID: lina.ID, TeamID: lina.TeamID, Stage: "approved", Amount: coach.Major(2_000_000),
			NextStep: "POC", NextStepDue: day.AddDays(5), StageSince: testNow.Add(-40 * 24 * time.Hour)},
		{Customer: "江南水务", OwnerID: lina.ID, TeamID: lina.TeamID, Stage: "interest", Amount: coach.Major(300_000)},
		{Customer: "恒信证券", OwnerID: zhang.ID, TeamID: zhang.TeamID, Stage: "prospect", Amount: coach.Major(100_000),
			NextStep: "拜访", NextStepDue: day.AddDays(1)},
		{Customer: "Oceanic", OwnerID: bob.ID, TeamID: bob.TeamID, Stage: "interest", Amount: coach.Major(90_000),
			NextStep: "call", NextStepDue: day.AddDays(1)},
	} {
		d.Currency = "CNY"
		if _, err := h.db.CreateDeal(ctx, d, d.OwnerID); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func TestManagerViewsTheirTeam(t *testing.T) {
	h := viewTeam(t)
	// A manager: a rep's deals, stale and flagged first, in both languages.
	got := h.sayOn("slack", "D1", "UCHEN", "陈经理", "李娜的商机")
	mustContain(t, got, "李娜 的在跟商机(3 个),停滞和有风险的在前:")
	stale, missing, fine := strings.Index(got, "申城地铁"), strings.Index(got, "江南水务"), strings.Index(got, "经信银行")
	if !(stale < missing && missing < fine) || !strings.Contains(got, "⚠ 停滞") {
		t.Errorf("order: stale %d, no next step %d, healthy %d:\n%s", stale, missing, fine, got)
	}
	mustContain(t, h.sayOn("slack", "D1", "UCHEN", "陈经理", "deals of <@ULINA>"), "李娜's open deals (3), stale and flagged first:", "stale: 40 days in this stage")
	mustContain(t, h.sayOn("slack", "D1", "UCHEN", "陈经理", "pipeline <@ULINA>"), "李娜's pipeline: 3 open deals", "Needs attention (2), stale first:")
	mustContain(t, h.sayOn("slack", "D1", "UCHEN", "陈经理", "张伟的漏斗"), "张伟 的漏斗:1 个在跟商机")
	// The team's pipeline: its reps, and what needs attention, with owners.
	got = h.sayOn("slack", "D1", "UCHEN", "陈经理", "团队漏斗")
	mustContain(t, got, "团队漏斗:4个进行中的商机", "按销售:", "李娜:3 个在跟", "1 个停滞", "张伟:1 个在跟", "需要关注(2 个)", "李娜 · #2 申城地铁")
	if strings.Contains(got, "Oceanic") {
		t.Errorf("another team's deal in the team view:\n%s", got)
	}
	mustContain(t, h.sayOn("slack", "D1", "UCHEN", "陈经理", "team pipeline"), "Your team's pipeline: 4 open deals", "By rep:")
	// Not his team: refused, nothing shown.
	got = h.sayOn("slack", "D1", "UCHEN", "陈经理", "Bob's deals")
	mustContain(t, got, "Bob's list is for Bob, their manager and admins")
	if strings.Contains(got, "Oceanic") {
		t.Error(got)
	}
	// A name no one has: the deals by that name, as before.
	mustContain(t, h.sayOn("slack", "D1", "UCHEN", "陈经理", "经信银行的商机"), "经信银行")
}

func TestRepsSeeOnlyTheirOwnLists(t *testing.T) {
	h := viewTeam(t)
	mustContain(t, h.sayOn("slack", "D2", "UZHANG", "张伟", "李娜的商机"), "李娜 的商机列表只有本人、经理和管理员能看")
	mustContain(t, h.sayOn("slack", "D2", "UZHANG", "张伟", "pipeline <@ULINA>"), "李娜's list is for 李娜, their manager and admins")
	mustContain(t, h.sayOn("slack", "D3", "UBOB", "Bob", "team pipeline"), "The team's pipeline is for its managers and admins")
	mustContain(t, h.sayOn("slack", "D3", "UBOB", "Bob", "团队漏斗"), "团队漏斗只有团队经理和管理员能看")
	// Their own, by name, is their list; and any deal still opens by number.
	mustContain(t, h.sayOn("slack", "D3", "UBOB", "Bob", "Bob's deals"), "Your open deals (1)")
	mustContain(t, h.sayOn("slack", "D3", "UBOB", "Bob", "show #2"), "申城地铁")
	mustContain(t, h.sayOn("slack", "D3", "UBOB", "Bob", "list"), "Oceanic")
}

func TestAdminViewsEveryone(t *testing.T) {
	h := viewTeam(t)
	mustContain(t, h.sayOn("slack", "D0", "UADMIN", "Ada", "Bob's deals"), "Bob's open deals (1)", "Oceanic")
	mustContain(t, h.sayOn("slack", "D0", "UADMIN", "Ada", "pipeline <@UBOB>"), "Bob's pipeline: 1 open deal")
	mustContain(t, h.sayOn("slack", "D0", "UADMIN", "Ada", "pipeline <@UNOBODY>"), "I don't know anyone called UNOBODY here")
}
