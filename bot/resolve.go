package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/store"
)

// maxCandidates caps the deals listed when a name is ambiguous.
const maxCandidates = 5

// resolve finds the deal a reference means. It returns one deal, or several
// when the name is ambiguous (the caller asks which), or a not-found error.
//
// Names are matched exactly, then as a prefix, then as a substring (store),
// then fuzzily against the person's own open deals. Among several matches,
// open deals win over closed ones and the person's own over others'.
func (b *Bot) resolve(ctx context.Context, t *turn, ref parse.Ref) ([]coach.Deal, error) {
	if t.resolved != nil && t.resolvedRef == ref {
		return t.resolved, nil // asked twice in one turn: is it a command, then do it
	}
	ds, err := b.lookup(ctx, t, ref)
	if err == nil {
		t.resolvedRef, t.resolved = ref, ds
	}
	return ds, err
}

func (b *Bot) lookup(ctx context.Context, t *turn, ref parse.Ref) ([]coach.Deal, error) {
	if ref.ID != 0 {
		d, err := b.cfg.Store.Deal(ctx, ref.ID)
		if err != nil {
			return nil, err
		}
		return []coach.Deal{d}, nil
	}
	name := strings.TrimSpace(ref.Name)
	if name == "" {
		return nil, coach.Errorf(coach.Invalid, "err.need_deal")
	}
	ds, err := b.cfg.Store.FindDeals(ctx, name, 50)
	if err != nil {
		return nil, fmt.Errorf("find deal %q: %w", name, err)
	}
	if len(ds) == 0 {
		if ds, err = b.fuzzy(ctx, t, name); err != nil {
			return nil, err
		}
	}
	ds = narrow(ds, func(d coach.Deal) bool { return d.Status == coach.Open })
	ds = narrow(ds, func(d coach.Deal) bool { return d.OwnerID == t.person.ID })
	switch {
	case len(ds) == 0:
		return nil, coach.Errorf(coach.NotFound, "err.deal_not_found", "ref", name)
	case len(ds) > maxCandidates:
		ds = ds[:maxCandidates]
	}
	return ds, nil
}

// narrow keeps the deals that satisfy keep, unless none does.
func narrow(ds []coach.Deal, keep func(coach.Deal) bool) []coach.Deal {
	var out []coach.Deal
	for _, d := range ds {
		if keep(d) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return ds
	}
	return out
}

// fuzzy matches a misspelt name against the person's open deals: the deals
// at the smallest edit distance, if it is small for the name's length.
func (b *Bot) fuzzy(ctx context.Context, t *turn, name string) ([]coach.Deal, error) {
	mine, err := b.cfg.Store.Deals(ctx, store.DealFilter{OwnerID: t.person.ID, Status: coach.Open, Limit: 2000})
	if err != nil {
		return nil, fmt.Errorf("fuzzy match %q: %w", name, err)
	}
	q := []rune(coach.NormalizeName(name))
	limit := max(1, len(q)/4)
	best, out := limit+1, []coach.Deal(nil)
	for _, d := range mine {
		dist := limit + 1
		for _, s := range []string{d.Customer, d.Title, d.Customer + " " + d.Title} {
			if s != "" {
				dist = min(dist, parse.EditDistance(q, []rune(coach.NormalizeName(s)), limit+1))
			}
		}
		switch {
		case dist < best:
			best, out = dist, []coach.Deal{d}
		case dist == best && dist <= limit:
			out = append(out, d)
		}
	}
	return out, nil
}
