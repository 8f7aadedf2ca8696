package console

import (
	"flag"
	"strings"
	"testing"

	"github.com/dealcoach/dealcoach/bot/bottest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGoldenTranscript keeps what terminal users see: the real core's
// replies to the golden scenario as the console prints them, one
// transcript per language.
func TestGoldenTranscript(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		turns, _ := bottest.GoldenScenario(t, "console", lang)
		var b strings.Builder
		for _, tu := range turns {
			b.WriteString("### " + tu.Name + "\n> " + tu.Text + "\n" + tu.Reply.PlainText() + "\n\n")
		}
		bottest.Golden(t, "testdata/golden", lang+".txt", []byte(b.String()), *update, "go test ./bot/console -run Golden -update")
	}
}
