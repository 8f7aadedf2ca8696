package parse

import (
	"math/bits"
	"strings"
	"unicode/utf8"

	"github.com/dealcoach/dealcoach/coach"
)

// ParseAmount reads s as one amount and returns it in minor units:
// "120万", "150万元", "1.2M", "$120k", "¥80,000", "RMB 80000", "1,200,000",
// "3.5亿", "3亿5000万", "两千万", "$1,250.50". The arithmetic is exact (no
// floats): a value that does not come out in whole minor units, a malformed
// number or one above 10^14 major units is refused. The currency symbol is
// accepted but not kept: a deal's currency is the organisation's.
func ParseAmount(s string) (coach.Money, bool) {
	m, _, ok := ReadAmount(s)
	return m, ok
}

// ReadAmount is ParseAmount that also tells the currency the amount is
// written in ("$120k" is USD), or "" when it names none, as an update reads
// "#12 amount $120k": for an amount typed in a form's field.
func ReadAmount(s string) (coach.Money, string, bool) {
	t := newText(s)
	low := strings.TrimSpace(t.low)
	a := scanAmount(low, 0)
	if !a.ok || a.end != len(low) {
		return 0, "", false
	}
	return a.m, a.cur, true
}

// amountScan is what scanAmount found at a position.
type amountScan struct {
	m      coach.Money
	end    int
	ok     bool   // a well-formed amount ends at end
	bad    bool   // it looked like an amount but is malformed or out of range
	marked bool   // it has a currency or a unit, not just a bare number
	cur    string // ISO code of a currency written with it ("$" → USD), or ""
}

// currencyCodes maps the currency words of amounts to ISO codes. "¥" is
// read as the yuan: in this product's markets it almost always is.
var currencyCodes = map[string]string{
	"us$": "USD", "usd": "USD", "$": "USD", "dollars": "USD", "dollar": "USD", "bucks": "USD",
	"rmb": "CNY", "cny": "CNY", "人民币": "CNY", "¥": "CNY", "元人民币": "CNY", "元": "CNY",
	"块钱": "CNY", "块": "CNY", "yuan": "CNY",
	"€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "欧元": "EUR", "£": "GBP", "gbp": "GBP", "英镑": "GBP",
	"美元": "USD", "美金": "USD", "hk$": "HKD", "hkd": "HKD", "港币": "HKD", "港元": "HKD", "jpy": "JPY", "日元": "JPY",
}

// maxMinor keeps amounts far from int64 overflow when a funnel is summed; it
// is coach.ParseMoney's bound of 10^14 major units.
const maxMinor = 10_000_000_000_000_000

var (
	currencyPrefixes = byLen("us$", "usd", "rmb", "cny", "人民币", "$", "¥", "€", "eur", "£", "gbp", "hk$", "hkd", "jpy")
	currencySuffixes = byLen("元人民币", "元", "块钱", "块", "rmb", "yuan", "cny", "usd", "dollars", "dollar",
		"bucks", "人民币", "美元", "美金", "欧元", "英镑", "港币", "港元", "日元", "eur", "euro", "euros", "gbp", "hkd", "jpy")
)

// units multiply the number before them; the longest spelling wins.
var units = []struct {
	word string
	mult uint64
}{
	{"thousand", 1e3}, {"million", 1e6}, {"billion", 1e9},
	{"千万", 1e7}, {"百万", 1e6}, {"十万", 1e5}, {"万", 1e4}, {"亿", 1e8}, {"千", 1e3},
	{"mil", 1e6}, {"mio", 1e6}, {"mm", 1e6}, {"mn", 1e6}, {"bn", 1e9}, {"k", 1e3}, {"m", 1e6}, {"w", 1e4}, {"b", 1e9},
}

// scanAmount reads an amount at low[i:]. Chinese composites step down
// ("3亿5000万"); each further part needs its own unit.
func scanAmount(low string, i int) amountScan {
	var a amountScan
	j := i
	if w := currencyPrefix(low[j:]); w != "" {
		j, a.marked, a.cur = skipSpaces(low, j+len(w)), true, currencyCodes[w]
	}
	var total uint64
	last := uint64(1e12)
	for part := 0; ; part++ {
		mant, scale, k, st := scanNumber(low, j)
		if st == numNone {
			a.bad, a.end = a.marked || part > 0, j
			return a
		}
		if st == numBad {
			a.bad, a.end = true, k
			return a
		}
		mult, k2 := scanUnit(low, k)
		if !partFits(low, j, k, part, mult, last) {
			a.bad, a.end = part > 0 || mult != 0, k
			return a
		}
		v, ok := minorUnits(mant, scale, max(mult, 1))
		if !ok || v > maxMinor || total+v > maxMinor {
			a.bad, a.end = true, k2
			return a
		}
		total, j, a.marked = total+v, k2, a.marked || mult != 0
		if last = mult; mult < 1e4 || j >= len(low) || !startsNumber(low, j) {
			break
		}
	}
	return finishAmount(low, j, total, a)
}

// partFits: units step down ("3亿5000万", not "5万3万"), every part after
// the first has one, and a Chinese numeral needs a unit or a currency
// ("两千块"; "两千" alone is not clearly money).
func partFits(low string, j, k, part int, mult, last uint64) bool {
	switch {
	case part > 0 && mult == 0, mult != 0 && mult >= last:
		return false
	case mult == 0 && low[j] >= utf8.RuneSelf:
		return hasCurrencySuffix(low, k)
	}
	return true
}

