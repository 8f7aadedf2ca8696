package bot

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dealcoach/dealcoach/coach"
)

// Caps of the weekly digest. With them the digest stays under 45 blocks,
// and each block's text under blockRunes, for any team: Slack takes 50
// blocks of at most 3,000 characters, and a Lark card has similar bounds.
const (
	namesShown   = 5  // deals named per movement or hygiene line; the rest are counted
	repsShown    = 20 // rows of the reps' table
	riskShown    = 10 // escalated deals listed
	blockRunes   = 2800
	itemOverhead = 3 // the bullet and line break an adapter adds to a list item
)

// DigestReply renders a team's weekly digest: the funnel, the quarter's
// forecast against its target, the week's movement, conversion, sales
// velocity, funnel balance, the reps' table, the deals at risk and data
// hygiene, each section left out when it has nothing to show. The
// scheduler attaches the funnel chart; the reply carries no image.
func (fm *Formatter) DigestReply(lang string, v DigestView) Reply {
	r := Reply{Lang: lang}
	r.Blocks = append(r.Blocks, Block{Kind: HeaderBlock, Text: fm.text(lang, "digest.title", "team", Clip(v.Team, nameRunes), "week", v.Week)})
	if !v.From.IsZero() && !v.To.IsZero() {
		last := coach.DateOf(v.To.Add(-time.Nanosecond)) // To is exclusive
		r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: fm.text(lang, "digest.range",
			"from", fm.Date(lang, v.To, coach.DateOf(v.From)), "to", fm.Date(lang, v.To, last))})
	}
	for _, section := range []func(string, DigestView) []Block{
		fm.digestFunnel, fm.digestForecast, fm.digestMovement, fm.digestConversion,
		fm.digestVelocity, fm.digestBalance, fm.digestReps, fm.digestRisks, fm.digestHygiene,
	} {
		r.Blocks = append(r.Blocks, section(lang, v)...)
	}
	return r
}

// digestFunnel is the open deals by stage, with the weighted forecast.
func (fm *Formatter) digestFunnel(lang string, v DigestView) []Block {
	f := v.Numbers.Funnel
	out := []Block{{Kind: HeaderBlock, Text: fm.text(lang, "digest.funnel")}}
	if f.Count == 0 {
		return append(out, Block{Kind: TextBlock, Text: fm.text(lang, "digest.funnel_empty")})
	}
	var lines []string
	for _, s := range f.Stages {
		lines = append(lines, fm.text(lang, "digest.funnel_line", "stage", fm.stageName(lang, s.Stage), "rate", s.WinRate,
			"n", s.Count, "amount", fm.Money(lang, s.Amount), "weighted", fm.Money(lang, s.Weighted)))
	}
	out = append(out, listBlocks(lines)...)
	return append(out, Block{Kind: TextBlock, Text: fm.text(lang, "digest.funnel_total", "n", f.Count,
		"amount", fm.Money(lang, f.Amount), "forecast", fm.Money(lang, f.Forecast))})
}

// digestForecast sets what is won this quarter plus the weighted pipeline
// against the quarter's target.
func (fm *Formatter) digestForecast(lang string, v DigestView) []Block {
	pipeline := v.Numbers.Funnel.Forecast
	out := []Block{{Kind: HeaderBlock, Text: fm.text(lang, "digest.forecast", "quarter", v.Quarter)}}
	if v.Target <= 0 {
		return append(out, Block{Kind: TextBlock, Text: fm.text(lang, "digest.no_target", "quarter", v.Quarter,
			"won", fm.Money(lang, v.WonQuarter), "pipeline", fm.Money(lang, pipeline))})
	}
	projected := v.WonQuarter + pipeline
	text := fm.text(lang, "digest.forecast_line", "won", fm.Money(lang, v.WonQuarter), "pipeline", fm.Money(lang, pipeline),
		"projected", fm.Money(lang, projected), "target", fm.Money(lang, v.Target),
		"pct", pct(float64(projected)/float64(v.Target)), "won_pct", pct(float64(v.WonQuarter)/float64(v.Target)))
	if gap := v.Target - projected; gap > 0 {
		text += "\n" + fm.text(lang, "digest.forecast_gap", "gap", fm.Money(lang, gap))
	} else {
		text += "\n" + fm.text(lang, "digest.forecast_ahead", "gap", fm.Money(lang, -gap))
	}
	return append(out, Block{Kind: TextBlock, Text: text})
}

