package parse

import (
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

var (
	weekdays = map[string]time.Weekday{
		"monday": time.Monday, "mon": time.Monday, "tuesday": time.Tuesday, "tue": time.Tuesday,
		"tues": time.Tuesday, "wednesday": time.Wednesday, "wed": time.Wednesday, "weds": time.Wednesday,
		"thursday": time.Thursday, "thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday,
		"friday": time.Friday, "fri": time.Friday, "saturday": time.Saturday, "sat": time.Saturday,
		"sunday": time.Sunday, "sun": time.Sunday,
	}
	// "sat" and "sun" are words too; inside a sentence they need "next".
	ambiguousWeekdays = setOf("sat", "sun")
	months            = map[string]time.Month{
		"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
		"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
		"september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
	}
	numberWords = map[string]int{
		"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
		"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "couple": 2,
	}
)

// wordAt reads the ASCII letters at low[i:].
func wordAt(low string, i int) (string, int) {
	j := i
	for j < len(low) && isLetter(low[j]) {
		j++
	}
	return low[i:j], j
}

// nextWord skips the spaces after j (at least one) and reads a word.
func nextWord(low string, j int) (string, int) {
	k := skipSpaces(low, j)
	if k == j {
		return "", j
	}
	return wordAt(low, k)
}

// seq reads the words ws one after another from j.
func seq(low string, j int, ws ...string) (int, bool) {
	for _, w := range ws {
		got, k := nextWord(low, j)
		if got != w {
			return j, false
		}
		j = k
	}
	return j, true
}

func scanENDate(low string, i int, today coach.Date, loose bool) dateScan {
	w, j := wordAt(low, i)
	switch w {
	case "today", "tonight", "eod":
		return found(today, j)
	case "tomorrow", "tmr", "tmrw", "tomorow", "tommorow", "tommorrow":
		return found(today.AddDays(1), j)
	case "day":
		if k, ok := seq(low, j, "after", "tomorrow"); ok {
			return found(today.AddDays(2), k)
		}
	case "the":
		if w2, _ := nextWord(low, j); w2 == "day" || w2 == "end" {
			return scanENDate(low, skipSpaces(low, j), today, loose)
		}
	case "next":
		return enNext(low, j, today)
	case "this", "coming":
		return enThis(low, j, today)
	case "end", "eom", "eow", "eoq", "eoy", "month", "quarter", "year":
		return enEnd(low, w, j, today)
	case "in", "within":
		return enIn(low, j, today, loose)
	case "q":
		if loose {
			return quarterNamed(low, i, today)
		}
	}
	if wd, ok := weekdays[w]; ok && (loose || !ambiguousWeekdays[w]) {
		return enWeekday(low, j, wd, today)
	}
	if m, ok := months[w]; ok {
		return enMonth(low, j, m, today, loose)
	}
	if n, ok := numberWords[w]; ok && w != "a" && w != "an" {
		return enCount(low, j, n, today, true)
	}
	return dateScan{}
}

func enNext(low string, j int, today coach.Date) dateScan {
	w, k := nextWord(low, j)
	switch w {
	case "week":
		if w2, k2 := nextWord(low, k); weekdays[w2] != 0 || w2 == "sunday" || w2 == "sun" {
			return found(inWeek(today, 1, weekdays[w2]), k2)
		}
		return found(inWeek(today, 1, time.Monday), k)
	case "month":
		return found(endOfMonth(today, 1), k)
	case "quarter":
		return found(endOfQuarter(today, 1), k)
	case "year":
		return found(coach.Date{Year: today.Year + 1, Month: 12, Day: 31}, k)
	}
	if wd, ok := weekdays[w]; ok {
		return found(inWeek(today, 1, wd), k)
	}
	return dateScan{}
}

func enThis(low string, j int, today coach.Date) dateScan {
	w, k := nextWord(low, j)
	switch w {
	case "month":
		return found(endOfMonth(today, 0), k)
	case "quarter":
		return found(endOfQuarter(today, 0), k)
	case "year":
		return found(coach.Date{Year: today.Year, Month: 12, Day: 31}, k)
	case "coming":
		w, k = nextWord(low, k)
		if wd, ok := weekdays[w]; ok {
			return found(coming(today, wd), k)
		}
		return dateScan{}
	}
	if wd, ok := weekdays[w]; ok {
		if wd == today.Weekday() {
			return found(today, k) // "this Friday" on a Friday is today, as 本周五 is
		}
		return found(coming(today, wd), k)
	}
	return dateScan{}
}

// enWeekday: "Friday", "Friday next week", "Friday this week".
func enWeekday(low string, j int, wd time.Weekday, today coach.Date) dateScan {
	if k, ok := seq(low, j, "next", "week"); ok {
		return found(inWeek(today, 1, wd), k)
	}
	if k, ok := seq(low, j, "this", "week"); ok {
		return found(inWeek(today, 0, wd), k)
	}
	return found(coming(today, wd), j)
}

// enEnd: "end of (the|this|next) month|week|quarter|year|<month>|q1…q4",
// "month end", "month-end", eom, eow, eoq, eoy.
func enEnd(low, w string, j int, today coach.Date) dateScan {
	switch w {
	case "eom":
		return found(endOfMonth(today, 0), j)
	case "eow":
		return found(endOfWeek(today), j)
	case "eoq":
		return found(endOfQuarter(today, 0), j)
	case "eoy":
		return found(coach.Date{Year: today.Year, Month: 12, Day: 31}, j)
	case "month", "quarter", "year":
		k, ok := seq(low, j, "end")
		if !ok && j < len(low) && low[j] == '-' {
			if e, k2 := wordAt(low, j+1); e == "end" {
				k, ok = k2, true
			}
		}
		if ok {
			return periodEnd(w, 0, k, today)
		}
		return dateScan{}
	}
	k, ok := seq(low, j, "of")
	if !ok {
		return dateScan{}
	}
	p, k2 := nextWord(low, k)
	n := 0
	switch p {
	case "the", "this":
		p, k2 = nextWord(low, k2)
	case "next":
		p, k2 = nextWord(low, k2)
		n = 1
	}
	if m, ok := months[p]; ok && n == 0 {
		return monthEnd(today, m, k2)
	}
	if p == "q" {
		return quarterNamed(low, k2-1, today)
	}
	return periodEnd(p, n, k2, today)
}

func periodEnd(p string, n, end int, today coach.Date) dateScan {
	switch p {
	case "month":
		return found(endOfMonth(today, n), end)
	case "week":
		return found(endOfWeek(today).AddDays(7*n), end)
	case "quarter":
		return found(endOfQuarter(today, n), end)
	case "year":
		return found(coach.Date{Year: today.Year + n, Month: 12, Day: 31}, end)
	}
	return dateScan{}
}

// quarterNamed reads "q1" … "q4" at low[k:]: that quarter's last day, this
// year or next.
func quarterNamed(low string, k int, today coach.Date) dateScan {
	if k+2 > len(low) || low[k] != 'q' || low[k+1] < '1' || low[k+1] > '4' {
		return dateScan{}
	}
	m := time.Month(low[k+1]-'0') * 3
	return monthEnd(today, m, k+2)
}

// enIn: "in 3 days", "in two weeks", "in a month", and in a value on its
// own "in December".
func enIn(low string, j int, today coach.Date, loose bool) dateScan {
	k := skipSpaces(low, j)
	if k == j || k >= len(low) {
		return dateScan{}
	}
	if isDigit(low[k]) {
		n, e, ok := scanInt(low, k)
		if !ok {
			return dateScan{}
		}
		return enCount(low, e, n, today, false)
	}
	w, e := wordAt(low, k)
	if n, ok := numberWords[w]; ok {
		if w == "couple" {
			e, _ = seq(low, e, "of")
		}
		return enCount(low, e, n, today, false)
	}
	if m, ok := months[w]; ok && loose {
		return monthEnd(today, m, e)
	}
	return dateScan{}
}

// enCount reads "<n> days|weeks|months", and "from now"/"later" when
// needFrom (there was no "in" before the number).
func enCount(low string, j, n int, today coach.Date, needFrom bool) dateScan {
	u, k := nextWord(low, j)
	if n < 1 || n > 999 {
		return dateScan{}
	}
	var d coach.Date
	switch u {
	case "day", "days":
		d = today.AddDays(n)
	case "week", "weeks":
		d = today.AddDays(7 * n)
	case "month", "months":
		d = addMonths(today, n)
	default:
		return dateScan{}
	}
	if k2, ok := seq(low, k, "from", "now"); ok {
		return found(d, k2)
	}
	if k2, ok := seq(low, k, "from", "today"); ok {
		return found(d, k2)
	}
	if k2, ok := seq(low, k, "later"); ok {
		return found(d, k2)
	}
	if needFrom {
		return dateScan{}
	}
	return found(d, k)
}

// enMonth reads what follows a month name: "15", "15th", "15, 2026",
// "2026", or (loose) nothing: the month's last day.
func enMonth(low string, j int, m time.Month, today coach.Date, loose bool) dateScan {
	k := j
	if k < len(low) && low[k] == '.' {
		k++
	}
	k2 := skipSpaces(low, k)
	if k2 < len(low) && isDigit(low[k2]) {
		d, e, ok := scanInt(low, k2)
		if ok && e-k2 <= 2 {
			e = skipOrdinal(low, e)
			return withYear(low, e, m, d, today)
		}
		if ok && e-k2 == 4 && loose {
			return found(coach.Date{Year: d, Month: m, Day: daysIn(d, m)}, e)
		}
	}
	if loose {
		return monthEnd(today, m, j)
	}
	return dateScan{}
}

// withYear reads an optional ", 2026" after a day and month.
func withYear(low string, e int, m time.Month, d int, today coach.Date) dateScan {
	k := e
	if k < len(low) && low[k] == ',' {
		k++
	}
	k = skipSpaces(low, k)
	if k > e && k+4 <= len(low) {
		if y, ye, ok := scanInt(low, k); ok && ye-k == 4 && (ye == len(low) || !isWordByte(low[ye])) {
			return foundValid(y, m, d, ye)
		}
	}
	if d < 1 || d > 31 {
		return dateScan{end: e, bad: true}
	}
	return rollYear(today, m, d, e)
}

func skipOrdinal(low string, e int) int {
	for _, o := range []string{"st", "nd", "rd", "th"} {
		if hasWordPrefix(low[e:], o) {
			return e + 2
		}
	}
	return e
}
