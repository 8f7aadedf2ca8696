package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/console"
	"github.com/dealcoach/dealcoach/coach"
	"github.com/dealcoach/dealcoach/prompts"
	"github.com/dealcoach/dealcoach/store"
	"github.com/dealcoach/dealcoach/store/demo"
	"github.com/dealcoach/dealcoach/store/export"
)

// errUsage means a flag error, already printed by the flag package.
var errUsage = errors.New("usage")

// app is what every subcommand works with.
type app struct {
	cfg      config
	db       *store.DB
	playbook *coach.Playbook
	catalog  *prompts.Catalog
	log      *slog.Logger
	onTick   func(enqueued int, err error) // the scheduler's ticks, heard by serve's health and metrics; nil elsewhere
	metrics  *bot.Metrics                  // serve's; nil elsewhere
}

func openApp(ctx context.Context, cfg config, dbPath string, log *slog.Logger) (*app, error) {
	pb, err := prompts.LoadPlaybook(cfg.Playbook)
	if err != nil {
		return nil, fmt.Errorf("DEALCOACH_PLAYBOOK: %w", err)
	}
	cat, err := prompts.LoadCatalog()
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, dbPath, store.WithClock(cfg.Now))
	if err != nil {
		return nil, err
	}
	return &app{cfg: cfg, db: db, playbook: pb, catalog: cat, log: log}, nil
}

// bot builds the core with serve's metrics and per-person rate limit;
// elsewhere both are zero: the terminal's one user, a script piped into
// chat and the nudge and digest commands are not limited.
func (a *app) bot(m *bot.Metrics, limit bot.RateLimit) (*bot.Bot, error) {
	return bot.New(bot.Config{
		Store: a.db, Playbook: a.playbook, Catalog: a.catalog, Now: a.cfg.Now, DefaultTZ: a.cfg.TZ,
		DefaultLang: a.cfg.Lang, Currency: a.cfg.Currency, Admins: a.cfg.Admins, Log: a.log, Metrics: m,
		RateLimit: limit,
	})
}

func newFlags(name string, io stdio) *flag.FlagSet {
	fs := flag.NewFlagSet("dealcoach "+name, flag.ContinueOnError)
	fs.SetOutput(io.err)
	return fs
}

func cmdChat(ctx context.Context, cfg config, args []string, io stdio, log *slog.Logger) error {
	fs := newFlags("chat", io)
	as := fs.String("as", "", "your name (default: your login name, or a demo rep with --demo)")
	lang := fs.String("lang", "", "language when a message does not show one: zh or en (default DEALCOACH_LANG)")
	withDemo := fs.Bool("demo", false, "start on a fresh demo database (dealcoach-demo.db beside DEALCOACH_DB)")
	if fs.Parse(args) != nil {
		return errUsage
	}
	if *lang != "" && *lang != "zh" && *lang != "en" {
		return fmt.Errorf("--lang %q: use zh or en", *lang)
	}
	path := cfg.DB
	if *withDemo {
		path = filepath.Join(filepath.Dir(cfg.DB), "dealcoach-demo.db")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("reset demo database: %w", err)
			}
		}
	}
	// Say what the first seconds are spent on: a newcomer otherwise sees
	// nothing between go's own download lines and the banner.
	fmt.Fprintf(io.err, "dealcoach: opening database %s …\n", path)
	a, err := openApp(ctx, cfg, path, log)
	if err != nil {
		return err
	}
	defer a.db.Close()
	if *withDemo {
		fmt.Fprintln(io.err, "dealcoach: creating the demo team (reps, deals over every stage, a quarter of history) …")
		sum, err := demo.Seed(ctx, a.db, a.playbook, cfg.Now(), cfg.Currency)
		if err != nil {
			return fmt.Errorf("seed demo data: %w", err)
		}
		if *as == "" && len(sum.Reps) > 0 {
			*as = sum.Reps[0]
		}
		fmt.Fprintf(io.err, "dealcoach: demo ready: %d teams, %d deals; you are %s\n", sum.Teams, sum.Deals, *as)
	}
	if *as == "" {
		*as = loginName()
	}
	if *lang == "" {
		*lang = cfg.Lang
	}
	b, err := a.bot(nil, bot.RateLimit{})
	if err != nil {
		return err
	}
	c := &console.Console{Handler: b, As: *as, Lang: *lang, Now: cfg.Now, Interactive: io.inTTY,
		Banner: a.catalog.Text(*lang, "banner", map[string]any{"name": *as, "playbook": a.playbook.Name.In(*lang), "db": path})}
	return c.Run(ctx, io.in, io.out)
}

func loginName() string {
	for _, k := range []string{"USER", "LOGNAME", "USERNAME"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "me"
}

func cmdExport(ctx context.Context, cfg config, args []string, io stdio, log *slog.Logger) error {
	fs := newFlags("export", io)
	format := fs.String("format", "json", "json or csv")
	if fs.Parse(args) != nil {
		return errUsage
	}
	if *format != "json" && *format != "csv" {
		return fmt.Errorf("--format %q: use json or csv", *format)
	}
	a, err := openApp(ctx, cfg, cfg.DB, log)
	if err != nil {
		return err
	}
	defer a.db.Close()
	return export.Write(ctx, io.out, a.db, a.playbook, *format)
}

func cmdImport(ctx context.Context, cfg config, args []string, io stdio, log *slog.Logger) error {
	fs := newFlags("import", io)
	if fs.Parse(args) != nil {
		return errUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(io.err, "usage: dealcoach import FILE.csv")
		return errUsage
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	a, err := openApp(ctx, cfg, cfg.DB, log)
	if err != nil {
		return err
	}
	defer a.db.Close()
	actor, err := a.db.EnsurePerson(ctx, coach.Person{Platform: "console", PlatformID: loginName(), Name: loginName()})
	if err != nil {
		return err
	}
	created, updated, err := export.Import(ctx, f, a.db, a.playbook, actor, cfg.Currency)
	if err != nil {
		return fmt.Errorf("import %s: %w (nothing was imported)", fs.Arg(0), err)
	}
	fmt.Fprintf(io.out, "imported %s: %d created, %d updated\n", fs.Arg(0), created, updated)
	return nil
}
