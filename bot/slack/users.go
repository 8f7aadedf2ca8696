package slack

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// How long users.info answers are kept: names and zones change rarely,
// and a failed lookup is not retried on every message.
const (
	userTTL     = 24 * time.Hour
	userFailTTL = 5 * time.Minute
	userTimeout = 2 * time.Second
	maxUsers    = 10000
)

// userInfo is what Slack tells of a person.
type userInfo struct {
	Name, TZ, Locale string
}

type userEntry struct {
	info  userInfo
	until time.Time
	ready chan struct{} // closed once info is set
}

// users caches users.info per user id; concurrent first messages from one
// person cost one call.
type users struct {
	api *slack.Client
	log *slog.Logger
	now func() time.Time

	mu sync.Mutex
	m  map[string]*userEntry
}

func newUsers(api *slack.Client, log *slog.Logger, now func() time.Time) *users {
	return &users{api: api, log: log, now: now, m: map[string]*userEntry{}}
}

// get returns what is known of user id, asking Slack on first contact.
// It never fails: without an answer the person is known by id alone.
func (u *users) get(ctx context.Context, id string) userInfo {
	u.mu.Lock()
	e, ok := u.m[id]
	if ok {
		u.mu.Unlock()
		<-e.ready
		if u.now().Before(e.until) {
			return e.info
		}
		u.mu.Lock()
		if u.m[id] == e {
			delete(u.m, id)
		}
		e, ok = u.m[id]
		if ok { // someone else is already asking again
			u.mu.Unlock()
			<-e.ready
			return e.info
		}
	}
	if len(u.m) >= maxUsers {
		clear(u.m) // a crude bound: the cache refills from the people who write
	}
	e = &userEntry{ready: make(chan struct{})}
	u.m[id] = e
	u.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), userTimeout)
	defer cancel()
	su, err := u.api.GetUserInfoContext(ctx, id)
	if err != nil {
		u.log.WarnContext(ctx, "slack users.info", "user", id, "err", err)
		e.until = u.now().Add(userFailTTL)
	} else {
		name := su.Profile.DisplayName
		if name == "" {
			name = su.RealName
		}
		if name == "" {
			name = su.Name
		}
		e.info = userInfo{Name: name, TZ: su.TZ, Locale: su.Locale}
		e.until = u.now().Add(userTTL)
	}
	close(e.ready)
	return e.info
}
