package parse

import (
	"strconv"
	"strings"

	"github.com/dealcoach/dealcoach/coach"
)

// The scheduler's commands: team setup (slash only: "/deal team add
// @alice"), where the digest goes ("/deal digest here", "周报发到这里"),
// a person's morning reminders ("reminders off", "remind me at 8",
// "每天8点提醒我") and a next step done ("#12 done", "#12 下一步完成了").

// TeamOp is what a team command does.
type TeamOp int

// The team commands.
const (
	TeamShow       TeamOp = iota // "/deal team": the speaker's team and its settings
	TeamNew                      // "/deal team new East": create a team and join it
	TeamUse                      // "/deal team use East": join (switch to) a team
	TeamAdd                      // "/deal team add @alice @bob": reps join the speaker's team
	TeamManager                  // "/deal team manager @carol": a manager of the speaker's team
	TeamRemove                   // "/deal team remove @alice"
	TeamTZ                       // "/deal team tz Europe/Berlin"
	TeamHour                     // "/deal team hour 8": the team's reminder hour
	TeamWeekends                 // "/deal team weekends on|off"
	TeamTarget                   // "/deal team target 2026-Q4 500万"
	TeamDigestHere               // "/deal digest here": the team's digest goes to this channel
)

// TeamCmd is a team command's arguments; only those of Op are set.
type TeamCmd struct {
	Op      TeamOp
	Name    string      // TeamNew, TeamUse
	People  []PersonRef // TeamAdd, TeamManager, TeamRemove
	TZ      string      // TeamTZ, as typed
	Hour    int         // TeamHour: 0–23
	On      bool        // TeamWeekends
	Quarter string      // TeamTarget: "2026-Q4"
	Amount  coach.Money // TeamTarget
	Lang    string      // TeamLang: "zh" or "en"
}

// PersonRef names a person: by platform id from a mention ("<@U123>",
// "<@U123|alice>"), or by name.
type PersonRef struct {
	ID   string
	Name string
}

// RemindCmd changes the speaker's morning reminders.
type RemindCmd struct {
	Off, On bool   // turn them off, or back on
	Hour    int    // a new hour, 0–23; -1: unchanged
	TZ      string // a new time zone for the speaker, as typed; "": unchanged
	Show    bool   // just say what the setting is
}

var (
	slashTeam   = setOf("team", "团队", "小组")
	slashDigest = setOf("digest", "周报")
	slashRemind = setOf("remind", "reminder", "reminders", "提醒")
	here        = setOf("here", "this channel", "to this channel", "这里", "这儿", "本群", "这个群", "此频道", "这个频道")
	onWords     = setOf("on", "yes", "true", "1", "开", "开启", "打开", "是")
	offWords    = setOf("off", "no", "false", "0", "关", "关闭", "否", "不要", "stop")
	doneWords   = setOf("done", "next step done", "next done", "did it", "完成", "完成了", "已完成", "做完了",
		"下一步完成", "下一步完成了", "下一步已完成", "下一步做完了")
	remindOff = setOf("reminders off", "turn off reminders", "turn reminders off", "stop reminders",
		"no reminders", "no more reminders", "stop reminding me", "关闭提醒", "关掉提醒", "停止提醒",
		"不要提醒", "不要提醒我", "别提醒我", "提醒关闭", "关闭每日提醒", "关闭早上提醒")
	remindOn = setOf("reminders on", "turn on reminders", "turn reminders on", "start reminders",
		"remind me again", "打开提醒", "开启提醒", "提醒打开", "打开每日提醒", "开启每日提醒")
	zoneWords = setOf("tz", "timezone", "zone", "时区")
	// zonePrefixes start a sentence setting the speaker's own time zone;
	// the longest first, as they are tried in order.
	zonePrefixes = []string{"set my time zone to ", "set my timezone to ", "change my time zone to ",
		"change my timezone to ", "my time zone is ", "my timezone is ", "my time zone: ", "my timezone: ",
		"my time zone ", "my timezone ", "my tz is ", "my tz ",
		"把我的时区改成", "把我的时区设为", "我的时区改成", "我的时区改为", "我的时区设为", "我的时区是", "我的时区：", "我的时区:", "我的时区"}
	digestHereFree = setOf("digest here", "post the digest here", "send the digest here", "weekly digest here",
		"周报发到这里", "周报发这里", "周报发到本群", "周报发到这个群", "把周报发到这里", "周报发到这个频道")
	teamOps = map[string]TeamOp{
		"new": TeamNew, "create": TeamNew, "新建": TeamNew, "创建": TeamNew,
		"use": TeamUse, "join": TeamUse, "switch": TeamUse, "加入": TeamUse, "切换": TeamUse,
		"add": TeamAdd, "添加": TeamAdd, "加": TeamAdd,
		"manager": TeamManager, "managers": TeamManager, "经理": TeamManager, "主管": TeamManager,
		"remove": TeamRemove, "rm": TeamRemove, "移除": TeamRemove, "删除": TeamRemove,
		"tz": TeamTZ, "timezone": TeamTZ, "zone": TeamTZ, "时区": TeamTZ,
		"hour": TeamHour, "remind": TeamHour, "提醒": TeamHour, "提醒时间": TeamHour,
		"weekends": TeamWeekends, "weekend": TeamWeekends, "周末": TeamWeekends,
		"target": TeamTarget, "quota": TeamTarget, "目标": TeamTarget, "指标": TeamTarget,
		"digest": TeamDigestHere, "周报": TeamDigestHere,
	}
)

