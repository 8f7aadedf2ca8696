package bot

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
)

// Team setup in chat, a person's morning reminders, and a next step done.

// teamCmd runs a team command. Creating a team and changing one's members
// or settings is for admins and the team's managers; anyone may see their
// team.
func (b *Bot) teamCmd(ctx context.Context, t *turn, c *parse.TeamCmd) (Reply, error) {
	db, p := t.st, t.person
	manage := p.Role == coach.Admin || p.Role == coach.Manager
	switch c.Op {
	case parse.TeamNew:
		if !manage {
			return Reply{}, coach.Errorf(coach.Forbidden, "err.team_forbidden")
		}
		tm, err := db.CreateTeam(ctx, coach.Team{Name: c.Name, TZ: p.TZ, Lang: managerLang(p, t.lang)})
		if err != nil {
			return Reply{}, err
		}
		if err := db.JoinTeam(ctx, p.ID, tm.ID, ""); err != nil {
			return Reply{}, err
		}
		return textReply(t.lang, b.text(t.lang, "team.created", "name", tm.Name)), nil
	case parse.TeamUse:
		if p.Role != coach.Admin {
			return Reply{}, coach.Errorf(coach.Forbidden, "err.team_admin_only")
		}
		tm, err := db.TeamByName(ctx, c.Name)
		if err != nil {
			return Reply{}, err
		}
		if err := db.JoinTeam(ctx, p.ID, tm.ID, ""); err != nil {
			return Reply{}, err
		}
		return textReply(t.lang, b.text(t.lang, "team.using", "name", tm.Name)), nil
	}
	if p.TeamID == 0 {
		return Reply{}, coach.Errorf(coach.Invalid, "err.no_team")
	}
	tm, err := db.Team(ctx, p.TeamID)
	if err != nil {
		return Reply{}, err
	}
	if tm.Lang != "" && tm.DigestPlatform == t.msg.Platform && tm.DigestChannel == t.msg.Channel {
		t.lang = tm.Lang // in the team's channel, the team's language, whoever speaks
	}
	if c.Op == parse.TeamShow {
		return b.showTeam(ctx, t, tm)
	}
	if !manage {
		return Reply{}, coach.Errorf(coach.Forbidden, "err.team_forbidden")
	}
	switch c.Op {
	case parse.TeamAdd, parse.TeamManager, parse.TeamRemove:
		return b.teamMembers(ctx, t, tm, c)
	case parse.TeamTZ:
		tz, ok := b.zoneName(c.TZ)
		if !ok {
			return Reply{}, coach.Errorf(coach.Invalid, "err.tz", "text", c.TZ)
		}
		tm.TZ = tz
	case parse.TeamHour:
		tm.RemindHour = c.Hour
	case parse.TeamWeekends:
		tm.Weekends = c.On
	case parse.TeamLang:
		tm.Lang = c.Lang
	case parse.TeamTarget:
		if err := db.SetTarget(ctx, tm.ID, c.Quarter, c.Amount); err != nil {
			return Reply{}, err
		}
		return textReply(t.lang, b.text(t.lang, "team.target_set", "name", tm.Name, "quarter", c.Quarter,
			"amount", b.money(t.lang, c.Amount, b.cfg.Currency))), nil
	case parse.TeamDigestHere:
		if t.msg.Platform != "slack" && t.msg.Platform != "lark" {
			return Reply{}, coach.Errorf(coach.Invalid, "err.digest_platform")
		}
		tm.DigestPlatform, tm.DigestChannel = t.msg.Platform, t.msg.Channel
	}
	if err := db.UpdateTeam(ctx, tm); err != nil {
		return Reply{}, err
	}
	return b.showTeam(ctx, t, tm)
}

// managerLang is the language a team created by p starts with: p's own,
// else the one they are writing in now.
func managerLang(p coach.Person, now string) string {
	if p.Lang == "zh" || p.Lang == "en" {
		return p.Lang
	}
	return now
}

// teamMembers adds reps or managers to the speaker's team, or removes
// people from it. Only an admin may move someone out of another team, or
// make or unmake a manager who is not a manager already.
func (b *Bot) teamMembers(ctx context.Context, t *turn, tm coach.Team, c *parse.TeamCmd) (Reply, error) {
	people, err := b.findPeople(ctx, t, c.People)
	if err != nil {
		return Reply{}, err
	}
	admin := t.person.Role == coach.Admin
	var names []string
	for _, q := range people {
		if q.TeamID != 0 && q.TeamID != tm.ID && !admin {
			return Reply{}, coach.Errorf(coach.Forbidden, "err.team_other", "name", q.Name)
		}
		switch c.Op {
		case parse.TeamRemove:
			if q.TeamID != tm.ID {
				return Reply{}, coach.Errorf(coach.Invalid, "err.team_not_member", "name", q.Name, "team", tm.Name)
			}
			err = t.st.LeaveTeam(ctx, q.ID)
		case parse.TeamManager:
			role := coach.Manager
			if q.Role == coach.Admin {
				role = "" // an admin stays admin, and manages the team all the same
			}
			err = t.st.JoinTeam(ctx, q.ID, tm.ID, role)
		default:
			err = t.st.JoinTeam(ctx, q.ID, tm.ID, "")
		}
		if err != nil {
			return Reply{}, err
		}
		names = append(names, q.Name)
	}
	key := map[parse.TeamOp]string{parse.TeamAdd: "team.added", parse.TeamManager: "team.managers", parse.TeamRemove: "team.removed"}[c.Op]
	return textReply(t.lang, b.text(t.lang, key, "names", strings.Join(names, ", "), "team", tm.Name)), nil
}

