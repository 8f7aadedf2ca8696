package slack

import (
	"net/http"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/dealcoach/dealcoach/bot/adapter/work"
)

// A slash command's answer is encoded on every create and update, and
// encoding/json walks its Block Kit by reflection, with an allocation per
// level: some 6% of the server's CPU under a load of creates. The answers
// this package builds hold a handful of block and element types, so they
// are written here directly, byte for byte as encoding/json writes them
// (TestAnswerEncodingAsJSON and FuzzAnswerEncoding hold it to that, and
// TestAnswerEncodingKnowsEveryField fails when slack-go adds a field).
// Anything else — a type, or a field value, this encoder does not write —
// falls back on encoding/json, so the bytes sent never depend on which
// path wrote them.

// answerBuffers keeps answer buffers between requests (an adapter's): a
// buffer is done with once the response writer has copied it.
type answerBuffers struct{ pool sync.Pool }

func (p *answerBuffers) get() *[]byte {
	if b, ok := p.pool.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 2048)
	return &b
}

// maxPooledAnswer bounds the buffers kept: a rare huge answer must not
// stay in the pool.
const maxPooledAnswer = 64 << 10

// writeAnswer answers a slash command with m (nil: an empty answer), as
// work.WriteJSON(w, answer(m)) would, in a buffer of bufs.
func writeAnswer(w http.ResponseWriter, m *slack.Msg, bufs *answerBuffers) {
	if m == nil {
		work.WriteJSON(w, nil)
		return
	}
	bp := bufs.get()
	raw, ok := appendAnswer((*bp)[:0], answerOf(m)) // on the stack: not kept
	if ok {
		work.WriteRawJSON(w, raw)
	} else {
		work.WriteJSON(w, answerOf(m))
	}
	if cap(raw) <= maxPooledAnswer {
		*bp = raw[:0]
		bufs.pool.Put(bp)
	}
}

// appendAnswer appends a's encoding/json encoding to dst. ok is false
// when a holds something it does not know how to write; dst's extension
// is then garbage and the caller encodes a with encoding/json.
func appendAnswer(dst []byte, a *commandAnswer) (out []byte, ok bool) {
	if a.Metadata.EventPayload != nil {
		return dst, false
	}
	e := answerEncoder{b: append(dst, '{'), ok: true}
	if a.Text != "" {
		e.key("text")
		e.str(a.Text)
	}
	if a.ResponseType != "" {
		e.key("response_type")
		e.str(a.ResponseType)
	}
	e.key("replace_original")
	e.bool(a.ReplaceOriginal)
	e.key("delete_original")
	e.bool(a.DeleteOriginal)
	// A struct is never empty to omitempty: metadata is always written.
	e.key("metadata")
	e.b = append(e.b, `{"event_type":`...)
	e.str(a.Metadata.EventType)
	e.b = append(e.b, `,"event_payload":null}`...)
	// slack.Blocks' MarshalJSON writes its slice alone, null when nil.
	e.key("blocks")
	if a.Blocks.BlockSet == nil {
		e.null()
	} else {
		array(&e, a.Blocks.BlockSet, e.block)
	}
	e.b = append(e.b, '}')
	return e.b, e.ok
}

// answerEncoder appends JSON to b; ok turns false at the first value it
// does not know, and stays false.
type answerEncoder struct {
	b  []byte
	ok bool
}

// array writes items as a JSON array, each written by item.
func array[T any](e *answerEncoder, items []T, item func(T)) {
	e.b = append(e.b, '[')
	for i, v := range items {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		item(v)
	}
	e.b = append(e.b, ']')
}

// key starts an object's member: a comma unless it is the first one.
// Names are this file's literals, none needing escapes.
func (e *answerEncoder) key(name string) {
	if e.b[len(e.b)-1] != '{' {
		e.b = append(e.b, ',')
	}
	e.b = append(e.b, '"')
	e.b = append(e.b, name...)
	e.b = append(e.b, '"', ':')
}

// opt writes a member that is omitempty: nothing when s is "".
func (e *answerEncoder) opt(name, s string) {
	if s != "" {
		e.key(name)
		e.str(s)
	}
}

func (e *answerEncoder) null() { e.b = append(e.b, "null"...) }

func (e *answerEncoder) bool(v bool) { e.b = strconv.AppendBool(e.b, v) }

