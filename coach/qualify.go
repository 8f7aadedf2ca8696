package coach

import "fmt"

// Health is a deal's 8C1F0W count over the playbook's factors. A factor
// not yet marked counts as F: not knowing is what fuzzy means.
type Health struct{ C, F, W int }

// Assess counts the marks of the factors (keys in playbook order).
func Assess(factors []string, marks map[string]Mark) Health {
	var h Health
	for _, f := range factors {
		switch marks[f] {
		case Clear:
			h.C++
		case Warning:
			h.W++
		default:
			h.F++
		}
	}
	return h
}

// String is the health line, e.g. "7C 2F 0W".
func (h Health) String() string { return fmt.Sprintf("%dC %dF %dW", h.C, h.F, h.W) }

// Winnable applies the method's rule: a deal marked 8 C, 1 F, 0 W or better
// wins 60% of the time or more. With fewer than nine factors (a custom
// playbook) the rule scales: at most one F, no W, the rest C.
func (h Health) Winnable() bool {
	n := h.C + h.F + h.W
	return n > 0 && h.W == 0 && h.F <= 1 && h.C >= n-1
}

// ParseMark reads "C", "F" or "W" (either case).
func ParseMark(s string) (Mark, bool) {
	switch s {
	case "C", "c":
		return Clear, true
	case "F", "f":
		return Fuzzy, true
	case "W", "w":
		return Warning, true
	}
	return "", false
}
