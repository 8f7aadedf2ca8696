package slack

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/adapter/work"
	"github.com/dealcoach/dealcoach/bot/bottest"
)

// checkAnswer fails unless m's answer, as writeAnswer sends it (headers
// and body), is what work.WriteJSON sends for it, and unless the direct
// encoder wrote it (fast) or gave way (!fast).
func checkAnswer(t testing.TB, m *slack.Msg, fast bool) {
	t.Helper()
	if m != nil {
		want, err := json.Marshal(answerOf(m))
		if err != nil {
			t.Fatal(err)
		}
		got, ok := appendAnswer(nil, answerOf(m))
		if ok != fast || ok && string(got) != string(want) {
			t.Fatalf("appendAnswer: ok %v (want %v)\n got %s\nwant %s", ok, fast, got, want)
		}
	}
	sent, ref := httptest.NewRecorder(), httptest.NewRecorder()
	writeAnswer(sent, m, new(answerBuffers))
	work.WriteJSON(ref, answer(m))
	if sent.Code != ref.Code || !reflect.DeepEqual(sent.Header(), ref.Header()) || sent.Body.String() != ref.Body.String() {
		t.Fatalf("writeAnswer sent %d %v %s\nwork.WriteJSON %d %v %s", sent.Code, sent.Header(), sent.Body, ref.Code, ref.Header(), ref.Body)
	}
}

