package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/dealcoach/dealcoach/bot"
	"github.com/dealcoach/dealcoach/bot/notify/chart"
	"github.com/dealcoach/dealcoach/bot/notify/schedule"
	"github.com/dealcoach/dealcoach/coach"
)

// chatPlatforms are the platforms scheduled messages are delivered on.
var chatPlatforms = []string{"slack", "lark"}

// scheduler builds the scheduler; it enqueues messages for platforms.
// With charts, it looks for the digest's CJK font; without one the digest
// goes as text only, said once in the log. Reminders draw no chart, so the
// nudge command asks for none and hears nothing of fonts.
func (a *app) scheduler(f *bot.Formatter, platforms []string, charts bool) (*schedule.Scheduler, error) {
	var font *chart.Font
	if charts {
		var err error
		if font, err = chart.LoadFont(a.cfg.Font); err != nil {
			a.log.Warn("no font for the digest's chart: digests are sent as text only; install fonts-droid-fallback or set DEALCOACH_FONT", "err", err)
			font = nil
		}
	}
	return schedule.New(schedule.Config{Store: a.db, Format: f, Playbook: a.playbook, Now: a.cfg.Now, DefaultTZ: a.cfg.TZ,
		DefaultLang: a.cfg.Lang, Rules: a.cfg.Rules, Platforms: platforms, Font: font, Log: a.log, OnTick: a.onTick})
}

// openScheduler opens the database and builds the scheduler of the nudge
// and digest commands, which enqueue for every chat platform (serve
// delivers); the caller closes a.db.
func openScheduler(ctx context.Context, cfg config, log *slog.Logger, charts bool) (*app, *schedule.Scheduler, error) {
	a, err := openApp(ctx, cfg, cfg.DB, log)
	if err != nil {
		return nil, nil, err
	}
	s, err := a.scheduler(bot.NewFormatter(a.catalog, a.playbook, a.cfg.Currency), chatPlatforms, charts)
	if err != nil {
		a.db.Close()
		return nil, nil, err
	}
	return a, s, nil
}

