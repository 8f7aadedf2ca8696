package parse

import (
	"strings"

	"github.com/dealcoach/dealcoach/coach"
)

// The words of a snooze: "snooze #12 3d", "Acme snooze until Friday",
// "经信银行 暂缓一周", "#12 3天后再提醒"; and of its end: "unsnooze #12",
// "#12 snooze off", "#12 取消暂缓".
var (
	snoozeVerbs   = byLen("snooze", "暂缓", "暂停提醒", "推迟提醒", "延后提醒")
	unsnoozeVerbs = byLen("unsnooze", "un-snooze", "取消暂缓", "恢复提醒")
	// snoozeFor leads a length ("for a week"), snoozeUntil a day ("until
	// Friday", "到周五"); a day after 到 is a date, so "暂缓到10日" is the
	// 10th while "暂缓10日" is ten days.
	snoozeFor   = byLen("for")
	snoozeUntil = byLen("until", "till", "til", "to", "到", "至", "直到", "一直到")
	snoozeOff   = setOf("off", "none", "cancel", "clear", "stop", "取消", "关闭", "解除")
	// remindAgain ends "#12 3天后再提醒": the day the reminders resume.
	remindAgain = byLen("再提醒", "再提醒我", "再提醒吧", "再提醒我吧")
	// snoozePolite may come before a snooze verb: "please snooze #12 3d".
	snoozePolite = setOf("please", "pls", "plz", "请", "帮我", "麻烦", "请帮我")
	snoozeUnits  = map[string]int{ // a unit of a length, in days; 0: a month
		"d": 1, "day": 1, "days": 1, "天": 1, "日": 1,
		"w": 7, "wk": 7, "wks": 7, "week": 7, "weeks": 7, "周": 7, "个周": 7, "星期": 7, "个星期": 7,
		"礼拜": 7, "个礼拜": 7, "month": 0, "months": 0, "个月": 0,
	}
)

// verbAt is a snooze or unsnooze verb found in a message.
type verbAt struct {
	start, end int
	off        bool // unsnooze
	latin      bool // an English word: the intent is clear even when the rest is not
}

// snooze reads a snooze or its end. The deal comes before the verb ("#12
// snooze 3d", "经信银行 暂缓一周") or after it ("snooze Acme for a week",
// "unsnooze #12"). A Chinese verb glued to other words may be part of a
// name ("暂缓科技"), so then without a length or a day it is left to the
// other rules; an English verb, a Chinese one standing apart, an #id or
// the slash grammar make the intent clear, and then what cannot be read
// is an error.
func (p *parser) snooze(t text, slash bool) (Command, bool) {
	if !strings.Contains(t.low, "snooze") && !strings.Contains(t.low, "暂缓") && !strings.Contains(t.low, "提醒") {
		return Command{}, false
	}
	vs := findSnoozeVerbs(t.low)
	for _, v := range vs {
		if v.start == 0 {
			continue
		}
		if ref, ok := nameRef(t.slice(0, v.start), false, p.pb); ok {
			clear := slash || v.latin || ref.ID != 0 || strings.ContainsRune(" ,:;", rune(t.low[v.start-1]))
			if cmd, ok := p.snoozeRest(ref, v, t.from(v.end), clear); ok {
				return cmd, true
			}
		}
	}
	if len(vs) > 0 && (vs[0].start == 0 || snoozePolite[t.slice(0, vs[0].start).trim().low]) {
		if cmd, ok := p.snoozeVerbFirst(vs[0], t.from(vs[0].end), slash); ok {
			return cmd, true
		}
	}
	return p.remindAgain(t)
}

// findSnoozeVerbs lists the verbs of t.low, left to right, each a whole
// word; "取消暂缓" is one verb, not 暂缓.
func findSnoozeVerbs(low string) []verbAt {
	var out []verbAt
	for i := 0; i < len(low); i++ {
		if low[i]&0xC0 == 0x80 || (i > 0 && isWordByte(low[i-1]) && isWordByte(low[i])) {
			continue
		}
		w, ok := wordPrefixAny(low[i:], unsnoozeVerbs)
		off := ok
		if !ok {
			w, ok = wordPrefixAny(low[i:], snoozeVerbs)
		}
		if ok {
			out = append(out, verbAt{start: i, end: i + len(w), off: off, latin: isWordByte(w[0])})
			i += len(w) - 1
		}
	}
	return out
}

func wordPrefixAny(low string, words []string) (string, bool) {
	for _, w := range words {
		if hasWordPrefix(low, w) {
			return w, true
		}
	}
	return "", false
}

// snoozeRest reads what follows the verb once the deal is known; clear
// says that the message is surely a snooze.
func (p *parser) snoozeRest(ref Ref, v verbAt, rest text, clear bool) (Command, bool) {
	rest = rest.trim()
	if v.off {
		if rest.empty() {
			return Command{Kind: Snooze, Ref: ref}, true
		}
		if clear {
			return Command{Kind: Snooze, Ref: ref, Err: coach.Errorf(coach.Invalid, "err.snooze", "text", clean(rest.raw()))}, true
		}
		return Command{}, false
	}
	w := p.snoozeWhen(rest)
	switch {
	case w.ok:
		return p.snoozeCmd(ref, w), true
	case w.bad:
		return Command{Kind: Snooze, Ref: ref, Err: coach.Errorf(coach.Invalid, "err.date", "text", clean(rest.raw()))}, true
	case rest.empty() || clear:
		return Command{Kind: Snooze, Ref: ref, Err: coach.Errorf(coach.Invalid, "err.snooze", "text", clean(rest.raw()))}, true
	}
	return Command{}, false
}

