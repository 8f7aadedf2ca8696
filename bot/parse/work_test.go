package parse

import (
	"strings"
	"testing"
)

// workBudget bounds the work of one Parse, counted as the stretches its
// rules cut from the message (source.work), not timed: a timed limit fails
// on a slow or busy machine, or under -race, for no fault of the parser.
// Most worst-case texts of maxInput bytes cost about one cut per byte;
// the dearest today is " is " repeated (about 1,000,000 cuts, some 50 ms:
// the contact rule tries the name before every " is "). A rule that made the
// parser cubic, or quadratic with a larger factor, goes over.
const workBudget = 2_000_000

// checkWork parses every input of every unit repeated to maxInput bytes and
// fails when one goes over workBudget.
func checkWork(t *testing.T, c Context, units []string, inputs func(string) []string) {
	t.Helper()
	most, dearest := 0, ""
	for _, unit := range units {
		for _, in := range inputs(strings.Repeat(unit, maxInput/len(unit))) {
			_, _, work := parse(in, c)
			if work > workBudget {
				t.Errorf("%q repeated (%.20q…): %d cuts, over the budget of %d", unit, in, work, workBudget)
			}
			if work > most {
				most, dearest = work, unit
			}
		}
	}
	t.Logf("most work: %d cuts, for %q repeated", most, dearest)
}

// benchWork times what checkWork counts: go test -bench WorstCase -benchtime 3x ./bot/parse
func benchWork(b *testing.B, c Context, units []string, inputs func(string) []string) {
	var all []string
	for _, unit := range units {
		all = append(all, inputs(strings.Repeat(unit, maxInput/len(unit)))...)
	}
	b.ResetTimer()
	for b.Loop() {
		for _, in := range all {
			Parse(in, c)
		}
	}
}

// TestWorkCounted: the count does see a rule's cuts, so that the budget
// checks something (a text of one word is cut a few times at most; a long
// text of many words many times more).
func TestWorkCounted(t *testing.T) {
	c := testContext(t, "seven-step")
	_, _, short := parse("Acme won", c)
	_, _, long := parse(strings.Repeat("Acme is at and ", 200), c)
	if short == 0 || long <= 10*short {
		t.Fatalf("work of a short text %d, of a long one %d: the count does not follow the rules' cuts", short, long)
	}
}
