package bottest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/bot"
)

// GoldenNow is the golden scenario's clock: Tuesday 24 November 2026,
// 10:00 in Shanghai.
var GoldenNow = time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)

// Turn is one step of the golden scenario: a name for its file, what the
// rep said and the core's reply.
type Turn struct {
	Name  string
	Text  string
	Reply bot.Reply
}

// NamedForm is a form the golden scenario opens, named for its file.
type NamedForm struct {
	Name string
	Form bot.Form
}

// goldenTurns are the messages of the golden scenario in each language:
// the kinds of reply a rep sees every day. Turns named "" set the scene
// and are not kept.
var goldenTurns = map[string][][2]string{
	"en": {
		{"create", "new deal Acme Corp Cloud Platform 100k"},
		{"", "done"},
		{"", "new deal Zenith Bank Core System 500k"},
		{"", "done"},
		{"update", "Acme moved to shortlist, 250k"},
		{"stage", "/deal #2 stage approved"},
		{"confirm", "Acme might close end of month"},
		{"cancel", "no"},
		{"didyoumean", "Zenth won"},
		{"", "no"},
		{"show", "show #1"},
		{"list", "list"},
		{"unknown", "show #99"},
		{"undo", "undo"},
		{"help", "help"},
	},
	"zh": {
		{"create", "新商机 中信 云平台 500万"},
		{"", "以后再说"},
		{"", "新商机 江南水务 智慧水务 120万"},
		{"", "以后再说"},
		{"update", "江南水务 推进到入围 金额150万"},
		{"stage", "/deal #1 阶段 立项"},
		{"confirm", "江南水务 可能下个月签"},
		{"cancel", "否"},
		{"didyoumean", "中兴 赢单了"},
		{"", "否"},
		{"show", "查看 #2"},
		{"list", "列表"},
		{"unknown", "查看 #99"},
		{"undo", "撤销"},
		{"help", "帮助"},
	},
}

// GoldenScenario drives the real core (a fresh store in t.TempDir(), the
// seven-step playbook, GoldenNow) through the golden scenario in lang
// ("en" or "zh"), as a direct message on platform ("slack", "lark",
// "console"), and returns the replies worth keeping, then the forms the
// deal card's buttons open for deal 1.
func GoldenScenario(t testing.TB, platform, lang string) ([]Turn, []NamedForm) {
	t.Helper()
	c := Open(t, filepath.Join(t.TempDir(), "golden.db"), func() time.Time { return GoldenNow }, lang)
	defer c.DB.Close()
	ctx := context.Background()
	msg := func(text string) bot.Message {
		return bot.Message{Platform: platform, Team: "golden", Channel: "D1", UserID: "alice", UserName: "Alice",
			Text: text, Time: GoldenNow}
	}
	var turns []Turn
	n := 0
	for _, step := range goldenTurns[lang] {
		r, err := c.Bot.Handle(ctx, msg(step[1]))
		if err != nil {
			t.Fatalf("%s: %q: %v", lang, step[1], err)
		}
		if step[0] == "" {
			continue
		}
		n++
		turns = append(turns, Turn{Name: fmt.Sprintf("%s-%02d-%s", lang, n, step[0]), Text: step[1], Reply: r})
	}
	var forms []NamedForm
	for _, id := range []string{bot.FormEdit, bot.FormNext, bot.FormCoach} {
		f, refusal, err := c.Bot.Form(ctx, msg(""), id, 1)
		if err != nil || f.ID == "" {
			t.Fatalf("%s: form %s: %v %s", lang, id, err, refusal.PlainText())
		}
		forms = append(forms, NamedForm{Name: lang + "-form-" + id, Form: f})
	}
	return turns, forms
}

// PrettyJSON is v as indented JSON ending in a newline, for golden files:
// maps come out with sorted keys, so the text is stable.
func PrettyJSON(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Golden compares got with the file dir/name, or writes it when update
// is set. On a mismatch it names the first line that differs and how to
// regenerate the files (regen, a go test command line).
func Golden(t testing.TB, dir, name string, got []byte, update bool, regen string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v (to create it: %s)", path, err, regen)
	}
	if bytes.Equal(got, want) {
		return
	}
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		gl, wl := "<end of file>", "<end of file>"
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Errorf("%s differs from what users now see, first at line %d:\n  golden: %s\n  now:    %s\n"+
				"If the change is intended, regenerate with: %s", path, i+1, wl, gl, regen)
			return
		}
	}
}