func (e *answerEncoder) block(b slack.Block) {
	switch b := b.(type) {
	case *slack.HeaderBlock:
		if b == nil {
			e.null()
			return
		}
		e.open(b.Type, b.Text, b.BlockID)
		if b.Level != 0 {
			e.key("level")
			e.b = strconv.AppendInt(e.b, int64(b.Level), 10)
		}
		e.b = append(e.b, '}')
	case *slack.SectionBlock:
		if b == nil {
			e.null()
			return
		}
		if b.Accessory != nil {
			e.ok = false
			return
		}
		e.open(b.Type, b.Text, b.BlockID)
		if len(b.Fields) > 0 {
			e.key("fields")
			array(e, b.Fields, e.text)
		}
		if b.Expand {
			e.key("expand")
			e.bool(true)
		}
		e.b = append(e.b, '}')
	case *slack.ContextBlock:
		if b == nil {
			e.null()
			return
		}
		e.open(b.Type, nil, b.BlockID)
		// ContextElements' MarshalJSON writes its slice alone.
		e.key("elements")
		if b.ContextElements.Elements == nil {
			e.null()
		} else {
			array(e, b.ContextElements.Elements, func(el slack.MixedElement) {
				if t, ok := el.(*slack.TextBlockObject); ok {
					e.text(t)
				} else {
					e.ok = false // written on, and thrown away
				}
			})
		}
		e.b = append(e.b, '}')
	case *slack.ActionBlock:
		if b == nil {
			e.null()
			return
		}
		e.open(b.Type, nil, b.BlockID)
		// *BlockElements' MarshalJSON writes its slice alone; a nil
		// pointer is null.
		e.key("elements")
		if b.Elements == nil || b.Elements.ElementSet == nil {
			e.null()
		} else {
			array(e, b.Elements.ElementSet, e.element)
		}
		e.b = append(e.b, '}')
	default:
		e.ok = false
	}
}

// open starts a block with what its MarshalJSON writes first, in its
// order: the type, the text if any, the block id.
func (e *answerEncoder) open(t slack.MessageBlockType, text *slack.TextBlockObject, id string) {
	e.b = append(e.b, '{')
	e.key("type")
	e.str(string(t))
	if text != nil {
		e.key("text")
		e.text(text)
	}
	e.opt("block_id", id)
}

func (e *answerEncoder) element(el slack.BlockElement) {
	switch el := el.(type) {
	case *slack.ButtonBlockElement:
		if el == nil {
			e.null()
			return
		}
		if el.Confirm != nil {
			e.ok = false
			return
		}
		e.b = append(e.b, '{')
		e.opt("type", string(el.Type))
		e.key("text")
		e.text(el.Text)
		e.opt("action_id", el.ActionID)
		e.opt("url", el.URL)
		e.opt("value", el.Value)
		e.opt("style", string(el.Style))
		e.opt("accessibility_label", el.AccessibilityLabel)
		e.opt("agent_prompt", el.AgentPrompt)
		e.opt("agent_prompt_display", el.AgentPromptDisplay)
		if len(el.VisibleToUserIDs) > 0 {
			e.key("visible_to_user_ids")
			array(e, el.VisibleToUserIDs, e.str)
		}
		e.b = append(e.b, '}')
	case *slack.SelectBlockElement:
		if el == nil {
			e.null()
			return
		}
		if len(el.OptionGroups) > 0 || el.Filter != nil || el.Confirm != nil {
			e.ok = false
			return
		}
		e.b = append(e.b, '{')
		e.opt("type", el.Type)
		if el.Placeholder != nil {
			e.key("placeholder")
			e.text(el.Placeholder)
		}
		e.opt("action_id", el.ActionID)
		if len(el.Options) > 0 {
			e.key("options")
			array(e, el.Options, e.option)
		}
		if el.InitialOption != nil {
			e.key("initial_option")
			e.option(el.InitialOption)
		}
		e.opt("initial_user", el.InitialUser)
		e.opt("initial_conversation", el.InitialConversation)
		e.opt("initial_channel", el.InitialChannel)
		if el.DefaultToCurrentConversation {
			e.key("default_to_current_conversation")
			e.bool(true)
		}
		if el.ResponseURLEnabled {
			e.key("response_url_enabled")
			e.bool(true)
		}
		if el.MinQueryLength != nil {
			e.key("min_query_length")
			e.b = strconv.AppendInt(e.b, int64(*el.MinQueryLength), 10)
		}
		if el.FocusOnLoad {
			e.key("focus_on_load")
			e.bool(true)
		}
		e.b = append(e.b, '}')
	default:
		e.ok = false
	}
}

func (e *answerEncoder) option(o *slack.OptionBlockObject) {
	if o == nil {
		e.null()
		return
	}
	e.b = append(e.b, '{')
	e.key("text")
	e.text(o.Text)
	e.key("value")
	e.str(o.Value)
	if o.Description != nil {
		e.key("description")
		e.text(o.Description)
	}
	e.opt("url", o.URL)
	e.b = append(e.b, '}')
}

func (e *answerEncoder) text(t *slack.TextBlockObject) {
	if t == nil {
		e.null()
		return
	}
	e.b = append(e.b, `{"type":`...)
	e.str(t.Type)
	e.b = append(e.b, `,"text":`...)
	e.str(t.Text)
	if t.Emoji != nil {
		e.key("emoji")
		e.bool(*t.Emoji)
	}
	if t.Verbatim {
		e.key("verbatim")
		e.bool(true)
	}
	e.b = append(e.b, '}')
}

// str writes s quoted as encoding/json quotes a string with its default
// HTML escaping (its appendString): <, > and & as \u003c…, control
// characters as \n or \u00XX, U+2028 and U+2029 escaped, and each byte of
// invalid UTF-8 as \ufffd.
func (e *answerEncoder) str(s string) {
	const hex = "0123456789abcdef"
	b := append(e.b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	e.b = append(b, '"')
}
