package parse

import (
	"strings"

	"github.com/dealcoach/dealcoach/coach"
)

// Words between a deal's name and its stage: "Acme is shortlisted",
// "经信银行已入围".
var stageMarkers = byLen("已", "已经", "现在", "目前", "也", "is", "now", "got", "was", "has been", "been",
	"just", "already", "is now", "has", "finally")

// bare reads messages with no keyword that still change a deal: a name and
// a stage ("经信银行立项了", "Acme shortlisted"), a name and an amount
// ("Acme $120k", "经信银行 150万"), a name and a zh close ("经信银行 月底签约").
func (p *parser) bare(t text) (Command, bool) {
	q := t.trim()
	if q.empty() || strings.ContainsAny(q.low, ",;\n") {
		return Command{}, false
	}
	for _, f := range []func(text) (Command, bool){p.trailingClose, p.trailingStage, p.trailingAmount} {
		if cmd, ok := f(q); ok {
			return cmd, true
		}
	}
	return Command{}, false
}

func (p *parser) trailingStage(q text) (Command, bool) {
	body := stripTail(q, []string{"了", "啦"})
	marked := len(body.low) < len(q.low)
	key, start, ok := stageSuffix(body.low, p.pb)
	if !ok || start == 0 {
		return Command{}, false
	}
	region := body.slice(0, start)
	marked = marked || strings.HasSuffix(strings.TrimSpace(region.low), ":") // "Acme: shortlist"
	region = region.trim()
	name := stripTail(region, stageMarkers)
	marked = marked || len(name.low) < len(region.low)
	// in English a bare "Acme lead" is too easily a name; want "is", "now"
	// or a participle ("shortlisted")
	if !hasHan(body.low[start:]) && !marked && !strings.HasSuffix(body.low, "ed") {
		return Command{}, false
	}
	ref, ok := nameRef(name, false, p.pb)
	if !ok {
		return Command{}, false
	}
	if isFinal(key, p.pb) {
		return Command{Kind: Won, Ref: ref}, true
	}
	return Command{Kind: Update, Ref: ref, Stage: key}, true
}

func (p *parser) trailingAmount(q text) (Command, bool) {
	name, a, ok := splitTrailingAmount(q, p.pb)
	if !ok {
		return Command{}, false
	}
	ref, _ := nameRef(name, false, p.pb)
	return Command{Kind: Update, Ref: ref, Amount: a.m, HasAmount: true, Currency: a.cur}, true
}

// splitTrailingAmount cuts a marked amount ("$120k", "150万") off the end
// of a deal's name: "Acme $120k" → "Acme", 120k.
func splitTrailingAmount(q text, pb *coach.Playbook) (text, amountScan, bool) {
	low := q.low
	for i := 1; i < len(low); i++ {
		if !amountStart(low, i) || low[i-1] == ':' {
			continue
		}
		a := scanAmount(low, i)
		if !a.ok || !a.marked || a.end != len(low) {
			continue
		}
		if _, ok := nameRef(q.slice(0, i), false, pb); !ok {
			return q, amountScan{}, false
		}
		return q.slice(0, i).trim(), a, true
	}
	return q, amountScan{}, false
}

// trailingClose: "经信银行 月底签约", "经信银行12月3日成交".
func (p *parser) trailingClose(q text) (Command, bool) {
	inner := q
	for _, w := range closeWords {
		if strings.HasSuffix(q.low, w) {
			inner = q.slice(0, len(q.low)-len(w))
			break
		}
	}
	if len(inner.low) == len(q.low) {
		return Command{}, false
	}
	inner = stripTail(inner, []string{"前", "之前", "左右"})
	for i := 1; i < len(inner.low); i++ {
		if inner.low[i]&0xC0 == 0x80 || !dateStart(inner.low, i) {
			continue
		}
		ds := scanDate(inner.low, i, p.today, true)
		if !ds.ok || ds.end != len(inner.low) {
			continue
		}
		ref, ok := nameRef(inner.slice(0, i), false, p.pb)
		if !ok {
			return Command{}, false
		}
		return Command{Kind: Update, Ref: ref, Close: ds.d}, true
	}
	return Command{}, false
}
