// Package lark is the Lark (Feishu) adapter: HTTP callbacks or the long
// connection, messages in private chats and group mentions, interactive
// cards and their actions.
package lark

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
	larkevent "github.com/larksuite/oapi-sdk-go/v3/event"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher"
	"github.com/larksuite/oapi-sdk-go/v3/event/dispatcher/callback"
	larkim "github.com/larksuite/oapi-sdk-go/v3/service/im/v1"
	larkws "github.com/larksuite/oapi-sdk-go/v3/ws"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/adapter/queue"
	"github.com/dealcoach/dealcoach/bot/adapter/replay"
	"github.com/dealcoach/dealcoach/bot/adapter/work"
	"github.com/dealcoach/dealcoach/prompts"
)

// platform is the name Lark's people, conversations and inbox rows are
// stored under.
const platform = "lark"

// Event modes.
const (
	ModeHTTP = "http" // callbacks to POST /lark/events
	ModeWS   = "ws"   // the long connection: no public URL needed
)

const (
	maxReplays = 100_000 // signatures kept against replays (see bot/adapter/replay)
	maxCards   = 5       // a reply becomes at most this many cards
)

// Config is what the adapter needs; cmd builds it from the environment.
type Config struct {
	Bot     *bot.Bot
	Store   work.InboxStore // *store.DB
	Catalog *prompts.Catalog

	AppID, AppSecret string // LARK_APP_ID, LARK_APP_SECRET
	Token            string // LARK_VERIFICATION_TOKEN
	EncryptKey       string // LARK_ENCRYPT_KEY
	AllowPlain       bool   // LARK_ALLOW_PLAIN: HTTP callbacks without an Encrypt Key (token check only)
	Mode             string // ModeHTTP or ModeWS
	BaseURL          string // LARK_BASE_URL: Feishu's, Lark's, or a fake

	// External lists the tenants (tenant_key) of other organisations
	// whose people may use the bot in external chats; "*" lets everyone
	// in. Anyone else of another tenant gets a polite refusal naming
	// nothing internal (DEALCOACH_EXTERNAL).
	External []string

	DefaultLang string
	Log         *slog.Logger
	Now         func() time.Time // the core's clock (DEALCOACH_NOW); signatures use the real one
	Workers     int
	Queue       queue.Config // delivery of replies; Classify is set by the adapter

	WrapTransport func(http.RoundTripper) http.RoundTripper // optional: wraps every API call (metrics)
}

// Adapter serves Lark.
type Adapter struct {
	cfg        Config
	log        *slog.Logger
	api        *api
	verifier   *Verifier
	dispatcher *dispatcher.EventDispatcher
	kit        *work.Kit // people, workers, inbox, reply queue
	botID      botIdentity
	more       *work.MoreFormats // the "n more" notes of cut replies
}

// Close stops taking work, lets queued work and replies finish until ctx
// ends, then cancels the rest (unprocessed events stay in the inbox).
func (a *Adapter) Close(ctx context.Context) error { return a.kit.Close(ctx) }

