package parse

import (
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

func day(y int, m time.Month, d int) coach.Date { return coach.Date{Year: y, Month: m, Day: d} }

// The reference "now" of the tests: Tuesday 24 November 2026, 10:00 in Shanghai.
var (
	tue = time.Date(2026, 11, 24, 10, 0, 0, 0, shanghai)
	fri = time.Date(2026, 11, 27, 9, 0, 0, 0, shanghai)  // a Friday
	sun = time.Date(2026, 11, 29, 20, 0, 0, 0, shanghai) // a Sunday
	dec = time.Date(2026, 12, 30, 9, 0, 0, 0, shanghai)  // near the year's end
	feb = time.Date(2028, 2, 10, 9, 0, 0, 0, shanghai)   // a leap year
	utc = time.Date(2026, 11, 24, 20, 0, 0, 0, time.UTC) // already 25 November in Shanghai
	sha = time.Date(2026, 11, 24, 20, 0, 0, 0, time.UTC).In(shanghai)
)

var dateCases = []struct {
	in   string
	now  time.Time
	want coach.Date // zero: refused
}{
	{"今天", tue, day(2026, 11, 24)},
	{"明天", tue, day(2026, 11, 25)},
	{"后天", tue, day(2026, 11, 26)},
	{"大后天", tue, day(2026, 11, 27)},
	{"today", tue, day(2026, 11, 24)},
	{"tomorrow", tue, day(2026, 11, 25)},
	{"day after tomorrow", tue, day(2026, 11, 26)},
	// a weekday alone is the next one after today, never today
	{"周五", tue, day(2026, 11, 27)},
	{"星期五", tue, day(2026, 11, 27)},
	{"礼拜五", tue, day(2026, 11, 27)},
	{"Friday", tue, day(2026, 11, 27)},
	{"fri", tue, day(2026, 11, 27)},
	{"周二", tue, day(2026, 12, 1)},      // today is Tuesday: next week's
	{"Tuesday", tue, day(2026, 12, 1)}, // the same rule in English
	{"周五", fri, day(2026, 12, 4)},      // Friday on a Friday: a week ahead
	{"Friday", fri, day(2026, 12, 4)},
	{"this Friday", tue, day(2026, 11, 27)},
	{"周日", tue, day(2026, 11, 29)},
	{"星期天", tue, day(2026, 11, 29)},
	{"sun", tue, day(2026, 11, 29)}, // alone it is a weekday; in a sentence it needs "next"
	// next calendar week (weeks start on Monday)
	{"下周三", tue, day(2026, 12, 2)},
	{"下星期三", tue, day(2026, 12, 2)},
	{"下礼拜天", tue, day(2026, 12, 6)},
	{"next Friday", tue, day(2026, 12, 4)},
	{"next Tuesday", tue, day(2026, 12, 1)},
	{"Wednesday next week", tue, day(2026, 12, 2)},
	{"下下周一", tue, day(2026, 12, 7)},
	{"下周", tue, day(2026, 11, 30)},
	{"next week", tue, day(2026, 11, 30)},
	{"本周五", tue, day(2026, 11, 27)},
	{"这周一", tue, day(2026, 11, 23)}, // this week's, even when past
	// Sunday: the next calendar week starts tomorrow
	{"周一", sun, day(2026, 11, 30)},
	{"下周一", sun, day(2026, 11, 30)},
	{"next Monday", sun, day(2026, 11, 30)},
	{"next Friday", sun, day(2026, 12, 4)},
	{"Friday", sun, day(2026, 12, 4)},
	{"周日", sun, day(2026, 12, 6)},
	// month and day: this year, or next once passed
	{"12月3日", tue, day(2026, 12, 3)},
	{"12月3号", tue, day(2026, 12, 3)},
	{"十二月三日", tue, day(2026, 12, 3)},
	{"11月24日", tue, day(2026, 11, 24)}, // today has not passed
	{"11月23日", tue, day(2027, 11, 23)},
	{"Dec 15", tue, day(2026, 12, 15)},
	{"15 Dec", tue, day(2026, 12, 15)},
	{"December 15th", tue, day(2026, 12, 15)},
	{"15th of December", tue, day(2026, 12, 15)},
	{"Jan 5", tue, day(2027, 1, 5)},
	{"1月5日", dec, day(2027, 1, 5)},
	{"12/10", tue, day(2026, 12, 10)},
	{"3号", tue, day(2026, 12, 3)},
	{"30号", tue, day(2026, 11, 30)},
	{"Dec 15, 2027", tue, day(2027, 12, 15)},
	{"2026-12-10", tue, day(2026, 12, 10)},
	{"2026/12/10", tue, day(2026, 12, 10)},
	{"2026.12.10", tue, day(2026, 12, 10)},
	{"2026年12月10日", tue, day(2026, 12, 10)},
	{"２０２６－１２－１０", tue, day(2026, 12, 10)},
	{"12/10/2027", tue, day(2027, 12, 10)},
	// ends of months, quarters, years
	{"月底", tue, day(2026, 11, 30)},
	{"end of month", tue, day(2026, 11, 30)},
	{"end of the month", dec, day(2026, 12, 31)},
	{"下月底", tue, day(2026, 12, 31)},
	{"end of next month", dec, day(2027, 1, 31)},
	{"下个月", tue, day(2026, 12, 31)},
	{"next month", tue, day(2026, 12, 31)},
	{"12月底", tue, day(2026, 12, 31)},
	{"end of December", tue, day(2026, 12, 31)},
	{"月底", feb, day(2028, 2, 29)}, // leap year
	{"end of month", feb, day(2028, 2, 29)},
	{"2月29日", feb, day(2028, 2, 29)},
	{"2月29日", tue, day(2028, 2, 29)}, // 2027 has none; the next is 2028
	{"年底", tue, day(2026, 12, 31)},
	{"end of year", dec, day(2026, 12, 31)},
	{"季度末", tue, day(2026, 12, 31)},
	{"end of quarter", feb, day(2028, 3, 31)},
	{"下季度末", dec, day(2027, 3, 31)},
	{"end of q1", tue, day(2027, 3, 31)},
	{"end of week", tue, day(2026, 11, 27)},
	{"eow", sun, day(2026, 12, 4)},
	{"December", tue, day(2026, 12, 31)},
	{"in December", tue, day(2026, 12, 31)},
	// counted from today
	{"3天后", tue, day(2026, 11, 27)},
	{"三天后", dec, day(2027, 1, 2)},
	{"两周后", tue, day(2026, 12, 8)},
	{"1个月后", tue, day(2026, 12, 24)},
	{"in 3 days", tue, day(2026, 11, 27)},
	{"in 2 weeks", tue, day(2026, 12, 8)},
	{"in two weeks", tue, day(2026, 12, 8)},
	{"in a month", time.Date(2027, 1, 31, 9, 0, 0, 0, shanghai), day(2027, 2, 28)},
	{"3 days from now", tue, day(2026, 11, 27)},
	// "now" is read in its own location
	{"今天", utc, day(2026, 11, 24)},
	{"今天", sha, day(2026, 11, 25)},
	// refused
	{"", tue, coach.Date{}},
	{"someday", tue, coach.Date{}},
	{"2026-13-45", tue, coach.Date{}},
	{"2026-02-29", tue, coach.Date{}},
	{"2027年2月29日", tue, coach.Date{}},
	{"2月30日", tue, coach.Date{}},
	{"13月5日", tue, coach.Date{}},
	{"Feb 30", tue, coach.Date{}},
	{"31号", tue, coach.Date{}}, // November has 30 days
	{"13/45", tue, coach.Date{}},
	{"周末", tue, coach.Date{}},
	{"next", tue, coach.Date{}},
	{"Friday afternoon meeting", tue, coach.Date{}},
	{"mon", tue, day(2026, 11, 30)},
	{"money", tue, coach.Date{}},
}

func TestParseDate(t *testing.T) {
	for _, tc := range dateCases {
		got, ok := ParseDate(tc.in, tc.now)
		if ok != !tc.want.IsZero() || got != tc.want {
			t.Errorf("ParseDate(%q, %s) = %v, %v; want %v", tc.in, tc.now.Format("Mon 2006-01-02"), got, ok, tc.want)
		}
	}
}
