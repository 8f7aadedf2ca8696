package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the static binary runs on images without zoneinfo

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/coach"
)

// config is the environment, read once and validated at start.
type config struct {
	DB       string
	Addr     string
	TZ       *time.Location
	Lang     string
	Playbook string
	Currency string
	Admins   []string
	Now      func() time.Time // DEALCOACH_NOW pins it; else the real clock
	FixedNow bool
	Font     string // a CJK font for the digest's chart; "" searches the system's
	Rules    coach.NudgeRules
	// BackupDir, when set, has serve write a backup a day there and keep
	// the newest BackupKeep.
	BackupDir  string
	BackupKeep int
	RateLimit  bot.RateLimit // serve's, per person on chat updates; DEALCOACH_RATE_LIMIT
	LogFormat  string        // auto (JSON unless stderr is a terminal), json or text
	LogLevel   *slog.Level   // nil: the command's default
	Slack      slackConfig
	Lark       larkConfig
	// External: who of other organisations (Slack Connect, Lark external
	// tenants) may use the bot: nil none, "*" all, else these team ids
	// and tenant keys (DEALCOACH_EXTERNAL).
	External []string
}

// larkConfig is Lark's (Feishu's) part: enabled by the app's id and
// secret, over HTTP callbacks or the long connection.
type larkConfig struct {
	AppID, AppSecret, Token, EncryptKey, Mode, BaseURL string
	AllowPlain                                         bool
}

func (l larkConfig) enabled() bool { return l.AppID != "" }

// slackConfig is Slack's part: enabled by the bot token, in HTTP mode with
// the signing secret or in Socket Mode with the app token.
type slackConfig struct {
	BotToken, SigningSecret, AppToken, APIURL string
}

func (s slackConfig) enabled() bool { return s.BotToken != "" }