// New builds the adapter and starts its workers; Close stops them.
func New(cfg Config) (*Adapter, error) {
	if cfg.Bot == nil || cfg.Store == nil || cfg.Catalog == nil {
		return nil, errors.New("lark: bot, store and catalog are required")
	}
	if cfg.AppID == "" || cfg.AppSecret == "" {
		return nil, errors.New("lark: LARK_APP_ID and LARK_APP_SECRET are required")
	}
	if cfg.Mode == "" {
		cfg.Mode = ModeHTTP
	}
	switch cfg.Mode {
	case ModeHTTP:
		// The SDK alone accepts forged events without an Encrypt Key: the
		// token would be checked on the URL check only (DEPENDENCIES.md).
		if cfg.Token == "" {
			return nil, errors.New("lark: HTTP mode needs LARK_VERIFICATION_TOKEN")
		}
		if cfg.EncryptKey == "" && !cfg.AllowPlain {
			return nil, errors.New("lark: HTTP mode needs LARK_ENCRYPT_KEY (events are signed with it); set LARK_ALLOW_PLAIN=1 to accept unencrypted callbacks checked by token alone")
		}
	case ModeWS:
	default:
		return nil, fmt.Errorf("lark: LARK_EVENT_MODE=%q: set http or ws", cfg.Mode)
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
	a := &Adapter{cfg: cfg, log: cfg.Log.With("platform", platform), more: work.NewMoreFormats(cfg.Catalog)}
	a.api = newAPI(cfg.AppID, cfg.AppSecret, cfg.BaseURL, a.log, cfg.WrapTransport)
	a.verifier = &Verifier{Token: cfg.Token, EncryptKey: cfg.EncryptKey, AllowPlain: cfg.AllowPlain,
		Replays: replay.New(maxReplays)}
	// The SDK's dispatcher serves the long connection only (HTTP
	// callbacks are verified, read once and dispatched by serveEvents),
	// so it is given no key of its own.
	a.dispatcher = dispatcher.NewEventDispatcher(cfg.Token, "").
		OnP2MessageReceiveV1(a.onMessage).
		OnP2CardActionTrigger(a.onCardAction)
	// Over the long connection every event reaches the dispatcher, and one
	// it has no handler for is answered 500 (and sent again): the events an
	// app may subscribe to beside ours are taken and ignored.
	for _, t := range ignoredEvents {
		a.dispatcher.OnCustomizedEvent(t, func(context.Context, *larkevent.EventReq) error { return nil })
	}
	a.dispatcher.InitConfig(larkevent.WithLogger(sdkLogger{a.log}), larkevent.WithLogLevel(larkcore.LogLevelWarn))
	a.kit = work.NewKit(work.KitConfig{Store: cfg.Store, Bot: cfg.Bot, Platform: platform, Log: a.log, Now: cfg.Now,
		Workers: cfg.Workers, Queue: cfg.Queue, Classify: classify, Lookup: a.lookup, Decode: a.decode})
	return a, nil
}

// Routes registers POST /lark/events.
func (a *Adapter) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /lark/events", a.serveEvents)
}

