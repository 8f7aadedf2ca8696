package store

import (
	"io/fs"
	"strings"
	"testing"
)

// Two migrations with one number would apply only the first on a database
// that has it: each number must be used once (branches that both add one
// must renumber when they meet).
func TestMigrationNumbersAreUnique(t *testing.T) {
	files, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, f := range files {
		name := strings.TrimPrefix(f, "migrations/")
		n, _, _ := strings.Cut(name, "_")
		if other, ok := seen[n]; ok {
			t.Errorf("migrations %s and %s share the number %s", other, name, n)
		}
		seen[n] = name
	}
}
