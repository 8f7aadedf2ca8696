// Package slack is the Slack adapter: request verification and the Block
// Kit rendering of the core's neutral replies. (The HTTP endpoints, Socket
// Mode and interactions build on these; see the Slack issue.)
package slack

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/dealcoach/dealcoach/bot"
)

// Block Kit limits (api.slack.com/reference/block-kit): beyond them Slack
// refuses the whole message.
const (
	maxBlocks       = 50
	maxSectionText  = 3000
	maxFields       = 10
	maxFieldText    = 2000
	maxHeaderText   = 150
	maxButtonText   = 75
	maxButtonValue  = 2000
	maxActions      = 25
	maxMessageBytes = 12000 // blocks much above ~12 KB fail with msg_blocks_too_long
)

// Escape makes user text safe in mrkdwn: with &, < and > escaped no deal
// name or note can mention @channel, @here or a user, or forge a link.
func Escape(s string) string { return escaper.Replace(s) }

// The replacers are built once: building one costs more than using it.
var (
	escaper   = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
)

// Blocks renders a reply as Block Kit, every piece within Slack's limits:
// long texts are split or cut, and what does not fit in one message is
// dropped with a line saying how much was left out (more) .
func Blocks(r bot.Reply, more string) []slack.Block {
	out, small := renderAll(r)
	if small {
		return out
	}
	return fit(out, more)
}

// A reply's encoded size is at most its text, each byte escaped (a "&"
// becomes "&amp;", encoded "\u0026amp;"), plus each block's frame.
const (
	jsonGrowth    = 10
	blockOverhead = 400
)

// textBytes is the length of every text in a reply.
func textBytes(r bot.Reply) int {
	n := 0
	for _, b := range r.Blocks {
		n += len(b.Text)
		for _, f := range b.Fields {
			n += len(f.Label) + len(f.Value) + 4
		}
		for _, it := range b.Items {
			n += len(it) + 4
		}
		for _, bt := range b.Buttons {
			n += len(bt.Label) + len(bt.Value) + len(bt.Form) + 20
			for _, o := range bt.Options {
				n += len(o.Label) + len(o.Value) + 20
			}
		}
	}
	return n
}

func render(b bot.Block, i int) []slack.Block {
	switch b.Kind {
	case bot.HeaderBlock:
		return []slack.Block{slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, cut(b.Text, maxHeaderText), false, false))}
	case bot.FieldsBlock:
		return fields(b.Fields)
	case bot.ListBlock:
		lines := make([]string, len(b.Items))
		for j, it := range b.Items {
			lines[j] = "• " + Escape(it)
		}
		return sections(lines)
	case bot.ContextBlock:
		return []slack.Block{slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, cut(Escape(b.Text), maxSectionText), false, false))}
	case bot.ButtonsBlock:
		return []slack.Block{buttons(b.Buttons, i)}
	}
	return sections(strings.Split(Escape(b.Text), "\n"))
}

// sections packs lines into as few sections as fit the text limit.
func sections(lines []string) []slack.Block {
	var out []slack.Block
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, cur.String(), false, false), nil, nil))
			cur.Reset()
		}
	}
	n := 0 // characters in cur
	for _, l := range lines {
		l = cut(l, maxSectionText)
		ln := utf8.RuneCountInString(l)
		if cur.Len() > 0 && n+1+ln > maxSectionText {
			flush()
			n = 0
		}
		if cur.Len() > 0 {
			n++
		}
		n += ln
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(l)
	}
	flush()
	return out
}

func fields(fs []bot.Field) []slack.Block {
	var out []slack.Block
	for start := 0; start < len(fs); start += maxFields {
		var objs []*slack.TextBlockObject
		for _, f := range fs[start:min(start+maxFields, len(fs))] {
			text := fmt.Sprintf("*%s*\n%s", Escape(f.Label), Escape(f.Value))
			objs = append(objs, slack.NewTextBlockObject(slack.MarkdownType, cut(text, maxFieldText), false, false))
		}
		out = append(out, slack.NewSectionBlock(nil, objs, nil))
	}
	return out
}

// Action ids tell interactions apart: a button sending a command, a menu
// of commands, or a button opening a form ("form:edit:…", value the deal).
const (
	actionCommand = "cmd-"
	actionMenu    = "menu-"
	actionForm    = "form:"
	maxOptions    = 100
	maxOptionVal  = 150
)

