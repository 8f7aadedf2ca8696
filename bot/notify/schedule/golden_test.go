package schedule

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/dealcoach/dealcoach/bot/adapter/work"
	"github.com/dealcoach/dealcoach/bot/bottest"
	"github.com/dealcoach/dealcoach/bot/lark"
	"github.com/dealcoach/dealcoach/bot/slack"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/prompts"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const regen = "go test ./bot/notify/schedule -run Golden -update"

// The adapters' page limits (bot/slack maxPages, bot/lark maxCards).
const goldenPages = 5

// TestGoldenDigestAndReminders keeps what the scheduled messages look
// like: week 47's digest (the history worked out by hand in
// TestDigestThroughTheStore) and the next Monday's morning reminders, in
// both languages, as text (what the terminal prints) and as the Slack
// Block Kit pages and Lark cards the adapters deliver.
func TestGoldenDigestAndReminders(t *testing.T) {
	cat, err := prompts.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e := newEnv(t, "2026-11-02T02:00:00Z")
	tm, ps, ids := e.week47()
	// Something for each reminder to say: a next step due on the day, one
	// overdue, and a deal of Bert's quiet for weeks (escalated to Max).
	e.clock.set(utc("2026-11-23T03:00:00Z"))
	e.deal(coach.Deal{Customer: "Golf", Title: "Data platform", OwnerID: ps[0].ID, TeamID: tm.ID, Amount: coach.Major(70_000),
		NextStep: "send the quote", NextStepDue: coach.Date{Year: 2026, Month: 11, Day: 30}})
	e.change("2026-11-23T04:00:00Z", ids["Acme"], ps[0].ID, func(d *coach.Deal) {
		d.NextStep, d.NextStepDue = "demo to the CFO", coach.Date{Year: 2026, Month: 11, Day: 25}
	})
	e.clock.set(utc("2026-11-30T00:30:00Z")) // Monday 08:30 in Shanghai
	for _, lang := range []string{"en", "zh"} {
		tm.Lang = lang
		if err := e.db.UpdateTeam(ctx, tm); err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			p.Lang = lang
			if err := e.db.UpdatePerson(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		digests, err := e.s.Digests(ctx, tm, coach.Week{Year: 2026, W: 47})
		if err != nil {
			t.Fatal(err)
		}
		nudges, err := e.s.Nudges(ctx, coach.Date{Year: 2026, Month: 11, Day: 30})
		if err != nil {
			t.Fatal(err)
		}
		for name, runs := range map[string][]Run{"digest": digests, "nudge": nudges} {
			var text strings.Builder
			var slackMsgs, larkMsgs []map[string]any
			for _, r := range runs {
				for _, m := range r.Messages {
					head := fmt.Sprintf("%s to %s", m.Key, m.To)
					fmt.Fprintf(&text, "### %s\n%s\n\n", head, m.Reply.PlainText())
					more := work.MoreFormat(cat, m.Reply.Lang)
					slackMsgs = append(slackMsgs, map[string]any{"to": head, "pages": slack.Pages(m.Reply, more, goldenPages)})
					larkMsgs = append(larkMsgs, map[string]any{"to": head, "cards": lark.Cards(m.Reply, more, goldenPages)})
				}
			}
			if len(slackMsgs) == 0 {
				t.Fatalf("%s %s: nothing to send", name, lang)
			}
			base := name + "-" + lang
			bottest.Golden(t, "testdata/golden", base+".txt", []byte(text.String()), *update, regen)
			bottest.Golden(t, "testdata/golden", base+".slack.json", bottest.PrettyJSON(t, slackMsgs), *update, regen)
			bottest.Golden(t, "testdata/golden", base+".lark.json", bottest.PrettyJSON(t, larkMsgs), *update, regen)
		}
	}
}