// finishAmount reads a currency suffix and checks that the amount ends
// cleanly: "12x" and "1.2.3" are malformed, not 12 and 1.2.
func finishAmount(low string, j int, total uint64, a amountScan) amountScan {
	if k := skipSpaces(low, j); k < len(low) {
		if w := longestWordPrefix(low[k:], currencySuffixes); w != "" {
			j, a.marked = k+len(w), true
			if a.cur == "" {
				a.cur = currencyCodes[w]
			}
		}
	}
	if j < len(low) {
		c := low[j]
		if isWordByte(c) || ((c == '.' || c == ',') && j+1 < len(low) && isDigit(low[j+1])) {
			a.bad, a.end = true, j
			return a
		}
	}
	a.ok, a.m, a.end = true, coach.Money(total), j
	return a
}

func hasCurrencySuffix(low string, k int) bool {
	k = skipSpaces(low, k)
	return k < len(low) && longestWordPrefix(low[k:], currencySuffixes) != ""
}

func startsNumber(low string, j int) bool {
	if isDigit(low[j]) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(low[j:])
	_, ok := cnDigit(r)
	return ok
}

type numStatus int

const (
	numNone numStatus = iota
	numOK
	numBad
)

// scanNumber reads "1,200,000.50" (mantissa 120000050, scale 2) or a
// Chinese numeral below 10000 ("一百二十", "两千").
func scanNumber(low string, j int) (mant uint64, scale, end int, st numStatus) {
	if j >= len(low) {
		return 0, 0, j, numNone
	}
	if !isDigit(low[j]) {
		v, k, ok := scanCN(low, j)
		if !ok {
			return 0, 0, j, numNone
		}
		return v, 0, k, numOK
	}
	k, digits := j, 0
	lead := 0
	for ; k < len(low) && isDigit(low[k]); k++ {
		mant, digits, lead = mant*10+uint64(low[k]-'0'), digits+1, lead+1
		if digits > 18 {
			return 0, 0, k, numBad
		}
	}
	for lead <= 3 && isGroup(low, k) { // thousands: "1,200,000"
		for _, c := range []byte(low[k+1 : k+4]) {
			mant, digits = mant*10+uint64(c-'0'), digits+1
		}
		if k += 4; digits > 18 {
			return 0, 0, k, numBad
		}
	}
	if k+1 < len(low) && low[k] == '.' && isDigit(low[k+1]) {
		for k++; k < len(low) && isDigit(low[k]); k++ {
			mant, scale, digits = mant*10+uint64(low[k]-'0'), scale+1, digits+1
			if digits > 18 {
				return 0, 0, k, numBad
			}
		}
	}
	return mant, scale, k, numOK
}

// isGroup reports a thousands group at low[k]: a comma and exactly three digits.
func isGroup(low string, k int) bool {
	if k+4 > len(low) || low[k] != ',' || !isDigit(low[k+1]) || !isDigit(low[k+2]) || !isDigit(low[k+3]) {
		return false
	}
	return k+4 == len(low) || !isDigit(low[k+4])
}

// scanUnit reads a unit right after a number, allowing one space before it.
func scanUnit(low string, k int) (uint64, int) {
	for _, at := range [2]int{k, k + 1} {
		if at > k && (k >= len(low) || low[k] != ' ') {
			break
		}
		for _, u := range units {
			if hasWordPrefix(low[min(at, len(low)):], u.word) {
				return u.mult, at + len(u.word)
			}
		}
	}
	return 0, k
}

// minorUnits is mant/10^scale*mult major units in minor units, exactly.
func minorUnits(mant uint64, scale int, mult uint64) (uint64, bool) {
	hi, v := bits.Mul64(mant, mult)
	if hi != 0 {
		return 0, false
	}
	if hi, v = bits.Mul64(v, coach.MinorPerMajor); hi != 0 {
		return 0, false
	}
	den := uint64(1)
	for range scale {
		den *= 10
	}
	if v%den != 0 {
		return 0, false
	}
	return v / den, true
}

func skipSpaces(low string, j int) int {
	for j < len(low) && low[j] == ' ' {
		j++
	}
	return j
}

// currencyPrefix is the currency low starts with: "RMB80000" and "RMB 80000"
// both count, "rmbx" does not.
func currencyPrefix(low string) string {
	for _, w := range currencyPrefixes {
		if strings.HasPrefix(low, w) && (len(low) == len(w) || !isLetter(low[len(w)])) {
			return w
		}
	}
	return ""
}

// longestWordPrefix is the first of words (sorted longest first) that low
// starts with as a whole word.
func longestWordPrefix(low string, words []string) string {
	for _, w := range words {
		if hasWordPrefix(low, w) {
			return w
		}
	}
	return ""
}

// amountLike tells a chunk the user clearly meant as an amount: it has a
// currency or ends in a unit ("$12x", "1.2.3万").
func amountLike(low string, a amountScan) bool {
	if a.marked {
		return true
	}
	hasDigit := strings.IndexAny(low, "0123456789") >= 0
	if !hasDigit {
		return false
	}
	for _, w := range []string{"万", "亿", "元", "块"} {
		if strings.HasSuffix(low, w) {
			return true
		}
	}
	c := low[len(low)-1]
	return (c == 'k' || c == 'm' || c == 'w') && len(low) > 1 && (isDigit(low[len(low)-2]) || low[len(low)-2] == '.')
}
