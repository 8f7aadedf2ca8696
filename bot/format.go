package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/prompts"
)

// Formatter says things in a language: the catalogue's texts, money, dates
// and stage names, and the scheduled messages (DigestReply, NudgeReply).
// It is the part of the bot the scheduler needs; the bot builds one (and
// embeds it), and so can anyone holding a catalogue and a playbook.
type Formatter struct {
	cat      *prompts.Catalog
	pb       *coach.Playbook
	currency string // ISO code of amounts
}

// NewFormatter builds a Formatter of cat's texts and pb's stages, amounts
// being in currency ("" is CNY).
func NewFormatter(cat *prompts.Catalog, pb *coach.Playbook, currency string) *Formatter {
	if currency == "" {
		currency = "CNY"
	}
	return &Formatter{cat: cat, pb: pb, currency: currency}
}

// Text renders catalogue message key in lang; args are name, value pairs.
func (fm *Formatter) Text(lang, key string, args ...any) string { return fm.text(lang, key, args...) }

// text is Text, for the package's many calls.
func (fm *Formatter) text(lang, key string, args ...any) string {
	return fm.cat.TextPairs(lang, key, args...)
}

// Money formats an amount in the deployment's currency.
func (fm *Formatter) Money(lang string, m coach.Money) string { return fm.money(lang, m, fm.currency) }

// changes describes, one line each, what differs between two versions of a
// deal, plus a note if one was added.
func (b *Bot) changes(t *turn, before, after coach.Deal, note string) []string {
	var out []string
	add := func(key string, args ...any) { out = append(out, b.text(t.lang, key, args...)) }
	if before.Stage != after.Stage {
		add("ch.stage", "from", b.stageName(t.lang, before.Stage), "to", b.stageLabel(t.lang, after))
	}
	if before.Amount != after.Amount {
		add("ch.amount", "from", b.money(t.lang, before.Amount, before.Currency), "to", b.money(t.lang, after.Amount, after.Currency))
	}
	if before.NextStep != after.NextStep || before.NextStepDue != after.NextStepDue {
		add("ch.next", "step", after.NextStep, "due", b.due(t, after.NextStepDue))
	}
	if before.ExpectedClose != after.ExpectedClose {
		add("ch.close", "date", b.date(t, after.ExpectedClose))
	}
	if before.Status != after.Status {
		switch after.Status {
		case coach.Won:
			add("ch.won")
		case coach.Lost:
			add("ch.lost", "reason", after.LostReason)
		case coach.Open:
			add("ch.reopened")
		}
	}
	if note != "" {
		add("ch.note", "note", note)
	}
	return out
}

// summary describes a new deal, one line per field that is set.
func (b *Bot) summary(t *turn, d coach.Deal, note string) []string {
	l := t.lang
	out := []string{b.text(l, "f.stage") + ": " + b.stageLabel(l, d)}
	if d.Amount != 0 {
		out = append(out, b.text(l, "f.amount")+": "+b.money(l, d.Amount, d.Currency))
	}
	if d.NextStep != "" {
		out = append(out, b.text(l, "f.next")+": "+b.nextStep(t, d))
	}
	if !d.ExpectedClose.IsZero() {
		out = append(out, b.text(l, "f.close")+": "+b.date(t, d.ExpectedClose))
	}
	if note != "" {
		out = append(out, b.text(l, "ch.note", "note", note))
	}
	return out
}

// stageName is a stage's name in lang, or its key when unknown.
func (fm *Formatter) stageName(lang, key string) string {
	if s, ok := fm.pb.Stage(key); ok {
		return s.Name.In(lang)
	}
	return key
}

// stageLabel is a deal's stage with its effective win rate: "立项客户 25%".
func (fm *Formatter) stageLabel(lang string, d coach.Deal) string {
	return fmt.Sprintf("%s %d%%", fm.stageName(lang, d.Stage), fm.pb.WinRate(d))
}

var currencySymbols = map[string]string{"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$", "SGD": "S$"}

// money formats an amount: "¥150万" in Chinese, "¥1,500,000" in English.
func (fm *Formatter) money(lang string, m coach.Money, currency string) string {
	sym, ok := currencySymbols[currency]
	if !ok {
		sym = currency + " "
	}
	neg := ""
	if m < 0 {
		neg, m = "-", -m
	}
	if lang == "zh" {
		switch {
		case m >= coach.Major(100_000_000):
			return neg + sym + decimal(int64(m), 100_000_000*coach.MinorPerMajor, 2) + "亿"
		case m >= coach.Major(10_000):
			return neg + sym + decimal(int64(m), 10_000*coach.MinorPerMajor, 2) + "万"
		}
	}
	whole := group(int64(m) / coach.MinorPerMajor)
	if frac := int64(m) % coach.MinorPerMajor; frac != 0 {
		whole += fmt.Sprintf(".%02d", frac)
	}
	return neg + sym + whole
}

// Clip shortens s to at most n characters (runes), marking the cut with
// "…". Adapters clip before escaping, so that a cut never splits an entity.
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// decimal renders v/unit with at most places decimals, trailing zeros cut.
func decimal(v, unit int64, places int) string {
	scale := int64(1)
	for range places {
		scale *= 10
	}
	scaled := (v*scale + unit/2) / unit // rounded half up
	s := strconv.FormatInt(scaled/scale, 10)
	if f := scaled % scale; f != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%0*d", places, f), "0")
	}
	return s
}

// group puts thousands separators in n.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

var zhWeekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// date formats a calendar day for the turn's speaker (see Formatter.Date).
func (b *Bot) date(t *turn, d coach.Date) string { return b.Date(t.lang, t.now, d) }

// Date formats a calendar day in lang: "11月27日 周五" or "Fri Nov 27", with
// the year when it is not now's.
func (fm *Formatter) Date(lang string, now time.Time, d coach.Date) string {
	if d.IsZero() {
		return fm.text(lang, "none")
	}
	tm := d.In(time.UTC)
	sameYear := d.Year == now.Year()
	if lang == "zh" {
		s := fmt.Sprintf("%d月%d日 %s", d.Month, d.Day, zhWeekdays[tm.Weekday()])
		if !sameYear {
			s = fmt.Sprintf("%d年", d.Year) + s
		}
		return s
	}
	if sameYear {
		return tm.Format("Mon Jan 2")
	}
	return tm.Format("Mon Jan 2, 2006")
}

// due is a date with how far it is from today: "11月27日 周五 (3天后)".
func (b *Bot) due(t *turn, d coach.Date) string {
	if d.IsZero() {
		return b.text(t.lang, "no_due")
	}
	n := coach.DateOf(t.now).DaysUntil(d)
	var rel string
	switch {
	case n == 0:
		rel = b.text(t.lang, "rel.today")
	case n == 1:
		rel = b.text(t.lang, "rel.tomorrow")
	case n > 1:
		rel = b.text(t.lang, "rel.in_days", "n", n)
	default:
		rel = b.text(t.lang, "rel.overdue", "n", -n)
	}
	return b.date(t, d) + " (" + rel + ")"
}
