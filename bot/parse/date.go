package parse

import (
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

// ParseDate reads s as one date, resolving relative words against now's
// calendar day in now's location. The rules, in both languages:
//
//   - 今天 today, 明天 tomorrow, 后天, 大后天, "day after tomorrow".
//   - A weekday alone (周五, 星期五, 礼拜五, Friday, fri, this Friday) is the
//     next one after today: 1 to 7 days ahead, never today; but "this
//     Friday" said on a Friday is today.
//   - 下周三, 下星期三, "next Wednesday", "Wednesday next week" are that day of
//     the next calendar week (weeks start on Monday); 下下周三 the week
//     after. 本周三/这周三 is that day of this week, even if it has passed.
//     下周 and "next week" alone are next week's Monday.
//   - 12月3日, 12月3号, "Dec 3", "3 Dec", "December 3rd", 12/3 (month first in
//     both languages): this year, or next year when the day has passed
//     (today counts as not passed). 3号 alone: this month, or next month.
//   - 2026-12-10, 2026/12/10, 2026.12.10, 2026年12月10日, "Dec 10, 2026".
//   - 月底/"end of month" is the last day of this month; 下月底/"end of next
//     month" of the next; 下个月/"next month" also the last day of next month;
//     12月底/"end of December" the last day of that month; 年底/"end of year"
//     31 December; 季度末/"end of quarter" the last day of the quarter.
//   - 3天后/"in 3 days"/"3 days from now", 两周后/"in 2 weeks", 1个月后/"in a
//     month" (the same day of the month, or its last day).
//   - "end of week"/eow is this week's Friday (next week's once it has passed).
//
// A date-shaped string that is not a real day (2026-13-45, 2月30日) is
// refused.
func ParseDate(s string, now time.Time) (coach.Date, bool) {
	t := newText(s).trim()
	if t.empty() {
		return coach.Date{}, false
	}
	ds := scanDate(t.low, 0, coach.DateOf(now), true)
	if !ds.ok || ds.end != len(t.low) {
		return coach.Date{}, false
	}
	return ds.d, true
}

// dateScan is what scanDate found at a position.
type dateScan struct {
	d   coach.Date
	end int
	ok  bool // a date ends at end
	bad bool // it is shaped like a date but is not a real day
}

func found(d coach.Date, end int) dateScan { return dateScan{d: d, end: end, ok: true} }

func foundValid(y int, m time.Month, d, end int) dateScan {
	if day, ok := validDate(y, m, d); ok {
		return found(day, end)
	}
	return dateScan{end: end, bad: true}
}

// scanDate reads a date at low[i:]. loose allows forms that are too
// ambiguous inside a sentence (a bare month name, "sat", "sun").
func scanDate(low string, i int, today coach.Date, loose bool) dateScan {
	if i >= len(low) {
		return dateScan{}
	}
	var ds dateScan
	switch c := low[i]; {
	case isDigit(c):
		ds = scanNumDate(low, i, today, loose)
	case isLetter(c):
		ds = scanENDate(low, i, today, loose)
	case c >= 0x80:
		ds = scanZHDate(low, i, today)
	}
	if (ds.ok || ds.bad) && ds.end < len(low) && isWordByte(low[ds.end-1]) && isWordByte(low[ds.end]) {
		return dateScan{} // "mon" in "money", "12/3" in "12/3x"
	}
	return ds
}

func validDate(y int, m time.Month, d int) (coach.Date, bool) {
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return coach.Date{}, false
	}
	return coach.Date{Year: y, Month: m, Day: d}, true
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// endOfMonth is the last day of the month n months after today's.
func endOfMonth(today coach.Date, n int) coach.Date {
	t := time.Date(today.Year, today.Month+time.Month(n)+1, 0, 0, 0, 0, 0, time.UTC)
	return coach.DateOf(t)
}

// endOfQuarter is the last day of the quarter n quarters after today's.
func endOfQuarter(today coach.Date, n int) coach.Date {
	q := (int(today.Month) - 1) / 3
	t := time.Date(today.Year, time.Month((q+n+1)*3+1), 0, 0, 0, 0, 0, time.UTC)
	return coach.DateOf(t)
}

// addMonths keeps the day of the month, or takes the month's last day.
func addMonths(today coach.Date, n int) coach.Date {
	t := time.Date(today.Year, today.Month+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	d := min(today.Day, daysIn(t.Year(), t.Month()))
	return coach.Date{Year: t.Year(), Month: t.Month(), Day: d}
}

// coming is the next wd after today: 1 to 7 days ahead.
func coming(today coach.Date, wd time.Weekday) coach.Date {
	n := (int(wd) - int(today.Weekday()) + 7) % 7
	if n == 0 {
		n = 7
	}
	return today.AddDays(n)
}

// inWeek is wd of the calendar week (Monday first) weeks after today's.
func inWeek(today coach.Date, weeks int, wd time.Weekday) coach.Date {
	monday := today.AddDays(-((int(today.Weekday()) + 6) % 7))
	return monday.AddDays(7*weeks + (int(wd)+6)%7)
}

// endOfWeek is this week's Friday, or next week's once it has passed.
func endOfWeek(today coach.Date) coach.Date {
	if f := inWeek(today, 0, time.Friday); !f.Before(today) {
		return f
	}
	return inWeek(today, 1, time.Friday)
}

// rollYear is month/day this year, or the next year that has it once it
// has passed (29 February may be years away).
func rollYear(today coach.Date, m time.Month, d, end int) dateScan {
	for y := today.Year; y <= today.Year+8; y++ {
		if day, ok := validDate(y, m, d); ok && !day.Before(today) {
			return found(day, end)
		}
	}
	return dateScan{end: end, bad: true}
}

// rollMonth is day d this month, or next month once it has passed.
func rollMonth(today coach.Date, d, end int) dateScan {
	if d >= today.Day {
		return foundValid(today.Year, today.Month, d, end)
	}
	next := addMonths(coach.Date{Year: today.Year, Month: today.Month, Day: 1}, 1)
	return foundValid(next.Year, next.Month, d, end)
}

// monthEnd is the last day of month m, this year or next.
func monthEnd(today coach.Date, m time.Month, end int) dateScan {
	y := today.Year
	if m < today.Month {
		y++
	}
	return found(coach.Date{Year: y, Month: m, Day: daysIn(y, m)}, end)
}

// cutDate finds the first date in t and returns it with the rest of t
// around it, minus linking words ("by", "on", "之前"). bad is set (with its
// text) when the first date-shaped words are not a real day.
func cutDate(t text, today coach.Date) (d coach.Date, before, after text, bad text, ok bool) {
	low := t.low
	for i := 0; i < len(low); i++ {
		if low[i]&0xC0 == 0x80 || !dateStart(low, i) {
			continue
		}
		ds := scanDate(low, i, today, false)
		if !ds.ok && !ds.bad {
			continue
		}
		if ds.bad {
			return d, t, t, t.slice(i, ds.end), false
		}
		a, b := cutLinks(low, i, ds.end)
		return ds.d, t.slice(0, a), t.from(b), text{}, true
	}
	return d, t, t, text{}, false
}

// dateStart: a date starts a word, and never inside a number or an id.
func dateStart(low string, i int) bool {
	if i == 0 || low[i] >= 0x80 {
		return true
	}
	p := low[i-1]
	if isDigit(low[i]) {
		return !isWordByte(p) && p != '#' && p != '.' && p != '/' && p != '-' && p != ',' && p != '$'
	}
	return !isWordByte(p)
}

var (
	linkBefore = byLen("by", "on", "before", "until", "till", "due", "due by", "due on", "at", "around", "no later than",
		"在", "于", "定在", "约在", "安排在", "定于", "最晚")
	linkAfter = byLen("之前", "以前", "左右", "前", "at the latest")
)

// cutLinks widens the date span [i, j) over the linking words around it.
func cutLinks(low string, i, j int) (int, int) {
	head := low[:i]
	for k := len(head); k > 0 && head[k-1] == ' '; k-- {
		head = head[:k-1]
	}
	for _, w := range linkBefore {
		if hasWordSuffix(head, w) {
			i = len(head) - len(w)
			break
		}
	}
	tail := low[skipSpaces(low, j):]
	for _, w := range linkAfter {
		if hasWordPrefix(tail, w) && (w != "前" || !hasPrefixAny(tail[len(w):], "往", "去", "来")) {
			j = len(low) - len(tail) + len(w)
			break
		}
	}
	return i, j
}

func hasPrefixAny(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if len(s) >= len(p) && s[:len(p)] == p {
			return true
		}
	}
	return false
}
