package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// ErrBackupExists means the backup's destination is there already and was
// not to be overwritten.
var ErrBackupExists = errors.New("the file exists")

// Backup writes a consistent copy of the database to dest while it is in
// use: VACUUM INTO reads one snapshot in a read transaction, so writers go
// on meanwhile and the copy holds every transaction committed before it
// began, none after. The copy is written beside dest, synced, checked with
// PRAGMA integrity_check and only then renamed onto dest, so that dest is
// never a half-written file. An existing dest is refused with
// ErrBackupExists unless overwrite is set.
func (db *DB) Backup(ctx context.Context, dest string, overwrite bool) error {
	dest, err := filepath.Abs(dest)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := os.Stat(dest); err == nil && !overwrite {
		return fmt.Errorf("backup to %s: %w", dest, ErrBackupExists)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	// VACUUM INTO refuses an existing file: it writes a fresh name beside
	// dest, on the same file system for the rename.
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*.tmp")
	if err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	os.Remove(tmpName)
	defer os.Remove(tmpName) // after a failure; gone after the rename
	// On the checkpointer's connection: the readers' are query_only, which
	// refuses VACUUM INTO, and the writer's must stay free for the chat.
	// Checkpoints wait meanwhile; they could not pass the copy's snapshot
	// anyway.
	if _, err := db.ckpt.ExecContext(ctx, "VACUUM INTO ?", tmpName); err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	// SQLite does not sync what VACUUM INTO writes.
	if err := syncFile(tmpName); err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	if err := IntegrityCheck(ctx, tmpName); err != nil {
		return fmt.Errorf("backup to %s: the copy: %w", dest, err)
	}
	if err := os.Rename(tmpName, dest); err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	return syncFile(filepath.Dir(dest))
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// IntegrityCheck runs PRAGMA integrity_check on the SQLite file at path,
// opened read-only, and returns its findings as an error unless it says ok.
func IntegrityCheck(ctx context.Context, path string) error {
	conn, err := sql.Open("sqlite", dsnReadOnly(path))
	if err != nil {
		return fmt.Errorf("integrity check of %s: %w", path, err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("integrity check of %s: %w", path, err)
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("integrity check of %s: %w", path, err)
		}
		found = append(found, s)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check of %s: %w", path, err)
	}
	if len(found) != 1 || found[0] != "ok" {
		return fmt.Errorf("integrity check of %s: %s", path, strings.Join(found, "; "))
	}
	return nil
}

// dsnReadOnly opens a file for reading only, without creating it.
func dsnReadOnly(path string) string {
	u := url.URL{Scheme: "file", Opaque: (&url.URL{Path: path}).EscapedPath()}
	return u.String() + "?mode=ro&_pragma=busy_timeout(5000)"
}
