package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/prompts"
)

// from is a message from who in the harness's channel, as an adapter
// builds it for a form.
func from(who string) Message {
	return Message{Platform: "console", Team: "t", Channel: "c", UserID: who, UserName: who, Time: testNow}
}

func (h *harness) form(who, id string, deal int64) (Form, Reply) {
	h.t.Helper()
	f, r, err := h.bot.Form(context.Background(), from(who), id, deal)
	if err != nil {
		h.t.Fatalf("%s: form %s #%d: %v", who, id, deal, err)
	}
	return f, r
}

func (h *harness) submit(who, id string, deal int64, values map[string]string) (Reply, map[string]string) {
	h.t.Helper()
	r, errs, err := h.bot.Submit(context.Background(), from(who), id, deal, values)
	if err != nil {
		h.t.Fatalf("%s: submit %s #%d: %v", who, id, deal, err)
	}
	return r, errs
}

// values are a form's fields as pre-filled, by key.
func values(f Form) map[string]string {
	out := map[string]string{}
	for _, fd := range f.Fields {
		out[fd.Key] = fd.Value
	}
	return out
}

func field(t *testing.T, f Form, key string) FormField {
	t.Helper()
	i := slices.IndexFunc(f.Fields, func(fd FormField) bool { return fd.Key == key })
	if i < 0 {
		t.Fatalf("form %s has no field %q", f.ID, key)
	}
	return f.Fields[i]
}

func keys(f Form) []string {
	var out []string
	for _, fd := range f.Fields {
		out = append(out, fd.Key)
	}
	return out
}

func TestEditFormIsPrefilled(t *testing.T) {
	tests := []struct {
		who     string
		say     []string
		title   string
		want    map[string]string
		labels  []string // the stage, amount and next-step labels
		options string   // the label of the approved stage
	}{
		{"张伟", []string{"新商机 经信银行 120万", "完成", "经信银行 推进到立项, 金额150万, 下一步周五拜访刘行长, 预计成交 12月31日"},
			"编辑 #1", map[string]string{"stage": "approved", "amount": "¥150万", "next_step": "拜访刘行长",
				"next_due": "2026-11-27", "close": "2026-12-31"}, []string{"阶段", "金额", "下一步"}, "立项客户 25%"},
		{"Alice", []string{"new deal Acme Corp 120k", "done", "Acme moved to approved, next step: demo Friday, close Dec 31"},
			"Edit #1", map[string]string{"stage": "approved", "amount": "¥120,000", "next_step": "demo",
				"next_due": "2026-11-27", "close": "2026-12-31"}, []string{"Stage", "Amount", "Next step"}, "Project approved 25%"},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			h := newHarness(t)
			for _, s := range tt.say {
				h.say(tt.who, s)
			}
			f, r := h.form(tt.who, FormEdit, 1)
			if f.ID != FormEdit || f.DealID != 1 || f.Title != tt.title || f.Submit == "" || len(r.Blocks) != 0 {
				t.Fatalf("form = %+v, reply %q", f, r.PlainText())
			}
			if got := keys(f); !slices.Equal(got, []string{"stage", "amount", "next_step", "next_due", "close"}) {
				t.Fatalf("fields %v", got)
			}
			if got := values(f); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("values %v, want %v", got, tt.want)
			}
			for i, k := range []string{"stage", "amount", "next_step"} {
				if fd := field(t, f, k); fd.Label != tt.labels[i] || !fd.Optional {
					t.Errorf("%s: label %q optional %v", k, fd.Label, fd.Optional)
				}
			}
			st := field(t, f, "stage")
			if st.Kind != FieldSelect || len(st.Options) != 6 || st.Options[2] != (Field{tt.options, "approved"}) {
				t.Errorf("stage options %v", st.Options)
			}
			if k := field(t, f, "next_due").Kind; k != FieldDate {
				t.Errorf("next_due kind %v", k)
			}
			mustContain(t, f.Intro, "#1", tt.options)
			// Submitted as it came, the form changes nothing.
			v := h.deal(1).Version
			r, errs := h.submit(tt.who, FormEdit, 1, values(f))
			if len(errs) > 0 || h.deal(1).Version != v {
				t.Fatalf("an untouched form changed the deal: %v %s", errs, r.PlainText())
			}
		})
	}
}

