package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dealcoach/dealcoach/bot/parse"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/prompts"
	"github.com/dealcoach/dealcoach/store"
)

// Config is what the core needs; cmd builds it from the environment.
type Config struct {
	Store       *store.DB
	Playbook    *coach.Playbook
	Catalog     *prompts.Catalog
	People      *coach.People    // roles, relationships and styles of the decision chain
	Now         func() time.Time // the clock (DEALCOACH_NOW in tests and demos)
	DefaultTZ   *time.Location   // for people whose zone is unknown
	DefaultLang string           // "zh" or "en", when a message's cannot be told
	Currency    string           // ISO code of amounts
	Admins      []string         // platform user ids with admin rights
	Log         *slog.Logger
	Metrics     *Metrics  // optional
	RateLimit   RateLimit // per person, on updates; zero: none
}

// Bot answers messages. It is safe for concurrent use: all state lives in
// the store.
type Bot struct {
	*Formatter // texts, money, dates and stage names in a language
	cfg        Config
	admins     map[string]bool
	log        *slog.Logger
	zones      Zones

	// names caches each speaker's deal-name index (person id → *namesEntry):
	// building it reads every open deal the speaker can see. namesGen
	// counts the changes of deal names, owners and status this process
	// made; an entry older than it, or than namesTTL (changes made by
	// another process, such as an import), is rebuilt.
	stages      *parse.StageIndex // the playbook's stage names, for reading messages
	nameCache   sync.Map          // person id → *namesEntry
	nameGens    sync.Map          // namesOfPerson, namesOfTeam, namesOfAll → *atomic.Int64
	namesCached atomic.Int64      // entries in nameCache
	limit       *limiter          // per-person rate limit, in memory: a restart forgives
	dealTurns   dealLocks         // this process's turns changing one deal, one at a time (see changeDeal)
	maxNamed    int               // deals a speaker's name index holds (maxNamed; tests lower it)
}

