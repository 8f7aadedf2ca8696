package parse

import (
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

// scanNumDate reads a date that starts with digits: 2026-12-10,
// 2026/12/10, 2026.12.10, 12/10 (month first), 12月3日, 3号, 3天后,
// "15 Dec", "15th of December", "3 days from now".
func scanNumDate(low string, i int, today coach.Date, loose bool) dateScan {
	n, j, ok := scanInt(low, i)
	if !ok {
		return dateScan{}
	}
	if j < len(low) {
		switch c := low[j]; {
		case (c == '-' || c == '/' || c == '.') && j-i == 4:
			return ymd(low, n, j, c)
		case c == '/' && j-i <= 2:
			return monthSlashDay(low, n, j, today)
		case c >= 0x80:
			return zhAfterNumber(low, i, n, j, today)
		}
	}
	if j-i > 2 {
		return dateScan{}
	}
	e := skipOrdinal(low, j)
	k, _ := seq(low, e, "of")
	if w, k2 := nextWord(low, k); months[w] != 0 {
		if k2 < len(low) && low[k2] == '.' {
			k2++
		}
		return withYear(low, k2, months[w], n, today)
	}
	if e == j {
		return enCount(low, j, n, today, true)
	}
	return dateScan{}
}

// ymd reads the rest of "2026-12-10" after the year; every separator must
// be the same. A complete shape with impossible numbers is bad.
func ymd(low string, y, j int, sep byte) dateScan {
	m, k, ok := scanInt(low, j+1)
	if !ok || k-(j+1) > 2 || k >= len(low) || low[k] != sep {
		return dateScan{}
	}
	d, e, ok := scanInt(low, k+1)
	if !ok || e-(k+1) > 2 {
		return dateScan{}
	}
	return foundValid(y, time.Month(m), d, e)
}

// monthSlashDay reads "12/10" or "12/10/2026": month first, as in the US
// and in Chinese usage.
func monthSlashDay(low string, m, j int, today coach.Date) dateScan {
	d, e, ok := scanInt(low, j+1)
	if !ok || e-(j+1) > 2 || m < 1 || m > 12 || d < 1 || d > 31 {
		return dateScan{}
	}
	if e+5 <= len(low) && low[e] == '/' {
		if y, ye, ok := scanInt(low, e+1); ok && ye-(e+1) == 4 {
			return foundValid(y, time.Month(m), d, ye)
		}
	}
	return rollYear(today, time.Month(m), d, e)
}
