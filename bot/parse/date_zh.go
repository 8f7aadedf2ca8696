package parse

import (
	"strings"
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

// zhFixed are the Chinese date words that need no number.
var zhFixed = func() []zhWord {
	ws := []zhWord{
		{"今天", func(t coach.Date) coach.Date { return t }},
		{"今日", func(t coach.Date) coach.Date { return t }},
		{"明天", func(t coach.Date) coach.Date { return t.AddDays(1) }},
		{"明日", func(t coach.Date) coach.Date { return t.AddDays(1) }},
		{"后天", func(t coach.Date) coach.Date { return t.AddDays(2) }},
		{"大后天", func(t coach.Date) coach.Date { return t.AddDays(3) }},
		{"下月初", func(t coach.Date) coach.Date { return endOfMonth(t, 0).AddDays(1) }},
		{"下个月初", func(t coach.Date) coach.Date { return endOfMonth(t, 0).AddDays(1) }},
		{"年底", func(t coach.Date) coach.Date { return coach.Date{Year: t.Year, Month: 12, Day: 31} }},
		{"年末", func(t coach.Date) coach.Date { return coach.Date{Year: t.Year, Month: 12, Day: 31} }},
		{"今年底", func(t coach.Date) coach.Date { return coach.Date{Year: t.Year, Month: 12, Day: 31} }},
		{"今年年底", func(t coach.Date) coach.Date { return coach.Date{Year: t.Year, Month: 12, Day: 31} }},
		{"明年底", func(t coach.Date) coach.Date { return coach.Date{Year: t.Year + 1, Month: 12, Day: 31} }},
		{"明年年底", func(t coach.Date) coach.Date { return coach.Date{Year: t.Year + 1, Month: 12, Day: 31} }},
	}
	for _, w := range []string{"月底", "月末", "本月底", "本月末", "这个月底", "这个月末", "这月底", "本月", "这个月"} {
		ws = append(ws, zhWord{w, func(t coach.Date) coach.Date { return endOfMonth(t, 0) }})
	}
	for _, w := range []string{"下月底", "下月末", "下个月底", "下个月末", "下个月", "下月"} {
		ws = append(ws, zhWord{w, func(t coach.Date) coach.Date { return endOfMonth(t, 1) }})
	}
	for _, w := range []string{"季度末", "季末", "本季度末", "本季末", "这个季度末", "季度底", "本季度"} {
		ws = append(ws, zhWord{w, func(t coach.Date) coach.Date { return endOfQuarter(t, 0) }})
	}
	for _, w := range []string{"下季度末", "下个季度末", "下季末", "下季度", "下个季度"} {
		ws = append(ws, zhWord{w, func(t coach.Date) coach.Date { return endOfQuarter(t, 1) }})
	}
	return sortZH(ws)
}()

type zhWord struct {
	word string
	day  func(today coach.Date) coach.Date
}

func sortZH(ws []zhWord) []zhWord {
	words := make([]string, len(ws))
	by := make(map[string]zhWord, len(ws))
	for i, w := range ws {
		words[i], by[w.word] = w.word, w
	}
	out := make([]zhWord, 0, len(ws))
	for _, w := range byLen(words...) {
		out = append(out, by[w])
	}
	return out
}

// Week prefixes: how many calendar weeks ahead; -1 is "the coming one".
var zhWeeks = []struct {
	word  string
	weeks int
}{
	{"下下个星期", 2}, {"下下个礼拜", 2}, {"下下星期", 2}, {"下下礼拜", 2}, {"下下周", 2},
	{"下个星期", 1}, {"下个礼拜", 1}, {"下星期", 1}, {"下礼拜", 1}, {"下个周", 1}, {"下周", 1},
	{"这个星期", 0}, {"这个礼拜", 0}, {"本星期", 0}, {"这星期", 0}, {"这礼拜", 0}, {"本礼拜", 0},
	{"这个周", 0}, {"本周", 0}, {"这周", 0},
	{"星期", -1}, {"礼拜", -1}, {"周", -1}, {"週", -1},
}

// zhWeekday reads the day after 周/星期/礼拜: 一 … 六, 日/天/七 for Sunday.
func zhWeekday(s string) (time.Weekday, int, bool) {
	for i, d := range []string{"日", "一", "二", "三", "四", "五", "六"} {
		if strings.HasPrefix(s, d) {
			return time.Weekday(i), len(d), true
		}
	}
	for _, d := range []string{"天", "七"} {
		if strings.HasPrefix(s, d) {
			return time.Sunday, len(d), true
		}
	}
	return 0, 0, false
}

// scanZHDate reads a Chinese date word at low[i:]; numbers written in
// Chinese ("十二月三日", "三天后") go through the number rules.
func scanZHDate(low string, i int, today coach.Date) dateScan {
	s := low[i:]
	for _, w := range zhFixed {
		if strings.HasPrefix(s, w.word) {
			return found(w.day(today), i+len(w.word))
		}
	}
	for _, w := range zhWeeks {
		if !strings.HasPrefix(s, w.word) {
			continue
		}
		wd, n, ok := zhWeekday(s[len(w.word):])
		switch {
		case ok && w.weeks < 0:
			return found(coming(today, wd), i+len(w.word)+n)
		case ok:
			return found(inWeek(today, w.weeks, wd), i+len(w.word)+n)
		case w.weeks > 0: // 下周 alone: next week's Monday
			return found(inWeek(today, w.weeks, time.Monday), i+len(w.word))
		}
		return dateScan{}
	}
	if n, end, ok := scanInt(low, i); ok && end > i {
		return zhAfterNumber(low, i, n, end, today)
	}
	return dateScan{}
}

// zhAfterNumber reads what follows a number in a Chinese date: 年, 月, 日/号,
// 天后, 周后, 个月后.
func zhAfterNumber(low string, i, n, j int, today coach.Date) dateScan {
	s := low[j:]
	switch {
	case strings.HasPrefix(s, "年") && j-i == 4 && isDigit(low[i]):
		m, k, ok := scanInt(low, j+len("年"))
		if !ok || !strings.HasPrefix(low[k:], "月") {
			return dateScan{}
		}
		return zhMonthDay(low, k+len("月"), n, time.Month(m), today)
	case strings.HasPrefix(s, "月"):
		return zhMonthDay(low, j+len("月"), 0, time.Month(n), today)
	}
	for _, r := range zhRelative {
		if strings.HasPrefix(s, r.word) && n > 0 && n < 1000 {
			end := j + len(r.word)
			if r.months {
				return found(addMonths(today, n), end)
			}
			return found(today.AddDays(n*r.days), end)
		}
	}
	if hasPrefixAny(s, "日", "号") {
		k := j + len("日")
		if hasPrefixAny(low[k:], "楼", "线", "院", "门", "馆", "厅", "室", "房", "机", "位", "店", "口", "车", "元") {
			return dateScan{}
		}
		if n < 1 || n > 31 {
			return dateScan{}
		}
		return rollMonth(today, n, k)
	}
	return dateScan{}
}

var zhRelative = []struct {
	word   string
	days   int
	months bool
}{
	{"天以后", 1, false}, {"天之后", 1, false}, {"天后", 1, false}, {"日后", 1, false},
	{"个星期以后", 7, false}, {"个星期之后", 7, false}, {"个星期后", 7, false}, {"个礼拜后", 7, false},
	{"星期后", 7, false}, {"周以后", 7, false}, {"周之后", 7, false}, {"周后", 7, false}, {"个周后", 7, false},
	{"个月以后", 0, true}, {"个月之后", 0, true}, {"个月后", 0, true},
}

// zhMonthDay reads the day after "M月": "3日", "3号", "底", "初", or nothing
// (the month's last day). y is 0 when the year was not given.
func zhMonthDay(low string, k, y int, m time.Month, today coach.Date) dateScan {
	pick := func(d, end int) dateScan {
		if y == 0 {
			return rollYear(today, m, d, end)
		}
		return foundValid(y, m, d, end)
	}
	switch {
	case m < 1 || m > 12:
		if _, e, ok := scanInt(low, k); ok && hasPrefixAny(low[e:], "日", "号") {
			return dateScan{end: e + len("日"), bad: true}
		}
		return dateScan{end: k, bad: true}
	case hasPrefixAny(low[k:], "底", "末"):
		if y == 0 {
			return monthEnd(today, m, k+len("底"))
		}
		return found(coach.Date{Year: y, Month: m, Day: daysIn(y, m)}, k+len("底"))
	case strings.HasPrefix(low[k:], "初"):
		return pick(1, k+len("初"))
	case strings.HasPrefix(low[k:], "中"):
		return pick(15, k+len("中"))
	}
	d, e, ok := scanInt(low, k)
	if !ok {
		if y == 0 {
			return monthEnd(today, m, k)
		}
		return found(coach.Date{Year: y, Month: m, Day: daysIn(y, m)}, k)
	}
	if hasPrefixAny(low[e:], "日", "号") {
		e += len("日")
	} else if e < len(low) && low[e] != ' ' && !isTrimRune(rune(low[e])) {
		return dateScan{} // "12月3个…" is not a date
	}
	return pick(d, e)
}
