package bot

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/dealcoach/dealcoach/store"
)

// A platform event is marked processed by the transaction of the change
// it makes, never by the incidental writes of a first contact: a crash
// between the two must replay the message, not drop it.
func TestEventMarkedByItsChangeNotByFirstContact(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for _, c := range []struct {
		id, user, text string
		marked         bool
	}{
		{"e1", "new-user-1", "list", false},                       // creates the person, reads: not marked
		{"e2", "new-user-2", "new deal Acme 120k", true},          // creates the person, then the deal: marked
		{"e3", "new-user-1", "我的漏斗怎么样", false},                    // remembers the language, reads: not marked
		{"e4", "new-user-2", "Acme next step: demo Friday", true}, // an update: marked
	} {
		if _, err := h.db.Receive(ctx, "slack", c.id, []byte("{}")); err != nil {
			t.Fatal(err)
		}
		r, err := h.bot.Handle(ctx, Message{Platform: "slack", Team: "T", Channel: "D1", UserID: c.user, Text: c.text, EventID: c.id})
		if err != nil {
			t.Fatal(err)
		}
		left, err := h.db.Unprocessed(ctx, "slack", time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		marked := !slices.ContainsFunc(left, func(e store.InboxEvent) bool { return e.EventID == c.id })
		if marked != c.marked || r.Claimed != c.marked {
			t.Errorf("%s %q: marked %v (reply says %v), want %v", c.id, c.text, marked, r.Claimed, c.marked)
		}
	}
}