// RunWS serves events over the long connection until ctx ends. The SDK
// reconnects by itself; an error means it gave up (credentials refused,
// attempts exhausted) and Lark is no longer heard.
func (a *Adapter) RunWS(ctx context.Context) error {
	opts := []larkws.ClientOption{larkws.WithEventHandler(a.dispatcher),
		larkws.WithLogger(sdkLogger{a.log}), larkws.WithLogLevel(larkcore.LogLevelWarn),
		larkws.WithOnReconnecting(func() { a.log.Warn("lark long connection lost: reconnecting") }),
		larkws.WithOnReconnected(func() { a.log.Info("lark long connection re-established") })}
	if a.cfg.BaseURL != "" {
		opts = append(opts, larkws.WithDomain(a.cfg.BaseURL))
	}
	err := larkws.NewClient(a.cfg.AppID, a.cfg.AppSecret, opts...).Start(ctx)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// lookup asks the contact API who a person is (when the app may read it).
func (a *Adapter) lookup(ctx context.Context, openID string) (work.Person, error) {
	name, tz, locale, err := a.api.user(ctx, openID)
	return work.Person{Name: name, TZ: tz, Locale: locale}, err
}

// The event types handled; any other is acknowledged and ignored.
const (
	eventMessage    = "im.message.receive_v1"
	eventCardAction = "card.action.trigger"
)

// ignoredEvents are events an app is commonly subscribed to beside ours.
var ignoredEvents = []string{
	"im.message.message_read_v1", "im.message.recalled_v1",
	"im.message.reaction.created_v1", "im.message.reaction.deleted_v1",
	"im.chat.member.bot.added_v1", "im.chat.member.bot.deleted_v1",
	"im.chat.member.user.added_v1", "im.chat.member.user.deleted_v1",
	"im.chat.disbanded_v1", "im.chat.updated_v1",
	"application.bot.menu_v6", "p2p_chat_create",
}

// serveEvents answers Lark's callbacks: verified (signature, timestamp,
// replay, decryption, token) before anything else, then the URL check or
// the event. The payload is parsed once, by the verifier, and that
// reading is what is dispatched (the SDK's dispatcher would parse it
// twice more).
func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request) {
	body, ok := work.ReadBody(w, r)
	if !ok {
		return
	}
	plain, head, err := a.verifier.open(r.Header, body)
	seen := errors.Is(err, ErrSeen)
	if err != nil && !seen {
		a.log.WarnContext(r.Context(), "lark request refused", "err", err)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	if head.Type == "url_verification" {
		work.WriteJSON(w, map[string]string{"challenge": head.Challenge})
		return
	}
	if seen {
		// Handled (or being handled) already: acknowledged, no effect.
		a.log.InfoContext(r.Context(), "lark request seen before: acknowledged, ignored")
		work.WriteJSON(w, map[string]string{})
		return
	}
	if head.Header == nil || (head.Header.EventType != eventMessage && head.Header.EventType != eventCardAction) {
		work.WriteJSON(w, map[string]string{})
		return
	}
	// The event as the verifier read it, handed to its handler as the
	// SDK's dispatcher would (which would parse it twice more).
	resp, err := a.dispatch(r, plain, head)
	if err != nil {
		a.log.ErrorContext(r.Context(), "handle lark event", "event", head.Header.EventID, "err", err)
		a.verifier.Forget(r.Header) // Lark sends it again: let that be handled
		resp, _ = json.Marshal(map[string]string{"msg": err.Error()})
		writeRaw(w, http.StatusInternalServerError, resp)
		return
	}
	writeRaw(w, http.StatusOK, resp)
}

// dispatch runs the handler of a verified event (a message or a card
// action) and returns the answer's body, as the SDK's dispatcher answers.
func (a *Adapter) dispatch(r *http.Request, plain []byte, head *callbackHead) ([]byte, error) {
	if head.eventErr != nil {
		return nil, head.eventErr
	}
	base := &larkevent.EventV2Base{Schema: head.Schema, Header: head.Header}
	req := &larkevent.EventReq{Header: r.Header, Body: plain, RequestURI: r.RequestURI}
	if head.Header.EventType == eventCardAction {
		ev := &callback.CardActionTriggerEvent{EventV2Base: base, EventReq: req}
		if head.Event != nil {
			ev.Event = &head.Event.CardActionTriggerRequest
		}
		out, err := a.onCardAction(r.Context(), ev)
		if err != nil {
			return nil, err
		}
		return json.Marshal(out)
	}
	ev := &larkim.P2MessageReceiveV1{EventV2Base: base, EventReq: req}
	if head.Event != nil {
		ev.Event = &head.Event.P2MessageReceiveV1Data
	}
	if err := a.onMessage(r.Context(), ev); err != nil {
		return nil, err
	}
	return []byte(`{"msg":"success"}`), nil
}

// writeRaw answers with a JSON body.
func writeRaw(w http.ResponseWriter, code int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	w.Write(body)
}

// decode turns a recorded event back into its task.
func (a *Adapter) decode(key, kind string, body []byte) (work.Task, error) {
	if kind != "message" {
		return work.Task{}, fmt.Errorf("unknown kind %q", kind)
	}
	var ev larkim.P2MessageReceiveV1
	if err := json.Unmarshal(body, &ev); err != nil {
		return work.Task{}, err
	}
	t, _ := a.messageTask(key, &ev)
	return t, nil
}

// Replay handles the events recorded before a crash but never processed.
// Call it once at start, before serving.
func (a *Adapter) Replay(ctx context.Context) error { return a.kit.Inbox.Replay(ctx) }

// Sweep periodically replays events left unprocessed for age, and
// forgets old processed ones (see work.Inbox).
func (a *Adapter) Sweep(ctx context.Context, every, age time.Duration) {
	a.kit.Inbox.Sweep(ctx, every, age)
}
