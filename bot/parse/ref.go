package parse

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/dealcoach/dealcoach/coach"
)

// findID finds "#12" at the start of a word in low.
func findID(low string) (int64, bool) {
	for i := 0; i < len(low); i++ {
		if low[i] != '#' || (i > 0 && isWordByte(low[i-1])) {
			continue
		}
		j := i + 1
		for j < len(low) && isDigit(low[j]) {
			j++
		}
		if j == i+1 || (j < len(low) && isLetter(low[j])) {
			continue
		}
		if id, err := strconv.ParseInt(low[i+1:j], 10, 64); err == nil && id > 0 {
			return id, true
		}
	}
	return 0, false
}

// onlyID reads a text that is nothing but "#12" (or "deal #12").
func onlyID(t text) (int64, bool) {
	t = stripLead(t.trim(), []string{"deal", "商机"})
	if len(t.low) < 2 || t.low[0] != '#' || strings.TrimLeft(t.low[1:], "0123456789") != "" {
		return 0, false
	}
	return findID(t.low)
}

// cleanRef turns the words before a keyword into a deal reference: the id
// when there is one, else the name without filler ("the", "deal", "这单",
// "的"). It also says when the words were just "we" or "我们".
func cleanRef(t text) (ref Ref, pronoun bool) {
	t = t.trim()
	if id, ok := findID(t.low); ok {
		return Ref{ID: id}, false
	}
	deal := hasWordPrefix(t.low, "deal") || strings.HasPrefix(t.low, "商机")
	t = stripTail(stripLead(t, refLead), refTail)
	if id, err := strconv.ParseInt(t.low, 10, 64); deal && err == nil && id > 0 {
		return Ref{ID: id}, false // "deal 12"
	}
	for _, w := range pronouns {
		if t.low == w {
			return Ref{}, true
		}
	}
	return Ref{Name: clean(t.raw())}, false
}

// nameRef reads t as nothing but a deal name: "经信银行", "Acme Corp", "#12".
// A sentence is not a name: at most 4 English words or 12 Han characters,
// no sentence punctuation, no function words. strict (a message on its own,
// not the slot of a question) also wants an English name to look like one:
// a capital letter or a digit, so "asdf" is not a deal.
func nameRef(t text, strict bool, pb *coach.Playbook) (Ref, bool) {
	t = t.trim()
	if id, ok := onlyID(t); ok {
		return Ref{ID: id}, true
	}
	t = stripTail(stripLead(t, refLead), refTail)
	low := t.low
	if low == "" || len(low) > 80 || strings.ContainsAny(low, ",;!?:\n#%") {
		return Ref{}, false
	}
	if notAName(t, pb) {
		return Ref{}, false
	}
	if hasHan(low) {
		if countHan(low) > 12 || containsAny(low, zhStop) || len(strings.Fields(low)) > 4 {
			return Ref{}, false
		}
	} else {
		words := strings.Fields(low)
		if len(words) > 4 {
			return Ref{}, false
		}
		for _, w := range words {
			if enStop[strings.Trim(w, ".'")] {
				return Ref{}, false
			}
		}
		if strict && !looksLikeName(t.raw()) {
			return Ref{}, false
		}
	}
	return Ref{Name: clean(t.raw())}, true
}

// notAName: an amount, a date, a stage or a keyword is not a deal's name.
func notAName(t text, pb *coach.Playbook) bool {
	if a := scanAmount(t.low, 0); a.ok && a.end == len(t.low) {
		return true
	}
	// a Chinese name never starts with a date word ("今天天气"); an English
	// one may ("May Holdings"), so only a whole date counts there
	ds := scanDate(t.low, 0, coach.Date{Year: 2000, Month: 1, Day: 1}, true)
	if ds.ok && (ds.end == len(t.low) || t.low[0] >= 0x80) {
		return true
	}
	if _, ok := matchStage(t.low, pb); ok {
		return true
	}
	return len(findHits(t.low)) > 0
}

func looksLikeName(raw string) bool {
	for _, r := range raw {
		if unicode.IsUpper(r) || unicode.IsDigit(r) || (r > 0x7f && unicode.IsLetter(r)) {
			return true
		}
	}
	return false
}

func containsAny(s string, subs []string) bool {
	for _, w := range subs {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