// cmdNudge prints the morning reminders of a day, exactly as they would be
// sent, and with --post writes them to the outbox for `serve` to deliver
// (a reminder already sent that day is not sent again).
func cmdNudge(ctx context.Context, cfg config, args []string, io stdio, log *slog.Logger) error {
	fs := newFlags("nudge", io)
	date := fs.String("date", "", "the day, YYYY-MM-DD (default: today in DEALCOACH_TZ)")
	post := fs.Bool("post", false, "send them now through the outbox (serve delivers)")
	if fs.Parse(args) != nil {
		return errUsage
	}
	day := coach.DateOf(cfg.Now().In(cfg.TZ))
	if *date != "" {
		d, err := coach.ParseDate(*date)
		if err != nil {
			return fmt.Errorf("--date: %w", err)
		}
		day = d
	}
	a, s, err := openScheduler(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer a.db.Close()
	runs, err := s.Nudges(ctx, day)
	if err != nil {
		return err
	}
	n := printRuns(io.out, runs)
	if n == 0 {
		off, err := s.DayOff(ctx, day)
		if err != nil {
			return err
		}
		why := "no one has a deal that needs a push"
		if off {
			why = fmt.Sprintf("%s is a weekend day for your team: no reminders", day.Weekday())
		}
		fmt.Fprintf(io.out, "No reminders for %s: %s.\n", day, why)
	}
	if !*post {
		return nil
	}
	return postRuns(ctx, io.out, s, runs)
}

// cmdDigest prints a team's weekly digest (every team's, without --team),
// by default of the last full week in the team's zone, and with --post
// writes it to the outbox for its channel.
func cmdDigest(ctx context.Context, cfg config, args []string, io stdio, log *slog.Logger) error {
	fs := newFlags("digest", io)
	teamName := fs.String("team", "", "the team (default: every team)")
	weekFlag := fs.String("week", "", "the ISO week reported on, YYYY-Www (default: the last full week)")
	post := fs.Bool("post", false, "send it now to the team's digest channel through the outbox (serve delivers)")
	chartFile := fs.String("chart", "", "also write the funnel chart to this PNG file (one team)")
	if fs.Parse(args) != nil {
		return errUsage
	}
	var week coach.Week
	if *weekFlag != "" {
		w, ok := coach.ParseWeek(*weekFlag)
		if !ok {
			return fmt.Errorf("--week %q: use an ISO week such as 2026-W48", *weekFlag)
		}
		week = w
	}
	a, s, err := openScheduler(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer a.db.Close()
	teams, err := s.Teams(ctx) // while no team is set up: everyone, as one default team
	if err != nil {
		return err
	}
	if *teamName != "" {
		t, err := a.db.TeamByName(ctx, *teamName)
		if err != nil {
			return fmt.Errorf("--team %q: no such team (teams: %s)", *teamName, teamNames(teams))
		}
		teams = []coach.Team{t}
	}
	if *chartFile != "" && len(teams) > 1 {
		return errors.New("--chart writes one team's chart: add --team")
	}
	var runs []schedule.Run
	for _, t := range teams {
		w := week
		if w == (coach.Week{}) {
			w, _ = schedule.LastWeek(cfg.Now(), zoneOr(t.TZ, cfg))
		}
		rs, err := s.Digests(ctx, t, w)
		if err != nil {
			return err
		}
		if *post && t.ID != 0 && (t.DigestChannel == "" || t.DigestPlatform == "") {
			return fmt.Errorf("team %s has no digest channel: say \"/deal digest here\" in its Slack or Lark channel", t.Name)
		}
		runs = append(runs, rs...)
	}
	printRuns(io.out, runs)
	if *chartFile != "" {
		if err := writeChart(*chartFile, runs[0]); err != nil {
			return err
		}
	}
	if !*post {
		return nil
	}
	return postRuns(ctx, io.out, s, runs)
}

// printRuns prints each message as its recipient would read it, and
// returns how many there were.
func printRuns(w io.Writer, runs []schedule.Run) int {
	n := 0
	for _, r := range runs {
		for _, m := range r.Messages {
			where := m.Platform + " " + m.Channel
			if m.Platform == "" {
				where = "no channel yet"
			}
			fmt.Fprintf(w, "──── to %s · %s · %s\n%s\n\n", m.To, where, m.Key, m.Reply.PlainText())
			n++
		}
	}
	return n
}

// postRuns records the runs on the chat platforms with their messages;
// a run recorded before (by serve, or an earlier --post) is left alone.
func postRuns(ctx context.Context, w io.Writer, s *schedule.Scheduler, runs []schedule.Run) error {
	var chat []schedule.Run
	skipped := 0
	for _, r := range runs {
		if !isChat(r.Platform) {
			skipped += len(r.Messages)
			continue
		}
		chat = append(chat, r)
	}
	n, err := s.Record(ctx, chat)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Posted: %d messages written to the outbox; serve delivers them.", n)
	if skipped > 0 {
		fmt.Fprintf(w, " %d for terminal users are printed only.", skipped)
	}
	fmt.Fprintln(w, " Runs already done before are not sent again.")
	return nil
}

func isChat(platform string) bool { return platform == "slack" || platform == "lark" }

// writeChart writes the run's chart image.
func writeChart(path string, r schedule.Run) error {
	for _, m := range r.Messages {
		if m.Reply.Image != nil {
			if err := os.WriteFile(path, m.Reply.Image.PNG, 0o644); err != nil {
				return fmt.Errorf("--chart: %w", err)
			}
			return nil
		}
	}
	return errors.New("--chart: no chart was drawn (no CJK font: install fonts-droid-fallback or set DEALCOACH_FONT)")
}

func teamNames(ts []coach.Team) string {
	var names []string
	for _, t := range ts {
		names = append(names, t.Name)
	}
	if len(names) == 0 {
		return "none yet"
	}
	return strings.Join(names, ", ")
}

// zoneOr is the named zone, else DEALCOACH_TZ.
func zoneOr(name string, cfg config) *time.Location {
	if loc, err := time.LoadLocation(name); name != "" && err == nil {
		return loc
	}
	return cfg.TZ
}