func buttons(bs []bot.Button, block int) slack.Block {
	var els []slack.BlockElement
	for j, b := range bs[:min(len(bs), maxActions)] {
		label := slack.NewTextBlockObject(slack.PlainTextType, cut(b.Label, maxButtonText), false, false)
		switch {
		case len(b.Options) > 0:
			var opts []*slack.OptionBlockObject
			for _, o := range b.Options[:min(len(b.Options), maxOptions)] {
				if len(o.Value) > maxOptionVal {
					continue // a command cut short would be another command
				}
				opts = append(opts, slack.NewOptionBlockObject(o.Value,
					slack.NewTextBlockObject(slack.PlainTextType, cut(o.Label, maxButtonText), false, false), nil))
			}
			els = append(els, slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, label,
				fmt.Sprintf("%s%d-%d", actionMenu, block, j), opts...))
			continue
		case b.Form != "":
			els = append(els, slack.NewButtonBlockElement(fmt.Sprintf("%s%s:%d-%d", actionForm, b.Form, block, j),
				strconv.FormatInt(b.DealID, 10), label))
			continue
		}
		btn := slack.NewButtonBlockElement(fmt.Sprintf("%s%d-%d", actionCommand, block, j), cut(b.Value, maxButtonValue), label)
		switch b.Style {
		case "primary":
			btn.Style = slack.StylePrimary
		case "danger":
			btn.Style = slack.StyleDanger
		}
		els = append(els, btn)
	}
	return slack.NewActionBlock(fmt.Sprintf("actions-%d", block), els...)
}

// fit keeps as many blocks as the message limits allow; when some are left
// out, a last context block says so with more, a format taking the count.
func fit(bs []slack.Block, more string) []slack.Block {
	sizes := blockSizes(bs)
	if n := fitting(sizes, 0); n == len(bs) {
		return bs
	}
	n := fitting(sizes, noteBytes)
	note := slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, Escape(fmt.Sprintf(more, len(bs)-n)), false, false))
	return append(bs[:n:n], note)
}

// noteBytes is room kept for fit's note.
const noteBytes = 200

// Pages renders a reply as messages in order, each within Slack's limits,
// so that a long reply is paged rather than cut; past maxPages the last
// page is cut, with more's note saying how much was left out.
func Pages(r bot.Reply, more string, maxPages int) [][]slack.Block {
	all, small := renderAll(r)
	if small {
		return [][]slack.Block{all}
	}
	var pages [][]slack.Block
	for rest := all; len(rest) > 0; {
		if len(pages) == maxPages-1 {
			return append(pages, fit(rest, more))
		}
		n := max(fitting(blockSizes(rest), 0), 1)
		pages = append(pages, rest[:n:n])
		rest = rest[n:]
	}
	return pages
}

// renderAll renders every block; small tells a reply far below the limits
// without encoding it to measure (that would cost more than rendering).
func renderAll(r bot.Reply) (out []slack.Block, small bool) {
	for i, b := range r.Blocks {
		out = append(out, render(b, i)...)
	}
	return out, len(out) <= maxBlocks && textBytes(r)*jsonGrowth+len(out)*blockOverhead <= maxMessageBytes
}

// blockSizes is each block's encoded length.
func blockSizes(bs []slack.Block) []int {
	sizes := make([]int, len(bs))
	for i, b := range bs {
		raw, err := json.Marshal(b)
		if err != nil {
			sizes[i] = maxMessageBytes // unencodable: never fits
			continue
		}
		sizes[i] = len(raw)
	}
	return sizes
}

// fitting is how many blocks from the front fit in one message, leaving
// reserve bytes (and a block) free when reserve > 0.
func fitting(sizes []int, reserve int) int {
	limit := maxBlocks
	if reserve > 0 {
		limit--
	}
	total := 2 + reserve // "[" and "]"
	for i, n := range sizes {
		if i == limit {
			return i
		}
		total += n + 1
		if total > maxMessageBytes {
			return i
		}
	}
	return len(sizes)
}

// cut shortens s to at most n characters, marking the cut. It never
// splits a rune or an escaped entity ("&amp;").
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	if i := lastIndexRune(r, '&'); i >= 0 && i > len(r)-5 && lastIndexRune(r[i:], ';') < 0 {
		r = r[:i]
	}
	return string(r) + "…"
}

func lastIndexRune(r []rune, c rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if r[i] == c {
			return i
		}
	}
	return -1
}
