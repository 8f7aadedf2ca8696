package coach

import (
	"fmt"
	"strconv"
	"strings"
)

// Money is an exact amount in minor units (cents, fen) of a currency.
// Floats never touch money: 0.1+0.2 must stay 0.3 in a forecast.
type Money int64

// MinorPerMajor is the number of minor units in one major unit. Every currency
// dealcoach supports (CNY, USD, EUR, …) uses two decimals.
const MinorPerMajor = 100

// Major builds an amount from whole major units.
func Major(units int64) Money { return Money(units * MinorPerMajor) }

// String renders the amount in major units with at most two decimals and no
// grouping, e.g. "1200000" or "1200000.5". It is the export format.
func (m Money) String() string {
	neg := m < 0
	if neg {
		m = -m
	}
	s := strconv.FormatInt(int64(m)/MinorPerMajor, 10)
	if frac := int64(m) % MinorPerMajor; frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", frac), "0")
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Weighted is an amount times a win rate (0–100): a deal's share of the
// forecast.
func Weighted(m Money, winRate int) Money { return m * Money(winRate) / 100 }

// ParseMoney reads a plain decimal in major units ("1200000", "1200000.50").
// It is the import format; chat amounts ("120万", "$1.2M") are parsed in bot.
func ParseMoney(s string) (Money, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty amount")
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	if !digits(whole) || (hasFrac && (!digits(frac) || len(frac) > 2)) {
		return 0, fmt.Errorf("amount %q: want digits with at most two decimals", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > maxMajor {
		return 0, fmt.Errorf("amount %q: not a number in range", s)
	}
	var f int64
	if hasFrac {
		if len(frac) == 1 {
			frac += "0"
		}
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil || f < 0 {
			return 0, fmt.Errorf("amount %q: bad decimals", s)
		}
	}
	m := Money(w*MinorPerMajor + f)
	if neg {
		m = -m
	}
	return m, nil
}

// maxMajor keeps amounts far from int64 overflow when summed over a funnel.
const maxMajor = 1_000_000_000_000_000 / MinorPerMajor

// digits reports whether s is a non-empty run of ASCII digits: ParseInt
// alone would take a sign inside "1.+5".
func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
