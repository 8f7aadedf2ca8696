package schedule

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/notify/chart"
	"github.com/dealcoach/dealcoach/coach"
)

// digestKey is the weekly digest's run and message key: one per team and
// week reported on.
func digestKey(teamID int64, w coach.Week) string { return fmt.Sprintf("digest:%d:%s", teamID, w) }

// LastWeek is the week whose digest is due at now in loc: the week before
// the current one, once it is Monday 09:00; before that, none (the one
// before was due a week ago, and is not caught up so late).
func LastWeek(now time.Time, loc *time.Location) (coach.Week, bool) {
	local := now.In(loc)
	cur := coach.WeekOf(coach.DateOf(local))
	due := cur.Monday().In(loc).Add(DigestHour * time.Hour)
	if h := cur.Monday().In(loc); h.Hour() != 0 { // midnight skipped by a DST change
		due = h.Add(DigestHour*time.Hour - time.Duration(h.Hour())*time.Hour)
	}
	return cur.Prev(), !local.Before(due)
}

// DueDigests plans the weekly digests due at now and not yet run: each
// team with a digest channel on an enqueued platform, from Monday 09:00
// in the team's zone, for the week before.
func (s *Scheduler) DueDigests(ctx context.Context, now time.Time) ([]Run, error) {
	teams, err := s.cfg.Store.Teams(ctx)
	if err != nil {
		return nil, err
	}
	var runs []Run
	if len(teams) == 0 {
		return s.dueDefaultDigests(ctx, now)
	}
	for _, t := range teams {
		if t.DigestChannel == "" || !s.enqueued(t.DigestPlatform) {
			continue
		}
		week, ok := LastWeek(now, s.teamLoc(t))
		if !ok {
			continue
		}
		if done, err := s.cfg.Store.RunDone(ctx, digestKey(t.ID, week)); err != nil || done {
			if err != nil {
				return nil, err
			}
			continue
		}
		r, err := s.Digest(ctx, t, week)
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, nil
}

// DefaultTeam is everyone while no team is set up: the deals of no team.
// Its digest goes to each of its people directly (see Digests), so that a
// digest works from the first deal.
var DefaultTeam = coach.Team{}

// Teams lists the teams whose digests are made: the teams set up, or
// while there are none, DefaultTeam.
func (s *Scheduler) Teams(ctx context.Context) ([]coach.Team, error) {
	teams, err := s.cfg.Store.Teams(ctx)
	if err != nil || len(teams) > 0 {
		return teams, err
	}
	return []coach.Team{DefaultTeam}, nil
}

// Digests plans team t's digest of week w: one run for a team, and for
// DefaultTeam one run per person on a chat platform, each in their
// language (one run without a platform when there are none, to print).
func (s *Scheduler) Digests(ctx context.Context, t coach.Team, w coach.Week) ([]Run, error) {
	if t.ID != 0 {
		r, err := s.Digest(ctx, t, w)
		return []Run{r}, err
	}
	people, err := s.cfg.Store.People(ctx)
	if err != nil {
		return nil, err
	}
	var to []coach.Person
	for _, p := range people {
		if p.TeamID == 0 && (p.Platform == "slack" || p.Platform == "lark") {
			to = append(to, p)
		}
	}
	if len(to) == 0 {
		r, err := s.Digest(ctx, t, w)
		return []Run{r}, err
	}
	byLang := map[string]Run{}
	var runs []Run
	for _, p := range to {
		lang := s.lang(p)
		r, ok := byLang[lang]
		if !ok {
			t.Lang = lang
			if r, err = s.Digest(ctx, t, w); err != nil {
				return nil, err
			}
			byLang[lang] = r
		}
		runs = append(runs, personal(r, p))
	}
	return runs, nil
}

// personal is the default team's digest run r addressed to p directly.
func personal(r Run, p coach.Person) Run {
	key := fmt.Sprintf("%s:%s:%s", r.Key, p.Platform, p.PlatformID)
	out := Run{Key: key, Platform: p.Platform}
	for _, m := range r.Messages {
		suffix := m.Key[len(r.Key):] // "" or ":chart"
		out.Messages = append(out.Messages, Message{Key: key + suffix, Platform: p.Platform, Channel: p.PlatformID, To: p.Name, Reply: m.Reply})
	}
	return out
}

// dueDefaultDigests plans the default team's digests due at now and not
// yet run, to each of its people on an enqueued platform, from Monday
// 09:00 in the default zone. The digest is made only when one is due,
// and only when some deal has history from before the week's end.
func (s *Scheduler) dueDefaultDigests(ctx context.Context, now time.Time) ([]Run, error) {
	loc := s.teamLoc(DefaultTeam)
	week, ok := LastWeek(now, loc)
	if !ok {
		return nil, nil
	}
	// No deal has history before the week ended (the people came with
	// this week's deals, as on a fresh install or under a load test):
	// the week has nothing to report, and reporting it would read every
	// deal for each language. Nothing is recorded, so the week's digest
	// is still made if older history is imported later that week.
	if had, err := s.cfg.Store.HistoryBefore(ctx, week.Monday().AddDays(7).In(loc)); err != nil || !had {
		return nil, err
	}
	done, err := s.cfg.Store.DoneRuns(ctx, digestKey(0, week)+":")
	if err != nil {
		return nil, err
	}
	people, err := s.cfg.Store.People(ctx)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(people, func(p coach.Person) bool {
		return p.TeamID == 0 && s.enqueued(p.Platform) && !done[fmt.Sprintf("%s:%s:%s", digestKey(0, week), p.Platform, p.PlatformID)]
	}) {
		return nil, nil
	}
	all, err := s.Digests(ctx, DefaultTeam, week)
	if err != nil {
		return nil, err
	}
	var runs []Run
	for _, r := range all {
		if r.Platform != "" && s.enqueued(r.Platform) && !done[r.Key] {
			runs = append(runs, r)
		}
	}
	return runs, nil
}

func (s *Scheduler) teamLoc(t coach.Team) *time.Location { return s.zone(t.TZ, s.cfg.DefaultTZ) }

// Digest plans team t's digest of week w: the digest, then its chart.
// Without a digest channel the messages have no platform and channel
// (the digest command prints them).
func (s *Scheduler) Digest(ctx context.Context, t coach.Team, w coach.Week) (Run, error) {
	v, lang, err := s.DigestView(ctx, t, w)
	if err != nil {
		return Run{}, err
	}
	key := digestKey(t.ID, w)
	to := v.Team
	if t.DigestChannel != "" {
		to = fmt.Sprintf("%s (%s %s)", t.Name, t.DigestPlatform, t.DigestChannel)
	}
	run := Run{Key: key, Platform: t.DigestPlatform, Messages: []Message{{Key: key, Platform: t.DigestPlatform, Channel: t.DigestChannel, To: to,
		Reply: s.cfg.Format.DigestReply(lang, v)}}}
	img, err := s.chart(lang, v)
	switch {
	case errors.Is(err, errNoChart):
	case err != nil:
		s.cfg.Log.Warn("digest chart: sending the digest as text only", "team", t.Name, "week", w.String(), "err", err)
	default:
		run.Messages = append(run.Messages, Message{Key: key + ":chart", Platform: t.DigestPlatform,
			Channel: t.DigestChannel, To: to, Reply: bot.Reply{Lang: lang, Image: img}})
	}
	return run, nil
}

// DigestView gathers the numbers of team t's digest of week w, and the
// language to write it in (its managers' language, else the default).
func (s *Scheduler) DigestView(ctx context.Context, t coach.Team, w coach.Week) (bot.DigestView, string, error) {
	loc := s.teamLoc(t)
	from, to := w.Monday().In(loc), w.Monday().AddDays(7).In(loc)
	since := coach.HistoryStart(from)
	db, pb := s.cfg.Store, s.cfg.Playbook
	// The four reads are independent: on a large team they take most of
	// the time, so they go side by side on the store's read connections.
	var (
		deals   []coach.Deal
		events  []coach.Event
		people  []coach.Person
		answers map[int64]map[string]coach.Answer
		errs    [4]error
		wg      sync.WaitGroup
	)
	wg.Add(4)
	go func() { defer wg.Done(); deals, errs[0] = db.TeamDeals(ctx, t.ID, since) }()
	go func() { defer wg.Done(); events, errs[1] = db.TeamEvents(ctx, t.ID, since) }()
	go func() { defer wg.Done(); people, errs[2] = db.People(ctx) }()
	go func() { defer wg.Done(); answers, errs[3] = db.TeamOpenAnswers(ctx, t.ID) }()
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return bot.DigestView{}, "", err
	}
	lang := s.cfg.DefaultLang
	owners := map[int64]string{}
	for _, p := range people {
		owners[p.ID] = p.Name
		if t.Lang == "" && t.ID != 0 && p.TeamID == t.ID && p.Role == coach.Manager && (p.Lang == "zh" || p.Lang == "en") {
			lang = p.Lang // a team made before teams had a language: its manager's
		}
	}
	if t.Lang == "zh" || t.Lang == "en" {
		lang = t.Lang
	}
	if t.ID == 0 {
		t.Name = s.cfg.Format.Text(lang, "digest.default_team")
	}
	// Deals open now; the reps' table and the escalations are as of the
	// Monday the digest is due, with the answers the rules read.
	facts := map[int64]coach.DealFacts{}
	open := make([]coach.Deal, 0, len(deals))
	for _, d := range deals {
		if d.Status == coach.Open {
			open = append(open, d)
			if a, ok := answers[d.ID]; ok {
				facts[d.ID] = coach.DealFacts{Answers: a}
			}
		}
	}
	// The rules over the open deals and the funnel analytics are
	// independent: they run side by side.
	itemsc := make(chan []coach.NudgeItem, 1)
	go func() { itemsc <- pb.NudgeItems(open, facts, coach.DateOf(to), s.cfg.Rules) }()
	a := coach.Analyze(pb, deals, events)
	q := coach.QuarterOf(coach.DateOf(to.Add(-time.Nanosecond)))
	target, _, err := db.Target(ctx, t.ID, q.String())
	if err != nil {
		return bot.DigestView{}, "", err
	}
	qStart := q.Start().In(loc)
	won := coach.Total(a.Movement(qStart, to).Won)
	v := bot.DigestView{Team: t.Name, Week: w.String(), From: from, To: to, Quarter: q.String(), Target: target,
		WonQuarter: won, Owners: owners}
	v.Numbers = a.Digest(from, to, max(target-won, 0))

	today := coach.DateOf(to)
	items := <-itemsc
	v.Escalated = coach.ManagerEscalations(items)
	v.Deals = named(deals, v.Numbers)
	if v.Tiers, err = db.Tiers(ctx); err != nil {
		return bot.DigestView{}, "", err
	}
	v.Reps = repRows(pb, open, items, v.Numbers.Movement, v.Deals, owners, today)
	return v, lang, nil
}

