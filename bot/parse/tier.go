package parse

import (
	"strings"

	"github.com/dealcoach/dealcoach/coach"
)

// A customer's key-account tier: "Acme tier A", "经信银行 客户等级 A",
// "经信银行 A类客户", "/deal tier #12 B".

var (
	// tierWords come between the customer and the tier.
	tierWords = []string{" account tier ", " tier ", " 客户等级 ", "客户等级", " 客户分级 ", "客户分级", " 等级 ", " 分级 "}
	// tierTails end "经信银行 A类客户", "Acme is an A account".
	tierTails = []string{"类客户", "级客户", "类大客户", " account", " customer"}
)

// tierValue reads "A", "B" or "C" (either case).
func tierValue(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(strings.TrimRight(s, ".。!！ ")))
	switch s {
	case "A", "B", "C":
		return s, true
	}
	return "", false
}

// tier reads a tier command; ok false when the message is not one.
func (p *parser) tier(t text) (Command, bool) {
	q := t.trim()
	for _, w := range tierWords {
		i := strings.LastIndex(q.low, w)
		if i <= 0 {
			continue
		}
		v, ok := tierValue(q.low[i+len(w):])
		if !ok {
			continue
		}
		return tierOn(q.slice(0, i), v), true
	}
	for _, tail := range tierTails {
		if !strings.HasSuffix(q.low, tail) {
			continue
		}
		head := q.slice(0, len(q.low)-len(tail)).trim()
		// "经信银行 A" + "类客户", "Acme is an A" + " account"
		j := len(head.low) - 1
		if j < 1 {
			continue
		}
		v, ok := tierValue(head.low[j:])
		if !ok {
			continue
		}
		name := stripTail(head.slice(0, j), []string{"is an", "is a", "是", "为"})
		return tierOn(name, v), true
	}
	return Command{}, false
}

// slashTier reads "/deal tier Acme A" and "/deal tier #12 B".
func (p *parser) slashTier(w string, rest text) (Command, bool) {
	if w != "tier" && w != "等级" && w != "客户等级" {
		return Command{}, false
	}
	r := rest.trim()
	i := strings.LastIndexByte(r.low, ' ')
	if i <= 0 {
		return Command{Kind: Tier, Err: tierErr(r.raw())}, true
	}
	v, ok := tierValue(r.low[i+1:])
	if !ok {
		return Command{Kind: Tier, Err: tierErr(r.raw())}, true
	}
	return tierOn(r.slice(0, i), v), true
}

// tierOn is the tier command for the customer (or deal) named by t.
func tierOn(t text, tier string) Command {
	ref, _ := cleanRef(t)
	if ref.IsZero() {
		return Command{Kind: Tier, Err: tierErr(t.raw())}
	}
	return Command{Kind: Tier, Ref: ref, Tier: tier}
}

func tierErr(s string) *coach.Error {
	return coach.Errorf(coach.Invalid, "err.tier", "text", s)
}
