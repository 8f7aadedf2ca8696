// Package charttest finds the CJK font that tests drawing Chinese text need,
// in one place for every package that has such tests.
//
// A machine with only Go has no CJK font, and the README's test command must
// pass there: without a font these tests skip, saying why. CI installs
// fonts-droid-fallback and sets DEALCOACH_TEST_FONT_REQUIRED=1, which turns a
// missing font into a failure, so that the tests cannot silently stop running
// where they are meant to.
package charttest

import (
	"os"
	"testing"
)

// RequiredEnv, set to "1", makes a missing font fail the tests instead of
// skipping them (.ci/run sets it after installing the font).
const RequiredEnv = "DEALCOACH_TEST_FONT_REQUIRED"

// Font loads the tests' CJK font with load (chart.LoadFont; taken as a
// function so that chart's own tests can use this package without an import
// cycle): the file DEALCOACH_FONT names when it is set, else the first font
// of the system's usual places. Without one the test is skipped, or fails
// under DEALCOACH_TEST_FONT_REQUIRED=1.
func Font[F any](tb testing.TB, load func(path string) (F, error)) F {
	tb.Helper()
	f, err := load(os.Getenv("DEALCOACH_FONT"))
	Check(tb, err)
	return f
}

// Optional is Font for a test that also has something to check without a
// font (a digest goes as text only then): ok is false when there is none,
// said in the test's log; under DEALCOACH_TEST_FONT_REQUIRED=1 a missing
// font still fails the test.
func Optional[F any](tb testing.TB, load func(path string) (F, error)) (f F, ok bool) {
	tb.Helper()
	f, err := load(os.Getenv("DEALCOACH_FONT"))
	if err == nil {
		return f, true
	}
	if os.Getenv(RequiredEnv) == "1" {
		Check(tb, err)
	}
	tb.Logf("no CJK font found: the parts that draw a chart are not checked; install fonts-droid-fallback or set DEALCOACH_FONT to check them")
	return f, false
}

// Check handles the error of a font lookup a test needed: nil goes on; any
// other skips the test with what to install, or fails it when
// DEALCOACH_TEST_FONT_REQUIRED=1.
func Check(tb testing.TB, err error) {
	tb.Helper()
	if err == nil {
		return
	}
	if os.Getenv(RequiredEnv) == "1" {
		tb.Fatalf("no CJK font, and %s=1 requires one: %v\ninstall fonts-droid-fallback or set DEALCOACH_FONT", RequiredEnv, err)
	}
	// The lookup's error lists every place searched: too long to repeat per test.
	tb.Skipf("skipped: this test draws Chinese text and no CJK font was found; "+
		"install fonts-droid-fallback or set DEALCOACH_FONT=/path/to/font.ttf to run it "+
		"(CI sets %s=1, which makes a missing font a failure)", RequiredEnv)
}