// digestMovement is the week's changes, one line per kind of change.
func (fm *Formatter) digestMovement(lang string, v DigestView) []Block {
	m := v.Numbers.Movement
	out := []Block{{Kind: HeaderBlock, Text: fm.text(lang, "digest.moves")}}
	var lines []string
	for _, k := range []struct {
		key    string
		ts     []coach.Transition
		stages bool
	}{
		{"created", m.Created, false}, {"advanced", m.Advanced, true}, {"regressed", m.Regressed, true},
		{"won", m.Won, false}, {"lost", m.Lost, false}, {"reopened", m.Reopened, false},
	} {
		if len(k.ts) == 0 {
			continue
		}
		names := make([]string, 0, namesShown)
		for _, tr := range k.ts[:min(len(k.ts), namesShown)] {
			name := fm.dealRef(v, tr.DealID)
			if k.stages {
				name = fm.text(lang, "digest.move_stage", "deal", name, "from", fm.stageName(lang, tr.From), "to", fm.stageName(lang, tr.To))
			}
			names = append(names, name)
		}
		lines = append(lines, fm.text(lang, "digest.move."+k.key, "n", len(k.ts), "total", fm.Money(lang, coach.Total(k.ts)),
			"names", fm.names(lang, names, len(k.ts)-len(names))))
	}
	if len(lines) == 0 {
		return append(out, Block{Kind: TextBlock, Text: fm.text(lang, "digest.moves_none")})
	}
	return append(out, listBlocks(lines)...)
}

// digestConversion is each stage's conversion over the window, and the
// window's win rate, cycle and deal size.
func (fm *Formatter) digestConversion(lang string, v DigestView) []Block {
	w := v.Numbers.Window
	if len(w.Stages) == 0 {
		return nil
	}
	pb := fm.pb
	out := []Block{{Kind: HeaderBlock, Text: fm.text(lang, "digest.conv", "days", coach.WindowDays)}}
	var lines []string
	for _, c := range w.Stages {
		next := ""
		if i := pb.Index(c.Stage); i >= 0 && i+1 < len(pb.Stages) {
			next = pb.Stages[i+1].Name.In(lang)
		}
		lines = append(lines, fm.text(lang, "digest.conv_line", "stage", fm.stageName(lang, c.Stage), "next", next,
			"rate", pct(c.Rate), "measured", c.Measured, "reached", c.Reached, "through", c.Through))
	}
	out = append(out, listBlocks(lines)...)
	winRate := fm.text(lang, "none")
	if w.WinRate.OK {
		winRate = fm.text(lang, "digest.win_rate_value", "rate", pct(w.WinRate.Value), "won", w.Won, "lost", w.Lost)
	}
	return append(out, Block{Kind: FieldsBlock, Fields: []Field{
		{fm.text(lang, "digest.win_rate"), winRate},
		{fm.text(lang, "digest.cycle"), fm.maybeDays(lang, w.CycleDays)},
		{fm.text(lang, "digest.avg_size"), fm.maybeCash(lang, w.AvgSize)},
	}})
}

// digestVelocity is sales velocity and its four levers, each with its
// change since last week.
func (fm *Formatter) digestVelocity(lang string, v DigestView) []Block {
	now, ch := v.Numbers.Velocity, v.Numbers.VelocityChange
	out := []Block{{Kind: HeaderBlock, Text: fm.text(lang, "digest.velocity")}}
	if now.PerDay.OK {
		change := ""
		if ch.PerDay.OK {
			change = fm.signedCash(lang, ch.PerDay.Value)
		}
		out = append(out, Block{Kind: TextBlock, Text: fm.text(lang, "digest.velocity_line", "value", fm.Money(lang, now.PerDay.Value), "change", change)})
	} else {
		out = append(out, Block{Kind: TextBlock, Text: fm.text(lang, "digest.velocity_unknown", "days", coach.WindowDays)})
	}
	lever := func(key, value, change string) string {
		return fm.text(lang, "digest.lever."+key, "value", value, "change", change)
	}
	winChange, sizeChange, cycleChange := "", "", ""
	if ch.WinRate.OK {
		winChange = fm.text(lang, "digest.pts", "n", signedFloat(ch.WinRate.Value*100))
	}
	if ch.AvgSize.OK {
		sizeChange = fm.signedCash(lang, ch.AvgSize.Value)
	}
	if ch.CycleDays.OK {
		cycleChange = fm.dayCount(lang, ch.CycleDays.Value, signedFloat(ch.CycleDays.Value))
	}
	winRate := fm.text(lang, "none")
	if now.WinRate.OK {
		winRate = pct(now.WinRate.Value)
	}
	out = append(out, Block{Kind: ListBlock, Items: []string{
		lever("open", strconv.Itoa(now.OpenDeals), signedInt(ch.OpenDeals)),
		lever("win_rate", winRate, winChange),
		lever("avg_size", fm.maybeCash(lang, now.AvgSize), sizeChange),
		lever("cycle", fm.maybeDays(lang, now.CycleDays), cycleChange),
	}})
	return append(out, Block{Kind: ContextBlock, Text: fm.text(lang, "digest.velocity_formula")})
}

