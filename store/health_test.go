package store

import (
	"context"
	"strings"
	"testing"
)

func TestCheckWritable(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	if err := db.CheckWritable(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.read.QueryRow("SELECT count(*) FROM schema_migrations WHERE version = -1").Scan(&n); err != nil || n != 0 {
		t.Fatalf("the probe's row stayed: %d, %v", n, err)
	}
	// Made read-only (as a file the process may no longer write would be).
	if _, err := db.write.Exec("PRAGMA query_only = 1"); err != nil {
		t.Fatal(err)
	}
	if err := db.CheckWritable(ctx); err == nil || !strings.Contains(err.Error(), "not writable") {
		t.Fatalf("read-only database: %v", err)
	}
	if _, err := db.write.Exec("PRAGMA query_only = 0"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := db.CheckWritable(ctx); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("closed database: %v", err)
	}
}
