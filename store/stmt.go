package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache prepares each query once per pool. modernc's driver does not
// cache statements, and parsing the SQL again on every call was a third of
// an update's CPU time (BenchmarkFreeTextUpdate).
type stmtCache struct {
	pool *sql.DB
	mu   sync.Mutex
	m    map[string]*sql.Stmt
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}}
}

func (c *stmtCache) get(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := c.cached(q); ok {
		return st, nil
	}
	// Prepare without holding the lock: it may wait for a connection.
	st, err := c.pool.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[q]; ok {
		st.Close()
		return old, nil
	}
	c.m[q] = st
	return st, nil
}

func (c *stmtCache) cached(q string) (*sql.Stmt, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.m[q]
	return st, ok
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	clear(c.m)
}

// wtx is a write transaction whose queries use the cached statements of the
// write connection (database/sql reuses a statement already prepared on the
// transaction's connection). The transaction holds the only write
// connection, so a query not yet prepared runs unprepared and is prepared
// once the transaction ends (see DB.inTx).
type wtx struct {
	*sql.Tx
	stmts   *stmtCache
	missed  []string
	bound   map[string]*sql.Stmt // cached statements bound to the transaction (see stmt)
	touched bool                 // a statement may have changed a person or a conversation (see sessions)
}

func (tx *wtx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	tx.touched = tx.touched || touchesSessions(q)
	if st, ok := tx.stmt(ctx, q); ok {
		return st.ExecContext(ctx, args...)
	}
	tx.missed = append(tx.missed, q)
	return tx.ExecContext(ctx, q, args...)
}

func (tx *wtx) row(ctx context.Context, q string, args ...any) *sql.Row {
	tx.touched = tx.touched || touchesSessions(q)
	if st, ok := tx.stmt(ctx, q); ok {
		return st.QueryRowContext(ctx, args...)
	}
	tx.missed = append(tx.missed, q)
	return tx.QueryRowContext(ctx, q, args...)
}

// stmt is the cached statement of q bound to the transaction, bound once
// a transaction: a batch runs the same few statements for each of its
// transactions, and binding allocates (database/sql closes the bound
// statements with the transaction).
func (tx *wtx) stmt(ctx context.Context, q string) (*sql.Stmt, bool) {
	if st, ok := tx.bound[q]; ok {
		return st, true
	}
	st, ok := tx.stmts.cached(q)
	if !ok {
		return nil, false
	}
	if tx.bound == nil {
		tx.bound = make(map[string]*sql.Stmt, 8)
	}
	st = tx.StmtContext(ctx, st)
	tx.bound[q] = st
	return st, true
}

// prepare caches the statements a finished transaction ran unprepared.
// A failure only means the next use runs unprepared again.
func (c *stmtCache) prepare(ctx context.Context, qs []string) {
	for _, q := range qs {
		c.get(ctx, q)
	}
}

// row runs a one-row query on the read pool.
func (db *DB) row(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := db.rstmts.get(ctx, q)
	if err != nil {
		return db.read.QueryRowContext(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// query runs a query on the read pool.
func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := db.rstmts.get(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryer is a transaction or the read pool.
type queryer interface {
	row(ctx context.Context, q string, args ...any) *sql.Row
}
