package bot

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// Managers' and admins' views: another person's deals or pipeline ("李娜的
// 商机", "pipeline @bob") and the team's ("team pipeline", "团队漏斗"),
// stale and flagged deals first. A rep sees their own lists only (any deal
// still opens by its number); a manager their team's people; an admin
// everyone's.

// attentionShown is how many deals needing attention a view lists.
const attentionShown = 10

// attentionKinds are the flags that put a deal first in a view: those the
// deal row alone tells, so a view reads no answers, contacts or marks.
var attentionKinds = []coach.FlagKind{coach.FlagStale, coach.FlagNextOverdue, coach.FlagClosePassed, coach.FlagNextMissing}

// view answers a List or Pipeline command that names someone or the team.
func (b *Bot) view(ctx context.Context, t *turn, cmd parse.Command) (Reply, error) {
	if cmd.View.Team {
		return b.teamView(ctx, t)
	}
	who, err := b.viewPerson(ctx, t, cmd.View.Person)
	if coach.ErrorCode(err) == coach.NotFound && cmd.Kind == parse.List && cmd.View.Person.ID == "" {
		// "经信银行的商机": no one by that name, so the deals by it.
		return b.onDeal(ctx, t, parse.Command{Kind: parse.Show, Lang: cmd.Lang, Ref: parse.Ref{Name: cmd.View.Person.Name}})
	}
	if err != nil {
		return Reply{}, err
	}
	if who.ID == t.person.ID {
		if cmd.Kind == parse.Pipeline {
			return b.pipeline(ctx, t)
		}
		return b.list(ctx, t, parse.Command{Kind: parse.List})
	}
	if !canView(t.person, who) {
		return Reply{}, coach.Errorf(coach.Forbidden, "err.view_forbidden", "name", who.Name)
	}
	ds, err := b.cfg.Store.Deals(ctx, store.DealFilter{OwnerID: who.ID, Status: coach.Open})
	if err != nil {
		return Reply{}, err
	}
	if len(ds) == 0 {
		return textReply(t.lang, b.text(t.lang, "view.none", "name", who.Name)), nil
	}
	if cmd.Kind == parse.Pipeline {
		r, err := b.funnel(ctx, t, store.DealFilter{OwnerID: who.ID, Status: coach.Open}, "pipe.of", "name", who.Name)
		if err != nil {
			return Reply{}, err
		}
		return b.withAttention(t, r, ds, false), nil
	}
	b.rankByAttention(t, ds)
	var items []string
	for _, d := range ds[:min(len(ds), listShown)] {
		items = append(items, b.attentionLine(t, d, false))
	}
	r := textReply(t.lang, b.text(t.lang, "view.deals", "name", who.Name, "n", len(ds)))
	r.Blocks = append(r.Blocks, Block{Kind: ListBlock, Items: items})
	if more := len(ds) - listShown; more > 0 {
		r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: b.text(t.lang, "list.more", "n", more)})
	}
	return r, nil
}

// canView reports whether viewer may see who's lists: an admin anyone's, a
// manager their team's people's.
func canView(viewer, who coach.Person) bool {
	switch viewer.Role {
	case coach.Admin:
		return true
	case coach.Manager:
		return viewer.TeamID != 0 && viewer.TeamID == who.TeamID
	}
	return false
}

// viewPerson finds the person a view names, on the speaker's platform: by
// the mention's id, else by name.
func (b *Bot) viewPerson(ctx context.Context, t *turn, r parse.PersonRef) (coach.Person, error) {
	if r.ID != "" {
		people, err := b.cfg.Store.People(ctx)
		if err != nil {
			return coach.Person{}, err
		}
		for _, q := range people {
			if q.Platform == t.msg.Platform && q.PlatformID == r.ID {
				return q, nil
			}
		}
		return coach.Person{}, coach.Errorf(coach.NotFound, "err.person_none", "name", cmp.Or(r.Name, r.ID))
	}
	qs, err := b.cfg.Store.PeopleByName(ctx, t.msg.Platform, r.Name)
	if err != nil {
		return coach.Person{}, err
	}
	switch len(qs) {
	case 0:
		return coach.Person{}, coach.Errorf(coach.NotFound, "err.person_none", "name", r.Name)
	case 1:
		return qs[0], nil
	}
	return coach.Person{}, coach.Errorf(coach.Invalid, "err.person_ambiguous", "name", r.Name, "n", len(qs))
}