// namedShown is how many deals of a hygiene list the digest may name; it
// counts them all.
const namedShown = 20

// named picks the deals the digest names: the week's movements and the
// first of each hygiene list. A large team has far more deals than the
// digest shows, and a map of them all was a tenth of its time.
func named(deals []coach.Deal, n coach.DigestNumbers) map[int64]coach.Deal {
	ids := map[int64]bool{}
	mv := n.Movement
	for _, ts := range [][]coach.Transition{mv.Created, mv.Advanced, mv.Regressed, mv.Won, mv.Lost, mv.Reopened} {
		for _, t := range ts {
			ids[t.DealID] = true
		}
	}
	for _, l := range [][]int64{n.Hygiene.NoNextStep, n.Hygiene.NoAmount} {
		for _, id := range l[:min(len(l), namedShown)] {
			ids[id] = true
		}
	}
	out := make(map[int64]coach.Deal, len(ids))
	for _, d := range deals {
		if ids[d.ID] {
			out[d.ID] = d
		}
	}
	return out
}

// repRows is the digest's table: one row per owner of an open deal or of
// a deal won or lost in the week, largest weighted pipeline first.
func repRows(pb *coach.Playbook, open []coach.Deal, items []coach.NudgeItem, mv coach.Movement,
	deals map[int64]coach.Deal, owners map[int64]string, today coach.Date) []bot.RepRow {
	rows := map[int64]*bot.RepRow{}
	row := func(owner int64) *bot.RepRow {
		r := rows[owner]
		if r == nil {
			r = &bot.RepRow{Name: owners[owner]}
			rows[owner] = r
		}
		return r
	}
	for _, d := range open {
		r := row(d.OwnerID)
		r.Open++
		r.Amount += d.Amount
		r.Weighted += coach.Weighted(d.Amount, pb.WinRate(d))
		if d.NextStep == "" || d.NextStepDue.IsZero() {
			r.NoNext++
		}
	}
	for _, it := range items {
		if it.Stale > 0 {
			row(it.Deal.OwnerID).Stale++
		}
	}
	for _, t := range mv.Won {
		r := row(deals[t.DealID].OwnerID)
		r.Won++
		r.WonAmount += t.Amount
	}
	for _, t := range mv.Lost {
		row(deals[t.DealID].OwnerID).Lost++
	}
	out := make([]bot.RepRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b bot.RepRow) int {
		return cmp.Or(cmp.Compare(b.Weighted, a.Weighted), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// errNoChart: no font was configured, so the digest has no chart.
var errNoChart = errors.New("no chart font")

// chart draws the digest's funnel.
func (s *Scheduler) chart(lang string, v bot.DigestView) (*bot.Image, error) {
	if s.cfg.Font == nil {
		return nil, errNoChart
	}
	fm, pb, f := s.cfg.Format, s.cfg.Playbook, v.Numbers.Funnel
	c := chart.Funnel{Title: fm.Text(lang, "chart.title", "team", v.Team, "week", v.Week)}
	target := ""
	if v.Target > 0 {
		target = fm.Money(lang, v.Target)
	}
	c.Subtitle = fm.Text(lang, "chart.subtitle", "forecast", fm.Money(lang, f.Forecast), "won", fm.Money(lang, v.WonQuarter),
		"quarter", v.Quarter, "target", target)
	for _, st := range f.Stages {
		name := st.Stage
		if s, ok := pb.Stage(st.Stage); ok {
			name = s.Name.In(lang)
		}
		c.Stages = append(c.Stages, chart.Stage{Label: fmt.Sprintf("%s %d%%", name, st.WinRate), Count: st.Count,
			Amount: major(st.Amount), Weighted: major(st.Weighted),
			Value: fm.Text(lang, "chart.value", "n", st.Count, "amount", fm.Money(lang, st.Amount), "weighted", fm.Money(lang, st.Weighted))})
	}
	png, err := chart.Render(c, s.cfg.Font)
	if err != nil {
		return nil, err
	}
	return &bot.Image{PNG: png, Name: "funnel-" + v.Week + ".png",
		Alt: fm.Text(lang, "chart.alt", "team", v.Team, "week", v.Week, "n", f.Count, "amount", fm.Money(lang, f.Amount),
			"weighted", fm.Money(lang, f.Forecast))}, nil
}

func major(m coach.Money) float64 { return float64(m) / coach.MinorPerMajor }
