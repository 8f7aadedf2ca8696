package slack

import (
	"flag"
	"testing"

	"github.com/slack-go/slack"

	"github.com/dealcoach/dealcoach/bot/adapter/work"
	"github.com/dealcoach/dealcoach/bot/bottest"
	"github.com/dealcoach/dealcoach/prompts"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const regen = "go test ./bot/slack -run Golden -update"

// goldenMessage is one message as the adapter posts it.
type goldenMessage struct {
	Text   string        `json:"text"`
	Blocks []slack.Block `json:"blocks"`
}

// TestGoldenBlockKit keeps what Slack users see: the real core's replies
// to the golden scenario, rendered as the adapter posts them (pages of
// Block Kit with their fallback text), and the modals the deal card's
// buttons open. A change in the files is a change users see.
func TestGoldenBlockKit(t *testing.T) {
	cat, err := prompts.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "zh"} {
		turns, forms := bottest.GoldenScenario(t, "slack", lang)
		for _, tu := range turns {
			var msgs []goldenMessage
			for i, page := range Pages(tu.Reply, work.MoreFormat(cat, tu.Reply.Lang), maxPages) {
				msgs = append(msgs, goldenMessage{Text: pageText(tu.Reply, i), Blocks: page})
			}
			got := bottest.PrettyJSON(t, map[string]any{"said": tu.Text, "ephemeral": tu.Reply.Ephemeral, "messages": msgs})
			bottest.Golden(t, "testdata/golden", tu.Name+".json", got, *update, regen)
		}
		for _, f := range forms {
			view := Modal(f.Form, cat.Text(f.Form.Lang, "form.cancel", nil))
			bottest.Golden(t, "testdata/golden", f.Name+".json", bottest.PrettyJSON(t, view), *update, regen)
		}
	}
}
