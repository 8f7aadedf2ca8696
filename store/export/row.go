package export

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// row is one data row being checked, with the problems found so far.
// Columns the row does not list (stage_name, win_rate, created_at, …) are
// derived or kept by the store, and never read.
type row struct {
	rec      []string
	col      map[string]int
	problems []string
}

// cell is the trimmed value of column name, and whether the file has it.
func (r *row) cell(name string) (string, bool) {
	i, ok := r.col[name]
	if !ok {
		return "", false
	}
	return strings.TrimSpace(r.rec[i]), true
}

func (r *row) failf(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

// date reads a date column; an empty cell clears the date, an absent column
// keeps cur.
func (r *row) date(name string, cur coach.Date) coach.Date {
	v, ok := r.cell(name)
	if !ok {
		return cur
	}
	d, err := coach.ParseDate(v)
	if err != nil {
		r.failf("%s %q: want YYYY-MM-DD", name, v)
		return cur
	}
	return d
}

// row checks one data row and turns it into an import item. A row of empty
// cells is skipped. Problems come back as a *LineError; any other error is
// the database's.
func (im *importer) row(ctx context.Context, line int, rec []string) (it store.ImportItem, skip bool, err error) {
	if len(rec) != im.width {
		return it, false, &LineError{line, fmt.Sprintf("%d fields, but the header has %d (quote values with commas, like \"1,200,000\")", len(rec), im.width)}
	}
	if strings.TrimSpace(strings.Join(rec, "")) == "" {
		return it, true, nil
	}
	for _, v := range rec {
		if !utf8.ValidString(v) {
			return it, false, &LineError{line, "not UTF-8 text: save the file as CSV UTF-8"}
		}
	}
	r := &row{rec: rec, col: im.col}
	d, err := im.base(ctx, r, line)
	if err != nil {
		return it, false, err
	}
	owner := im.apply(r, &d)
	if len(r.problems) > 0 {
		return it, false, &LineError{line, strings.Join(r.problems, "; ")}
	}
	if d.ID == 0 {
		if d.TeamID, err = im.team(ctx, owner); err != nil {
			return it, false, err
		}
	}
	return store.ImportItem{Line: line, Deal: d, OwnerName: owner}, false, nil
}

// base is the deal a row starts from: the stored deal when the row has an
// id, else a new deal with the defaults.
func (im *importer) base(ctx context.Context, r *row, line int) (coach.Deal, error) {
	fresh := coach.Deal{Owner: im.actor.Name, Currency: im.currency, Stage: im.pb.First().Key, Status: coach.Open}
	v, _ := r.cell("id")
	if v == "" {
		return fresh, nil
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(v, "#"), 10, 64)
	if err != nil || id <= 0 {
		r.failf("id %q is not a deal number", v)
		return fresh, nil
	}
	if first, ok := im.seen[id]; ok {
		r.failf("deal #%d is already updated on line %d", id, first)
		return fresh, nil
	}
	im.seen[id] = line
	d, err := im.db.Deal(ctx, id)
	if coach.ErrorCode(err) == coach.NotFound {
		r.failf("deal #%d does not exist (leave id empty to create a deal)", id)
		return fresh, nil
	}
	if err != nil {
		return d, fmt.Errorf("import line %d: %w", line, err)
	}
	return d, nil
}

// apply sets d's fields from the row's cells and returns the owner's name.
// An empty cell keeps the current value of a field that cannot be empty
// (owner, amount, currency, stage, status) and clears the others.
func (im *importer) apply(r *row, d *coach.Deal) (owner string) {
	if v, ok := r.cell("customer"); ok {
		d.Customer = v
	}
	if d.Customer == "" {
		r.failf("customer is empty")
	}
	if v, ok := r.cell("title"); ok {
		d.Title = v
	}
	owner = d.Owner
	if v, _ := r.cell("owner"); v != "" {
		owner = v
	}
	if owner == "" {
		r.failf("owner is empty")
	}
	if v, _ := r.cell("amount"); v != "" {
		m, err := parseAmount(v)
		if err != nil {
			r.failf("%v", err)
		}
		d.Amount = m
	}
	im.applyCurrency(r, d)
	if v, ok := r.cell("next_step"); ok {
		d.NextStep = v
	}
	d.NextStepDue = r.date("next_step_due", d.NextStepDue)
	d.ExpectedClose = r.date("expected_close", d.ExpectedClose)
	d.SnoozedUntil = r.date("snoozed_until", d.SnoozedUntil)
	if v, ok := r.cell("lost_reason"); ok {
		d.LostReason = v
	}
	im.applyStage(r, d)
	return owner
}

var currencyRE = regexp.MustCompile(`^[A-Za-z]{3}$`)

func (im *importer) applyCurrency(r *row, d *coach.Deal) {
	if v, _ := r.cell("currency"); v != "" {
		if !currencyRE.MatchString(v) {
			r.failf("currency %q: want a three-letter code such as CNY or USD", v)
		}
		d.Currency = strings.ToUpper(v)
	}
	if d.Currency == "" {
		r.failf("currency is empty")
	}
}

// applyStage sets stage and status, keeping them consistent as the chat
// does: won ⇔ the final stage; a stage change on a closed deal with no
// status given reopens it; only a lost deal keeps a lost reason.
func (im *importer) applyStage(r *row, d *coach.Deal) {
	oldStage := d.Stage
	if v, _ := r.cell("stage"); v != "" {
		key, ok := im.stages[coach.NormalizeName(v)]
		if !ok {
			r.failf("stage %q is not a stage of %s (%s)", v, im.pb.Key, strings.Join(stageKeys(im.pb), ", "))
			return
		}
		d.Stage = key
	}
	status, given := r.cell("status")
	switch strings.ToLower(status) {
	case "":
		given = false
	case "open", "won", "lost":
		d.Status = coach.Status(strings.ToLower(status))
	default:
		r.failf("status %q: want open, won or lost", status)
		return
	}
	if !given && d.Stage != oldStage {
		d.Status = coach.Open // moving a closed deal reopens it
	}
	final := im.pb.Final().Key
	switch {
	case d.Status == coach.Won:
		d.Stage = final
	case d.Stage == final && d.Status == coach.Lost:
		r.failf("stage %q is the final stage, which means won, but status is lost", final)
	case d.Stage == final:
		d.Status = coach.Won
	}
	if d.Status != coach.Lost {
		d.LostReason = ""
	}
}

// team is the team of the person ImportDeals will pick as owner, 0 when
// there is none yet.
func (im *importer) team(ctx context.Context, owner string) (int64, error) {
	if id, ok := im.teams[owner]; ok {
		return id, nil
	}
	p, err := im.db.PersonByName(ctx, owner)
	if err != nil && coach.ErrorCode(err) != coach.NotFound {
		return 0, fmt.Errorf("import: %w", err)
	}
	im.teams[owner] = p.TeamID
	return p.TeamID, nil
}

var (
	plainRE   = regexp.MustCompile(`^[0-9]+(\.[0-9]{1,2})?$`)
	groupedRE = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]{1,2})?$`)
)

// parseAmount reads a non-negative decimal in major units with at most two
// decimals. Commas are accepted only between groups of three digits
// ("1,200,000.50"), so a decimal comma ("1,5") is refused, never misread.
func parseAmount(s string) (coach.Money, error) {
	switch {
	case groupedRE.MatchString(s):
		s = strings.ReplaceAll(s, ",", "")
	case !plainRE.MatchString(s):
		return 0, fmt.Errorf("amount %q: want a plain number in major units, like 1200000 or 1,200,000.50", s)
	}
	m, err := coach.ParseMoney(s)
	if err != nil {
		return 0, fmt.Errorf("amount %q: %w", s, err)
	}
	return m, nil
}

// stageIndex maps every way a file may name a stage (normalised key, zh and
// en name, alias) to its key; keys win over names, names over aliases.
func stageIndex(pb *coach.Playbook) map[string]string {
	m := map[string]string{}
	for _, s := range pb.Stages {
		for _, a := range s.Aliases {
			m[coach.NormalizeName(a)] = s.Key
		}
	}
	for _, s := range pb.Stages {
		m[coach.NormalizeName(s.Name.ZH)] = s.Key
		m[coach.NormalizeName(s.Name.EN)] = s.Key
	}
	for _, s := range pb.Stages {
		m[coach.NormalizeName(s.Key)] = s.Key
	}
	return m
}

func stageKeys(pb *coach.Playbook) []string {
	keys := make([]string, len(pb.Stages))
	for i, s := range pb.Stages {
		keys[i] = s.Key
	}
	return keys
}
