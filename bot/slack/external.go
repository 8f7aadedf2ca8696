package slack

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dealcoach/dealcoach/bot"
)

// People of other organisations (Slack Connect) reach the bot in shared
// channels and DMs. Nothing internal may be told to them: no deal, no
// colleague, no number. They get one polite refusal, in their language as
// far as their text tells, and their message changes nothing. A workspace
// may let given organisations in (Config.External, DEALCOACH_EXTERNAL).

// allowed tells whether people of team (a team or enterprise id) may use
// the bot although it is not the workspace's.
func (a *Adapter) allowed(team string) bool {
	return slices.Contains(a.cfg.External, "*") || (team != "" && slices.Contains(a.cfg.External, team))
}

// refusal is the answer to a person of another organisation.
func (a *Adapter) refusal(text string) bot.Reply {
	return bot.ExternalRefusal(a.cfg.Catalog, text, a.cfg.DefaultLang)
}

// home is the workspace the app is installed in, as auth.test tells it:
// a slash command carries only the invoking person's team, to compare
// with it. It is asked on the first command; a failed auth.test is asked
// again a minute later, and until it answers commands are taken as the
// workspace's own. Once known, reading it takes no lock.
type home struct {
	known atomic.Pointer[homeIDs]
	mu    sync.Mutex // held while asking
	next  time.Time  // when to ask again after a failure; under mu
}

type homeIDs struct{ team, enterprise string }

// homeTeam returns the app's team and enterprise ids ("" when unknown).
func (a *Adapter) homeTeam(ctx context.Context) (team, enterprise string) {
	h := &a.home
	if ids := h.known.Load(); ids != nil {
		return ids.team, ids.enterprise
	}
	if !h.mu.TryLock() { // another command is asking
		return "", ""
	}
	defer h.mu.Unlock()
	if ids := h.known.Load(); ids != nil {
		return ids.team, ids.enterprise
	}
	if time.Now().Before(h.next) {
		return "", ""
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	r, err := a.api.AuthTestContext(ctx)
	if err != nil || r.TeamID == "" {
		a.log.WarnContext(ctx, "slack auth.test: the workspace is unknown, commands from other organisations cannot be told", "err", err)
		h.next = time.Now().Add(time.Minute)
		return "", ""
	}
	ids := &homeIDs{team: r.TeamID, enterprise: r.EnterpriseID}
	h.known.Store(ids)
	return ids.team, ids.enterprise
}

// externalCommand tells a slash command from a person of another
// organisation: from a team that is not the app's workspace (nor, in an
// organisation-wide install, its organisation).
func (a *Adapter) externalCommand(ctx context.Context, teamID, enterpriseID string) bool {
	if teamID == "" || a.allowed(teamID) {
		return false
	}
	team, enterprise := a.homeTeam(ctx)
	switch {
	case team == "":
		return false
	case teamID == team:
		return false
	case enterprise != "" && enterpriseID == enterprise:
		return false
	}
	return enterpriseID == "" || !a.allowed(enterpriseID)
}
