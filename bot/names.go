package bot

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
)

// maxNamed caps the deals a speaker's name index holds (about 0.5 KB each):
// a deal beyond it is still found when named exactly (see freeText).
const maxNamed = 2000

// dealNames indexes the deals the speaker may name: their own open deals,
// their team's, and for an admin every open deal.
func (b *Bot) dealNames(ctx context.Context, t *turn) (*parse.Names, error) {
	gen := b.namesGens(t.person)
	now := time.Now()
	if v, ok := b.nameCache.Load(t.person.ID); ok {
		e := v.(*namesEntry)
		if e.gen == gen && now.Sub(e.at) < namesTTL && e.role == t.person.Role && e.team == t.person.TeamID {
			return e.names, nil
		}
	}
	names, err := b.loadNames(ctx, t)
	if err != nil {
		return nil, err
	}
	if _, had := b.nameCache.Swap(t.person.ID, &namesEntry{names: names, gen: gen, at: now, role: t.person.Role,
		team: t.person.TeamID}); !had && b.namesCached.Add(1) > maxCachedNames {
		// bound the memory: forget someone else's index (rebuilt when they next write)
		b.nameCache.Range(func(k, _ any) bool {
			if k != t.person.ID {
				b.nameCache.Delete(k)
				b.namesCached.Add(-1)
				return false
			}
			return true
		})
	}
	return names, nil
}

// maxCachedNames bounds the speakers whose name indexes are kept.
const maxCachedNames = 256

// namesTTL bounds how long a cached deal-name index is trusted without
// this process having seen a change to it: changes made by another
// process (an import) are seen within it. A name missing from a stale
// index is not lost: the message is then read by the keyword grammar and
// asked about.
const namesTTL = 5 * time.Minute

type namesEntry struct {
	names *parse.Names
	gen   [3]int64
	at    time.Time
	role  coach.Role
	team  int64
}

// namesGens is what a person's name index depends on: the changes to
// their own deals, to their team's, and (for an admin) to anyone's.
func (b *Bot) namesGens(p coach.Person) [3]int64 {
	var g [3]int64
	g[0] = b.namesGen(namesOfPerson(p.ID))
	if p.TeamID != 0 {
		g[1] = b.namesGen(namesOfTeam(p.TeamID))
	}
	if p.Role == coach.Admin {
		g[2] = b.namesGen(namesOfAll)
	}
	return g
}

// The keys of nameGens: a person's deals, a team's, everyone's. Numbers,
// not strings, so that reading a generation costs no formatting.
func namesOfPerson(id int64) int64 { return id<<2 | 1 }
func namesOfTeam(id int64) int64   { return id<<2 | 2 }

const namesOfAll int64 = 3

func (b *Bot) namesGen(key int64) int64 {
	if v, ok := b.nameGens.Load(key); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}

// namesChanged tells the name cache that a deal was created, renamed,
// closed, reopened or moved between people: the indexes of its owner, its
// team and the admins are rebuilt when next used.
func (b *Bot) namesChanged(d coach.Deal) {
	for _, key := range [...]int64{namesOfPerson(d.OwnerID), namesOfTeam(d.TeamID), namesOfAll} {
		v, _ := b.nameGens.LoadOrStore(key, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
	}
}

func (b *Bot) loadNames(ctx context.Context, t *turn) (*parse.Names, error) {
	// A rep's own deals; a manager's team's too; an admin's, everyone's. A
	// deal outside the index (a colleague's) is still found by the keyword
	// grammar's lookup, and asked about or refused, never applied blindly.
	type scope struct{ owner, team int64 }
	scopes := []scope{{owner: t.person.ID}}
	switch {
	case t.person.Role == coach.Admin:
		scopes = []scope{{}}
	case t.person.Role == coach.Manager && t.person.TeamID != 0:
		scopes = append(scopes, scope{team: t.person.TeamID})
	}
	var nb *parse.NamesBuilder
	for _, sc := range scopes {
		ds, err := b.cfg.Store.OpenDealNames(ctx, sc.owner, sc.team, b.maxNamed)
		if err != nil {
			return nil, err
		}
		if nb == nil {
			nb = parse.NewNamesBuilder(ds.Len())
		}
		for i := range ds.Len() {
			nb.AddBytes(ds.Name(i)) // a deal in both scopes is indexed once
		}
	}
	return nb.Names(), nil
}
