package coach

import (
	"strings"
	"testing"
)

func TestCheckDealText(t *testing.T) {
	ok := Deal{Customer: strings.Repeat("经", MaxNameChars), Title: "核心系统", NextStep: strings.Repeat("a", MaxTextChars)}
	if err := CheckDealText(ok); err != nil {
		t.Fatalf("texts at their caps refused: %v", err)
	}
	for _, d := range []Deal{
		{Customer: strings.Repeat("经", MaxNameChars+1)},
		{Customer: "Acme", Title: strings.Repeat("x", MaxNameChars+1)},
		{Customer: "Acme", NextStep: strings.Repeat("拜访", MaxTextChars/2+1)},
		{Customer: "Acme", LostReason: strings.Repeat("y", MaxTextChars+1)},
	} {
		err := CheckDealText(d)
		if err == nil || err.Code != Invalid || err.Key != "err.text_too_long" || len([]rune(err.Args["start"].(string))) != 20 {
			t.Errorf("over a cap: %v", err)
		}
	}
}
