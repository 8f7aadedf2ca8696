// Package bottest builds the chat core over a real store on disk, for the
// adapters' tests: the seven-step playbook, a fixed clock, Shanghai as the
// default zone, CNY.
package bottest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/prompts"
	"github.com/dealcoach/dealcoach/store"
)

// Core is what a test drives: the store, the bot and its catalogue.
type Core struct {
	DB      *store.DB
	Bot     *bot.Bot
	Catalog *prompts.Catalog
	Log     *slog.Logger // discards
}

// Open opens (or reopens) the store at path and builds a bot over it,
// answering in lang when a message shows no language. The caller closes
// DB.
func Open(t testing.TB, path string, now func() time.Time, lang string) Core {
	t.Helper()
	db, err := store.Open(context.Background(), path, store.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	pb, err := prompts.LoadPlaybook("seven-step")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := prompts.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := bot.New(bot.Config{Store: db, Playbook: pb, Catalog: cat, Now: now, DefaultTZ: shanghai,
		DefaultLang: lang, Currency: "CNY", Log: log})
	if err != nil {
		t.Fatal(err)
	}
	return Core{DB: db, Bot: b, Catalog: cat, Log: log}
}

// EditDeal changes deal id as a chat turn does: it reads the deal, lets
// change edit it (and add events), and commits the update, again while the
// deal changed in between. It returns the deal before and after.
func EditDeal(ctx context.Context, db *store.DB, id, actorID int64, change func(*coach.Deal) ([]coach.Event, error)) (before, after coach.Deal, err error) {
	for {
		if before, err = db.Deal(ctx, id); err != nil {
			return before, before, err
		}
		after = before
		evs, err := change(&after)
		if err != nil {
			return before, before, err
		}
		after, err = db.UpdateDeal(ctx, coach.NewUpdate(before, after, evs, time.Now()), actorID, nil)
		if !errors.Is(err, store.ErrStale) {
			return before, after, err
		}
	}
}