// teamErr is a team command that could not be read.
func teamErr(key string, args ...any) Command {
	return Command{Kind: Team, Err: coach.Errorf(coach.Invalid, key, args...)}
}

// slashSchedule reads "/deal team …", "/deal digest here" and "/deal
// remind …".
func (p *parser) slashSchedule(w string, rest text) (Command, bool) {
	switch {
	case slashTeam[w]:
		return p.team(rest), true
	case slashDigest[w]:
		if here[rest.low] || rest.empty() {
			return Command{Kind: Team, Team: &TeamCmd{Op: TeamDigestHere}}, true
		}
		return teamErr("err.digest_where"), true
	case slashRemind[w]:
		return remind(rest), true
	}
	return Command{}, false
}

// team reads the words after "/deal team".
func (p *parser) team(t text) Command {
	if t.empty() {
		return Command{Kind: Team, Team: &TeamCmd{Op: TeamShow}}
	}
	w, rest := firstWord(t)
	if cmd, ok := teamLang(w, rest); ok {
		return cmd
	}
	op, ok := teamOps[w]
	if !ok {
		return teamErr("err.team_usage")
	}
	c := &TeamCmd{Op: op}
	switch op {
	case TeamNew, TeamUse:
		c.Name = clean(rest.raw())
		if c.Name == "" || len(c.Name) > 80 {
			return teamErr("err.team_usage")
		}
	case TeamAdd, TeamManager, TeamRemove:
		c.People = personRefs(rest.raw())
		if len(c.People) == 0 {
			return teamErr("err.team_usage")
		}
	case TeamTZ:
		c.TZ = strings.TrimSpace(rest.raw())
		if c.TZ == "" || strings.ContainsAny(c.TZ, " \t") {
			return teamErr("err.team_usage")
		}
	case TeamHour:
		h, ok := parseHour(rest.low)
		if !ok {
			return teamErr("err.hour", "text", rest.raw())
		}
		c.Hour = h
	case TeamWeekends:
		switch {
		case onWords[rest.low]:
			c.On = true
		case offWords[rest.low]:
		default:
			return teamErr("err.team_usage")
		}
	case TeamTarget:
		q, amount, ok := quarterFirst(rest, p.today)
		if !ok {
			return teamErr("err.target", "text", rest.raw())
		}
		m, ok := ParseAmount(amount)
		if !ok || m <= 0 {
			return teamErr("err.amount", "text", amount)
		}
		c.Quarter, c.Amount = q, m
	case TeamDigestHere:
		if !here[rest.low] && !rest.empty() {
			return teamErr("err.digest_where")
		}
	}
	return Command{Kind: Team, Team: c}
}

