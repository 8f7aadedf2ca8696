package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

// TestBackupUnderWriteLoad: writers create deals without pause while
// backups are taken; each copy passes integrity_check and holds every deal
// whose creation returned before the backup began (and nothing half-done).
func TestBackupUnderWriteLoad(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	a := rep(t, db, "A")
	var acked atomic.Int64 // how many creations have returned, ids 1..acked at least
	var mu sync.Mutex
	ackedIDs := map[int64]bool{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				d, err := db.CreateDeal(ctx, coach.Deal{Customer: fmt.Sprintf("W%d-%d", w, i), OwnerID: a.ID,
					Currency: "CNY", Stage: "prospect", Amount: coach.Major(int64(i))}, a.ID)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				ackedIDs[d.ID] = true
				mu.Unlock()
				acked.Add(1)
			}
		}()
	}
	dir := t.TempDir()
	for n := range 3 {
		for acked.Load() < int64(50*(n+1)) { // let the load build up between backups
			time.Sleep(5 * time.Millisecond)
		}
		mu.Lock()
		before := make([]int64, 0, len(ackedIDs))
		for id := range ackedIDs {
			before = append(before, id)
		}
		mu.Unlock()
		dest := filepath.Join(dir, fmt.Sprintf("b%d.db", n))
		if err := db.Backup(ctx, dest, false); err != nil {
			t.Fatal(err)
		}
		if err := IntegrityCheck(ctx, dest); err != nil {
			t.Fatal(err)
		}
		copyDB, err := Open(ctx, dest)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range before {
			if _, err := copyDB.Deal(ctx, id); err != nil {
				t.Errorf("backup %d: deal %d, acknowledged before it began: %v", n, id, err)
			}
		}
		// Each deal in the copy is whole: its creation event came with it.
		var orphans int
		if err := copyDB.read.QueryRow(`SELECT count(*) FROM deals d WHERE NOT EXISTS
			(SELECT 1 FROM deal_events e WHERE e.deal_id = d.id)`).Scan(&orphans); err != nil || orphans != 0 {
			t.Errorf("backup %d: %d deals without their history (%v)", n, orphans, err)
		}
		copyDB.Close()
		t.Logf("backup %d: %d deals acknowledged before it", n, len(before))
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestBackupRefusesToOverwrite(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	a := rep(t, db, "A")
	dest := filepath.Join(t.TempDir(), "b.db")
	if err := os.WriteFile(dest, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, dest, false); !errors.Is(err, ErrBackupExists) {
		t.Fatalf("Backup over a file = %v, want ErrBackupExists", err)
	}
	if b, _ := os.ReadFile(dest); string(b) != "precious" {
		t.Fatal("the existing file was touched")
	}
	if _, err := db.CreateDeal(ctx, coach.Deal{Customer: "Acme", OwnerID: a.ID, Currency: "CNY", Stage: "prospect"}, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, dest, true); err != nil {
		t.Fatal(err)
	}
	copyDB, err := Open(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	if n, err := copyDB.CountDeals(ctx); err != nil || n != 1 {
		t.Fatalf("overwritten copy holds %d deals, %v", n, err)
	}
	// Nothing left beside it.
	entries, _ := os.ReadDir(filepath.Dir(dest))
	for _, e := range entries {
		if e.Name() != "b.db" && e.Name() != "b.db-wal" && e.Name() != "b.db-shm" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestIntegrityCheckFindsDamage(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(p, []byte("this is not a database at all, not even close to one........"), 0o600)
	if err := IntegrityCheck(ctx, p); err == nil {
		t.Fatal("a file of text passed the integrity check")
	}
}
