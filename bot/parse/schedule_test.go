package parse

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dealcoach/dealcoach/coach"
)

func TestParseSchedule(t *testing.T) {
	c := testContext(t, "seven-step") // today is in 2026-Q4
	team := func(tc TeamCmd) Command { return Command{Kind: Team, Slash: true, Lang: "en", Team: &tc} }
	teamZh := func(tc TeamCmd) Command { return Command{Kind: Team, Slash: true, Lang: "zh", Team: &tc} }
	remindCmd := func(lang string, slash bool, r RemindCmd) Command {
		return Command{Kind: Remind, Lang: lang, Slash: slash, Remind: &r}
	}
	bad := func(lang string, slash bool, kind Kind, key string, args ...any) Command {
		return Command{Kind: kind, Lang: lang, Slash: slash, Err: coach.Errorf(coach.Invalid, key, args...)}
	}
	cases := []struct {
		in   string
		want Command
	}{
		{"/deal team", team(TeamCmd{Op: TeamShow})},
		{"/deal team new East Coast", team(TeamCmd{Op: TeamNew, Name: "East Coast"})},
		{"/deal 团队 新建 华东一组", teamZh(TeamCmd{Op: TeamNew, Name: "华东一组"})},
		{"/deal team use east coast", team(TeamCmd{Op: TeamUse, Name: "east coast"})},
		{"/deal team add <@U1> <@U2|bob>", team(TeamCmd{Op: TeamAdd, People: []PersonRef{{ID: "U1"}, {ID: "U2", Name: "bob"}}})},
		{"/deal team add alice, bob and @carol", team(TeamCmd{Op: TeamAdd, People: []PersonRef{{Name: "alice"}, {Name: "bob"}, {Name: "carol"}}})},
		{"/deal team manager <@ou_9|王经理>", teamZh(TeamCmd{Op: TeamManager, People: []PersonRef{{ID: "ou_9", Name: "王经理"}}})},
		{"/deal team remove <@U1>", team(TeamCmd{Op: TeamRemove, People: []PersonRef{{ID: "U1"}}})},
		{"/deal team tz Europe/Berlin", team(TeamCmd{Op: TeamTZ, TZ: "Europe/Berlin"})},
		{"/deal team hour 8", team(TeamCmd{Op: TeamHour, Hour: 8})},
		{"/deal team hour 2pm", team(TeamCmd{Op: TeamHour, Hour: 14})},
		{"/deal team weekends on", team(TeamCmd{Op: TeamWeekends, On: true})},
		{"/deal team weekends off", team(TeamCmd{Op: TeamWeekends})},
		{"/deal team target 2026-Q4 5M", team(TeamCmd{Op: TeamTarget, Quarter: "2026-Q4", Amount: coach.Major(5_000_000)})},
		{"/deal team target Q1 800k", team(TeamCmd{Op: TeamTarget, Quarter: "2026-Q1", Amount: coach.Major(800_000)})},
		{"/deal team target next quarter 1.2M", team(TeamCmd{Op: TeamTarget, Quarter: "2027-Q1", Amount: coach.Major(1_200_000)})},
		{"/deal team target 500万", teamZh(TeamCmd{Op: TeamTarget, Quarter: "2026-Q4", Amount: coach.Major(5_000_000)})},
		{"/deal 团队 目标 本季度 500万", teamZh(TeamCmd{Op: TeamTarget, Quarter: "2026-Q4", Amount: coach.Major(5_000_000)})},
		{"/deal digest here", team(TeamCmd{Op: TeamDigestHere})},
		{"/deal 周报 这里", teamZh(TeamCmd{Op: TeamDigestHere})},
		{"digest here", Command{Kind: Team, Lang: "en", Team: &TeamCmd{Op: TeamDigestHere}}},
		{"周报发到这里", Command{Kind: Team, Lang: "zh", Team: &TeamCmd{Op: TeamDigestHere}}},

		{"/deal team frobnicate", bad("en", true, Team, "err.team_usage")},
		{"/deal team add", bad("en", true, Team, "err.team_usage")},
		{"/deal team hour 25", bad("en", true, Team, "err.hour", "text", "25")},
		{"/deal team hour 8:30", bad("en", true, Team, "err.hour", "text", "8:30")},
		{"/deal team target 2026-Q5 5M", bad("en", true, Team, "err.target", "text", "2026-Q5 5M")},
		{"/deal team target Q4 lots", bad("en", true, Team, "err.amount", "text", "lots")},
		{"/deal team weekends maybe", bad("en", true, Team, "err.team_usage")},
		{"/deal digest to #sales", bad("en", true, Team, "err.digest_where")},

		{"/deal remind", remindCmd("en", true, RemindCmd{Hour: -1, Show: true})},
		{"/deal remind off", remindCmd("en", true, RemindCmd{Off: true, Hour: -1})},
		{"/deal remind on", remindCmd("en", true, RemindCmd{On: true, Hour: -1})},
		{"/deal remind 8", remindCmd("en", true, RemindCmd{On: true, Hour: 8})},
		{"/deal 提醒 每天8点", remindCmd("zh", true, RemindCmd{On: true, Hour: 8})},
		{"/deal remind soonish", bad("en", true, Remind, "err.hour", "text", "soonish")},
		{"reminders off", remindCmd("en", false, RemindCmd{Off: true, Hour: -1})},
		{"Stop reminders!", remindCmd("en", false, RemindCmd{Off: true, Hour: -1})},
		{"关闭提醒", remindCmd("zh", false, RemindCmd{Off: true, Hour: -1})},
		{"打开提醒", remindCmd("zh", false, RemindCmd{On: true, Hour: -1})},
		{"remind me at 8", remindCmd("en", false, RemindCmd{On: true, Hour: 8})},
		{"remind me at 7am", remindCmd("en", false, RemindCmd{On: true, Hour: 7})},
		{"每天8点提醒我", remindCmd("zh", false, RemindCmd{On: true, Hour: 8})},
		{"每天早上7点提醒我", remindCmd("zh", false, RemindCmd{On: true, Hour: 7})},
		{"提醒时间改成10点", remindCmd("zh", false, RemindCmd{On: true, Hour: 10})},
		{"remind me at noonish", bad("en", false, Remind, "err.hour", "text", "noonish")},
		{"/deal remind tz Europe/Berlin", remindCmd("en", true, RemindCmd{Hour: -1, TZ: "Europe/Berlin"})},
		{"/deal 提醒 时区 Asia/Shanghai", remindCmd("zh", true, RemindCmd{Hour: -1, TZ: "Asia/Shanghai"})},
		{"/deal remind timezone", bad("en", true, Remind, "err.tz", "text", "")},
		{"my time zone is America/New_York", remindCmd("en", false, RemindCmd{Hour: -1, TZ: "America/New_York"})},
		{"My timezone is europe/london.", remindCmd("en", false, RemindCmd{Hour: -1, TZ: "europe/london"})},
		{"set my time zone to Asia/Tokyo", remindCmd("en", false, RemindCmd{Hour: -1, TZ: "Asia/Tokyo"})},
		{"我的时区是 Asia/Shanghai", remindCmd("zh", false, RemindCmd{Hour: -1, TZ: "Asia/Shanghai"})},
		{"把我的时区改成Europe/Berlin", remindCmd("zh", false, RemindCmd{Hour: -1, TZ: "Europe/Berlin"})},
		{"my time zone is central european time", bad("en", false, Remind, "err.tz", "text", "central european time")},

		{"/deal #12 done", Command{Kind: Done, Slash: true, Lang: "en", Ref: Ref{ID: 12}}},
		{"#12 done", Command{Kind: Done, Lang: "en", Ref: Ref{ID: 12}}},
		{"Acme next step done", Command{Kind: Done, Lang: "en", Ref: Ref{Name: "Acme"}}},
		{"经信银行 下一步完成了", Command{Kind: Done, Lang: "zh", Ref: Ref{Name: "经信银行"}}},
		{"#12 完成了", Command{Kind: Done, Lang: "zh", Ref: Ref{ID: 12}}},
	}
	for _, tc := range cases {
		if diff := cmp.Diff(tc.want, Parse(tc.in, c)); diff != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
	// Not done: "done" glued to a word, or a sentence with more in it.
	for _, in := range []string{"Abandoned", "#12 demo done, next step call CFO Friday"} {
		if got := Parse(in, c); got.Kind == Done {
			t.Errorf("Parse(%q) = Done, want another reading", in)
		}
	}
}

func TestParseHour(t *testing.T) {
	for in, want := range map[string]int{"0": 0, "9": 9, "09": 9, "9am": 9, "9 am": 9, "12pm": 12, "11pm": 23,
		"20:00": 20, "8点": 8, "早上8点": 8, "下午3点": 15, "晚上8点": 20, "8点整": 8} {
		if got, ok := parseHour(in); !ok || got != want {
			t.Errorf("parseHour(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "24", "-1", "8:30", "nine", "8点半"} {
		if got, ok := parseHour(in); ok {
			t.Errorf("parseHour(%q) = %d, want refused", in, got)
		}
	}
}

func TestWeeksAndQuarters(t *testing.T) {
	for _, tc := range []struct {
		day  coach.Date
		week string
		mon  coach.Date
	}{
		{coach.Date{Year: 2026, Month: 11, Day: 25}, "2026-W48", coach.Date{Year: 2026, Month: 11, Day: 23}},
		{coach.Date{Year: 2027, Month: 1, Day: 1}, "2026-W53", coach.Date{Year: 2026, Month: 12, Day: 28}},
		{coach.Date{Year: 2024, Month: 12, Day: 30}, "2025-W01", coach.Date{Year: 2024, Month: 12, Day: 30}},
	} {
		w := coach.WeekOf(tc.day)
		if w.String() != tc.week || w.Monday() != tc.mon {
			t.Errorf("WeekOf(%v) = %v from %v; want %s from %v", tc.day, w, w.Monday(), tc.week, tc.mon)
		}
		if p, ok := coach.ParseWeek(tc.week); !ok || p != w {
			t.Errorf("ParseWeek(%s) = %v, %v", tc.week, p, ok)
		}
	}
	for _, bad := range []string{"2026-W54", "2025-W53", "2026-48", "W48", "2026-W00"} {
		if _, ok := coach.ParseWeek(bad); ok {
			t.Errorf("ParseWeek(%q) accepted", bad)
		}
	}
	if q := coach.QuarterOf(coach.Date{Year: 2026, Month: 11, Day: 25}); q.String() != "2026-Q4" || q.Start() != (coach.Date{Year: 2026, Month: 10, Day: 1}) || q.Next().String() != "2027-Q1" {
		t.Errorf("quarter of 2026-11-25: %v from %v, next %v", q, q.Start(), q.Next())
	}
}
