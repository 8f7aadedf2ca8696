package parse

import (
	"testing"

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

var snoozeWorstUnits = []string{"snooze ", "暂缓", "#1 暂缓 ", "3天后再提醒", "snooze Acme ", "1 ", "a week ", "取消暂缓 "}

func snoozeWorstInputs(s string) []string {
	return []string{s, "snooze " + s[:len(s)-10], "#1 snooze " + s[:len(s)-12], "暂缓 " + s[:len(s)-10], s[:len(s)-20] + "再提醒"}
}

// TestSnoozeWorstCase: long texts full of snooze words and lengths stay
// within the parser's work budget (the deal and the length are cut at every
// position).
func TestSnoozeWorstCase(t *testing.T) {
	checkWork(t, testContext(t, "seven-step"), snoozeWorstUnits, snoozeWorstInputs)
}

func BenchmarkSnoozeWorstCase(b *testing.B) {
	benchWork(b, testContext(b, "seven-step"), snoozeWorstUnits, snoozeWorstInputs)
}