// snoozeVerbFirst reads "snooze #12 3 days", "snooze Acme until Friday",
// "unsnooze Acme", "暂缓 经信银行 一周": the deal, then the length or day.
func (p *parser) snoozeVerbFirst(v verbAt, rest text, slash bool) (Command, bool) {
	clear := slash || v.latin || strings.HasPrefix(rest.low, " ")
	rest = rest.trim()
	if ref, after := leadingID(rest); !ref.IsZero() {
		return p.snoozeRest(ref, v, after, true)
	}
	if v.off {
		if ref, ok := nameRef(rest, false, p.pb); ok {
			return Command{Kind: Snooze, Ref: ref}, true
		}
		if clear && rest.empty() {
			return Command{Kind: Snooze, Err: coach.Errorf(coach.Invalid, "err.need_deal")}, true
		}
		return Command{}, false
	}
	if ref, w, ok := p.splitWhen(rest); ok {
		if w.bad {
			return Command{Kind: Snooze, Ref: ref, Err: coach.Errorf(coach.Invalid, "err.date", "text", clean(rest.raw()))}, true
		}
		return p.snoozeCmd(ref, w), true
	}
	if !clear {
		return Command{}, false
	}
	if ref, ok := nameRef(rest, false, p.pb); ok { // "snooze Acme": how long?
		return Command{Kind: Snooze, Ref: ref, Err: coach.Errorf(coach.Invalid, "err.snooze", "text", "")}, true
	}
	return Command{Kind: Snooze, Err: coach.Errorf(coach.Invalid, "err.snooze", "text", clean(rest.raw()))}, true
}

// remindAgain reads "#12 3天后再提醒", "经信银行 下周一再提醒": the deal,
// then the day the reminders resume.
func (p *parser) remindAgain(t text) (Command, bool) {
	q := t.trim()
	w, ok := suffixAny(q.low, remindAgain)
	if !ok {
		return Command{}, false
	}
	body := q.slice(0, len(q.low)-len(w)).trim()
	if ref, after := leadingID(body); !ref.IsZero() {
		return p.snoozeRest(ref, verbAt{}, after, true)
	}
	ref, when, ok := p.splitWhen(body)
	if !ok || when.off {
		return Command{}, false
	}
	if when.bad {
		return Command{Kind: Snooze, Ref: ref, Err: coach.Errorf(coach.Invalid, "err.date", "text", clean(body.raw()))}, true
	}
	return p.snoozeCmd(ref, when), true
}

func suffixAny(low string, words []string) (string, bool) {
	for _, w := range words {
		if strings.HasSuffix(low, w) {
			return w, true
		}
	}
	return "", false
}

// splitWhen cuts t into a deal's name and, after it, a length or day to
// snooze: at the first place where both read ("Acme until Friday",
// "经信银行一周").
func (p *parser) splitWhen(t text) (Ref, snoozeTime, bool) {
	low := t.low
	for i := 1; i < len(low); i++ {
		if low[i]&0xC0 == 0x80 || (isWordByte(low[i-1]) && isWordByte(low[i])) {
			continue
		}
		w := p.snoozeWhen(t.from(i))
		if !w.ok && !w.bad {
			continue
		}
		if ref, ok := nameRef(t.slice(0, i), false, p.pb); ok {
			return ref, w, true
		}
	}
	return Ref{}, snoozeTime{}, false
}

// snoozeTime is what snoozeWhen read.
type snoozeTime struct {
	until coach.Date
	off   bool // the snooze ends: "off", "取消"
	ok    bool // until or off is set
	bad   bool // a date-shaped value that is no real day
}

// snoozeWhen reads how long to snooze, all of t: a length in days, weeks
// or months ("3d", "2w", "3 days", "a week", "3天", "一周", "1个月") or,
// like any date, the day the reminders resume ("Friday", "next Monday",
// "2026-12-01", "周五", "3天后"); or "off".
func (p *parser) snoozeWhen(t text) snoozeTime {
	t = t.trim()
	if snoozeOff[t.low] {
		return snoozeTime{off: true, ok: true}
	}
	lengthOK := true
	if u := stripLead(t, snoozeUntil); len(u.low) < len(t.low) {
		t, lengthOK = u, false
	} else if f := stripLead(t, snoozeFor); len(f.low) < len(t.low) {
		t = f
	}
	if t.empty() {
		return snoozeTime{}
	}
	if lengthOK {
		if d, ok := p.snoozeLength(t.low); ok {
			return snoozeTime{until: d, ok: true}
		}
	}
	if ds := scanDate(t.low, 0, p.today, true); ds.end == len(t.low) {
		return snoozeTime{until: ds.d, ok: ds.ok, bad: ds.bad}
	}
	return snoozeTime{}
}

// snoozeLength reads "3d", "2 weeks", "a week", "三天", "两个星期", "1个月"
// as the day that long after today.
func (p *parser) snoozeLength(low string) (coach.Date, bool) {
	n, j, ok := scanInt(low, 0)
	if !ok {
		var w string
		w, j = wordAt(low, 0)
		if n, ok = numberWords[w]; !ok {
			return coach.Date{}, false
		}
	}
	days, ok := snoozeUnits[low[skipSpaces(low, j):]]
	if !ok || n < 1 || n > 999 {
		return coach.Date{}, false
	}
	if days == 0 {
		return addMonths(p.today, n), true
	}
	return p.today.AddDays(n * days), true
}

// snoozeCmd is the command for a day read: a snooze until it, checked
// against today, or the end of a snooze.
func (p *parser) snoozeCmd(ref Ref, w snoozeTime) Command {
	if w.off {
		return Command{Kind: Snooze, Ref: ref}
	}
	if err := coach.CheckSnooze(p.today, w.until); err != nil {
		return Command{Kind: Snooze, Ref: ref, Err: err}
	}
	return Command{Kind: Snooze, Ref: ref, SnoozeUntil: w.until}
}