// New builds a bot from cfg, filling defaults.
func New(cfg Config) (*Bot, error) {
	if cfg.Store == nil || cfg.Playbook == nil || cfg.Catalog == nil {
		return nil, fmt.Errorf("bot: store, playbook and catalog are required")
	}
	if cfg.People == nil {
		p, err := prompts.LoadPeople()
		if err != nil {
			return nil, err
		}
		cfg.People = p
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DefaultTZ == nil {
		cfg.DefaultTZ = time.UTC
	}
	if cfg.DefaultLang != "en" {
		cfg.DefaultLang = "zh"
	}
	if cfg.Currency == "" {
		cfg.Currency = "CNY"
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	b := &Bot{Formatter: NewFormatter(cfg.Catalog, cfg.Playbook, cfg.Currency), cfg: cfg, admins: map[string]bool{}, log: cfg.Log, limit: newLimiter(cfg.RateLimit), stages: parse.IndexStages(cfg.Playbook), maxNamed: maxNamed}
	for _, a := range cfg.Admins {
		if a = strings.TrimSpace(a); a != "" {
			b.admins[a] = true
		}
	}
	return b, nil
}

// turn is one message being handled: who said it, in which language, when.
type turn struct {
	msg    Message
	st     *store.DB // the store, its writes carrying the claim of the message's event
	claim  *store.Claim
	person coach.Person
	lang   string
	now    time.Time // in the person's zone

	stateRaw []byte    // the conversation's stored state, as read with the person
	stateAt  time.Time // when it was saved

	cur     state        // what the conversation waits for, as the turn began
	waiting bool         // cur is set
	change  *stateChange // what the turn does to it

	resolvedRef parse.Ref    // the last reference resolved in this turn
	resolved    []coach.Deal // and the deals it named

	free bool      // a free-text message to read against the speaker's deals (parse.ParseMessage)
	read *readMemo // its reading, once read (free.go)

	answers   map[string]coach.Answer // answers of deal answersOf, read this turn
	answersOf int64
}

// Handle answers one message. Every change it makes is committed before it
// returns, the first with the claim of m.EventID (see Reply.Claimed); an
// event processed before gets a Duplicate reply and changes nothing. An
// internal error is logged here, once, and returned for tests and metrics:
// the reply already tells the person what went wrong, in their language.
func (b *Bot) Handle(ctx context.Context, m Message) (r Reply, err error) {
	start := time.Now()
	kind := "unread" // until parsed
	defer func() {
		outcome := "ok"
		if err != nil {
			outcome = string(coach.Internal)
		} else if r.Ephemeral && r.code != "" {
			outcome = string(r.code)
		}
		b.cfg.Metrics.observe(m.Platform, kind, outcome, start)
	}()
	sess, err := b.session(ctx, m)
	p := sess.Person
	if err != nil {
		b.log.ErrorContext(ctx, "handle message", "platform", m.Platform, "user", m.UserID, "err", err)
		return b.internal(b.cfg.DefaultLang), err
	}
	t := b.newTurn(m, p, sess)
	cmd, free := parse.ParseMessage(m.Text, parse.Context{Now: t.now, Playbook: b.cfg.Playbook, People: b.cfg.People})
	t.free = free
	kind = cmd.Kind.String()
	t.lang = b.language(cmd, p, m)
	if limited(cmd.Kind) && !b.limit.allow(p.ID) {
		return b.rateLimited(t.lang, m.Platform), nil
	}
	if err := b.rememberLang(ctx, t, cmd); err != nil {
		b.log.ErrorContext(ctx, "handle message", "platform", m.Platform, "user", m.UserID, "err", err)
		return b.internal(t.lang), err
	}
	r, err = b.dispatch(ctx, t, cmd)
	if err == nil && cmd.Kind == parse.Show && r.DealID != 0 {
		b.setTopic(t, r.DealID) // "江南水务现在什么情况?" then "推进到入围"
	}
	if err == nil || coach.ErrorCode(err) != coach.Internal {
		// A refusal still ends or keeps what the conversation waited for.
		if ferr := b.flushState(ctx, t); ferr != nil {
			err = ferr
		}
	}
	if errors.Is(err, store.ErrDuplicate) {
		return Reply{Duplicate: true}, nil // a retried or replayed event: nothing to say
	}
	if err != nil {
		if coach.ErrorCode(err) == coach.Internal {
			b.log.ErrorContext(ctx, "handle message", "platform", m.Platform, "user", m.UserID, "event_id", m.EventID, "err", err)
			r = b.internal(t.lang)
			r.Claimed = t.claim.Done()
			return r, err
		}
		r = b.errorReply(t.lang, err)
	}
	if r.Lang == "" {
		r.Lang = t.lang
	}
	r.Claimed = t.claim.Done()
	return r, nil
}

// newTurn starts the turn of message m from person p, whose session is sess.
func (b *Bot) newTurn(m Message, p coach.Person, sess store.Session) *turn {
	c := store.NewClaim(m.Platform, m.EventID)
	return &turn{msg: m, st: b.cfg.Store.Claiming(c), claim: c, person: p, now: b.cfg.Now().In(b.location(p)),
		stateRaw: sess.State, stateAt: sess.StateAt}
}

// session loads who is speaking, creating them on first contact, with
// what the conversation here waits for.
func (b *Bot) session(ctx context.Context, m Message) (store.Session, error) {
	// Creating or filling in the person is the same on a replay: it does
	// not count as handling the platform's event (b.cfg.Store carries no
	// claim; see newTurn).
	name := m.UserName
	if name == "" {
		name = m.UserID
	}
	tz := b.validZone(m.TZ)
	s, err := b.cfg.Store.Session(ctx, coach.Person{Platform: m.Platform, PlatformID: m.UserID, Name: name, TZ: tz}, m.scope())
	if err != nil {
		return s, fmt.Errorf("person %s/%s: %w", m.Platform, m.UserID, err)
	}
	// What the platform tells of a person fills what we lack, never
	// overrides what was set: a zone set in chat stays.
	fillTZ := tz != "" && s.Person.TZ == ""
	fillName := m.UserName != "" && s.Person.Name == m.UserID && m.UserName != m.UserID
	if fillTZ || fillName {
		if fillTZ {
			s.Person.TZ = tz
		}
		if fillName {
			s.Person.Name = m.UserName
		}
		if err := b.cfg.Store.UpdatePerson(ctx, s.Person); err != nil {
			return s, fmt.Errorf("update %s/%s from the platform: %w", m.Platform, m.UserID, err)
		}
	}
	if b.admins[m.UserID] && s.Person.Role != coach.Admin {
		s.Person.Role = coach.Admin
		if err := b.cfg.Store.UpdatePerson(ctx, s.Person); err != nil {
			return s, fmt.Errorf("make %s an admin: %w", m.UserID, err)
		}
	}
	return s, nil
}

// location is the person's zone, else the deployment's.
func (b *Bot) location(p coach.Person) *time.Location {
	if loc, ok := b.zones.Load(p.TZ); ok {
		return loc
	}
	return b.cfg.DefaultTZ
}

// zoneName finds the zone someone typed: as typed, else with each word
// capitalised ("america/new_york" is America/New_York), else in capitals
// ("utc"). "Local", the server's own zone, is no zone a person lives in.
func (b *Bot) zoneName(typed string) (string, bool) {
	title := []byte(strings.ToLower(typed))
	for i := range title {
		if c := title[i]; 'a' <= c && c <= 'z' && (i == 0 || strings.IndexByte("/_-", title[i-1]) >= 0) {
			title[i] = c - 'a' + 'A'
		}
	}
	for _, name := range []string{typed, string(title), strings.ToUpper(typed)} {
		if _, ok := b.zones.Load(name); ok && !strings.EqualFold(name, "local") {
			return name, true
		}
	}
	return "", false
}

// validZone returns tz if it names a zone, else "".
func (b *Bot) validZone(tz string) string {
	if _, ok := b.zones.Load(tz); !ok {
		return ""
	}
	return tz
}

// language picks the reply language: the message's own, else the person's,
// else the platform locale, else the deployment default. The slash grammar's
// keywords are English for everyone, so "/deal #3 won" shows no language.
func (b *Bot) language(cmd parse.Command, p coach.Person, m Message) string {
	detected := cmd.Lang
	if cmd.Slash && detected == "en" {
		detected = ""
	}
	switch {
	case detected != "":
		return detected
	case p.Lang != "":
		return p.Lang
	case strings.HasPrefix(strings.ToLower(m.Locale), "zh"):
		return "zh"
	case strings.HasPrefix(strings.ToLower(m.Locale), "en"):
		return "en"
	}
	return b.cfg.DefaultLang
}

// rememberLang stores the language a person last wrote free text in, so a
// later message that shows none ("/deal list", "#12") is answered in it.
func (b *Bot) rememberLang(ctx context.Context, t *turn, cmd parse.Command) error {
	if cmd.Slash || cmd.Lang == "" || cmd.Lang == t.person.Lang {
		return nil
	}
	t.person.Lang = cmd.Lang
	return b.cfg.Store.UpdatePerson(ctx, t.person) // not the event's effect: no claim
}

func (b *Bot) errorReply(lang string, err error) Reply {
	var e *coach.Error
	if !errors.As(err, &e) {
		return b.internal(lang)
	}
	args := e.Args
	if e.Key == "err.stage" {
		args = maps.Clone(args)
		args["stages"] = b.stageList(lang)
	}
	r := textReply(lang, b.cfg.Catalog.Text(lang, e.Key, args))
	r.Ephemeral, r.code = true, e.Code
	return r
}

// stageList names the playbook's stages for an error message.
func (b *Bot) stageList(lang string) string {
	var names []string
	for i, s := range b.cfg.Playbook.Stages {
		names = append(names, fmt.Sprintf("%d %s (%s)", i+1, s.Name.In(lang), s.Key))
	}
	sep := ", "
	if lang == "zh" {
		sep = "、"
	}
	return strings.Join(names, sep)
}

func (b *Bot) internal(lang string) Reply {
	r := textReply(lang, b.text(lang, "err.internal"))
	r.Ephemeral = true
	return r
}
