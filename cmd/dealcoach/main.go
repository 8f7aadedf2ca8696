// Command dealcoach is a sales assistant for Slack, Lark and the terminal:
// reps keep their pipeline by chatting, and it coaches them stage by stage.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/dealcoach/dealcoach/bot/adapter/logctx"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// stdio is the process's standard streams, injectable for tests.
type stdio struct {
	in       io.Reader
	out, err io.Writer
	inTTY    bool
	errTTY   bool // stderr is a terminal: logs as text, else JSON
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal asks for a clean stop; from then on the default
	// action is back, so that a second one ends the process at once.
	go func() { <-ctx.Done(); stop() }()
	code := run(ctx, os.Args[1:], stdio{os.Stdin, os.Stdout, os.Stderr, isTerminal(os.Stdin), isTerminal(os.Stderr)}, os.Getenv)
	stop()
	os.Exit(code)
}

const usage = `dealcoach — a sales coach in your chat.

Usage:
  dealcoach chat [--as NAME] [--lang zh|en] [--demo]   terminal chat on the local database
  dealcoach serve                                      HTTP server for Slack and Lark
  dealcoach export [--format json|csv]                 all deals to stdout
  dealcoach import FILE.csv                            create or update deals from CSV
  dealcoach digest [--team T] [--week YYYY-Www] [--post]
  dealcoach nudge [--date YYYY-MM-DD] [--post]
  dealcoach backup FILE [--force]                      a consistent copy of the database, safe while serve runs
  dealcoach healthcheck [--path /readyz]               exit 0 when the local server's /healthz answers 200
  dealcoach version

Configuration is read from DEALCOACH_* environment variables (see README).
`

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, io stdio, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(io.err, usage)
		return 2
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintln(io.out, "dealcoach", version)
		return 0
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(io.out, usage)
		return 0
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintln(io.err, "dealcoach:", err)
		return 2
	}
	log := newLogger(cfg, args[0], io)
	cmds := map[string]func(context.Context, config, []string, stdio, *slog.Logger) error{
		"chat":        cmdChat,
		"serve":       cmdServe,
		"export":      cmdExport,
		"import":      cmdImport,
		"digest":      cmdDigest,
		"nudge":       cmdNudge,
		"backup":      cmdBackup,
		"healthcheck": cmdHealthcheck,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(io.err, "dealcoach: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err := cmd(ctx, cfg, args[1:], io, log); err != nil {
		if err == errUsage {
			return 2
		}
		fmt.Fprintln(io.err, "dealcoach:", err)
		return 1
	}
	return 0
}

// newLogger writes to stderr as JSON when it is not a terminal (a
// container, a service manager: one object a line for the log store) and
// as text when a person reads it, unless DEALCOACH_LOG_FORMAT says. The
// level is DEALCOACH_LOG_LEVEL, by default info for serve and warn for the
// other commands, whose output is for a person. Lines logged with a turn's
// context carry its event or request id (logctx).
func newLogger(cfg config, command string, io stdio) *slog.Logger {
	level := cfg.LogLevel
	if level == nil {
		l := slog.LevelWarn
		if command == "serve" {
			l = slog.LevelInfo
		}
		level = &l
	}
	opts := &slog.HandlerOptions{Level: *level}
	format := cfg.LogFormat
	if format == "auto" {
		format = "json"
		if io.errTTY {
			format = "text"
		}
	}
	var h slog.Handler
	if format == "json" {
		h = slog.NewJSONHandler(io.err, opts)
	} else {
		h = slog.NewTextHandler(io.err, opts)
	}
	return slog.New(logctx.Handler(h))
}
