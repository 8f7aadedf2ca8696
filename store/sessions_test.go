package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/dealcoach/dealcoach/coach"
)

var alice = coach.Person{Platform: "slack", PlatformID: "U1", Name: "Alice"}

// session reads alice's session in scope "s", failing the test on error.
func session(t *testing.T, db *DB) Session {
	t.Helper()
	s, err := db.Session(context.Background(), alice, "s")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A change this process commits is in the next session read, whatever was
// cached: the conversation's state, the person's fields, and a deletion.
func TestSessionSeesOwnWritesAtOnce(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	s := session(t, db)
	if s.State != nil {
		t.Fatalf("new person has state %q", s.State)
	}
	session(t, db) // cached now
	for i := range 20 {
		want := fmt.Sprintf(`{"n":%d}`, i)
		if err := db.SaveConversation(ctx, s.Person.ID, "s", []byte(want)); err != nil {
			t.Fatal(err)
		}
		if got := session(t, db); string(got.State) != want {
			t.Fatalf("after saving %s, session has %q", want, got.State)
		}
	}
	p := s.Person
	p.Lang, p.Role = "zh", coach.Manager
	if err := db.UpdatePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got := session(t, db).Person; got.Lang != "zh" || got.Role != coach.Manager {
		t.Fatalf("after the update the person is %+v", got)
	}
	if err := db.SetPersonTZ(ctx, p.ID, "Europe/Paris"); err != nil {
		t.Fatal(err)
	}
	if got := session(t, db).Person.TZ; got != "Europe/Paris" {
		t.Fatalf("zone %q after setting it", got)
	}
	if err := db.SaveConversation(ctx, p.ID, "s", nil); err != nil {
		t.Fatal(err)
	}
	if got := session(t, db); got.State != nil {
		t.Fatalf("state %q after deleting it", got.State)
	}
}

// Another process's change (here another handle on the same file) is seen
// as soon as this process's writer has looked: at its next batch of
// writes, or on a read when the last look is older than maxLag.
func TestSessionSeesOtherProcessesChanges(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	open := func() *DB {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	db, other := open(), open()
	p := session(t, db).Person
	session(t, db) // cached

	// Seen at the next batch: any write of this process.
	if err := other.SaveConversation(ctx, p.ID, "s", []byte(`{"by":"other"}`)); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveConversation(ctx, p.ID, "elsewhere", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if got := session(t, db); string(got.State) != `{"by":"other"}` {
		t.Fatalf("after another process's change and a batch, state %q", got.State)
	}

	// Seen on a read once the last look is older than maxLag.
	p.Lang = "zh"
	if err := other.UpdatePerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	db.sess.checked.Store(db.sess.now() - int64(maxLag) - 1)
	if got := session(t, db).Person.Lang; got != "zh" {
		t.Fatalf("after another process's change, lang %q", got)
	}
}

// Readers racing writers never see a state older than the last write that
// returned before their read began.
func TestSessionNeverOlderThanAnAcknowledgedWrite(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	const writes = 200
	var wg sync.WaitGroup
	for i := range 4 {
		who := coach.Person{Platform: "slack", PlatformID: fmt.Sprintf("U%d", i), Name: "x"}
		p, err := db.EnsurePerson(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		var last atomic.Int64 // the last state acknowledged, -1 before any
		last.Store(-1)
		done := make(chan struct{})
		wg.Add(2)
		go func() { // writer
			defer wg.Done()
			defer close(done)
			for n := range writes {
				if err := db.SaveConversation(ctx, p.ID, "s", fmt.Appendf(nil, `{"n":%d}`, n)); err != nil {
					t.Error(err)
					return
				}
				last.Store(int64(n))
			}
		}()
		go func() { // reader: while the writer runs, and once after
			defer wg.Done()
			for finished := false; !finished; {
				select {
				case <-done:
					finished = true
				default:
				}
				n := last.Load()
				s, err := db.Session(ctx, who, "s")
				if err != nil {
					t.Error(err)
					return
				}
				if n < 0 {
					continue
				}
				var got int64
				if _, err := fmt.Sscanf(string(s.State), `{"n":%d}`, &got); err != nil || got < n {
					t.Errorf("read %q after {\"n\":%d} was acknowledged", s.State, n)
					return
				}
				if finished && got != writes-1 {
					t.Errorf("read %q once every write was acknowledged", s.State)
				}
			}
		}()
	}
	wg.Wait()
}

func TestTouchesSessions(t *testing.T) {
	for q, want := range map[string]bool{
		"UPDATE people SET tz = ? WHERE id = ?":                    true,
		"  insert into conversations (person_id) values (?)":       true,
		"DELETE FROM conversations WHERE person_id = ?":            true,
		"SELECT id FROM people WHERE platform = ?":                 false,
		"select * from conversations":                              false,
		"INSERT INTO deals (customer) VALUES (?)":                  false,
		"WITH x AS (SELECT 1) UPDATE people SET name = 'a'":        true,
		"UPDATE deals SET owner_id = (SELECT id FROM people)":      true, // over-cautious: fine
		"INSERT INTO inbox (id, received_at) VALUES (?, ?)":        false,
		"PRAGMA data_version":                                      false,
		"UPDATE deal_events SET actor_id = NULL WHERE deal_id = ?": false,
	} {
		if got := touchesSessions(q); got != want {
			t.Errorf("touchesSessions(%q) = %v, want %v", q, got, want)
		}
	}
}
