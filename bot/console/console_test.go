package console

import (
	"context"
	"strings"
	"testing"

	"github.com/dealcoach/dealcoach/bot"
)

// echo is a Handler that answers with what it got.
type echo struct{ got []bot.Message }

func (e *echo) Handle(ctx context.Context, m bot.Message) (bot.Reply, error) {
	e.got = append(e.got, m)
	return bot.Reply{Blocks: []bot.Block{{Kind: bot.TextBlock, Text: "got " + m.Text[:min(len(m.Text), 20)]}}}, nil
}

func TestPipedLinesAreMessages(t *testing.T) {
	h := &echo{}
	c := &Console{Handler: h, As: "Alice", Lang: "en"}
	var out strings.Builder
	in := "hello\n\n  /deal list  \nlast line without newline"
	if err := c.Run(context.Background(), strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	want := "got hello\n\ngot /deal list\n\ngot last line without ne\n"
	if out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
	if len(h.got) != 3 || h.got[0].UserID != "Alice" || h.got[0].Platform != "console" || h.got[0].Locale != "en" {
		t.Errorf("messages: %+v", h.got)
	}
}

func TestInteractivePromptsAndQuits(t *testing.T) {
	h := &echo{}
	c := &Console{Handler: h, As: "A", Interactive: true, Banner: "welcome"}
	var out strings.Builder
	if err := c.Run(context.Background(), strings.NewReader("hi\nquit\nnever read\n"), &out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "welcome\n> got hi\n> " || len(h.got) != 1 {
		t.Errorf("output %q, %d messages", got, len(h.got))
	}
}

func TestEndlessLineIsBounded(t *testing.T) {
	h := &echo{}
	c := &Console{Handler: h, As: "A"}
	long := strings.Repeat("x", 5*maxLine) + "\nnext\n"
	var out strings.Builder
	if err := c.Run(context.Background(), strings.NewReader(long), &out); err != nil {
		t.Fatal(err)
	}
	if len(h.got) != 2 || len(h.got[0].Text) != maxLine || h.got[1].Text != "next" {
		t.Errorf("got %d messages, first %d bytes", len(h.got), len(h.got[0].Text))
	}
}