// personRefs reads mentions ("<@U123>", "<@U123|alice>") and, between
// them, names separated by commas or spaces ("alice, bob").
func personRefs(s string) []PersonRef {
	var out []PersonRef
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		if strings.HasPrefix(s, "<@") {
			end := strings.IndexByte(s, '>')
			if end < 0 {
				return nil
			}
			id, name, _ := strings.Cut(s[2:end], "|")
			if id == "" {
				return nil
			}
			out = append(out, PersonRef{ID: id, Name: name})
			s = s[end+1:]
			continue
		}
		end := strings.IndexAny(s, ",，、 <")
		if end < 0 {
			end = len(s)
		}
		if name := strings.TrimPrefix(strings.TrimSpace(s[:end]), "@"); name != "" && name != "and" && name != "和" {
			out = append(out, PersonRef{Name: name})
		}
		s = strings.TrimLeft(s[end:], ",，、 ")
	}
	return out
}

// remind reads the words after "/deal remind": off, on, an hour, or
// nothing (show the setting).
func remind(t text) Command {
	switch {
	case t.empty():
		return Command{Kind: Remind, Remind: &RemindCmd{Hour: -1, Show: true}}
	case offWords[t.low]:
		return Command{Kind: Remind, Remind: &RemindCmd{Off: true, Hour: -1}}
	case onWords[t.low]:
		return Command{Kind: Remind, Remind: &RemindCmd{On: true, Hour: -1}}
	}
	if w, rest := firstWord(t); zoneWords[w] {
		return zoneCmd(rest.raw())
	}
	low := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(t.low, "at "), "每天"))
	if h, ok := parseHour(low); ok {
		return Command{Kind: Remind, Remind: &RemindCmd{On: true, Hour: h}}
	}
	return Command{Kind: Remind, Err: coach.Errorf(coach.Invalid, "err.hour", "text", t.raw())}
}

// zoneCmd sets the speaker's time zone to tz, one word such as
// Europe/Berlin (the bot checks it is a zone).
func zoneCmd(tz string) Command {
	tz = strings.TrimRight(strings.TrimSpace(tz), ".!。！")
	if tz == "" || strings.ContainsAny(tz, " \t") {
		return Command{Kind: Remind, Err: coach.Errorf(coach.Invalid, "err.tz", "text", tz)}
	}
	return Command{Kind: Remind, Remind: &RemindCmd{Hour: -1, TZ: tz}}
}

// freeSchedule reads the free-text forms: reminders off/on, "remind me at
// 8", "每天8点提醒我", "my time zone is Europe/Berlin", "digest here".
func freeSchedule(t text) (Command, bool) {
	low := strings.TrimRight(t.low, ".!。！ ")
	for _, pre := range zonePrefixes {
		if strings.HasPrefix(low, pre) {
			return zoneCmd(t.from(len(pre)).raw()), true // the zone as typed: its case matters
		}
	}
	switch {
	case remindOff[low]:
		return Command{Kind: Remind, Remind: &RemindCmd{Off: true, Hour: -1}}, true
	case remindOn[low]:
		return Command{Kind: Remind, Remind: &RemindCmd{On: true, Hour: -1}}, true
	case digestHereFree[low]:
		return Command{Kind: Team, Team: &TeamCmd{Op: TeamDigestHere}}, true
	}
	for _, pre := range []string{"remind me at ", "reminders at ", "remind me every day at ", "remind me daily at "} {
		if rest, ok := strings.CutPrefix(low, pre); ok {
			if h, ok := parseHour(rest); ok {
				return Command{Kind: Remind, Remind: &RemindCmd{On: true, Hour: h}}, true
			}
			return Command{Kind: Remind, Err: coach.Errorf(coach.Invalid, "err.hour", "text", rest)}, true
		}
	}
	// "每天8点提醒我", "早上8点提醒我", "提醒时间改成8点"
	for _, tail := range []string{"提醒我", "提醒"} {
		if rest, ok := strings.CutSuffix(low, tail); ok && strings.HasPrefix(rest, "每天") {
			if h, ok := parseHour(strings.TrimPrefix(rest, "每天")); ok {
				return Command{Kind: Remind, Remind: &RemindCmd{On: true, Hour: h}}, true
			}
		}
	}
	for _, pre := range []string{"提醒时间改成", "提醒时间改为", "提醒时间设为", "提醒时间"} {
		if rest, ok := strings.CutPrefix(low, pre); ok {
			if h, ok := parseHour(rest); ok {
				return Command{Kind: Remind, Remind: &RemindCmd{On: true, Hour: h}}, true
			}
			return Command{Kind: Remind, Err: coach.Errorf(coach.Invalid, "err.hour", "text", rest)}, true
		}
	}
	return Command{}, false
}