func TestSubmitEditIsOneUpdate(t *testing.T) {
	h := newHarness(t)
	h.say("Alice", "coach me right away")
	h.say("Alice", "new deal Acme Corp 120k")
	h.say("Alice", "done")
	before, n := h.deal(1), h.events(1)
	f, _ := h.form("Alice", FormEdit, 1)
	v := values(f)
	v["stage"], v["amount"], v["next_step"], v["next_due"] = "shortlist", "150k", "demo to the CFO", "2026-12-01"
	r, errs := h.submit("Alice", FormEdit, 1, v)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	out := r.PlainText()
	mustContain(t, out, "Updated #1", "Prospect → Shortlisted 50%", "¥120,000 → ¥150,000", "demo to the CFO",
		"Tue Dec 1", "exit criteria unanswered", "Skipped Interested, Project approved", "Expected close: —", h.bot.cfg.Playbook.Stages[3].Questions[0].Text.EN)
	d := h.deal(1)
	if d.Version != before.Version+1 || d.Stage != "shortlist" || d.Amount != coach.Major(150_000) ||
		d.NextStep != "demo to the CFO" || d.NextStepDue != (coach.Date{Year: 2026, Month: 12, Day: 1}) {
		t.Fatalf("deal = %+v (version was %d)", d, before.Version)
	}
	hist, _ := h.db.History(context.Background(), 1)
	var kinds []coach.EventKind
	for _, e := range hist[n:] {
		kinds = append(kinds, e.Kind)
	}
	if !slices.Equal(kinds, []coach.EventKind{coach.EvStage, coach.EvAmount, coach.EvNextStep}) {
		t.Errorf("events %v", kinds)
	}
	// The stage's coaching began as in chat: the answer is taken.
	h.say("Alice", "They want the demo first")
	if a := h.answers(1)["shortlist.why_proposal"]; a.Status != coach.Answered {
		t.Errorf("the coaching the form started did not take the answer: %+v", a)
	}
	// Picking the last stage wins the deal, as "/deal #1 stage won" does.
	r, _ = h.submit("Alice", FormEdit, 1, map[string]string{"stage": "won"})
	if d := h.deal(1); d.Status != coach.Won {
		t.Fatalf("deal = %+v: %s", d, r.PlainText())
	}
}

func TestSubmitEditRefusesBadValues(t *testing.T) {
	tests := []struct{ key, value, want string }{
		{"amount", "12x", `couldn't read the amount "12x"`},
		{"amount", "$150k", "in USD"},
		{"next_due", "2026-13-45", `couldn't read the date "2026-13-45"`},
		{"close", "someday", `couldn't read the date "someday"`},
		{"stage", "nowhere", `"nowhere" is not a stage`},
		{"next_step", "call on 2026-02-30", "couldn't read the date"},
	}
	h := newHarness(t)
	h.say("Alice", "coach me right away")
	h.say("Alice", "new deal Acme Corp 120k")
	h.say("Alice", "done")
	before, n := h.deal(1), h.events(1)
	for _, tt := range tests {
		v := map[string]string{"stage": "shortlist", "amount": "150k", "next_step": "demo", "next_due": "2026-12-01"}
		v[tt.key] = tt.value
		if tt.key == "next_step" {
			v["next_due"] = ""
		}
		r, errs := h.submit("Alice", FormEdit, 1, v)
		if len(errs) != 1 || !strings.Contains(errs[tt.key], tt.want) || len(r.Blocks) != 0 {
			t.Errorf("%s %q: errs %v, reply %q", tt.key, tt.value, errs, r.PlainText())
		}
		if d := h.deal(1); d != before || h.events(1) != n {
			t.Fatalf("%s %q changed the deal: %+v", tt.key, tt.value, d)
		}
	}
}

func TestFormsAreRefused(t *testing.T) {
	h := newHarness(t)
	h.say("Alice", "new deal Acme Corp 120k")
	h.say("Alice", "new deal Globex 80k")
	h.say("Alice", "/deal #2 lost price")
	tests := []struct {
		who, id string
		deal    int64
		want    string
	}{
		{"Bob", FormEdit, 1, "belongs to Alice"},
		{"Bob", FormCoach, 1, "belongs to Alice"},
		{"Alice", FormEdit, 2, "#2 is closed"},
		{"Alice", FormNext, 2, "#2 is closed"},
		{"Alice", FormEdit, 99, `can't find a deal called "#99"`},
	}
	h.say("Bob", "hello") // Bob writes English
	for _, tt := range tests {
		f, r := h.form(tt.who, tt.id, tt.deal)
		if f.ID != "" || !r.Ephemeral || !strings.Contains(r.PlainText(), tt.want) {
			t.Errorf("%s %s #%d: form %+v, reply %q", tt.who, tt.id, tt.deal, f, r.PlainText())
		}
		before := h.events(1)
		r, errs := h.submit(tt.who, tt.id, tt.deal, map[string]string{"amount": "1M", "next_step": "x", "next_due": "2026-12-01"})
		if len(errs) > 0 || !r.Ephemeral || !strings.Contains(r.PlainText(), tt.want) || h.events(1) != before {
			t.Errorf("%s submits %s #%d: %v %q", tt.who, tt.id, tt.deal, errs, r.PlainText())
		}
	}
	if d := h.deal(1); d.Amount != coach.Major(120_000) {
		t.Fatalf("a refused form changed the deal: %+v", d)
	}
	if _, _, err := h.bot.Form(context.Background(), from("Alice"), "nope", 1); err == nil {
		t.Error("an unknown form opened")
	}
}