// teamView is the team's pipeline, its reps' rows and the deals that need
// attention: for a manager their team, for an admin theirs or everyone's.
func (b *Bot) teamView(ctx context.Context, t *turn) (Reply, error) {
	p := t.person
	f := store.DealFilter{Status: coach.Open}
	head := "pipe.team"
	switch {
	case p.Role == coach.Admin && p.TeamID == 0:
		head = "pipe.all"
	case p.Role == coach.Admin || p.Role == coach.Manager && p.TeamID != 0:
		f.TeamID = p.TeamID
	case p.Role == coach.Manager:
		return Reply{}, coach.Errorf(coach.Invalid, "err.no_team")
	default:
		return Reply{}, coach.Errorf(coach.Forbidden, "err.view_team_forbidden")
	}
	ds, err := b.cfg.Store.Deals(ctx, f)
	if err != nil {
		return Reply{}, err
	}
	r, err := b.funnel(ctx, t, f, head)
	if err != nil || len(ds) == 0 {
		return r, err
	}
	r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: b.text(t.lang, "view.reps")},
		Block{Kind: ListBlock, Items: b.repRows(t, ds)})
	return b.withAttention(t, r, ds, true), nil
}

// repRows is one line per owner of ds: open deals, amount, weighted,
// stale and flagged counts; the largest weighted first.
func (b *Bot) repRows(t *turn, ds []coach.Deal) []string {
	type row struct {
		name              string
		n, stale, flagged int
		sum, weighted     coach.Money
	}
	rows := map[int64]*row{}
	var order []*row
	today, pb, cur := coach.DateOf(t.now), b.cfg.Playbook, b.cfg.Currency
	for _, d := range ds {
		r := rows[d.OwnerID]
		if r == nil {
			r = &row{name: d.Owner}
			rows[d.OwnerID] = r
			order = append(order, r)
		}
		r.n++
		r.sum += d.Amount
		r.weighted += coach.Weighted(d.Amount, pb.WinRate(d))
		fl := b.attention(d, today)
		if len(fl) > 0 {
			r.flagged++
			if fl[0].Kind == coach.FlagStale {
				r.stale++
			}
		}
	}
	slices.SortStableFunc(order, func(x, y *row) int { return cmp.Compare(y.weighted, x.weighted) })
	var out []string
	for _, r := range order {
		out = append(out, b.text(t.lang, "view.rep_row", "name", r.name, "n", r.n, "sum", b.money(t.lang, r.sum, cur),
			"weighted", b.money(t.lang, r.weighted, cur), "stale", r.stale, "flagged", r.flagged))
	}
	return out
}

// withAttention adds to r the deals of ds that need attention, stale first.
func (b *Bot) withAttention(t *turn, r Reply, ds []coach.Deal, owner bool) Reply {
	today := coach.DateOf(t.now)
	var flagged []coach.Deal
	for _, d := range ds {
		if len(b.attention(d, today)) > 0 {
			flagged = append(flagged, d)
		}
	}
	if len(flagged) == 0 {
		return r
	}
	b.rankByAttention(t, flagged)
	var items []string
	for _, d := range flagged[:min(len(flagged), attentionShown)] {
		items = append(items, b.attentionLine(t, d, owner))
	}
	r.Blocks = append(r.Blocks, Block{Kind: TextBlock, Text: b.text(t.lang, "view.attention", "n", len(flagged))},
		Block{Kind: ListBlock, Items: items})
	if more := len(flagged) - len(items); more > 0 {
		r.Blocks = append(r.Blocks, Block{Kind: ContextBlock, Text: b.text(t.lang, "list.more", "n", more)})
	}
	return r
}

// attention is a deal's flags that put it first in a view, stale first.
func (b *Bot) attention(d coach.Deal, today coach.Date) []coach.Flag {
	var out []coach.Flag
	for _, f := range b.cfg.Playbook.Flags(d, coach.DealFacts{}, today) {
		if slices.Contains(attentionKinds, f.Kind) {
			out = append(out, f)
		}
	}
	return out
}

// rankByAttention orders deals stale first (longest), then flagged, then
// the rest; by weighted amount within each.
func (b *Bot) rankByAttention(t *turn, ds []coach.Deal) {
	today, pb := coach.DateOf(t.now), b.cfg.Playbook
	rank := func(d coach.Deal) (int, int) {
		fl := b.attention(d, today)
		switch {
		case len(fl) == 0:
			return 2, 0
		case fl[0].Kind == coach.FlagStale:
			return 0, fl[0].N
		}
		return 1, 0
	}
	slices.SortStableFunc(ds, func(x, y coach.Deal) int {
		rx, sx := rank(x)
		ry, sy := rank(y)
		return cmp.Or(cmp.Compare(rx, ry), cmp.Compare(sy, sx),
			cmp.Compare(coach.Weighted(y.Amount, pb.WinRate(y)), coach.Weighted(x.Amount, pb.WinRate(x))))
	})
}

// attentionLine is a deal's list line with its flags, and its owner when
// the view spans several people.
func (b *Bot) attentionLine(t *turn, d coach.Deal, owner bool) string {
	s := b.dealLine(t, d)
	if owner {
		s = d.Owner + " · " + s
	}
	var words []string
	for _, f := range b.attention(d, coach.DateOf(t.now)) {
		words = append(words, b.text(t.lang, "flag."+string(f.Kind), "n", f.N))
	}
	if len(words) > 0 {
		s += " — ⚠ " + strings.Join(words, "; ")
	}
	return s
}
