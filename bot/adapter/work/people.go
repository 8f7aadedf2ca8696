package work

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// How long what a platform tells of a person is kept: names and zones
// change rarely, and a failed lookup is not retried on every message.
const (
	personTTL     = 24 * time.Hour
	personFailTTL = 5 * time.Minute
	lookupTimeout = 2 * time.Second
	maxPeople     = 10000
)

// Person is what a platform tells of one of its users.
type Person struct {
	Name, TZ, Locale string
	// Team and Enterprise are the person's own workspace and organisation
	// when the platform says (Slack's users.info): in a Slack Connect
	// channel they are not the app's.
	Team, Enterprise string
}

// People caches a platform's user lookups by user id; concurrent first
// messages from one person cost one lookup.
type People struct {
	lookup func(ctx context.Context, id string) (Person, error)
	log    *slog.Logger
	now    func() time.Time

	mu sync.Mutex
	m  map[string]*entry
}

type entry struct {
	p     Person
	until time.Time
	ready chan struct{} // closed once p is set
}

// NewPeople caches lookup.
func NewPeople(lookup func(ctx context.Context, id string) (Person, error), log *slog.Logger, now func() time.Time) *People {
	return &People{lookup: lookup, log: log, now: now, m: map[string]*entry{}}
}

// Get returns what is known of user id, asking the platform on first
// contact. It never fails: without an answer the person is known by id.
func (c *People) Get(ctx context.Context, id string) Person {
	c.mu.Lock()
	if e, ok := c.m[id]; ok {
		c.mu.Unlock()
		<-e.ready
		if c.now().Before(e.until) {
			return e.p
		}
		c.mu.Lock()
		if c.m[id] == e {
			delete(c.m, id)
		}
		if e, ok := c.m[id]; ok { // someone else is asking again already
			c.mu.Unlock()
			<-e.ready
			return e.p
		}
	}
	if len(c.m) >= maxPeople {
		clear(c.m) // a crude bound: the cache refills from the people who write
	}
	e := &entry{ready: make(chan struct{})}
	c.m[id] = e
	c.mu.Unlock()

	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lookupTimeout)
	defer cancel()
	p, err := c.lookup(lctx, id)
	if err != nil {
		c.log.WarnContext(ctx, "look up a person", "user", id, "err", err)
		e.until = c.now().Add(personFailTTL)
	} else {
		e.p, e.until = p, c.now().Add(personTTL)
	}
	close(e.ready)
	return e.p
}