// TestAnswerEncodingAsJSON holds the direct encoder to encoding/json's
// bytes for the answers the adapter gives: slash commands of every kind
// in English and Chinese, run by the real core and caught where the
// adapter hands its answer over, every page of the golden scenario's
// replies, a reply long enough to be paged with a note, and the plain
// refusal and "working on it".
func TestAnswerEncodingAsJSON(t *testing.T) {
	h := newHarness(t)
	h.api.users["U1"] = fakeUser{Name: "Alice", TZ: "Asia/Shanghai", Locale: "en-US"}
	h.api.users["U7"] = fakeUser{Name: "Wang Fang", TZ: "Asia/Shanghai", Locale: "zh-CN"}
	ctx := context.Background()
	kinds := map[string]bool{}
	run := func(user, text string) {
		t.Helper()
		h.seq++
		sc := slack.SlashCommand{TeamID: "T0001", ChannelID: "C1", UserID: user, UserName: strings.ToLower(user),
			Command: "/deal", Text: text, TriggerID: fmt.Sprintf("1.2.%d", h.seq)}
		acked := 0
		h.a.command(ctx, sc, func(m *slack.Msg) {
			acked++
			if m == nil {
				return
			}
			for _, b := range m.Blocks.BlockSet {
				kinds[string(b.BlockType())] = true
			}
			checkAnswer(t, m, true)
		})
		if acked != 1 {
			t.Fatalf("%q acknowledged %d times", text, acked)
		}
	}
	for _, text := range []string{
		"new Acme 120k", "new Initech <b> & \"co\" 50k", "new Zenith Bank Core System 500k",
		"#1 amount 150k", "#1 stage 3", "#1 next step: demo Friday, close end of month", "#1 note: CFO on leave \u2028 :tada:",
		"list", "#1", "show #2", "how is Acme going?", "how is my pipeline?",
		"coach #1", "qualify #1", "snooze Acme 3d", "remind me at 8", "team",
		"help", "help coach", "help snooze", "undo", "#99 won", "#1 stage nowhere", "new", "Zenth won", "no",
		"bogus words here", "#1 won", "#2 lost to a cheaper vendor", "list",
	} {
		run("U1", text)
	}
	for _, text := range []string{
		"新商机 中信 云平台 500万", "新商机 江南水务 智慧水务 120万", "#4 阶段 立项", "#4 金额150万",
		"列表", "查看 #4", "辅导 #4", "帮助", "撤销", "查看 #99", "#4 阶段 不存在", "中兴 赢单了", "否",
	} {
		run("U7", text)
	}
	for _, k := range []string{"header", "section", "context", "actions"} {
		if !kinds[k] {
			t.Errorf("no answer had a %s block: the commands no longer cover it (%v)", k, kinds)
		}
	}

	for _, lang := range []string{"en", "zh"} {
		turns, _ := bottest.GoldenScenario(t, "slack", lang)
		for _, tu := range turns {
			for _, m := range h.a.responses(tu.Reply) {
				checkAnswer(t, m, true)
			}
		}
	}

	// Long enough for pages and the note of what was left out, with every
	// kind of block the core has, menus and forms among the buttons.
	var long bot.Reply
	for i := range 60 {
		long.Blocks = append(long.Blocks,
			bot.Block{Kind: bot.HeaderBlock, Text: fmt.Sprintf("Deal %d <Acme & co>", i)},
			bot.Block{Kind: bot.TextBlock, Text: strings.Repeat("line with **bold** and ¥120,000\n", 20)},
			bot.Block{Kind: bot.FieldsBlock, Fields: []bot.Field{{Label: "Stage", Value: "立项"}, {Label: "Amount", Value: "¥1"}}},
			bot.Block{Kind: bot.ListBlock, Items: []string{"one", "two <@U1>"}},
			bot.Block{Kind: bot.ContextBlock, Text: "as of today"},
			bot.Block{Kind: bot.ButtonsBlock, Buttons: []bot.Button{
				{Label: "Won", Value: "/deal #1 won", Style: "primary"}, {Label: "Lost", Value: "/deal #1 lost", Style: "danger"},
				{Label: "Edit", Form: bot.FormEdit, DealID: 1},
				{Label: "Stage", Options: []bot.Button{{Label: "Shortlist", Value: "/deal #1 stage 4"}, {Label: "too long", Value: strings.Repeat("x", 200)}}},
			}})
	}
	long.Ephemeral = true
	msgs := h.a.responses(long)
	if len(msgs) < 2 {
		t.Fatalf("the long reply is %d pages", len(msgs))
	}
	for _, m := range msgs {
		checkAnswer(t, m, true)
	}
	checkAnswer(t, &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: h.a.cfg.Catalog.Text("zh", "reply.working", nil)}, true)
	checkAnswer(t, &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: fallback(h.a.refusal("help"))}, true)
	checkAnswer(t, &slack.Msg{}, true)
	checkAnswer(t, &slack.Msg{ReplaceOriginal: true, DeleteOriginal: true, Blocks: slack.Blocks{BlockSet: []slack.Block{}}}, true)
	checkAnswer(t, nil, false)
}

// Whatever the direct encoder does not write goes to encoding/json: the
// same bytes either way.
func TestAnswerEncodingFallsBack(t *testing.T) {
	txt := slack.NewTextBlockObject(slack.PlainTextType, "x", false, false)
	btn := slack.NewButtonBlockElement("a", "v", txt)
	btn.Confirm = slack.NewConfirmationBlockObject(txt, txt, txt, txt)
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, txt, "m")
	sel.Filter = &slack.SelectBlockElementFilter{Include: []string{"im"}}
	section := slack.NewSectionBlock(txt, nil, slack.NewAccessory(btn))
	for _, blocks := range [][]slack.Block{
		{slack.NewDividerBlock()},
		{slack.NewImageBlock("https://x.example/a.png", "alt", "", nil)},
		{slack.SectionBlock{Type: slack.MBTSection, Text: txt}}, // a value, not a pointer
		{section},
		{slack.NewActionBlock("b", btn)},
		{slack.NewActionBlock("b", sel)},
		{slack.NewActionBlock("b", slack.NewOverflowBlockElement("o", slack.NewOptionBlockObject("v", txt, nil)))},
		{slack.NewContextBlock("c", slack.NewImageBlockElement("https://x.example/a.png", "alt"))},
		{slack.NewHeaderBlock(txt), slack.NewInputBlock("i", txt, nil, slack.NewPlainTextInputBlockElement(txt, "p"))},
	} {
		checkAnswer(t, &slack.Msg{Text: "t", Blocks: slack.Blocks{BlockSet: blocks}}, false)
	}
	checkAnswer(t, &slack.Msg{Metadata: slack.SlackMetadata{EventType: "e", EventPayload: map[string]any{"k": 1}}}, false)
}

