package lark

import (
	"flag"
	"testing"

	"github.com/dealcoach/dealcoach/bot/adapter/work"
	"github.com/dealcoach/dealcoach/bot/bottest"
	"github.com/dealcoach/dealcoach/prompts"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const regen = "go test ./bot/lark -run Golden -update"

// TestGoldenCards keeps what Lark users see: the real core's replies to
// the golden scenario, rendered as the adapter sends them (JSON 2.0
// cards), and the form cards the deal card's buttons open. A change in
// the files is a change users see.
func TestGoldenCards(t *testing.T) {
	cat, err := prompts.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "zh"} {
		turns, forms := bottest.GoldenScenario(t, "lark", lang)
		for _, tu := range turns {
			cards := Cards(tu.Reply, work.MoreFormat(cat, tu.Reply.Lang), maxCards)
			got := bottest.PrettyJSON(t, map[string]any{"said": tu.Text, "ephemeral": tu.Reply.Ephemeral, "cards": cards})
			bottest.Golden(t, "testdata/golden", tu.Name+".json", got, *update, regen)
		}
		for _, f := range forms {
			card := FormCard(f.Form, cat.Text(f.Form.Lang, "form.cancel", nil))
			bottest.Golden(t, "testdata/golden", f.Name+".json", bottest.PrettyJSON(t, card), *update, regen)
		}
	}
}
