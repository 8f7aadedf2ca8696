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
// organisation. A command's team_id and enterprise_id say where the person
// was in Slack when they typed it, not whose person they are: Slack puts
// no user_team or is_ext_shared_channel in a command (events and
// interactions have them). So a command from another workspace's context
// is only a hint, and the evidence is the person's own team as users.info
// tells it (the same cached lookup that names them). A command is refused
// when that team is neither the app's workspace nor its organisation (nor
// let in); when nothing says whose person they are (auth.test or
// users.info unanswered, or no team in the answer), it is the
// workspace's own, as before the workspace is known.
func (a *Adapter) externalCommand(ctx context.Context, teamID, enterpriseID, user string) bool {
	if teamID == "" || a.allowed(teamID) {
		return false
	}
	team, enterprise := a.homeTeam(ctx)
	if team == "" || ours(teamID, enterpriseID, team, enterprise) || enterpriseID != "" && a.allowed(enterpriseID) {
		return false
	}
	p := a.kit.People.Get(ctx, user)
	if p.Team == "" && p.Enterprise == "" {
		return false
	}
	return !ours(p.Team, p.Enterprise, team, enterprise) && !a.allowed(p.Team) && (p.Enterprise == "" || !a.allowed(p.Enterprise))
}

// ours tells whether a team (of an enterprise) is the app's workspace or,
// in an organisation-wide install, of its organisation.
func ours(teamID, enterpriseID, team, enterprise string) bool {
	return teamID != "" && teamID == team || enterprise != "" && (enterpriseID == enterprise || teamID == enterprise)
}
