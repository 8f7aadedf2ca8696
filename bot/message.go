// Package bot is dealcoach's platform-neutral chat core: adapters turn
// platform requests into a Message, the Bot answers with a Reply, and the
// adapter renders it (Block Kit, a Lark card, terminal text).
package bot

import (
	"time"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/prompts"
)

// Message is one thing a person said to the bot, on any platform.
type Message struct {
	Platform string // "console", "slack", "lark"
	Team     string // workspace / tenant
	Channel  string
	Thread   string // thread or root message id; "" outside threads
	UserID   string // the platform's user id
	UserName string // display name, if the platform gave one
	Text     string
	Locale   string // platform locale hint ("zh-CN", "en-US"), may be ""
	TZ       string // the person's IANA zone as the platform knows it, may be ""
	Time     time.Time
	// EventID is the platform's id of the event (or trigger) the message
	// came in, unique within the platform: the turn's first write records
	// it processed, in the same commit, so that a retry or a replay of the
	// event after a crash never applies twice. "": none (a terminal line).
	EventID string
}

// scope is where a conversation happens: replies in another channel or
// thread never answer a question asked here.
func (m Message) scope() string { return m.Platform + ":" + m.Team + ":" + m.Channel + ":" + m.Thread }

// Reply is the bot's answer, in neutral blocks the adapter renders.
type Reply struct {
	Lang      string
	Blocks    []Block
	Ephemeral bool // only the asker should see it (errors, help)
	DealID    int64
	Image     *Image // a picture sent with the reply (the digest's funnel chart), or nil

	// Duplicate says the message's event was processed before (a retry or
	// a replay): nothing changed, and there is nothing to send.
	Duplicate bool
	// Claimed says a write of the turn recorded the message's event
	// processed. A turn that wrote nothing did not: the adapter records
	// it, if it recorded the event when it came in.
	Claimed bool

	code coach.Code // the error code of an error reply, for metrics
}

// Image is a picture sent with a reply. An adapter that cannot show
// pictures shows Alt instead.
type Image struct {
	PNG  []byte
	Name string // a file name, e.g. "funnel-2026-W48.png"
	Alt  string // what the picture shows, in words
}

// BlockKind says how a block is drawn.
type BlockKind int

// Block kinds.
const (
	TextBlock    BlockKind = iota // a paragraph
	HeaderBlock                   // a title line
	FieldsBlock                   // label/value pairs
	ListBlock                     // bullet lines
	ButtonsBlock                  // actions
	ContextBlock                  // small print
)

// Block is one part of a reply. Text is plain: adapters escape it.
type Block struct {
	Kind    BlockKind
	Text    string
	Fields  []Field
	Items   []string
	Buttons []Button
}

// Field is a label and its value.
type Field struct{ Label, Value string }

// Button is an action the person can take; Value is what the adapter sends
// back (a command line such as "/deal #12 won").
//
// A button with Options is a menu: Label is its placeholder and each
// option's Value is the command it sends. A button with Form opens that
// form (see Bot.Form) where the platform has forms (Slack modals, Lark
// card forms); elsewhere its Value is sent as a command.
type Button struct {
	Label   string
	Value   string
	Style   string // "", "primary", "danger"
	Form    string // "", FormEdit, FormNext, FormCoach
	DealID  int64  // the deal a Form button is about
	Options []Button
}

// Forms a Button can open.
const (
	FormEdit  = "edit"  // stage, amount, next step and its date, expected close
	FormNext  = "next"  // the next step and its date
	FormCoach = "coach" // the current stage's push questions
)

// textReply builds a reply of paragraphs.
func textReply(lang string, paras ...string) Reply {
	r := Reply{Lang: lang}
	for _, p := range paras {
		if p != "" {
			r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: p})
		}
	}
	return r
}

// PlainText renders a reply as plain text, for terminals and logs.
func (r Reply) PlainText() string {
	var out []byte
	for i, b := range r.Blocks {
		if i > 0 {
			out = append(out, '\n')
		}
		switch b.Kind {
		case HeaderBlock:
			out = append(out, "== "+b.Text+" =="...)
		case FieldsBlock:
			for j, f := range b.Fields {
				if j > 0 {
					out = append(out, '\n')
				}
				out = append(out, "  "+f.Label+": "+f.Value...)
			}
		case ListBlock:
			for j, it := range b.Items {
				if j > 0 {
					out = append(out, '\n')
				}
				out = append(out, "  • "+it...)
			}
		case ButtonsBlock:
			out = append(out, "  ["...)
			for j, bt := range b.Buttons {
				if j > 0 {
					out = append(out, " | "...)
				}
				if len(bt.Options) > 0 {
					out = append(out, bt.Label+": "...)
					for k, o := range bt.Options {
						if k > 0 {
							out = append(out, " / "...)
						}
						out = append(out, o.Value...)
					}
					continue
				}
				out = append(out, bt.Label+": "+bt.Value...)
			}
			out = append(out, ']')
		default:
			out = append(out, b.Text...)
		}
	}
	if r.Image != nil {
		if len(out) > 0 {
			out = append(out, '\n')
		}
		out = append(out, "[image "+r.Image.Name+": "+r.Image.Alt+"]"...)
	}
	return string(out)
}

// ExternalRefusal is the answer to a person of another organisation
// (Slack Connect, a Lark external tenant): one polite refusal that names
// nothing internal, in the language their text is written in (def when
// it shows none).
func ExternalRefusal(cat *prompts.Catalog, text, def string) Reply {
	lang := parse.Lang(text)
	if lang == "" {
		lang = def
	}
	return Reply{Lang: lang, Ephemeral: true, Blocks: []Block{{Kind: TextBlock, Text: cat.Text(lang, "platform.external", nil)}}}
}
