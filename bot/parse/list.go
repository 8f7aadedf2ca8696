package parse

import (
	"strings"

	"github.com/dealcoach/dealcoach/coach"
)

var (
	listMarkers = []string{"list", "ls", "deals", "opportunities", "opps", "mine", "列", "清单", "商机", "单子"}
	listFillEN  = setOf("list", "ls", "show", "me", "all", "my", "the", "in", "at", "stage", "of", "please",
		"open", "current", "active", "our", "deals", "opportunities", "opps", "what", "are", "which", "mine")
	listFillZH = byLen("列表", "列出", "列一下", "我的", "所有", "全部", "的", "商机", "单子", "项目", "阶段",
		"看看", "查看", "显示", "处于", "哪些", "有哪些", "一下", "请", "都", "目前", "现在", "清单")
)

// list reads "list", "my deals", "列表", "我的商机", "list shortlist",
// "我的立项商机". "list" and "列表" are sure; "deals" and "商机" only when
// nothing but a stage is left.
func (p *parser) list(t text) (Command, bool) {
	q := t.trim()
	if !containsAny(q.low, listMarkers) {
		return Command{}, false
	}
	rawFields := strings.Fields(q.raw())
	lowFields := strings.Fields(q.low)
	sure, maybe := false, false
	var rest []string
	for i, w := range lowFields {
		if listFillEN[w] {
			sure = sure || w == "list" || w == "ls"
			maybe = maybe || w == "deals" || w == "opportunities" || w == "opps" || w == "mine"
			continue
		}
		if hasHan(w) {
			stripped := w
			for _, f := range listFillZH {
				stripped = strings.ReplaceAll(stripped, f, "")
			}
			sure = sure || strings.Contains(w, "列表") || strings.Contains(w, "列出") || strings.Contains(w, "清单")
			maybe = maybe || strings.Contains(w, "商机") || strings.Contains(w, "单子")
			if w = stripped; w == "" {
				continue
			}
		} else if len(rawFields) == len(lowFields) {
			w = rawFields[i]
		}
		rest = append(rest, w)
	}
	if !sure && !maybe {
		return Command{}, false
	}
	cmd, ok := p.listFilter(strings.Join(rest, " "))
	if !ok && !sure {
		return Command{}, false
	}
	return cmd, true
}

// listFilter reads the stage of a list; a word that is no stage is an
// error (ok false).
func (p *parser) listFilter(s string) (Command, bool) {
	if s = strings.TrimSpace(s); s == "" {
		return Command{Kind: List}, true
	}
	if key, ok := MatchStage(s, p.pb); ok {
		return Command{Kind: List, Stage: key}, true
	}
	return Command{Kind: List, Err: coach.Errorf(coach.Invalid, "err.stage", "text", s)}, false
}
