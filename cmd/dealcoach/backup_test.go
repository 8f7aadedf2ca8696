package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/store"
)

// "dealcoach backup" while serve takes signed commands: the copy passes
// integrity_check and holds every deal acknowledged before the backup
// began; it will not overwrite without --force.
func TestBackupCommandWhileServing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
	api := &fakeSlackAPI{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	p := startServe(t, db, srv.URL, "2026-11-24T10:00:00+08:00")

	var mu sync.Mutex
	var acked []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("Load%d-%d", w, i)
				if code, body := p.post("D1", "new "+name+" 10k", true); code == 200 && strings.Contains(body, name) {
					mu.Lock()
					acked = append(acked, name)
					mu.Unlock()
				}
			}
		}()
	}
	waitFor := func(n int) {
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			mu.Lock()
			k := len(acked)
			mu.Unlock()
			if k >= n {
				return
			}
		}
		t.Fatalf("fewer than %d commands acknowledged: %s", n, p.logs.String())
	}
	waitFor(20)
	mu.Lock()
	before := slices.Clone(acked)
	mu.Unlock()
	copyPath := filepath.Join(dir, "copy.db")
	out, errOut, code := dealcoach(t, db, "", "backup", copyPath)
	if code != 0 || !strings.Contains(out, "integrity checked") {
		t.Fatalf("backup: %d %s %s", code, out, errOut)
	}
	waitFor(len(before) + 5) // the load went on during and after the backup
	close(stop)
	wg.Wait()
	p.stop()

	if err := store.IntegrityCheck(context.Background(), copyPath); err != nil {
		t.Fatal(err)
	}
	js, _, _ := dealcoach(t, copyPath, "", "export")
	var deals []exported
	if err := json.Unmarshal([]byte(js), &deals); err != nil {
		t.Fatal(err)
	}
	have := map[string]int{}
	for _, d := range deals {
		have[d.Customer]++
	}
	for _, name := range before {
		if have[name] != 1 {
			t.Errorf("%s, acknowledged before the backup, is in the copy %d times", name, have[name])
		}
	}
	t.Logf("%d deals acknowledged before the backup, %d in the copy", len(before), len(deals))

	// It will not overwrite without --force; with it, it does.
	if _, errOut, code := dealcoach(t, db, "", "backup", copyPath); code == 0 || !strings.Contains(errOut, "--force") {
		t.Fatalf("backup over an existing file: %d %s", code, errOut)
	}
	if out, errOut, code := dealcoach(t, db, "", "backup", copyPath, "--force"); code != 0 {
		t.Fatalf("backup --force: %d %s %s", code, out, errOut)
	}
	js, _, _ = dealcoach(t, copyPath, "", "export")
	if err := json.Unmarshal([]byte(js), &deals); err != nil || len(deals) < len(before)+5 {
		t.Fatalf("the forced copy holds %d deals, want all %d+: %v", len(deals), len(before)+5, err)
	}
	if _, errOut, code := dealcoach(t, filepath.Join(dir, "none.db"), "", "backup", filepath.Join(dir, "x.db")); code == 0 || !strings.Contains(errOut, "no database") {
		t.Fatalf("backup of a missing database: %d %s", code, errOut)
	}
}

// serve with DEALCOACH_BACKUP_DIR writes the day's backup at start and
// keeps the newest DEALCOACH_BACKUP_KEEP, leaving other files alone.
func TestServeDailyBackupsKeepTheNewest(t *testing.T) {
	dir := t.TempDir()
	backups := filepath.Join(dir, "backups")
	os.MkdirAll(backups, 0o750)
	for _, name := range []string{"dealcoach-2026-11-20.db", "dealcoach-2026-11-21.db", "dealcoach-2026-11-22.db", "notes.txt"} {
		os.WriteFile(filepath.Join(backups, name), []byte("old"), 0o600)
	}
	api := &fakeSlackAPI{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	p := startServe(t, filepath.Join(dir, "live.db"), srv.URL, "2026-11-24T10:00:00+08:00",
		"DEALCOACH_BACKUP_DIR="+backups, "DEALCOACH_BACKUP_KEEP=2")
	p.command("D1", "new Acme 10k")
	today := filepath.Join(backups, "dealcoach-2026-11-24.db")
	var names []string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		entries, _ := os.ReadDir(backups)
		names = names[:0]
		for _, e := range entries {
			names = append(names, e.Name())
		}
		if slices.Equal(names, []string{"dealcoach-2026-11-22.db", "dealcoach-2026-11-24.db", "notes.txt"}) {
			break
		}
	}
	p.stop()
	if !slices.Equal(names, []string{"dealcoach-2026-11-22.db", "dealcoach-2026-11-24.db", "notes.txt"}) {
		t.Fatalf("backup dir holds %v\n%s", names, p.logs.String())
	}
	if err := store.IntegrityCheck(context.Background(), today); err != nil {
		t.Fatal(err)
	}
}
