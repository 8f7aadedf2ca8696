// Package console is the terminal adapter: the embedded default way to use
// dealcoach, and the end-to-end test harness. A line is a message, exactly
// as a DM on Slack or Lark would be; a line starting with "/deal " is the
// slash command.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/dealcoach/dealcoach/bot"
)

// maxLine bounds one input line; longer lines are cut and the bot refuses
// them as too long rather than the reader failing.
const maxLine = 64 << 10

// Handler answers a message; *bot.Bot is one.
type Handler interface {
	Handle(ctx context.Context, m bot.Message) (bot.Reply, error)
}

// Console chats with one person over a reader and a writer.
type Console struct {
	Handler     Handler
	As          string // the speaker's name, also their user id
	Lang        string // language hint for messages that have none ("zh", "en" or "")
	Now         func() time.Time
	Interactive bool   // prompt before each line (stdin is a terminal)
	Banner      string // printed first when interactive
}

// Run reads messages until EOF or ctx is done, writing each reply. Errors of
// single messages are already in the replies; Run fails only on I/O.
func (c *Console) Run(ctx context.Context, in io.Reader, out io.Writer) error {
	rd := bufio.NewReader(in)
	w := bufio.NewWriter(out)
	defer w.Flush()
	if c.Interactive && c.Banner != "" {
		fmt.Fprintln(w, c.Banner)
	}
	first := true
	for {
		if c.Interactive {
			fmt.Fprint(w, "> ")
			w.Flush()
		}
		raw, err := readLine(rd)
		if err != nil && raw == "" {
			if err == io.EOF {
				break
			}
			return fmt.Errorf("read input: %w", err)
		}
		line := strings.TrimSpace(raw)
		if line == "" || ctx.Err() != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			continue
		}
		if line == "quit" || line == "exit" || line == "/quit" || line == "退出" {
			break
		}
		r, _ := c.Handler.Handle(ctx, c.message(line))
		if !first && !c.Interactive {
			fmt.Fprintln(w)
		}
		first = false
		fmt.Fprintln(w, r.PlainText())
		if c.Interactive {
			w.Flush()
		}
	}
	return nil
}

// readLine reads one line, keeping at most maxLine bytes of it: an endless
// line costs bounded memory and still gets an answer (too long).
func readLine(rd *bufio.Reader) (string, error) {
	var buf []byte
	for {
		chunk, isPrefix, err := rd.ReadLine()
		if len(buf) < maxLine {
			buf = append(buf, chunk[:min(len(chunk), maxLine-len(buf))]...)
		}
		if err != nil || !isPrefix {
			return string(buf), err
		}
	}
}

func (c *Console) message(text string) bot.Message {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	return bot.Message{
		Platform: "console", Team: "local", Channel: "terminal",
		UserID: c.As, UserName: c.As, Text: Mentions(text), Locale: c.Lang, Time: now(),
	}
}

// Mentions turns "@name" in a terminal line into the platforms' mention
// form, "<@name|name>", as a Slack or Lark client does with a picked
// person: in the terminal a person's id is their name, so "/deal team add
// @小刘" names (or creates) 小刘 as a mention does elsewhere. An @ inside a
// word (an e-mail address) is left alone; the name runs to the next space
// or separator.
func Mentions(text string) string {
	if !strings.Contains(text, "@") {
		return text
	}
	var b strings.Builder
	rs := []rune(text)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r != '@' || (i > 0 && !mentionBefore(rs[i-1])) {
			b.WriteRune(r)
			continue
		}
		j := i + 1
		for j < len(rs) && !mentionEnd(rs[j]) {
			j++
		}
		if j == i+1 {
			b.WriteRune(r)
			continue
		}
		name := string(rs[i+1 : j])
		b.WriteString("<@" + name + "|" + name + ">")
		i = j - 1
	}
	return b.String()
}

// mentionBefore reports whether an @ after r starts a mention.
func mentionBefore(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune("(（,，、;；:：", r)
}

// mentionEnd reports whether r ends a mentioned name.
func mentionEnd(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune(",，、;；:：)）<>|@?？!！。", r)
}
