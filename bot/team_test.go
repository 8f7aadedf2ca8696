package bot

import (
	"context"
	"testing"

	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// sayOn is a message on a chat platform, in a channel.
func (h *harness) sayOn(platform, channel, userID, name, text string) string {
	h.t.Helper()
	r, err := h.bot.Handle(context.Background(), Message{Platform: platform, Team: "T1", Channel: channel,
		UserID: userID, UserName: name, Text: text, Locale: "en-US", Time: testNow})
	if err != nil {
		h.t.Fatalf("%s: %q: %v", name, text, err)
	}
	return r.PlainText()
}

func (h *harness) person(platform, id string) coach.Person {
	h.t.Helper()
	p, err := h.db.EnsurePerson(context.Background(), coach.Person{Platform: platform, PlatformID: id})
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

func TestTeamSetupInChat(t *testing.T) {
	h := newHarness(t, "UADMIN")
	ctx := context.Background()
	// A rep cannot create a team; an admin can, and is in it.
	h.sayOn("slack", "D1", "UREP", "Rita", "new deal Acme 100k")
	mustContain(t, h.sayOn("slack", "D1", "UREP", "Rita", "/deal team new East"), "Only a manager or an admin")
	mustContain(t, h.sayOn("slack", "D2", "UADMIN", "Ada", "/deal team new East"), "Created the team East")
	if ts, _ := h.db.Teams(ctx); len(ts) != 1 || ts[0].RemindHour != 9 {
		t.Fatalf("teams = %+v", ts)
	}
	mustContain(t, h.sayOn("slack", "D2", "UADMIN", "Ada", "/deal team new east"), "There is already a team called east")

	// Members by mention (never met: created) and by name; the rep's deals follow.
	mustContain(t, h.sayOn("slack", "D2", "UADMIN", "Ada", "/deal team add <@UREP> <@UNEW|Nora>"), "Added Rita, Nora to East")
	mustContain(t, h.sayOn("slack", "D2", "UADMIN", "Ada", "/deal team manager <@UMGR|Max>"), "Max now manage East")
	rita, max := h.person("slack", "UREP"), h.person("slack", "UMGR")
	if rita.TeamID == 0 || rita.Role != coach.Rep || max.Role != coach.Manager || max.TeamID != rita.TeamID {
		t.Fatalf("rita %+v, max %+v", rita, max)
	}
	if d := h.deal(1); d.TeamID != rita.TeamID {
		t.Fatalf("Rita's deal stayed in team %d", d.TeamID)
	}
	// The manager sets the team up; the digest channel is where it is said.
	mustContain(t, h.sayOn("slack", "C9", "UMGR", "Max", "/deal digest here"), "slack channel C9")
	mustContain(t, h.sayOn("slack", "C9", "UMGR", "Max", "/deal team tz Europe/Berlin"), "Europe/Berlin")
	mustContain(t, h.sayOn("slack", "C9", "UMGR", "Max", "/deal team hour 8"), "08:00 · weekdays")
	mustContain(t, h.sayOn("slack", "C9", "UMGR", "Max", "/deal team weekends on"), "08:00 · every day")
	mustContain(t, h.sayOn("slack", "C9", "UMGR", "Max", "/deal team target 2026-Q4 5M"), "East's target for 2026-Q4 is ¥5,000,000")
	tm, err := h.db.Team(ctx, rita.TeamID)
	if err != nil || tm.DigestPlatform != "slack" || tm.DigestChannel != "C9" || tm.TZ != "Europe/Berlin" || tm.RemindHour != 8 || !tm.Weekends {
		t.Fatalf("team %+v, %v", tm, err)
	}
	if amt, ok, _ := h.db.Target(ctx, tm.ID, "2026-Q4"); !ok || amt != coach.Major(5_000_000) {
		t.Fatalf("target %v %v", amt, ok)
	}
	show := h.sayOn("slack", "D1", "UREP", "Rita", "/deal team")
	mustContain(t, show, "Team East", "Managers: Ada, Max", "Reps: Rita, Nora", "Target 2026-Q4: ¥5,000,000")

	// Bad input changes nothing and says why.
	for in, want := range map[string]string{
		"/deal team tz Mars/Olympus":     "not a time zone I know",
		"/deal team hour 25":             "as an hour",
		"/deal team target Q4 lots":      "couldn't read the amount",
		"/deal team add ghost":           "I don't know anyone called \"ghost\"",
		"/deal team remove <@UOUT|Otto>": "Otto is not in East",
	} {
		mustContain(t, h.sayOn("slack", "C9", "UMGR", "Max", in), want)
	}
	if again, _ := h.db.Team(ctx, tm.ID); again != tm {
		t.Fatalf("bad input changed the team: %+v", again)
	}
	// A rep may look but not change; the terminal has no channel to post to.
	mustContain(t, h.sayOn("slack", "D1", "UREP", "Rita", "/deal team hour 6"), "Only a manager or an admin")
	mustContain(t, h.sayOn("slack", "D1", "UREP", "Rita", "/deal digest here"), "Only a manager or an admin")

	// A second team's manager cannot take Rita.
	h.sayOn("slack", "D3", "UADMIN", "Ada", "/deal team new West")
	h.sayOn("slack", "D3", "UADMIN", "Ada", "/deal team manager <@UW|Wes>")
	mustContain(t, h.sayOn("slack", "D4", "UW", "Wes", "/deal team add <@UREP>"), "Rita is in another team")
	mustContain(t, h.sayOn("slack", "C9", "UMGR", "Max", "/deal team remove <@UNEW>"), "Removed Nora from East")
}

func TestTeamNamesMustBeUnambiguous(t *testing.T) {
	h := newHarness(t, "UADMIN")
	h.sayOn("slack", "D", "U1", "Sam", "hi")
	h.sayOn("slack", "D", "U2", "Sam", "hi")
	h.sayOn("slack", "D", "UADMIN", "Ada", "/deal team new East")
	mustContain(t, h.sayOn("slack", "D", "UADMIN", "Ada", "/deal team add sam"), "2 people are called \"sam\"")
	if p := h.person("slack", "U1"); p.TeamID != 0 {
		t.Fatal("an ambiguous name joined someone")
	}
}

func TestRemindSettingsInChat(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	mustContain(t, h.sayOn("slack", "D", "U1", "Rita", "remind me at 7am"), "at 07:00")
	p := h.person("slack", "U1")
	if r, _ := h.db.ReminderOf(ctx, p.ID); r != (store.Reminder{Hour: 7}) {
		t.Fatalf("reminder %+v", r)
	}
	mustContain(t, h.sayOn("slack", "D", "U1", "Rita", "reminders off"), "Morning reminders are off")
	if r, _ := h.db.ReminderOf(ctx, p.ID); !r.Off || r.Hour != 7 {
		t.Fatalf("reminder %+v", r)
	}
	mustContain(t, h.sayOn("slack", "D", "U1", "Rita", "打开提醒"), "07:00")
	mustContain(t, h.sayOn("slack", "D", "U1", "Rita", "每天8点提醒我"), "08:00")
	mustContain(t, h.sayOn("slack", "D", "U1", "Rita", "remind me at teatime"), "as an hour")
	if r, _ := h.db.ReminderOf(ctx, p.ID); r.Off || r.Hour != 8 {
		t.Fatalf("reminder %+v", r)
	}

	// Their own time zone: typed in any case, refused when it is none.
	mustContain(t, h.sayOn("slack", "D", "U1", "Rita", "my time zone is america/new_york"),
		"Your time zone is now America/New_York", "at 08:00 (America/New_York)")
	if q := h.person("slack", "U1"); q.TZ != "America/New_York" {
		t.Fatalf("time zone %q", q.TZ)
	}
	for _, bad := range []string{"my time zone is Mars/Olympus_Mons", "my timezone is Local", "/deal remind tz"} {
		mustContain(t, h.sayOn("slack", "D", "U1", "Rita", bad), "is not a time zone I know")
	}
	mustContain(t, h.sayOn("slack", "D", "U1", "Rita", "我的时区是 Asia/Shanghai"), "你的时区已改为 Asia/Shanghai", "08:00（Asia/Shanghai）")
	if q := h.person("slack", "U1"); q.TZ != "Asia/Shanghai" {
		t.Fatalf("time zone %q", q.TZ)
	}
	// Off, a new zone is still confirmed.
	mustContain(t, h.sayOn("slack", "D", "U1", "Rita", "reminders off"), "off")
	mustContain(t, h.sayOn("slack", "D", "U1", "Rita", "/deal remind tz Europe/Berlin"), "now Europe/Berlin", "reminders are off")
}

// TestRemindShowsTheTeamsClock checks that a person without their own hour
// or zone is told their team's, which the scheduler uses.
func TestRemindShowsTheTeamsClock(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.sayOn("slack", "D", "U1", "Rita", "hello")
	p := h.person("slack", "U1")
	tm, err := h.db.CreateTeam(ctx, coach.Team{Name: "East", TZ: "Asia/Tokyo", RemindHour: 7})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.db.JoinTeam(ctx, p.ID, tm.ID, coach.Rep); err != nil {
		t.Fatal(err)
	}
	mustContain(t, h.sayOn("slack", "D", "U1", "Rita", "/deal remind"), "at 07:00 (Asia/Tokyo)")
}

func TestNextStepDone(t *testing.T) {
	h := newHarness(t)
	h.say("Alice", "new deal Acme 100k next step demo Friday")
	h.say("Alice", "done")
	n := h.events(1)
	got := h.say("Alice", "/deal #1 done")
	mustContain(t, got, "Marked done on #1 Acme: demo", "What is your next step on #1")
	if d := h.deal(1); d.NextStep != "" || !d.NextStepDue.IsZero() {
		t.Fatalf("next step kept: %+v", d)
	}
	if h.events(1) != n+2 { // the next step cleared, and the note
		t.Fatalf("%d events, want %d", h.events(1), n+2)
	}
	if e := h.lastEvent(1); e.Kind != coach.EvNote || e.To != "Done: demo" {
		t.Fatalf("last event %+v", e)
	}
	// The answer to the question is the new next step.
	mustContain(t, h.say("Alice", "call the CFO Monday"), "call the CFO")
	if d := h.deal(1); d.NextStep == "" || d.NextStepDue.IsZero() {
		t.Fatalf("new next step not set: %+v", d)
	}
	// Someone else's deal, and a closed one, are refused.
	mustContain(t, h.say("Bob", "#1 done"), "belongs to Alice")
	h.say("Alice", "#1 won")
	mustContain(t, h.say("Alice", "#1 done"), "is closed")
}

// TestTeamLanguage: a team takes its creator's language, keeps it whatever
// its manager typed last, and changes only by "/deal team lang" or
// 团队语言; in its channel, team commands answer in it.
func TestTeamLanguage(t *testing.T) {
	h := newHarness(t, "UCHEN")
	ctx := context.Background()
	mustContain(t, h.sayOn("slack", "D1", "UCHEN", "陈经理", "你好"), "")
	mustContain(t, h.sayOn("slack", "D1", "UCHEN", "陈经理", "/deal team new 华东大客户部"), "华东大客户部")
	chen := h.person("slack", "UCHEN")
	tm, err := h.db.Team(ctx, chen.TeamID)
	if err != nil || tm.Lang != "zh" {
		t.Fatalf("team %+v (%v), want lang zh from its manager", tm, err)
	}
	mustContain(t, h.sayOn("slack", "C9", "UCHEN", "陈经理", "/deal digest here"), "slack 群 C9")
	h.sayOn("slack", "D1", "UCHEN", "陈经理", "help") // English, once
	if p := h.person("slack", "UCHEN"); p.Lang != "en" {
		t.Fatalf("person lang %q after an English help", p.Lang)
	}
	got := h.sayOn("slack", "C9", "UCHEN", "陈经理", "/deal team")
	mustContain(t, got, "团队 华东大客户部", "语言(周报和群消息)", "中文")
	if tm, _ := h.db.Team(ctx, chen.TeamID); tm.Lang != "zh" {
		t.Fatalf("team lang moved to %q with the manager's last message", tm.Lang)
	}
	mustContain(t, h.sayOn("slack", "D1", "UCHEN", "陈经理", "团队语言 英文"), "English")
	if tm, _ := h.db.Team(ctx, chen.TeamID); tm.Lang != "en" {
		t.Fatalf("团队语言 英文: team lang %q", tm.Lang)
	}
	mustContain(t, h.sayOn("slack", "C9", "UCHEN", "陈经理", "/deal team"), "Team 华东大客户部", "Language (digest and channel)")
	mustContain(t, h.sayOn("slack", "D1", "UCHEN", "陈经理", "/deal team lang zh"), "中文")
	mustContain(t, h.sayOn("slack", "D1", "UCHEN", "陈经理", "/deal team lang fr"), "团队消息只能用中文(zh)或英文(en)")
	if tm, _ := h.db.Team(ctx, chen.TeamID); tm.Lang != "zh" {
		t.Fatalf("a bad language changed the team: %q", tm.Lang)
	}
	// A rep may not change it.
	mustContain(t, h.sayOn("slack", "D1", "UCHEN", "陈经理", "/deal team add <@URITA|Rita>"), "Rita")
	mustContain(t, h.sayOn("slack", "D2", "URITA", "Rita", "/deal team lang en"), "Only a manager or an admin")
}
