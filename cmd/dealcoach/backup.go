package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/dealcoach/dealcoach/store"
)

// cmdBackup writes a consistent copy of the database while serve may be
// running: dealcoach backup FILE [--force].
func cmdBackup(ctx context.Context, cfg config, args []string, io stdio, log *slog.Logger) error {
	fs := newFlags("backup", io)
	force := fs.Bool("force", false, "overwrite FILE if it exists")
	fs.Usage = func() {
		fmt.Fprintln(io.err, "usage: dealcoach backup FILE [--force]   a consistent copy of DEALCOACH_DB, safe while serve runs")
		fs.PrintDefaults()
	}
	if fs.Parse(args) != nil {
		return errUsage
	}
	// The flag package stops at the first argument: read --force after FILE too.
	rest := fs.Args()
	if len(rest) > 0 && fs.Parse(rest[1:]) != nil {
		return errUsage
	}
	if len(rest) == 0 || fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	dest := rest[0]
	if _, err := os.Stat(cfg.DB); err != nil {
		return fmt.Errorf("backup: no database at %s (DEALCOACH_DB): %w", cfg.DB, err)
	}
	a, err := openApp(ctx, cfg, cfg.DB, log)
	if err != nil {
		return err
	}
	defer a.db.Close()
	if err := a.db.Backup(ctx, dest, *force); err != nil {
		if errors.Is(err, store.ErrBackupExists) {
			return fmt.Errorf("%s exists: add --force to overwrite it", dest)
		}
		return err
	}
	info, err := os.Stat(dest)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.out, "backed up %s to %s (%d KB, integrity checked)\n", cfg.DB, dest, (info.Size()+1023)/1024)
	return nil
}

// dailyName is the file of a day's backup in DEALCOACH_BACKUP_DIR; its
// names sort by date, which retention relies on.
const dailyLayout = "dealcoach-2006-01-02.db"

var dailyRE = regexp.MustCompile(`^dealcoach-\d{4}-\d{2}-\d{2}\.db$`)

// backupCheckEvery is how often serve looks whether the day's backup is due.
const backupCheckEvery = 10 * time.Minute

// startBackups takes a backup a day into dir (the first at start when the
// day has none yet) and keeps the newest keep. The returned function stops
// it and waits for a backup under way.
func startBackups(ctx context.Context, a *app, dir string, keep int, log *slog.Logger) (func(context.Context) error, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("DEALCOACH_BACKUP_DIR: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(backupCheckEvery)
		defer t.Stop()
		for {
			if err := dailyBackup(ctx, a, dir, keep, log); err != nil && ctx.Err() == nil {
				a.metrics.Backup(err)
				log.Error("daily backup failed; retrying in 10 minutes", "dir", dir, "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	log.Info("daily backups enabled", "dir", dir, "keep", keep)
	return func(context.Context) error { cancel(); wg.Wait(); return nil }, nil
}

// dailyBackup writes the day's backup if it is not there yet, then removes
// the oldest beyond keep.
func dailyBackup(ctx context.Context, a *app, dir string, keep int, log *slog.Logger) error {
	dest := filepath.Join(dir, a.cfg.Now().In(a.cfg.TZ).Format(dailyLayout))
	if _, err := os.Stat(dest); err == nil {
		return nil
	}
	start := time.Now()
	if err := a.db.Backup(ctx, dest, false); err != nil {
		if errors.Is(err, store.ErrBackupExists) {
			return nil
		}
		return err
	}
	a.metrics.Backup(nil)
	log.Info("daily backup written", "file", dest, "took", time.Since(start).Round(time.Millisecond))
	return pruneBackups(dir, keep, log)
}

// pruneBackups removes the oldest daily backups in dir beyond keep; files
// of other names are never touched.
func pruneBackups(dir string, keep int, log *slog.Logger) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("prune backups: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && dailyRE.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	var errs []error
	for len(names) > keep {
		p := filepath.Join(dir, names[0])
		if err := os.Remove(p); err != nil {
			errs = append(errs, err)
		} else {
			log.Info("old backup removed", "file", p)
		}
		names = names[1:]
	}
	return errors.Join(errs...)
}
