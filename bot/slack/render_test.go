package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/dealcoach/dealcoach/bot"
)

func TestEscapeStopsMentionsAndLinks(t *testing.T) {
	for in, want := range map[string]string{
		"<!channel>":               "&lt;!channel&gt;",
		"<!here> hi":               "&lt;!here&gt; hi",
		"<@U123> ping":             "&lt;@U123&gt; ping",
		"<http://evil.example|ok>": "&lt;http://evil.example|ok&gt;",
		"R&D <b>":                  "R&amp;D &lt;b&gt;",
		"经信银行 · 核心系统":              "经信银行 · 核心系统",
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

// A deal whose name and notes are hostile renders with no live mention or
// link anywhere in the message: only plain_text headers and button labels
// keep the raw text, and Slack never parses those.
func TestBlocksEscapeUserText(t *testing.T) {
	evil := "<!channel> <@U1> <https://x.example|click>"
	r := bot.Reply{Blocks: []bot.Block{
		{Kind: bot.HeaderBlock, Text: "#1 " + evil},
		{Kind: bot.TextBlock, Text: "Updated #1 " + evil},
		{Kind: bot.FieldsBlock, Fields: []bot.Field{{Label: "Next step", Value: evil}}},
		{Kind: bot.ListBlock, Items: []string{evil}},
		{Kind: bot.ContextBlock, Text: evil},
		{Kind: bot.ButtonsBlock, Buttons: []bot.Button{{Label: "Won", Value: "/deal #1 won", Style: "primary"}}},
	}}
	bs := Blocks(r, "%d more")
	raw, _ := json.Marshal(bs)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["type"] == "mrkdwn" {
				if s, _ := v["text"].(string); strings.ContainsAny(s, "<>") {
					t.Errorf("mrkdwn text keeps a live < or >: %q", s)
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	var tree any
	json.Unmarshal(raw, &tree)
	walk(tree)
	if len(bs) != 6 || bs[0].BlockType() != slack.MBTHeader || bs[5].BlockType() != slack.MBTAction {
		t.Fatalf("blocks: %s", raw)
	}
}

// However long the reply, the message stays within Block Kit's limits.
func TestBlocksRespectLimits(t *testing.T) {
	long := strings.Repeat("经信银行核心系统升级项目", 400) // 4,800 characters
	var items []string
	for i := range 400 {
		items = append(items, fmt.Sprintf("#%d Customer %d — Shortlisted 50%% — ¥1,200,000 — next step: demo Friday", i, i))
	}
	var fields []bot.Field
	for i := range 25 {
		fields = append(fields, bot.Field{Label: fmt.Sprintf("F%d", i), Value: long})
	}
	var many []bot.Block
	for range 80 {
		many = append(many, bot.Block{Kind: bot.TextBlock, Text: "short"})
	}
	for name, r := range map[string]bot.Reply{
		"long text":   {Blocks: []bot.Block{{Kind: bot.TextBlock, Text: long}, {Kind: bot.HeaderBlock, Text: long}}},
		"long list":   {Blocks: []bot.Block{{Kind: bot.ListBlock, Items: items}}},
		"many fields": {Blocks: []bot.Block{{Kind: bot.FieldsBlock, Fields: fields}}},
		"many blocks": {Blocks: many},
	} {
		bs := Blocks(r, "…and %d more")
		raw, err := json.Marshal(bs)
		if err != nil {
			t.Fatal(err)
		}
		if len(bs) > maxBlocks || len(raw) > maxMessageBytes {
			t.Errorf("%s: %d blocks, %d bytes", name, len(bs), len(raw))
		}
		checkTexts(t, name, bs)
	}
	bs := Blocks(bot.Reply{Blocks: many}, "…and %d more")
	last := bs[len(bs)-1].(*slack.ContextBlock)
	if len(bs) != maxBlocks || !strings.Contains(last.ContextElements.Elements[0].(*slack.TextBlockObject).Text, "and 31 more") {
		t.Errorf("80 blocks became %d, last %+v", len(bs), last)
	}
}

func checkTexts(t *testing.T, name string, bs []slack.Block) {
	t.Helper()
	for _, b := range bs {
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b.Text != nil && utf8.RuneCountInString(b.Text.Text) > maxSectionText {
				t.Errorf("%s: section of %d characters", name, utf8.RuneCountInString(b.Text.Text))
			}
			if len(b.Fields) > maxFields {
				t.Errorf("%s: %d fields", name, len(b.Fields))
			}
			for _, f := range b.Fields {
				if utf8.RuneCountInString(f.Text) > maxFieldText {
					t.Errorf("%s: field of %d characters", name, utf8.RuneCountInString(f.Text))
				}
			}
		case *slack.HeaderBlock:
			if utf8.RuneCountInString(b.Text.Text) > maxHeaderText {
				t.Errorf("%s: header of %d characters", name, utf8.RuneCountInString(b.Text.Text))
			}
		}
	}
}

func TestCutKeepsEntitiesWhole(t *testing.T) {
	s := Escape(strings.Repeat("a", 8) + "&&&&")
	for n := 2; n < 20; n++ {
		got := cut(s, n)
		if utf8.RuneCountInString(got) > n {
			t.Errorf("cut(%d) = %q is too long", n, got)
		}
		body := strings.TrimSuffix(got, "…")
		if i := strings.LastIndex(body, "&"); i >= 0 && !strings.Contains(body[i:], ";") {
			t.Errorf("cut(%d) = %q splits an entity", n, got)
		}
	}
}

func TestLongRepliesArePagedInOrderWithinTheLimits(t *testing.T) {
	var r bot.Reply
	for i := range 120 {
		r.Blocks = append(r.Blocks, bot.Block{Kind: bot.TextBlock, Text: fmt.Sprintf("para %03d %s", i, strings.Repeat("x", 400))})
	}
	pages := Pages(r, "%d more", 5)
	if len(pages) < 2 {
		t.Fatalf("%d pages", len(pages))
	}
	var seen []string
	for i, p := range pages {
		raw, _ := json.Marshal(p)
		if len(p) > maxBlocks || len(raw) > maxMessageBytes {
			t.Fatalf("page %d: %d blocks, %d bytes", i, len(p), len(raw))
		}
		for _, b := range p {
			if s, ok := b.(*slack.SectionBlock); ok {
				seen = append(seen, s.Text.Text[:8])
			}
		}
	}
	for i, s := range seen {
		if s != fmt.Sprintf("para %03d", i) {
			t.Fatalf("block %d is %q: out of order or lost", i, s)
		}
	}
	if len(seen) != 120 {
		t.Fatalf("%d of 120 paragraphs", len(seen))
	}
	// Past the page limit the last page is cut with the note.
	cut := Pages(r, "%d more", 2)
	last := cut[len(cut)-1]
	raw, _ := json.Marshal(last[len(last)-1])
	if len(cut) != 2 || !strings.Contains(string(raw), "more") {
		t.Fatalf("cut: %d pages, last block %s", len(cut), raw)
	}
	// A short reply is one page, untouched.
	if p := Pages(bot.Reply{Blocks: r.Blocks[:2]}, "%d more", 5); len(p) != 1 || len(p[0]) != 2 {
		t.Fatalf("short reply paged: %v", p)
	}
}