// digestBalance works back from what is left of the target to the deals
// each stage needs, leading with the new prospects the top lacks.
func (fm *Formatter) digestBalance(lang string, v DigestView) []Block {
	bal := v.Numbers.Balance
	if bal.Target <= 0 && v.Target <= 0 {
		return nil // no target: the forecast already says how to set one
	}
	out := []Block{{Kind: HeaderBlock, Text: fm.text(lang, "digest.balance")}}
	if bal.Target <= 0 {
		return append(out, Block{Kind: TextBlock, Text: fm.text(lang, "digest.balance_done")})
	}
	if bal.NewProspects.OK {
		out = append(out, Block{Kind: TextBlock, Text: fm.text(lang, "digest.balance_prospects", "n", bal.NewProspects.Value)})
	} else {
		out = append(out, Block{Kind: TextBlock, Text: fm.text(lang, "digest.balance_unknown", "days", coach.WindowDays)})
	}
	out = append(out, Block{Kind: TextBlock, Text: fm.text(lang, "digest.balance_wins", "target", fm.Money(lang, bal.Target),
		"wins", maybeInt(fm.text(lang, "none"), bal.WinsNeeded), "size", fm.maybeCash(lang, bal.AvgSize),
		"assumed", bal.AvgSize.OK && !bal.SizeMeasured)})
	var lines []string
	none := fm.text(lang, "none")
	for _, s := range bal.Stages {
		lines = append(lines, fm.text(lang, "digest.balance_line", "stage", fm.stageName(lang, s.Stage), "have", s.Have,
			"needed", maybeInt(none, s.Needed), "missing", maybeInt(none, s.Missing)))
	}
	return append(out, listBlocks(lines)...)
}

// digestReps is the reps' table, largest weighted pipeline first.
func (fm *Formatter) digestReps(lang string, v DigestView) []Block {
	if len(v.Reps) == 0 {
		return nil
	}
	var lines []string
	for _, r := range v.Reps[:min(len(v.Reps), repsShown)] {
		lines = append(lines, fm.text(lang, "digest.rep_line", "name", Clip(r.Name, nameRunes), "open", r.Open,
			"amount", fm.Money(lang, r.Amount), "weighted", fm.Money(lang, r.Weighted), "won", r.Won,
			"won_amount", fm.Money(lang, r.WonAmount), "lost", r.Lost, "stale", r.Stale, "no_next", r.NoNext))
	}
	out := append([]Block{{Kind: HeaderBlock, Text: fm.text(lang, "digest.reps")}}, listBlocks(lines)...)
	if more := len(v.Reps) - repsShown; more > 0 {
		out = append(out, Block{Kind: ContextBlock, Text: fm.text(lang, "digest.more_reps", "n", more)})
	}
	return out
}

// digestRisks lists the deals escalated to the manager, most escalated first.
func (fm *Formatter) digestRisks(lang string, v DigestView) []Block {
	if len(v.Escalated) == 0 {
		return nil
	}
	var lines []string
	for _, it := range v.Escalated[:min(len(v.Escalated), riskShown)] {
		d := it.Deal
		lines = append(lines, fm.text(lang, "digest.risk_line", "deal", ref(d)+" "+tierTag(v, d)+Clip(d.Name(), nameRunes),
			"owner", Clip(ownerName(v.Owners, d), nameRunes), "days", it.OverLimit, "amount", fm.dealAmount(lang, d)))
	}
	out := append([]Block{{Kind: HeaderBlock, Text: fm.text(lang, "digest.risks", "n", len(v.Escalated))}}, listBlocks(lines)...)
	if more := len(v.Escalated) - riskShown; more > 0 {
		out = append(out, Block{Kind: ContextBlock, Text: fm.text(lang, "digest.more_deals", "n", more)})
	}
	return out
}

