package bot

import (
	"context"
	"strings"
	"testing"
)

// TestCoachingAfterTheWin: coach on a won deal walks the repeat step (the
// playbook's won questions); an answer naming a new opportunity offers a
// new deal of the same customer, and its button creates it; "none" offers
// nothing. Both languages.
func TestCoachingAfterTheWin(t *testing.T) {
	h := newHarness(t)
	pb := h.bot.cfg.Playbook
	won := pb.Final()
	// walk wins the deal, coaches it and answers the new-opportunity
	// question with answer, skipping the questions before it.
	walk := func(who, create, later, win, coachCmd, skip, answer, lang string) string {
		t.Helper()
		h.say(who, create)
		h.say(who, later)
		h.say(who, win)
		mustContain(t, h.say(who, coachCmd), won.Goal.In(lang), won.Questions[0].Text.In(lang))
		for i, q := range won.Questions {
			if q.Key == "won.new_opportunities" {
				got := h.say(who, answer)
				mustContain(t, got, won.Questions[i+1].Text.In(lang))
				return got
			}
			h.say(who, skip)
		}
		t.Fatal("the playbook's won stage has no new-opportunity question")
		return ""
	}
	got := walk("zh1", "新商机 经信银行 核心系统 120万", "稍后", "经信银行 赢单了", "辅导 经信银行", "跳过", "明年还要上数据中台", "zh")
	mustContain(t, got, "经信银行 有新机会?", "说“新商机 经信银行 <项目> <金额>”", "[在 经信银行 新建商机: /deal new 经信银行]")
	got = walk("en1", "new deal Acme Corp 50k", "later", "Acme won", "coach Acme", "skip", "A second site for their Berlin plant", "en")
	mustContain(t, got, "A new opportunity in Acme Corp?", "[New deal in Acme Corp: /deal new Acme Corp]")
	// The button: a new open deal of the same customer, at the top of the funnel.
	h.say("en1", "/deal new Acme Corp")
	if d := h.deal(3); d.Customer != "Acme Corp" || d.Status != "open" || d.Stage != pb.First().Key {
		t.Errorf("new deal from the offer: %+v", d)
	}
	// No new opportunity: no offer.
	if got := walk("en2", "new deal Globex 20k", "later", "Globex won", "coach Globex", "skip", "none", "en"); strings.Contains(got, "new opportunity") {
		t.Errorf("offered a new deal after none:\n%s", got)
	}
	// A lost deal is still closed to coaching.
	h.say("en2", "new deal Initech 10k")
	h.say("en2", "later")
	h.say("en2", "Initech lost to price")
	mustContain(t, h.say("en2", "coach Initech"), "is closed; there is nothing to coach")
}

// TestAccountTier: a customer's tier is set in chat in both languages,
// for all its deals, shown in show, refused to others and to a bad tier.
func TestAccountTier(t *testing.T) {
	h := newHarness(t)
	h.say("zh1", "新商机 经信银行 核心系统 120万 下一步 周五拜访")
	h.say("zh1", "新商机 经信银行 信用卡 80万 下一步 周五拜访")
	mustContain(t, h.say("zh1", "经信银行 客户等级 A"), "经信银行 现在是 A 级客户:重点客户")
	mustContain(t, h.say("zh1", "查看 #2"), "客户等级: A(重点客户)")
	mustContain(t, h.say("zh1", "经信银行 是B类客户"), "经信银行 现在是 B 级客户。")
	mustContain(t, h.say("zh1", "查看 #1"), "客户等级: B")
	h.say("en1", "new deal Acme Corp 50k next step: demo Friday")
	mustContain(t, h.say("en1", "Acme tier A"), "Acme Corp is now a tier A account: a key account")
	mustContain(t, h.say("en1", "show #3"), "Account tier: A (key account)")
	mustContain(t, h.say("en1", "/deal tier #3 Z"), "Tiers are A, B or C")
	// Not one of theirs: refused, unchanged.
	mustContain(t, h.say("en2", "Acme tier C"), "only they, their manager or an admin can change it")
	if tier, _ := h.db.Tier(context.Background(), "acme corp"); tier != "A" {
		t.Errorf("tier %q after a refusal", tier)
	}
}