// findPeople resolves mentions and names to people of the speaker's
// platform. A mention of someone the bot has never met creates them (the
// platform vouches for the id; in the terminal, whose ids are names, the
// person at the keyboard does); a name must match one known person, else
// the speaker is asked to mention them.
func (b *Bot) findPeople(ctx context.Context, t *turn, refs []parse.PersonRef) ([]coach.Person, error) {
	var out []coach.Person
	for _, r := range refs {
		if r.ID != "" { // in the terminal too: there "@小刘" is the mention of 小刘 (see console.Mentions)
			name := r.Name
			if name == "" {
				name = r.ID
			}
			q, err := b.cfg.Store.EnsurePerson(ctx, coach.Person{Platform: t.msg.Platform, PlatformID: r.ID, Name: name})
			if err != nil {
				return nil, err
			}
			out = append(out, q)
			continue
		}
		qs, err := b.cfg.Store.PeopleByName(ctx, t.msg.Platform, r.Name)
		if err != nil {
			return nil, err
		}
		switch len(qs) {
		case 0:
			return nil, coach.Errorf(coach.NotFound, "err.person_unknown", "name", r.Name)
		case 1:
		default:
			return nil, coach.Errorf(coach.Invalid, "err.person_ambiguous", "name", r.Name, "n", len(qs))
		}
		q := qs[0]
		out = append(out, q)
	}
	return out, nil
}

// showTeam describes a team: members, digest channel, zone, reminder
// hour, and this quarter's target.
func (b *Bot) showTeam(ctx context.Context, t *turn, tm coach.Team) (Reply, error) {
	people, err := b.cfg.Store.People(ctx)
	if err != nil {
		return Reply{}, err
	}
	var managers, reps []string
	for _, q := range people {
		if q.TeamID != tm.ID {
			continue
		}
		if q.Role == coach.Manager || q.Role == coach.Admin {
			managers = append(managers, q.Name)
		} else {
			reps = append(reps, q.Name)
		}
	}
	none := b.text(t.lang, "none")
	or := func(s []string) string {
		if len(s) == 0 {
			return none
		}
		return strings.Join(s, ", ")
	}
	quarter := coach.QuarterOf(coach.DateOf(t.now)).String()
	target, ok, err := b.cfg.Store.Target(ctx, tm.ID, quarter)
	if err != nil {
		return Reply{}, err
	}
	targetText := b.text(t.lang, "team.no_target", "quarter", quarter)
	if ok {
		targetText = b.money(t.lang, target, b.cfg.Currency)
	}
	digest := b.text(t.lang, "team.no_digest")
	if tm.DigestChannel != "" {
		digest = b.text(t.lang, "team.digest_at", "platform", tm.DigestPlatform, "channel", tm.DigestChannel)
	}
	tz := tm.TZ
	if tz == "" {
		tz = b.cfg.DefaultTZ.String()
	}
	weekends := b.text(t.lang, "team.weekdays")
	if tm.Weekends {
		weekends = b.text(t.lang, "team.every_day")
	}
	r := Reply{Lang: t.lang, Blocks: []Block{
		{Kind: HeaderBlock, Text: b.text(t.lang, "team.title", "name", tm.Name)},
		{Kind: FieldsBlock, Fields: []Field{
			{b.text(t.lang, "team.f.managers"), or(managers)},
			{b.text(t.lang, "team.f.reps"), or(reps)},
			{b.text(t.lang, "team.f.digest"), digest},
			{b.text(t.lang, "team.f.tz"), tz},
			{b.text(t.lang, "team.f.lang"), b.text(t.lang, "team.lang."+cmp.Or(tm.Lang, "unset"))},
			{b.text(t.lang, "team.f.remind"), fmt.Sprintf("%02d:00 · %s", tm.RemindHour, weekends)},
			{b.text(t.lang, "team.f.target", "quarter", quarter), targetText},
		}},
		{Kind: ContextBlock, Text: b.text(t.lang, "team.help")},
	}}
	return r, nil
}