// loadConfig reads the DEALCOACH_* variables through getenv. Every problem
// is reported at once, each saying what to set.
func loadConfig(getenv func(string) string) (config, error) {
	env := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := config{
		DB:       env("DEALCOACH_DB", "./dealcoach.db"),
		Addr:     env("DEALCOACH_ADDR", "127.0.0.1:8080"),
		Lang:     env("DEALCOACH_LANG", "zh"),
		Playbook: env("DEALCOACH_PLAYBOOK", "seven-step"),
		Currency: strings.ToUpper(env("DEALCOACH_CURRENCY", "CNY")),
		Font:     env("DEALCOACH_FONT", ""),
		Now:      time.Now,
	}
	var errs []string
	tz := env("DEALCOACH_TZ", "Asia/Shanghai")
	loc, err := time.LoadLocation(tz)
	if err != nil {
		errs = append(errs, fmt.Sprintf("DEALCOACH_TZ=%q is not a time zone; set an IANA name such as Asia/Shanghai", tz))
	}
	c.TZ = loc
	if c.Lang != "zh" && c.Lang != "en" {
		errs = append(errs, fmt.Sprintf("DEALCOACH_LANG=%q: set zh or en", c.Lang))
	}
	if !iso4217[c.Currency] {
		errs = append(errs, fmt.Sprintf("DEALCOACH_CURRENCY=%q is not an ISO 4217 currency: set a code such as CNY, USD or EUR", c.Currency))
	}
	if err := checkAddr(c.Addr); err != nil {
		errs = append(errs, fmt.Sprintf("DEALCOACH_ADDR=%q: %v; set host:port such as 127.0.0.1:8080 or :8080", c.Addr, err))
	}
	for _, a := range strings.Split(getenv("DEALCOACH_ADMINS"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			c.Admins = append(c.Admins, a)
		}
	}
	// DEALCOACH_EXTERNAL: "refuse" (the default), "allow", or the Slack
	// team/enterprise ids and Lark tenant keys of organisations let in.
	switch ext := strings.ToLower(env("DEALCOACH_EXTERNAL", "refuse")); ext {
	case "refuse":
	case "allow":
		c.External = []string{"*"}
	default:
		for _, id := range strings.Split(getenv("DEALCOACH_EXTERNAL"), ",") {
			if id = strings.TrimSpace(id); id != "" {
				c.External = append(c.External, id)
			}
		}
	}
	c.Slack = slackConfig{BotToken: env("SLACK_BOT_TOKEN", ""), SigningSecret: env("SLACK_SIGNING_SECRET", ""),
		AppToken: env("SLACK_APP_TOKEN", ""), APIURL: env("SLACK_API_URL", "")}
	switch {
	case c.Slack.BotToken == "" && (c.Slack.SigningSecret != "" || c.Slack.AppToken != ""):
		errs = append(errs, "SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not: set the bot token (xoxb-…) to enable Slack")
	case c.Slack.BotToken != "" && c.Slack.SigningSecret == "" && c.Slack.AppToken == "":
		errs = append(errs, "SLACK_BOT_TOKEN is set: set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode) too")
	}
	if u := c.Slack.APIURL; u != "" && !strings.HasSuffix(u, "/") {
		c.Slack.APIURL = u + "/" // slack-go joins method names to it
	}
	c.Lark = larkConfig{AppID: env("LARK_APP_ID", ""), AppSecret: env("LARK_APP_SECRET", ""),
		Token: env("LARK_VERIFICATION_TOKEN", ""), EncryptKey: env("LARK_ENCRYPT_KEY", ""),
		Mode: env("LARK_EVENT_MODE", "http"), BaseURL: env("LARK_BASE_URL", "https://open.feishu.cn"),
		AllowPlain: env("LARK_ALLOW_PLAIN", "") == "1"}
	switch l := c.Lark; {
	case (l.AppID == "") != (l.AppSecret == ""):
		errs = append(errs, "set both LARK_APP_ID and LARK_APP_SECRET to enable Lark (or neither)")
	case l.Mode != "http" && l.Mode != "ws":
		errs = append(errs, fmt.Sprintf("LARK_EVENT_MODE=%q: set http or ws", l.Mode))
	case l.AppID != "" && l.Mode == "http" && l.Token == "":
		errs = append(errs, "Lark over HTTP needs LARK_VERIFICATION_TOKEN (Events and Callbacks → Encryption Strategy)")
	case l.AppID != "" && l.Mode == "http" && l.EncryptKey == "" && !l.AllowPlain:
		errs = append(errs, "Lark over HTTP needs LARK_ENCRYPT_KEY: without it events are neither encrypted nor signed; set LARK_ALLOW_PLAIN=1 to accept them on the token alone, or use LARK_EVENT_MODE=ws")
	}
	if v := env("DEALCOACH_NUDGE_CAP", ""); v != "" {
		n, err := strconv.Atoi(v)
		c.Rules.Cap = n
		if err != nil || n < 1 {
			errs = append(errs, fmt.Sprintf("DEALCOACH_NUDGE_CAP=%q: set how many deals a reminder lists, e.g. 5", v))
		}
	}
	if v := env("DEALCOACH_ESCALATION", ""); v != "" {
		c.Rules.Escalation = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				n = -1
			}
			c.Rules.Escalation = append(c.Rules.Escalation, n)
		}
		if err := c.Rules.Check(); err != nil {
			errs = append(errs, fmt.Sprintf("DEALCOACH_ESCALATION=%q: set ascending working days past a stage's limit, e.g. 3,5,7 (the second reaches the manager)", v))
		}
	}
	if v := env("DEALCOACH_RATE_LIMIT", "20/1m"); v != "off" && v != "0" {
		rl, err := parseRateLimit(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("DEALCOACH_RATE_LIMIT=%q: set updates per person and period, such as 20/1m (20 at once, then one every 3 s), or off", v))
		}
		c.RateLimit = rl
	}
	c.LogFormat = strings.ToLower(env("DEALCOACH_LOG_FORMAT", "auto"))
	if c.LogFormat != "auto" && c.LogFormat != "json" && c.LogFormat != "text" {
		errs = append(errs, fmt.Sprintf("DEALCOACH_LOG_FORMAT=%q: set json, text or auto (JSON unless stderr is a terminal)", c.LogFormat))
	}
	if v := env("DEALCOACH_LOG_LEVEL", ""); v != "" {
		var l slog.Level
		if err := l.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Sprintf("DEALCOACH_LOG_LEVEL=%q: set debug, info, warn or error", v))
		}
		c.LogLevel = &l
	}
	c.BackupDir = env("DEALCOACH_BACKUP_DIR", "")
	c.BackupKeep = 7
	if v := env("DEALCOACH_BACKUP_KEEP", ""); v != "" {
		n, err := strconv.Atoi(v)
		c.BackupKeep = n
		if err != nil || n < 1 {
			errs = append(errs, fmt.Sprintf("DEALCOACH_BACKUP_KEEP=%q: set how many daily backups to keep, 1 or more (default 7)", v))
		}
	}
	if v := env("DEALCOACH_NOW", ""); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("DEALCOACH_NOW=%q: set an RFC 3339 time such as 2026-11-24T09:00:00+08:00", v))
		}
		c.Now, c.FixedNow = func() time.Time { return t }, true
	}
	if len(errs) > 0 {
		// One line each, all at once: fixing one value at a time and
		// starting again to learn of the next is what this spares.
		return c, fmt.Errorf("configuration: %d to fix:\n  - %s", len(errs), strings.Join(errs, "\n  - "))
	}
	return c, nil
}

// parseRateLimit reads "N/period": N updates at once, then N a period.
func parseRateLimit(v string) (bot.RateLimit, error) {
	ns, ps, ok := strings.Cut(v, "/")
	n, err := strconv.Atoi(strings.TrimSpace(ns))
	if !ok || err != nil || n < 1 {
		return bot.RateLimit{}, errors.New("not N/period")
	}
	ps = strings.TrimSpace(ps)
	if ps != "" && (ps[0] < '0' || ps[0] > '9') {
		ps = "1" + ps // "20/m" as "20/1m"
	}
	per, err := time.ParseDuration(ps)
	if err != nil || per <= 0 {
		return bot.RateLimit{}, errors.New("not N/period")
	}
	return bot.RateLimit{Burst: n, Every: per / time.Duration(n)}, nil
}

// checkAddr checks a listen address as net.Listen will read it, so that a
// bad one is found at start with the others rather than when serve listens:
// host:port with a numeric port (0 picks a free one).
func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("not host:port")
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	if strings.ContainsAny(host, " /") {
		return fmt.Errorf("host %q is not a name or an IP address", host)
	}
	return nil
}

// isTerminal reports whether f is a character device (an interactive
// terminal) rather than a pipe or file.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
