package slack

import (
	"encoding/json"
	"strings"
)

// rtNode is an element of a rich_text block, as Slack sends them with
// every message typed in its composer
// (https://api.slack.com/reference/block-kit/blocks#rich_text). Style is
// left out: a list's is a string, a text's an object.
type rtNode struct {
	Type        string   `json:"type"`
	Text        string   `json:"text"`
	UserID      string   `json:"user_id"`
	ChannelID   string   `json:"channel_id"`
	UsergroupID string   `json:"usergroup_id"`
	TeamID      string   `json:"team_id"`
	URL         string   `json:"url"`
	Name        string   `json:"name"`     // emoji
	Range       string   `json:"range"`    // broadcast: here, channel, everyone
	Fallback    string   `json:"fallback"` // date
	Elements    []rtNode `json:"elements"`
}

// richText renders a message's rich_text blocks as Slack's own text
// markup ("<@U1> new <https://acme.example|Acme>"), which Plain then reads
// as it reads the text field: one reader for both. Other blocks, and
// blocks that do not parse, give "" (the caller falls back on the text
// field).
func richText(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var blocks []json.RawMessage
	if json.Unmarshal(raw, &blocks) != nil {
		return ""
	}
	var b strings.Builder
	for _, one := range blocks {
		// Each block on its own: other kinds (a section's text is an
		// object) must not spoil the rich text.
		var bl rtNode
		if json.Unmarshal(one, &bl) != nil || bl.Type != "rich_text" {
			continue
		}
		for _, el := range bl.Elements {
			switch el.Type {
			case "rich_text_section", "rich_text_preformatted", "rich_text_quote":
				paragraph(&b)
				inline(&b, el.Elements)
			case "rich_text_list":
				for _, item := range el.Elements {
					paragraph(&b)
					b.WriteString("- ")
					inline(&b, item.Elements)
				}
			}
		}
	}
	return strings.TrimSpace(b.String())
}

// paragraph starts a new line unless the text is empty or ends one.
func paragraph(b *strings.Builder) {
	if s := b.String(); s != "" && !strings.HasSuffix(s, "\n") {
		b.WriteByte('\n')
	}
}

// inline writes a section's elements. Typed text is escaped as Slack
// escapes its text field, so that a "<" the person typed is not read as
// markup.
func inline(b *strings.Builder, els []rtNode) {
	for _, e := range els {
		switch e.Type {
		case "text":
			b.WriteString(Escape(e.Text))
		case "user":
			b.WriteString("<@" + e.UserID + ">")
		case "channel":
			b.WriteString("<#" + e.ChannelID + ">")
		case "usergroup":
			b.WriteString("<!subteam^" + e.UsergroupID + ">")
		case "broadcast":
			b.WriteString("<!" + e.Range + ">")
		case "link":
			if e.Text != "" {
				b.WriteString("<" + e.URL + "|" + Escape(e.Text) + ">")
			} else {
				b.WriteString("<" + e.URL + ">")
			}
		case "emoji":
			b.WriteString(":" + e.Name + ":")
		case "date":
			b.WriteString(Escape(e.Fallback))
		default:
			b.WriteString(Escape(e.Text))
		}
	}
}
