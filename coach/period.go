package coach

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Quarter is a calendar quarter: the period of a team's target.
type Quarter struct {
	Year int
	Q    int // 1–4
}

// QuarterOf is the quarter day d falls in.
func QuarterOf(d Date) Quarter { return Quarter{d.Year, int(d.Month-1)/3 + 1} }

// ParseQuarter reads "2026-Q4", "2026Q4" or "Q4" (in year).
func ParseQuarter(s string, year int) (Quarter, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	y := year
	if i := strings.IndexByte(s, 'Q'); i > 0 {
		n, err := strconv.Atoi(strings.TrimRight(s[:i], "- "))
		if err != nil || n < 2000 || n > 2200 {
			return Quarter{}, false
		}
		y, s = n, s[i:]
	}
	if len(s) != 2 || s[0] != 'Q' || s[1] < '1' || s[1] > '4' {
		return Quarter{}, false
	}
	return Quarter{y, int(s[1] - '0')}, true
}

// String is "2026-Q4".
func (q Quarter) String() string { return fmt.Sprintf("%d-Q%d", q.Year, q.Q) }

// Start is the quarter's first day.
func (q Quarter) Start() Date { return Date{q.Year, time.Month((q.Q-1)*3 + 1), 1} }

// Next is the quarter after q.
func (q Quarter) Next() Quarter {
	if q.Q == 4 {
		return Quarter{q.Year + 1, 1}
	}
	return Quarter{q.Year, q.Q + 1}
}

// Week is an ISO 8601 week: the period of a weekly digest.
type Week struct {
	Year, W int
}

// WeekOf is the ISO week day d falls in.
func WeekOf(d Date) Week {
	y, w := d.In(time.UTC).ISOWeek()
	return Week{y, w}
}

// ParseWeek reads "2026-W48".
func ParseWeek(s string) (Week, bool) {
	y, w, ok := strings.Cut(strings.ToUpper(strings.TrimSpace(s)), "-W")
	if !ok {
		return Week{}, false
	}
	yn, err1 := strconv.Atoi(y)
	wn, err2 := strconv.Atoi(w)
	if err1 != nil || err2 != nil || yn < 2000 || yn > 2200 || wn < 1 || wn > 53 {
		return Week{}, false
	}
	wk := Week{yn, wn}
	if WeekOf(wk.Monday()) != wk { // week 53 of a year with 52
		return Week{}, false
	}
	return wk, true
}

// String is "2026-W48".
func (w Week) String() string { return fmt.Sprintf("%d-W%02d", w.Year, w.W) }

// Monday is the week's first day.
func (w Week) Monday() Date {
	// 4 January is always in week 1.
	jan4 := Date{w.Year, 1, 4}
	wd := int(jan4.Weekday()+6) % 7 // Monday 0
	return jan4.AddDays(-wd + (w.W-1)*7)
}

// Prev is the week before w.
func (w Week) Prev() Week { return WeekOf(w.Monday().AddDays(-7)) }
