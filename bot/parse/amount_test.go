package parse

import (
	"testing"

	"github.com/dealcoach/dealcoach/coach"
)

// yuan builds an amount from major units and a fraction in minor units.
func yuan(major, minor int64) coach.Money { return coach.Major(major) + coach.Money(minor) }

var amountCases = []struct {
	in   string
	want coach.Money
	ok   bool
}{
	// Chinese units
	{"120万", yuan(1_200_000, 0), true},
	{"150万元", yuan(1_500_000, 0), true},
	{"1.2万", yuan(12_000, 0), true},
	{"3.5亿", yuan(350_000_000, 0), true},
	{"3亿5000万", yuan(350_000_000, 0), true},
	{"1万5千", yuan(15_000, 0), true},
	{"2000万", yuan(20_000_000, 0), true},
	{"2千万", yuan(20_000_000, 0), true},
	{"两千万", yuan(20_000_000, 0), true},
	{"一百二十万", yuan(1_200_000, 0), true},
	{"五十万元", yuan(500_000, 0), true},
	{"十万", yuan(100_000, 0), true},
	{"三千五块", yuan(3_500, 0), true},
	{"80000元", yuan(80_000, 0), true},
	{"120 万", yuan(1_200_000, 0), true},
	{"８０万", yuan(800_000, 0), true}, // full-width digits
	// currencies and Latin units
	{"$120k", yuan(120_000, 0), true},
	{"120K", yuan(120_000, 0), true},
	{"1.2M", yuan(1_200_000, 0), true},
	{"1.2m", yuan(1_200_000, 0), true},
	{"2 million", yuan(2_000_000, 0), true},
	{"1.5bn", yuan(1_500_000_000, 0), true},
	{"¥80,000", yuan(80_000, 0), true},
	{"￥80,000", yuan(80_000, 0), true},
	{"RMB 80000", yuan(80_000, 0), true},
	{"rmb80000", yuan(80_000, 0), true},
	{"80000 RMB", yuan(80_000, 0), true},
	{"USD 5,000", yuan(5_000, 0), true},
	{"人民币50万", yuan(500_000, 0), true},
	{"1,200,000", yuan(1_200_000, 0), true},
	{"$1,250.50", yuan(1_250, 50), true},
	{"$0.05", yuan(0, 5), true},
	{"1234.5", yuan(1_234, 50), true},
	{"0", 0, true},
	{"  42  ", yuan(42, 0), true},
	{"99999999999999", yuan(99_999_999_999_999, 0), true},
	{"1万亿", 0, false}, // "万亿" steps up, not down
	// refused
	{"", 0, false},
	{"abc", 0, false},
	{"$12x", 0, false},
	{"12x", 0, false},
	{"1.2.3万", 0, false},
	{"1,20,000", 0, false},
	{"1234,567", 0, false},
	{"$1.255", 0, false}, // not a whole cent
	{"-5万", 0, false},
	{"$", 0, false},
	{"万", 0, false},
	{"两千", 0, false}, // a number but no unit or currency: not clearly money
	{"5万3万", 0, false},
	{"3亿5000", 0, false},
	{"100-120万", 0, false},
	{"1e6", 0, false},
	{"999999999999999999999", 0, false},
	{"200000000000000", 0, false}, // above 10^14
	{"9999999999999亿", 0, false},
	{"120万 next", 0, false},
	{"5 months", 0, false},
}

func TestParseAmount(t *testing.T) {
	for _, tc := range amountCases {
		got, ok := ParseAmount(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestParseAmountExact: decimal strings are read exactly, never through
// floats: 1.2M is exactly 120000000 minor units.
func TestParseAmountExact(t *testing.T) {
	for in, want := range map[string]coach.Money{
		"1.2M": 120_000_000, "0.1k": 10_000, "0.3万": 300_000, "1.15M": 115_000_000, "$0.29": 29,
	} {
		if got, ok := ParseAmount(in); !ok || got != want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
}

// ReadAmount reads a whole amount with its currency as an update's amount
// clause does ("/deal #12 amount $120k"), which forms once round-tripped.
func TestReadAmountAsAnUpdateReadsIt(t *testing.T) {
	ins := []string{"$120k", "US$ 1.5M", "RMB 80000", "¥80,000", "€200k", "1,200,000", "$1,250.50", "150万元", "50万美元", "3 million dollars", "hkd 300k"}
	for _, tc := range amountCases {
		ins = append(ins, tc.in)
	}
	for _, in := range ins {
		m, cur, ok := ReadAmount(in)
		if pm, pok := ParseAmount(in); pm != m || pok != ok {
			t.Errorf("%q: ReadAmount %v %v, ParseAmount %v %v", in, m, ok, pm, pok)
		}
		if !ok {
			continue
		}
		c := Parse("/deal #12 amount "+in, testContext(t, "seven-step"))
		if c.Err != nil || !c.HasAmount || c.Amount != m {
			t.Errorf("%q: the update reads %v %q (%v), ReadAmount %v %q", in, c.Amount, c.Currency, c.Err, m, cur)
			continue
		}
		if c.Currency != cur {
			t.Errorf("%q: currency %q, the update reads %q", in, cur, c.Currency)
		}
	}
}