// digestHygiene counts the open deals missing a dated next step or an
// amount, naming a few.
func (fm *Formatter) digestHygiene(lang string, v DigestView) []Block {
	h := v.Numbers.Hygiene
	var lines []string
	for _, k := range []struct {
		key string
		ids []int64
	}{{"digest.no_next", h.NoNextStep}, {"digest.no_amount", h.NoAmount}} {
		if len(k.ids) == 0 {
			continue
		}
		names := make([]string, 0, namesShown)
		for _, id := range k.ids[:min(len(k.ids), namesShown)] {
			names = append(names, fm.dealRef(v, id))
		}
		lines = append(lines, fm.text(lang, k.key, "n", len(k.ids), "names", fm.names(lang, names, len(k.ids)-len(names))))
	}
	if len(lines) == 0 {
		return nil
	}
	return append([]Block{{Kind: HeaderBlock, Text: fm.text(lang, "digest.hygiene")}}, listBlocks(lines)...)
}

// dealRef is "#12 Acme · Core system", or "#12" for a deal the view lacks.
func (fm *Formatter) dealRef(v DigestView, id int64) string {
	d, ok := v.Deals[id]
	if !ok {
		return fmt.Sprintf("#%d", id)
	}
	return ref(d) + " " + tierTag(v, d) + Clip(d.Name(), nameRunes)
}

// tierTag is "[A] " before a deal of a tier-A customer; "" without a tier.
func tierTag(v DigestView, d coach.Deal) string {
	if t := v.Tiers[coach.NormalizeName(d.Customer)]; t != "" {
		return "[" + t + "] "
	}
	return ""
}

// names joins a few names, counting those left out.
func (fm *Formatter) names(lang string, names []string, more int) string {
	s := strings.Join(names, fm.text(lang, "digest.sep"))
	if more > 0 {
		s += fm.text(lang, "digest.sep") + fm.text(lang, "digest.and_more", "n", more)
	}
	return s
}

// listBlocks packs lines into list blocks of at most blockRunes each.
func listBlocks(lines []string) []Block {
	var out []Block
	cur, n := Block{Kind: ListBlock}, 0
	for _, l := range lines {
		l = Clip(l, blockRunes-itemOverhead)
		ln := utf8.RuneCountInString(l) + itemOverhead
		if len(cur.Items) > 0 && n+ln > blockRunes {
			out = append(out, cur)
			cur, n = Block{Kind: ListBlock}, 0
		}
		cur.Items = append(cur.Items, l)
		n += ln
	}
	if len(cur.Items) > 0 {
		out = append(out, cur)
	}
	return out
}

// signedCash is a change of money: "+¥1,200", "−¥300", "±0".
func (fm *Formatter) signedCash(lang string, m coach.Money) string {
	switch {
	case m > 0:
		return "+" + fm.Money(lang, m)
	case m < 0:
		return "−" + fm.Money(lang, -m)
	}
	return "±0"
}

func (fm *Formatter) maybeCash(lang string, m coach.Maybe[coach.Money]) string {
	if !m.OK {
		return fm.text(lang, "none")
	}
	return fm.Money(lang, m.Value)
}

func (fm *Formatter) maybeDays(lang string, d coach.Maybe[float64]) string {
	if !d.OK {
		return fm.text(lang, "none")
	}
	return fm.dayCount(lang, d.Value, decimal1(d.Value))
}

// dayCount is a number of days x, written n: "45.5 days", "+1 day".
func (fm *Formatter) dayCount(lang string, x float64, n string) string {
	if decimal1(math.Abs(x)) == "1" {
		return fm.text(lang, "digest.nday", "n", n)
	}
	return fm.text(lang, "digest.ndays", "n", n)
}

func maybeInt(none string, m coach.Maybe[int]) string {
	if !m.OK {
		return none
	}
	return strconv.Itoa(m.Value)
}

// pct renders a fraction as a percentage with at most one decimal: "37%", "37.5%".
func pct(x float64) string { return decimal1(x*100) + "%" }

// decimal1 renders x with at most one decimal: "45", "45.5".
func decimal1(x float64) string {
	x = math.Round(x*10) / 10
	if x == 0 {
		x = 0 // no "-0"
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// signedInt is a change in a count: "+3", "−2", "±0".
func signedInt(n int) string { return signedFloat(float64(n)) }

// signedFloat is a change with at most one decimal: "+2.1", "−0.5", "±0".
func signedFloat(x float64) string {
	s := decimal1(math.Abs(x))
	switch {
	case s == "0":
		return "±0"
	case x > 0:
		return "+" + s
	}
	return "−" + s
}
