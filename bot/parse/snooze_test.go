package parse

import (
	"strings"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

// errPast and errFar are the errors of a snooze that ends today or
// earlier, or more than coach.MaxSnoozeDays out.
func errPast(date string) *coach.Error {
	return coach.Errorf(coach.Invalid, "err.snooze_past", "date", date, "max", coach.MaxSnoozeDays)
}

func errFar(date string) *coach.Error {
	return coach.Errorf(coach.Invalid, "err.snooze_far", "date", date, "max", coach.MaxSnoozeDays)
}

// TestSnoozeWorstCase: long texts full of snooze words and lengths still
// parse quickly (the deal and the length are cut at every position).
func TestSnoozeWorstCase(t *testing.T) {
	c := testContext(t, "seven-step")
	for _, unit := range []string{"snooze ", "暂缓", "#1 暂缓 ", "3天后再提醒", "snooze Acme ", "1 ", "a week ", "取消暂缓 "} {
		s := strings.Repeat(unit, maxInput/len(unit))
		start := time.Now()
		for _, in := range []string{s, "snooze " + s[:len(s)-10], "#1 snooze " + s[:len(s)-12], "暂缓 " + s[:len(s)-10], s[:len(s)-20] + "再提醒"} {
			Parse(in, c)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%q repeated: %v", unit, d)
		}
	}
}
