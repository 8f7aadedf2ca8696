package bot

import (
	"context"
	"slices"
	"strings"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
)

// The account after the win: coaching a won deal walks the repeat step
// (the final stage's questions), and an answer naming a new opportunity in
// the account offers to open it as a new deal of the same customer.

// noOpportunity are answers that name no new opportunity.
var noOpportunity = []string{"no", "none", "nothing", "not yet", "nope", "n/a", "no idea", "don't know", "dont know",
	"没有", "暂无", "无", "还没有", "暂时没有", "不知道", "没", "目前没有"}

// offerNewDeal is, after an answer to the repeat step's question about new
// opportunities, a button and a hint creating a deal for the same customer.
func (b *Bot) offerNewDeal(t *turn, d coach.Deal, q coach.Question, answer string) []Block {
	if d.Status != coach.Won || !strings.HasSuffix(q.Key, ".new_opportunities") || isNoOpportunity(answer) {
		return nil
	}
	cmd := "/deal new " + d.Customer
	return []Block{
		{Kind: ContextBlock, Text: b.text(t.lang, "account.new_deal", "customer", d.Customer)},
		{Kind: ButtonsBlock, Buttons: []Button{{Label: b.text(t.lang, "account.btn.new_deal", "customer", Clip(d.Customer, 30)),
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

// setTier sets the key-account tier of the customer a command names (by
// one of its deals, or its name): for anyone who may change one of its
// deals. Several customers by that name are asked about.
func (b *Bot) setTier(ctx context.Context, t *turn, cmd parse.Command) (Reply, error) {
	var cands []coach.Deal
	if cmd.Ref.ID != 0 {
		d, err := b.cfg.Store.Deal(ctx, cmd.Ref.ID)
		if err != nil {
			return Reply{}, err
		}
		cands = []coach.Deal{d}
	} else {
		var err error
		if cands, err = b.resolve(ctx, t, cmd.Ref); err != nil {
			return Reply{}, err
		}
	}
	customer := cands[0].Customer
	for _, d := range cands[1:] {
		if coach.NormalizeName(d.Customer) != coach.NormalizeName(customer) {
			return b.askWhich(ctx, t, cmd, cands)
		}
	}
	if !slices.ContainsFunc(cands, t.person.CanEdit) {
		d := cands[0]
		return Reply{}, coach.Errorf(coach.Forbidden, "err.forbidden", "ref", ref(d), "owner", d.Owner)
	}
	if err := t.st.SetTier(ctx, customer, cmd.Tier); err != nil {
		return Reply{}, err
	}
	return textReply(t.lang, b.text(t.lang, "account.tier_set", "customer", customer, "tier", cmd.Tier)), nil
}
