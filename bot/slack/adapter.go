package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/slack-go/slack"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/adapter/queue"
	"github.com/dealcoach/dealcoach/bot/adapter/replay"
	"github.com/dealcoach/dealcoach/bot/adapter/work"
	"github.com/dealcoach/dealcoach/prompts"
)

// maxReplays bounds the signatures kept against replays: ten minutes of
// requests at 160 a second, about 3 MB at most.
const maxReplays = 100_000

// platform is the name Slack's people, conversations and inbox rows are
// stored under.
const platform = "slack"

// Config is what the adapter needs; cmd builds it from the environment.
type Config struct {
	Bot           *bot.Bot
	Store         work.InboxStore // *store.DB
	Catalog       *prompts.Catalog
	Token         string // SLACK_BOT_TOKEN
	SigningSecret string // SLACK_SIGNING_SECRET: HTTP mode
	AppToken      string // SLACK_APP_TOKEN: Socket Mode
	APIURL        string // SLACK_API_URL: the Web API's base URL; "" is Slack's
	DefaultLang   string // for texts of the adapter's own when no reply says
	// External lists the teams (or enterprises) of other organisations
	// whose people may use the bot in Slack Connect channels and DMs; "*"
	// lets everyone in. Anyone else of another organisation gets a polite
	// refusal naming nothing internal (DEALCOACH_EXTERNAL).
	External []string
	Log      *slog.Logger
	Now      func() time.Time // the clock; default time.Now

	Workers   int           // goroutines handling events after their ack; default 8
	AckWithin time.Duration // a slash command slower than this is acked with "working on it" and answered later; default 2.5s
	Queue     queue.Config  // delivery of replies; Classify is set by the adapter

	WrapTransport func(http.RoundTripper) http.RoundTripper // optional: wraps every API call (metrics)
}

// Adapter serves Slack: HTTP endpoints or Socket Mode, and the Web API
// calls replies need.
type Adapter struct {
	cfg  Config
	api  *slack.Client
	http *http.Client // the Web API's and the response URLs'
	log  *slog.Logger
	kit  *work.Kit // people, workers, inbox, reply queue

	replays *replay.Guard     // signatures seen, against replayed requests
	home    home              // the app's workspace, for slash commands
	more    *work.MoreFormats // the "n more" notes of cut replies
	answers answerBuffers     // buffers for slash commands' answers
}

// Close stops taking work, lets queued work and replies finish until ctx
// ends, then cancels the rest (unprocessed events stay in the inbox).
func (a *Adapter) Close(ctx context.Context) error { return a.kit.Close(ctx) }

// New builds the adapter and starts its workers; Close stops them.
func New(cfg Config) (*Adapter, error) {
	if cfg.Bot == nil || cfg.Store == nil || cfg.Catalog == nil {
		return nil, errors.New("slack: bot, store and catalog are required")
	}
	if cfg.Token == "" {
		return nil, errors.New("slack: SLACK_BOT_TOKEN is required")
	}
	if cfg.SigningSecret == "" && cfg.AppToken == "" {
		return nil, errors.New("slack: set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DefaultLang != "en" {
		cfg.DefaultLang = "zh"
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.AckWithin <= 0 {
		cfg.AckWithin = 2500 * time.Millisecond
	}
	// Replies to many channels at once keep a connection each: the default
	// transport keeps two idle connections a host, and would open and close
	// one per reply.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 64, 64
	var rt http.RoundTripper = tr
	if cfg.WrapTransport != nil {
		rt = cfg.WrapTransport(tr)
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: rt}
	opts := []slack.Option{slack.OptionHTTPClient(client)}
	if cfg.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(cfg.APIURL))
	}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	a := &Adapter{cfg: cfg, api: slack.New(cfg.Token, opts...), http: client, log: cfg.Log.With("platform", platform),
		more: work.NewMoreFormats(cfg.Catalog)}
	a.replays = replay.New(maxReplays)
	a.kit = work.NewKit(work.KitConfig{Store: cfg.Store, Bot: cfg.Bot, Platform: platform, Log: a.log, Now: cfg.Now,
		Workers: cfg.Workers, Queue: cfg.Queue, Classify: classify, Lookup: a.lookup, Decode: a.decode})
	return a, nil
}

// Routes registers the HTTP endpoints on mux; every request's signature
// is checked first.
func (a *Adapter) Routes(mux *http.ServeMux) {
	mux.Handle("POST /slack/commands", Verified(a.cfg.SigningSecret, a.replays, a.log, a.serveCommand))
	mux.Handle("POST /slack/events", Verified(a.cfg.SigningSecret, a.replays, a.log, a.serveEvent))
	mux.Handle("POST /slack/interactions", Verified(a.cfg.SigningSecret, a.replays, a.log, a.serveInteraction))
}

// lookup asks users.info who a person is.
func (a *Adapter) lookup(ctx context.Context, id string) (work.Person, error) {
	u, err := a.api.GetUserInfoContext(ctx, id)
	if err != nil {
		return work.Person{}, err
	}
	name := u.Profile.DisplayName
	if name == "" {
		name = u.RealName
	}
	if name == "" {
		name = u.Name
	}
	return work.Person{Name: name, TZ: u.TZ, Locale: u.Locale, Team: u.TeamID, Enterprise: u.Enterprise.EnterpriseID}, nil
}

// decode turns a recorded event back into its task.
func (a *Adapter) decode(key, kind string, body []byte) (work.Task, error) {
	switch kind {
	case "event":
		return a.eventTask(key, body)
	case "command":
		return a.commandTask(key, body)
	case "action":
		return a.actionTask(key, body)
	case "view":
		return a.viewTask(key, body)
	}
	return work.Task{}, fmt.Errorf("unknown kind %q", kind)
}

// Replay handles the events recorded before a crash but never processed.
// Call it once at start, before serving.
func (a *Adapter) Replay(ctx context.Context) error { return a.kit.Inbox.Replay(ctx) }

// Sweep periodically replays events left unprocessed for age, and
// forgets old processed ones (see work.Inbox).
func (a *Adapter) Sweep(ctx context.Context, every, age time.Duration) {
	a.kit.Inbox.Sweep(ctx, every, age)
}

// classify tells the reply queue how to treat a Web API failure: wait as
// long as a 429 asks, retry server and network errors, give up on the rest
// (a channel the bot is not in will not appear by retrying).
func classify(err error) (retry bool, after time.Duration) {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return true, max(rl.RetryAfter, time.Second)
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return sc.Code >= 500, 0
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited":
			return true, 0
		}
		return false, 0
	}
	if errors.Is(err, context.Canceled) {
		return false, 0
	}
	return true, 0 // the network
}