func TestNextForm(t *testing.T) {
	h := newHarness(t)
	h.say("张伟", "新商机 经信银行 120万")
	h.say("张伟", "完成")
	f, _ := h.form("张伟", FormNext, 1)
	if f.Title != "下一步 #1" || !slices.Equal(keys(f), []string{"next_step", "next_due"}) ||
		field(t, f, "next_step").Optional || field(t, f, "next_due").Optional || field(t, f, "next_due").Kind != FieldDate {
		t.Fatalf("form = %+v", f)
	}
	_, errs := h.submit("张伟", FormNext, 1, map[string]string{"next_step": "", "next_due": ""})
	if len(errs) != 2 || errs["next_step"] != "请填写这一项。" {
		t.Fatalf("errs = %v", errs)
	}
	r, errs := h.submit("张伟", FormNext, 1, map[string]string{"next_step": "拜访刘行长", "next_due": "2026-12-15"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	mustContain(t, r.PlainText(), "已更新 #1", "拜访刘行长 · 12月15日 周二")
	if d := h.deal(1); d.NextStep != "拜访刘行长" || d.NextStepDue != (coach.Date{Year: 2026, Month: 12, Day: 15}) {
		t.Fatalf("deal = %+v", d)
	}
	if f, _ := h.form("张伟", FormNext, 1); f.Fields[0].Value != "拜访刘行长" || f.Fields[1].Value != "2026-12-15" {
		t.Fatalf("form = %+v", f.Fields)
	}
}

func TestCoachForm(t *testing.T) {
	h := newHarness(t)
	h.say("Alice", "coach me right away")
	h.say("Alice", "new deal Acme Corp 120k")
	h.say("Alice", "Our tablets") // answers the first question
	f, _ := h.form("Alice", FormCoach, 1)
	qs := h.bot.cfg.Playbook.First().Questions
	if f.Title != "Questions #1" || len(f.Fields) != len(qs) {
		t.Fatalf("form = %+v", f)
	}
	for i, q := range qs {
		fd := f.Fields[i]
		if fd.Key != q.Key || fd.Label != q.Text.EN || fd.Kind != FieldLongText || fd.Optional == q.Required {
			t.Errorf("field %d = %+v, question %+v", i, fd, q)
		}
	}
	if f.Fields[0].Value != "Our tablets" || f.Fields[1].Value != "" {
		t.Errorf("pre-filled %q %q", f.Fields[0].Value, f.Fields[1].Value)
	}
	v := values(f)
	v["prospect.need"] = "Paper forms slow the nurses down"
	v["prospect.who_feels"] = "Jane Doe"
	v["prospect.afford"] = "skip"
	v["prospect.next_step"] = "demo to the head nurse Friday"
	r, errs := h.submit("Alice", FormCoach, 1, v)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	mustContain(t, r.PlainText(), "Recorded on #1 Acme Corp", "Paper forms slow", "Jane Doe", "Can they afford to buy? — (skipped)",
		"Updated #1", "demo to the head nurse · Fri Nov 27", "Still unanswered", "How do we get a first meeting")
	if strings.Contains(r.PlainText(), "Our tablets") {
		t.Error("an unchanged answer was recorded again")
	}
	a := h.answers(1)
	if a["prospect.need"].Text != "Paper forms slow the nurses down" || a["prospect.afford"].Status != coach.Skipped {
		t.Errorf("answers %+v", a)
	}
	if d := h.deal(1); d.NextStep != "demo to the head nurse" {
		t.Errorf("next step %q", d.NextStep)
	}
	mustContain(t, h.say("Alice", "show #1"), "Paper forms slow the nurses down", "Jane Doe", "3 of 7 answered")
	// The chat's walk was waiting for the second question: the form answered it.
	if out := h.say("Alice", "Another answer"); strings.Contains(out, "Recorded") || h.answers(1)["prospect.need"].Text != "Paper forms slow the nurses down" {
		t.Errorf("a stale question took a message: %s", out)
	}
	// Nothing new: says so.
	f, _ = h.form("Alice", FormCoach, 1)
	r, _ = h.submit("Alice", FormCoach, 1, values(f))
	mustContain(t, r.PlainText(), "Nothing new to record on #1")
}

func TestCoachFormWithoutQuestions(t *testing.T) {
	h := newHarness(t)
	data, err := prompts.LoadPlaybook("seven-step")
	if err != nil {
		t.Fatal(err)
	}
	data.Stages = slices.Clone(data.Stages)
	data.Stages[0].Questions = nil
	h.bot.cfg.Playbook, _ = coach.NewPlaybook(data)
	h.say("Alice", "new deal Acme Corp 120k")
	f, r := h.form("Alice", FormCoach, 1)
	if f.ID != "" || !strings.Contains(r.PlainText(), "Prospect has no push questions") {
		t.Fatalf("form %+v, reply %q", f, r.PlainText())
	}
	if slices.ContainsFunc(cardButtons(t, h, "Alice"), func(b Button) bool { return b.Form == FormCoach }) {
		t.Error("the card offers questions the stage does not have")
	}
}

func cardButtons(t *testing.T, h *harness, who string) []Button {
	t.Helper()
	r, err := h.bot.Handle(context.Background(), Message{Platform: "console", Team: "t", Channel: "c", UserID: who, Text: "/deal show #1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range r.Blocks {
		if b.Kind == ButtonsBlock {
			return b.Buttons
		}
	}
	t.Fatalf("the card has no buttons: %s", r.PlainText())
	return nil
}

// Every action of the card is a command that runs; the form buttons name
// the form and the deal. (Snoozing is another command's test.)
func TestCardActionsRun(t *testing.T) {
	h := newHarness(t)
	h.say("Alice", "new deal Acme Corp 120k")
	h.say("Alice", "done")
	bs := cardButtons(t, h, "Alice")
	var labels, forms, commands []string
	for _, b := range bs {
		labels = append(labels, b.Label)
		if b.Form != "" {
			forms = append(forms, b.Form)
			if b.DealID != 1 {
				t.Errorf("%s: deal %d", b.Label, b.DealID)
			}
		}
		if len(b.Options) == 0 {
			commands = append(commands, b.Value)
		}
		for _, o := range b.Options {
			if !strings.Contains(o.Value, " snooze ") {
				commands = append(commands, o.Value)
			}
		}
	}
	if want := []string{"Move stage…", "Next step", "Answer questions", "Edit", "Snooze…", "Won", "Lost"}; !slices.Equal(labels, want) {
		t.Fatalf("buttons %q, want %q", labels, want)
	}
	if !slices.Equal(forms, []string{FormNext, FormCoach, FormEdit}) || bs[5].Style != "primary" || bs[6].Style != "danger" {
		t.Fatalf("buttons %+v", bs)
	}
	if got := bs[0].Options; len(got) != 4 || got[0].Label != "Interested 10%" || got[0].Value != "/deal #1 stage interest" {
		t.Errorf("stage menu %+v", got)
	}
	if got := bs[4].Options; len(got) != 3 || got[2].Label != "7 days" || got[2].Value != "/deal #1 snooze 7d" {
		t.Errorf("snooze menu %+v", got)
	}
	pc := parse.Context{Now: testNow, Playbook: h.bot.cfg.Playbook, People: h.bot.cfg.People}
	for _, c := range commands {
		if cmd := parse.Parse(c, pc); cmd.Kind == parse.Unknown || cmd.Err != nil {
			t.Errorf("%q parses as %v %v", c, cmd.Kind, cmd.Err)
		}
		g := newHarness(t) // each on a fresh deal: "won" would close it for the rest
		g.say("Alice", "new deal Acme Corp 120k")
		g.say("Alice", "done")
		r, err := g.bot.Handle(context.Background(), Message{Platform: "console", Team: "t", Channel: "c", UserID: "Alice", Text: c})
		if err != nil || r.Ephemeral || r.DealID != 1 {
			t.Errorf("%q: %v %q", c, err, r.PlainText())
		}
	}
	mustContain(t, h.say("Alice", "show #1"), "[Move stage…: /deal #1 stage interest / /deal #1 stage approved",
		"| Edit: /deal #1 |", "Snooze…: /deal #1 snooze 1d / /deal #1 snooze 3d / /deal #1 snooze 7d")
	// In Chinese.
	h.say("张伟", "新商机 经信银行 120万")
	r, _ := h.bot.Handle(context.Background(), Message{Platform: "console", Team: "t", Channel: "c", UserID: "张伟", Text: "#2"})
	mustContain(t, r.PlainText(), "调整阶段…", "回答推进问题", "编辑: /deal #2", "暂缓提醒…", "赢单: /deal #2 won")
	// A closed deal has none.
	h.say("Alice", "/deal #1 lost price")
	if out := h.say("Alice", "show #1"); strings.Contains(out, "[") {
		t.Errorf("a lost deal has actions: %s", out)
	}
}
