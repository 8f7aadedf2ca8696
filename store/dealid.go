package store

import (
	"context"
	"fmt"
	"sync"
)

// dealIDs hands out the ids of deals about to be created. A create's reply
// and the conversation's next state name the new deal ("#12 created",
// "next step of #12?"), and both are worked out before the one commit that
// writes them with the deal; so the id is known first. Ids follow the last
// one written, as SQLite's own would, so that they stay dense: an id whose
// create failed is given back when it was the last one handed out.
//
// Another process writing deals to the same file (an import) may take an
// id handed out here: the create then fails with ErrStale and the turn
// runs again with an id read afresh.
type dealIDs struct {
	mu     sync.Mutex
	last   int64 // the last id handed out or written
	loaded bool  // last includes the file's highest id
}

// NextDealID reserves the id of a deal to create with NewDeal.
func (db *DB) NextDealID(ctx context.Context) (int64, error) {
	ids := &db.ids
	ids.mu.Lock()
	defer ids.mu.Unlock()
	if !ids.loaded {
		var top int64
		if err := db.row(ctx, "SELECT coalesce(max(id), 0) FROM deals").Scan(&top); err != nil {
			return 0, fmt.Errorf("read the last deal id: %w", err)
		}
		ids.last, ids.loaded = max(ids.last, top), true
	}
	ids.last++
	return ids.last, nil
}

// seen notes an id SQLite chose for a deal written without a reserved one.
func (ids *dealIDs) seen(id int64) {
	ids.mu.Lock()
	ids.last = max(ids.last, id)
	ids.mu.Unlock()
}

// release gives back id, reserved for a create that failed, if no later
// one was handed out since.
func (ids *dealIDs) release(id int64) {
	ids.mu.Lock()
	if id != 0 && ids.last == id {
		ids.last--
	}
	ids.mu.Unlock()
}

// forget makes the next reservation read the file's highest id again.
func (ids *dealIDs) forget() {
	ids.mu.Lock()
	ids.loaded = false
	ids.mu.Unlock()
}
