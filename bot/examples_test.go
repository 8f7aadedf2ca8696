package bot

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/dealcoach/dealcoach/bot/parse"
)

// quoted finds the examples in a text: “…” in Chinese, "…" or `…` in English.
var quoted = regexp.MustCompile("“([^”]+)”|\"([^\"]+)\"|`([^`]+)`")

// The examples we show users — in help, hints, errors and the README's chat
// table — must themselves be understood, without an error.
func TestShownExamplesAreUnderstood(t *testing.T) {
	h := newHarness(t)
	c := parse.Context{Now: testNow, Playbook: h.bot.cfg.Playbook, People: h.bot.cfg.People}
	var examples []string
	for _, key := range []string{"help", "smalltalk", "unknown", "err.need_customer", "err.need_deal", "list.empty",
		"help.more", "help.topic.snooze", "help.topic.coach", "help.topic.qualify", "help.topic.remind", "help.topic.undo",
		"help.topic.update", "help.topic.new", "read.no_deal"} {
		for _, lang := range []string{"zh", "en"} {
			examples = append(examples, quotes(h.bot.cfg.Catalog.Text(lang, key, nil))...)
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(readme), "\n") {
		if ex, ok := strings.CutPrefix(line, "> "); ok { // the quick start's session
			examples = append(examples, ex)
		}
	}
	_, section, _ := strings.Cut(string(readme), "## The chat language")
	section, _, _ = strings.Cut(section, "\n## ")
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "| `") { // the chat language table: first column
			examples = append(examples, quotes(strings.Split(line, " | ")[0])...)
		}
	}
	if len(examples) < 40 {
		t.Fatalf("found only %d examples", len(examples))
	}
	// Free text is read against the deals the examples name.
	var world []parse.DealName
	for i, n := range []string{"Acme Corp", "Globex", "Initech", "Hooli", "Umbrella", "Wayne Retail", "华东电力", "恒信证券"} {
		world = append(world, parse.DealName{ID: int64(i + 1), Customer: n})
	}
	world = append(world, parse.DealName{ID: 20, Customer: "经信银行", Title: "数据中台"}, parse.DealName{ID: 21, Customer: "经信银行", Title: "核心系统"})
	names := parse.NewNames(world)
	for _, ex := range examples {
		if ex == "2" || ex == "是" { // answers to "which one?" and "apply?", not commands
			continue
		}
		cmd, free := parse.ParseMessage(ex, c)
		if free {
			switch rd := parse.Read(ex, c, names, 0); rd.Kind {
			case parse.ReadUpdate, parse.ReadShow, parse.ReadWhich:
				continue
			default:
				if cmd.Kind != parse.Contact && cmd.Kind != parse.Qualify { // read by the keyword grammar
					t.Errorf("example %q reads as %d (%+v), parses as %v", ex, rd.Kind, rd, cmd.Kind)
				}
				continue
			}
		}
		if cmd.Kind == parse.Unknown || cmd.Err != nil {
			t.Errorf("example %q parses as %v (err %v)", ex, cmd.Kind, cmd.Err)
		}
	}
}

func quotes(s string) []string {
	var out []string
	for _, m := range quoted.FindAllStringSubmatch(s, -1) {
		for _, g := range m[1:] {
			if g != "" && !strings.HasPrefix(g, "#") || len(g) > 4 {
				out = append(out, g)
			}
		}
	}
	return out
}
