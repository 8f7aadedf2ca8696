package parse

import (
	"strings"

	"github.com/dealcoach/dealcoach/coach"
)

// MatchStage finds the stage of p that s names: its key, its zh or en name
// or an alias (any case), its number ("3", "第3阶段", "第三阶段", "stage 3",
// 1-based) or its win rate ("25%"). Names win over numbers.
func MatchStage(s string, p *coach.Playbook) (string, bool) {
	if p == nil {
		return "", false
	}
	return matchStage(newText(s).trim().low, p)
}

func matchStage(low string, p *coach.Playbook) (string, bool) {
	if low == "" || p == nil {
		return "", false
	}
	if k, ok := stageByName(low, p); ok {
		return k, true
	}
	inner := unwrapStage(low)
	if inner == "" {
		return "", false
	}
	if inner != low {
		if k, ok := stageByName(inner, p); ok {
			return k, true
		}
	}
	if k, ok := stageByNumber(inner, p); ok {
		return k, true
	}
	return stageByRate(inner, p)
}

// unwrapStage drops the words people put around a stage: "stage 3",
// "第3阶段", "立项阶段", "shortlist stage".
func unwrapStage(low string) string {
	for _, w := range []string{"stage", "第"} {
		if hasWordPrefix(low, w) {
			low = strings.TrimSpace(low[len(w):])
		}
	}
	for _, w := range []string{"阶段", "stage", "步"} {
		if hasWordSuffix(low, w) {
			low = strings.TrimSpace(low[:len(low)-len(w)])
		}
	}
	return low
}

// eachName calls fn for every way to name every stage, until fn says stop.
func eachName(p *coach.Playbook, fn func(key, name string) bool) {
	for _, s := range p.Stages {
		if !fn(s.Key, s.Key) || !fn(s.Key, s.Name.ZH) || !fn(s.Key, s.Name.EN) {
			return
		}
		for _, a := range s.Aliases {
			if !fn(s.Key, a) {
				return
			}
		}
	}
}

func stageByName(low string, p *coach.Playbook) (key string, ok bool) {
	eachName(p, func(k, name string) bool {
		if name != "" && strings.EqualFold(low, name) {
			key, ok = k, true
		}
		return !ok
	})
	return key, ok
}

func stageByNumber(low string, p *coach.Playbook) (string, bool) {
	n, end, ok := scanInt(low, 0)
	if !ok || end != len(low) || n < 1 || n > len(p.Stages) {
		return "", false
	}
	return p.Stages[n-1].Key, true
}

func stageByRate(low string, p *coach.Playbook) (string, bool) {
	n, end, ok := scanInt(low, 0)
	if !ok || !isDigit(low[0]) || strings.TrimSpace(low[end:]) != "%" {
		return "", false
	}
	for _, s := range p.Stages {
		if s.WinRate == n {
			return s.Key, true
		}
	}
	return "", false
}

// foldPrefix reports whether low starts with name (any case) as a whole word.
func foldPrefix(low, name string) bool {
	if name == "" || len(low) < len(name) || !strings.EqualFold(low[:len(name)], name) {
		return false
	}
	return len(low) == len(name) || !isWordByte(name[len(name)-1]) || !isWordByte(low[len(name)])
}

// foldSuffix is foldPrefix at the end.
func foldSuffix(low, name string) bool {
	i := len(low) - len(name)
	if name == "" || i < 0 || !strings.EqualFold(low[i:], name) {
		return false
	}
	return i == 0 || !isWordByte(name[0]) || !isWordByte(low[i-1])
}

// stagePrefix finds a stage at the start of t ("shortlist $120k",
// "立项150万", "第3阶段") and returns the text after it.
func stagePrefix(t text, p *coach.Playbook) (string, text, bool) {
	if p == nil || t.empty() {
		return "", t, false
	}
	if k, ok := matchStage(stripTail(t, stageTail).low, p); ok {
		return k, t.from(len(t.low)), true
	}
	key, n := "", 0
	eachName(p, func(k, name string) bool {
		if len(name) > n && foldPrefix(t.low, name) {
			key, n = k, len(name)
		}
		return true
	})
	if n > 0 {
		return key, t.from(n), true
	}
	if k, n, ok := stageNumberPrefix(t.low, p); ok {
		return k, t.from(n), true
	}
	return "", t, false
}

// stageNumberPrefix reads "第3阶段", "3" or "25%" at the start of low.
func stageNumberPrefix(low string, p *coach.Playbook) (string, int, bool) {
	j := 0
	if strings.HasPrefix(low, "第") {
		j = len("第")
	}
	n, end, ok := scanInt(low, j)
	if !ok {
		return "", 0, false
	}
	for _, w := range []string{"阶段", "步", "%"} {
		if strings.HasPrefix(low[end:], w) {
			if k, ok := matchStage(low[:end+len(w)], p); ok {
				return k, end + len(w), true
			}
		}
	}
	if end < len(low) && low[end] != ' ' || j > 0 && n > len(p.Stages) {
		return "", 0, false
	}
	k, ok := stageByNumber(low[j:end], p)
	return k, end, ok
}

// stageSuffix finds the longest stage name at the end of low ("经信银行已入围",
// "Acme shortlisted") and where it starts.
func stageSuffix(low string, p *coach.Playbook) (key string, start int, ok bool) {
	if p == nil {
		return "", 0, false
	}
	n := 0
	eachName(p, func(k, name string) bool {
		if len(name) > n && foldSuffix(low, name) {
			key, n = k, len(name)
		}
		return true
	})
	return key, len(low) - n, n > 0
}

// isFinal reports whether key is the playbook's last stage: reaching it is a win.
func isFinal(key string, p *coach.Playbook) bool {
	return p != nil && key == p.Final().Key
}