// done reads "#12 done", "Acme next step done", "经信银行 下一步完成了":
// a deal followed by nothing but a done word.
func (p *parser) done(t text) (Command, bool) {
	low := strings.TrimRight(t.low, ".!。！ ")
	for w := range doneWords {
		if !strings.HasSuffix(low, w) || len(low) == len(w) {
			continue
		}
		head := t.slice(0, len(low)-len(w))
		if !strings.HasSuffix(head.low, " ") && !strings.HasSuffix(head.low, ":") && !strings.HasSuffix(head.low, ",") && !hasHan(w) {
			continue // "Abandoned" is not "Aban" + "done"
		}
		if ref, ok := nameRef(head.trim(), false, p.pb); ok {
			return Command{Kind: Done, Ref: ref}, true
		}
	}
	return Command{}, false
}

// parseHour reads an hour of the day: "8", "08", "8am", "8 pm", "8:00",
// "20:00", "8点", "早上8点", "下午3点", "晚上8点". Minutes other than :00
// are refused: reminders go out on the hour.
func parseHour(low string) (int, bool) {
	s := strings.TrimSpace(low)
	pm := false
	for _, pre := range []string{"早上", "上午", "早晨", "凌晨"} {
		s = strings.TrimPrefix(s, pre)
	}
	for _, pre := range []string{"下午", "晚上", "傍晚"} {
		if rest, ok := strings.CutPrefix(s, pre); ok {
			s, pm = rest, true
		}
	}
	switch {
	case strings.HasSuffix(s, "pm"):
		s, pm = strings.TrimSpace(strings.TrimSuffix(s, "pm")), true
	case strings.HasSuffix(s, "am"):
		s = strings.TrimSpace(strings.TrimSuffix(s, "am"))
	}
	s = strings.TrimSuffix(strings.TrimSuffix(s, "整"), "点")
	s = strings.TrimSuffix(strings.TrimSuffix(s, ":00"), "：00")
	h, err := strconv.Atoi(s)
	if err != nil || h < 0 || h > 23 {
		return 0, false
	}
	if pm && h < 12 {
		h += 12
	}
	return h, true
}

// quarterFirst splits "2026-Q4 500万" (or "Q4 500万", "this quarter 5M",
// "本季度 500万", or just "500万" for the current quarter) into the quarter
// and the amount's text.
func quarterFirst(t text, today coach.Date) (quarter, amount string, ok bool) {
	cur := coach.QuarterOf(today)
	w, rest := firstWord(t)
	switch {
	case w == "this" && strings.HasPrefix(rest.low, "quarter"):
		_, rest = firstWord(rest)
		return cur.String(), rest.raw(), true
	case w == "next" && strings.HasPrefix(rest.low, "quarter"):
		_, rest = firstWord(rest)
		return cur.Next().String(), rest.raw(), true
	case w == "本季度" || w == "本季":
		return cur.String(), rest.raw(), true
	case w == "下季度" || w == "下季":
		return cur.Next().String(), rest.raw(), true
	}
	if q, ok := coach.ParseQuarter(strings.ToUpper(w), today.Year); ok {
		if rest.empty() {
			return "", "", false
		}
		return q.String(), rest.raw(), true
	}
	if _, ok := ParseAmount(t.raw()); ok {
		return cur.String(), t.raw(), true
	}
	return "", "", false
}
