package bot

import (
	"strings"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/prompts"
)

// The account after the win: coaching a won deal walks the repeat step
// (the final stage's questions), and an answer naming a new opportunity in
// the account offers to open it as a new deal of the same customer.

// noOpportunity are answers that name no new opportunity.
var noOpportunity = []string{"no", "none", "nothing", "not yet", "nope", "n/a", "no idea", "don't know", "dont know",
	"没有", "暂无", "无", "还没有", "暂时没有", "不知道", "没", "目前没有"}

// offerNewDeal is, after an answer to the repeat step's question about new
// opportunities, a button and a hint creating a deal for the same customer.
func (b *Bot) offerNewDeal(t *turn, d coach.Deal, q prompts.Question, answer string) []Block {
	if d.Status != coach.Won || !strings.HasSuffix(q.Key, ".new_opportunities") || isNoOpportunity(answer) {
		return nil
	}
	cmd := "/deal new " + d.Customer
	return []Block{
		{Kind: ContextBlock, Text: b.text(t.lang, "account.new_deal", "customer", d.Customer)},
		{Kind: ButtonsBlock, Buttons: []Button{{Label: b.text(t.lang, "account.btn.new_deal", "customer", clip(d.Customer, 30)),
			Value: cmd, Style: "primary"}}},
	}
}

// isNoOpportunity reports an answer that says there is none.
func isNoOpportunity(s string) bool {
	s = strings.ToLower(strings.TrimRight(strings.TrimSpace(s), ".。!！"))
	if kind := parse.ClassifyAnswer(s); kind == parse.AnswerSkip || kind == parse.AnswerDone {
		return true
	}
	for _, w := range noOpportunity {
		if s == w {
			return true
		}
	}
	return false
}