// TestAnswerEncodingKnowsEveryField fails when slack-go changes a type the
// direct encoder writes: a field it does not know would be left out (or
// written where encoding/json would not), so it must learn it first.
func TestAnswerEncodingKnowsEveryField(t *testing.T) {
	for _, c := range []struct {
		v      any
		fields []string
	}{
		{commandAnswer{}, []string{"text", "response_type", "replace_original", "delete_original", "metadata", "blocks"}},
		{slack.SlackMetadata{}, []string{"event_type", "event_payload"}},
		{slack.Blocks{}, []string{"blocks"}},
		{slack.HeaderBlock{}, []string{"type", "text", "block_id", "level"}},
		{slack.SectionBlock{}, []string{"type", "text", "block_id", "fields", "accessory", "expand"}},
		{slack.ContextBlock{}, []string{"type", "block_id", "elements"}},
		{slack.ContextElements{}, []string{"Elements"}},
		{slack.ActionBlock{}, []string{"type", "block_id", "elements"}},
		{slack.BlockElements{}, []string{"elements"}},
		{slack.TextBlockObject{}, []string{"type", "text", "emoji", "verbatim"}},
		{slack.OptionBlockObject{}, []string{"text", "value", "description", "url"}},
		{slack.ButtonBlockElement{}, []string{"type", "text", "action_id", "url", "value", "confirm", "style",
			"accessibility_label", "agent_prompt", "agent_prompt_display", "visible_to_user_ids"}},
		{slack.SelectBlockElement{}, []string{"type", "placeholder", "action_id", "options", "option_groups", "initial_option",
			"initial_user", "initial_conversation", "initial_channel", "default_to_current_conversation",
			"response_url_enabled", "filter", "min_query_length", "confirm", "focus_on_load"}},
	} {
		typ := reflect.TypeOf(c.v)
		var names []string
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			names = append(names, cmp.Or(name, f.Name))
		}
		if !slices.Equal(names, c.fields) {
			t.Errorf("%s has fields %v; answerjson.go writes %v: teach it the new ones", typ, names, c.fields)
		}
	}
}

// FuzzAnswerEncoding builds answers of the shapes the adapter renders
// from any strings (invalid UTF-8, <&>, U+2028, emoji, control
// characters) and holds the direct encoder to encoding/json's bytes.
//
//	go test -run=NONE -fuzz=FuzzAnswerEncoding -fuzztime=60s ./bot/slack/
func FuzzAnswerEncoding(f *testing.F) {
	f.Add("Acme moved to *shortlist*", "/deal #1 won", "cmd-2-0", "Won", uint8(0))
	f.Add("<@U1> & <!channel> \"q\" \\ \u2028\u2029 \x00\x1f\x7f", "a\tb\nc\rd\be\ff", "form:edit:3-1", ":tada: 🎉", uint8(0xff))
	f.Add("\xff\xfe bad \xe4\xb8 utf-8 \xed\xa0\x80", "中信 云平台 500万", "menu-1-0", "\u00e9\u0301", uint8(0x55))
	f.Add("", "", "", "", uint8(0xaa))
	f.Fuzz(func(t *testing.T, text, value, action, label string, flags uint8) {
		checkAnswer(t, fuzzMsg(text, value, action, label, flags), true)
	})
}

// fuzzMsg is an answer of every block and element shape the adapter
// renders, filled with the fuzzed strings; flags vary what is optional.
func fuzzMsg(text, value, action, label string, flags uint8) *slack.Msg {
	on := func(bit uint) bool { return flags&(1<<bit) != 0 }
	mrkdwn := slack.NewTextBlockObject(slack.MarkdownType, text, false, false)
	plain := slack.NewTextBlockObject(slack.PlainTextType, label, on(0), on(1))
	var blocks []slack.Block
	blocks = append(blocks,
		slack.NewHeaderBlock(plain),
		slack.NewSectionBlock(mrkdwn, nil, nil),
		slack.NewSectionBlock(nil, []*slack.TextBlockObject{mrkdwn, plain}, nil),
		slack.NewContextBlock(action, mrkdwn, plain))
	btn := slack.NewButtonBlockElement(action, value, plain)
	if on(2) {
		btn.Style = slack.StylePrimary
	}
	if on(3) {
		btn.Style = slack.Style(value)
		btn.URL = text
	}
	opts := []*slack.OptionBlockObject{slack.NewOptionBlockObject(value, plain, nil)}
	if on(4) {
		opts = append(opts, slack.NewOptionBlockObject(text, mrkdwn, plain))
	}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain, action, opts...)
	if on(5) {
		sel.Options = nil
		sel.InitialOption = opts[0]
	}
	blocks = append(blocks, slack.NewActionBlock("actions-"+action, btn, sel, slack.NewButtonBlockElement("", "", nil)))
	if on(6) {
		blocks = append(blocks, slack.NewHeaderBlock(nil), slack.NewSectionBlock(nil, nil, nil),
			slack.NewContextBlock(""), slack.NewActionBlock(""), &slack.ActionBlock{Type: slack.MBTAction})
	}
	m := &slack.Msg{Text: text, ResponseType: value, ReplaceOriginal: on(7), DeleteOriginal: on(6),
		Metadata: slack.SlackMetadata{EventType: label}, Blocks: slack.Blocks{BlockSet: blocks}}
	if on(5) && on(6) {
		m.Blocks.BlockSet = nil
	}
	return m
}

// BenchmarkAnswerEncoding encodes a create's answer (header-less card:
// sections, context, buttons), as the adapter did (encoding/json) and
// does (the direct encoder into a reused buffer).
//
//	go test -run=NONE -bench=AnswerEncoding -benchmem ./bot/slack/
func BenchmarkAnswerEncoding(b *testing.B) {
	h := newHarness(b)
	var m *slack.Msg
	h.a.command(context.Background(), slack.SlashCommand{TeamID: "T0001", ChannelID: "C1", UserID: "U1",
		Command: "/deal", Text: "new Acme Corp Cloud Platform 120k", TriggerID: "1.2.3"}, func(msg *slack.Msg) { m = msg })
	if m == nil {
		b.Fatal("no answer")
	}
	raw, _ := json.Marshal(answerOf(m))
	b.Logf("%d bytes", len(raw))
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(answerOf(m)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			ca := commandAnswer{Text: m.Text, ResponseType: m.ResponseType, ReplaceOriginal: m.ReplaceOriginal,
				DeleteOriginal: m.DeleteOriginal, Metadata: m.Metadata, Blocks: m.Blocks}
			var ok bool
			if buf, ok = appendAnswer(buf[:0], &ca); !ok {
				b.Fatal("fell back")
			}
		}
	})
	b.Run("write", func(b *testing.B) {
		b.ReportAllocs()
		w, bufs := discardWriter{h: http.Header{}}, new(answerBuffers)
		for b.Loop() {
			writeAnswer(w, m, bufs)
		}
	})
	b.Run("writejson", func(b *testing.B) {
		b.ReportAllocs()
		w := discardWriter{h: http.Header{}}
		for b.Loop() {
			work.WriteJSON(w, answer(m))
		}
	})
}

// discardWriter is a response writer keeping nothing, for benchmarks.
type discardWriter struct{ h http.Header }

func (w discardWriter) Header() http.Header         { return w.h }
func (w discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w discardWriter) WriteHeader(int)             {}
