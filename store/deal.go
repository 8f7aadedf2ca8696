package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

const dealCols = `d.id, d.customer, d.title, d.owner_id, coalesce(p.name, ''), coalesce(d.team_id, 0),
	d.amount, d.currency, d.stage, d.status, d.lost_reason, d.next_step, d.next_step_due,
	d.expected_close, d.snoozed_until, d.created_at, d.updated_at, d.stage_since, d.version`

const dealFrom = " FROM deals d LEFT JOIN people p ON p.id = d.owner_id"

type scanner interface{ Scan(...any) error }

func scanDeal(row scanner) (coach.Deal, error) {
	var d coach.Deal
	var status, created, updated, since string
	var due, closeDate, snoozed sql.NullString
	err := row.Scan(&d.ID, &d.Customer, &d.Title, &d.OwnerID, &d.Owner, &d.TeamID, &d.Amount,
		&d.Currency, &d.Stage, &status, &d.LostReason, &d.NextStep, &due, &closeDate, &snoozed,
		&created, &updated, &since, &d.Version)
	d.Status = coach.Status(status)
	d.NextStepDue, d.ExpectedClose, d.SnoozedUntil = scanDate(due), scanDate(closeDate), scanDate(snoozed)
	d.CreatedAt, d.UpdatedAt, d.StageSince = parseTime(created), parseTime(updated), parseTime(since)
	return d, err
}

// dealScan reads many deal rows with fewer allocations than scanDeal: the
// times, dates and status are read in place (sql.RawBytes, which only
// rows, not a single row, allow), which took a fifth off reading 100,000
// deals for the morning reminders.
type dealScan struct {
	status, due, closeDate, snoozed, created, updated, since sql.RawBytes
}

func (s *dealScan) scan(rows *sql.Rows) (coach.Deal, error) {
	var d coach.Deal
	err := rows.Scan(&d.ID, &d.Customer, &d.Title, &d.OwnerID, &d.Owner, &d.TeamID, &d.Amount,
		&d.Currency, &d.Stage, &s.status, &d.LostReason, &d.NextStep, &s.due, &s.closeDate, &s.snoozed,
		&s.created, &s.updated, &s.since, &d.Version)
	d.Status = statusOf(s.status)
	d.NextStepDue, d.ExpectedClose, d.SnoozedUntil = dateOf(s.due), dateOf(s.closeDate), dateOf(s.snoozed)
	d.CreatedAt, d.UpdatedAt, d.StageSince = parseTime(s.created), parseTime(s.updated), parseTime(s.since)
	return d, err
}

// statusOf is the status named by b, without allocating.
func statusOf(b []byte) coach.Status {
	for _, st := range []coach.Status{coach.Open, coach.Won, coach.Lost} {
		if string(b) == string(st) {
			return st
		}
	}
	return coach.Status(b)
}

// dateOf reads a YYYY-MM-DD column; NULL or anything else is the zero Date.
func dateOf(b []byte) coach.Date {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return coach.Date{}
	}
	y, ok1 := digits(b[0:4])
	m, ok2 := digits(b[5:7])
	d, ok3 := digits(b[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > 31 {
		return coach.Date{}
	}
	return coach.Date{Year: y, Month: time.Month(m), Day: d}
}

// Deal loads one deal by id.
func (db *DB) Deal(ctx context.Context, id int64) (coach.Deal, error) {
	return loadDeal(ctx, db, id)
}

func loadDeal(ctx context.Context, q queryer, id int64) (coach.Deal, error) {
	d, err := scanDeal(q.row(ctx, "SELECT "+dealCols+dealFrom+" WHERE d.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, coach.Errorf(coach.NotFound, "err.deal_not_found", "ref", fmt.Sprintf("#%d", id))
	}
	if err != nil {
		return d, fmt.Errorf("load deal %d: %w", id, err)
	}
	return d, nil
}

// CreateDeal stores a new deal, its "created" history event and any extra
// events (a first note) in one transaction, and returns it with its id and
// timestamps.
func (db *DB) CreateDeal(ctx context.Context, d coach.Deal, actorID int64, extra ...coach.Event) (coach.Deal, error) {
	err := db.inTx(ctx, func(tx *wtx) error {
		var err error
		if d, err = db.createDeal(ctx, tx, d, names(d), 0, actorID, false); err != nil {
			return err
		}
		if err := checkTexts(d, extra); err != nil {
			return err
		}
		return insertEvents(ctx, tx, d.ID, actorID, d.CreatedAt, extra)
	})
	return d, err
}

// NewDeal is a person's "new deal": unless its owner already has an open
// deal of the same customer and title (normalised), it stores the deal
// (with the id d carries, reserved by NextDealID, or a new one), its
// "created" event, the notes and the conversation's next state (conv may
// be nil), all in one transaction; the claim the DB carries
// (see Claiming) commits with them. A duplicate is refused with a
// coach.Conflict naming the deal the owner has; an id taken meanwhile
// (by another process) fails with ErrStale, for the turn to run again.
//
// The check is part of the insert (see insertDeal), so two "new" of the
// same name at once still make one deal, and it is one index seek (the
// deals_customer index), whatever the number of deals.
func (db *DB) NewDeal(ctx context.Context, d coach.Deal, actorID int64, notes []coach.Event, conv *Conv) (coach.Deal, error) {
	n, in := names(d), d
	// Repeatable: each run starts from the deal as given.
	err := db.inTxRepeatable(ctx, func(tx *wtx) error {
		var err error
		d, err = db.createDeal(ctx, tx, in, n, in.ID, actorID, true)
		if errors.Is(err, errOpenTwin) {
			var dup int64
			if err := tx.row(ctx, openTwinSQL, n.customer, n.title, d.OwnerID).Scan(&dup); err != nil {
				return fmt.Errorf("find the duplicate of %q: %w", d.Customer, err)
			}
			return coach.Errorf(coach.Conflict, "err.deal_exists", "ref", fmt.Sprintf("#%d", dup), "name", d.Name())
		}
		if err != nil {
			return err
		}
		if err := checkTexts(d, notes); err != nil {
			return err
		}
		if err := insertEvents(ctx, tx, d.ID, actorID, d.CreatedAt, notes); err != nil || conv == nil {
			return err
		}
		return saveConversation(ctx, tx, conv.PersonID, conv.Scope, conv.State, db.now())
	})
	if err != nil {
		db.ids.release(d.ID)
	}
	return d, err
}

// createDeal inserts deal d as a new row with id (0: a new one) and its
// "created" event; unique as for insertDeal.
func (db *DB) createDeal(ctx context.Context, tx *wtx, d coach.Deal, n dealNames, id, actorID int64, unique bool) (coach.Deal, error) {
	if err := checkTexts(d, nil); err != nil {
		return d, err
	}
	d.ID = id
	d, err := db.insertDeal(ctx, tx, d, n, unique)
	if err != nil {
		return d, err
	}
	return d, insertEvents(ctx, tx, d.ID, actorID, d.CreatedAt, coach.Diff(coach.Deal{}, d))
}

// dealNames are a deal's names as stored for lookups.
type dealNames struct{ customer, title, full string }

// names normalises a deal's names once: the "customer title" form is the
// two others joined, which is what normalising the joined text gives.
func names(d coach.Deal) dealNames {
	n := dealNames{customer: coach.NormalizeName(d.Customer), title: coach.NormalizeName(d.Title)}
	switch {
	case n.title == "":
		n.full = n.customer
	case n.customer == "":
		n.full = n.title
	default:
		n.full = n.customer + " " + n.title
	}
	return n
}

// errOpenTwin is insertDeal's refusal of a deal whose owner has an open
// one of the same names.
var errOpenTwin = errors.New("the owner has an open deal of these names")

// insertDeal writes a new deal row, with d.ID unless it is 0, defaulting
// its times to now and its status to open. With unique, the insert itself
// checks that the owner has no open deal of the same customer and title
// (one seek in deals_customer; a separate query before it was a
// statement more a create, 3% of a slash command's CPU): errOpenTwin, and
// nothing written, if they have.
func (db *DB) insertDeal(ctx context.Context, tx *wtx, d coach.Deal, n dealNames, unique bool) (coach.Deal, error) {
	if d.CreatedAt.IsZero() {
		d.CreatedAt = db.now().UTC()
	}
	if d.UpdatedAt.IsZero() {
		d.UpdatedAt = d.CreatedAt
	}
	if d.StageSince.IsZero() {
		d.StageSince = d.CreatedAt
	}
	if d.Status == "" {
		d.Status = coach.Open
	}
	d.Version = 1
	sqls, args := [2]string{insertDealSQL, insertUniqueDealSQL}, fullDealArgs(d, n)
	if bare(d) {
		sqls = [2]string{insertBareDealSQL, insertUniqueBareDealSQL}
		args = []any{d.ID, d.Customer, n.customer, d.OwnerID, d.TeamID, d.Amount, d.Currency, d.Stage, fmtTime(d.CreatedAt)}
	}
	q := sqls[0]
	if unique {
		q = sqls[1]
	}
	res, err := tx.exec(ctx, q, args...)
	if err != nil && d.ID != 0 && isPrimaryKey(err) {
		db.ids.forget() // another process took it: read the last id again
		return d, fmt.Errorf("insert deal #%d: %w", d.ID, ErrStale)
	}
	if err != nil {
		return d, fmt.Errorf("insert deal %q: %w", d.Customer, err)
	}
	if unique {
		switch n, err := res.RowsAffected(); {
		case err != nil:
			return d, fmt.Errorf("insert deal %q: %w", d.Customer, err)
		case n == 0:
			return d, errOpenTwin
		}
	}
	if d.ID, err = res.LastInsertId(); err != nil {
		return d, fmt.Errorf("insert deal %q: %w", d.Customer, err)
	}
	db.ids.seen(d.ID)
	return d, nil
}

// fullDealArgs are the values insertDealSQL binds for deal d.
func fullDealArgs(d coach.Deal, n dealNames) []any {
	return []any{d.ID, d.Customer, n.customer, d.Title, n.title, n.full, d.OwnerID,
		d.TeamID, d.Amount, d.Currency, d.Stage, string(d.Status), d.LostReason, d.NextStep,
		nullDate(d.NextStepDue), nullDate(d.ExpectedClose), nullDate(d.SnoozedUntil), fmtTime(d.StageSince),
		fmtTime(d.CreatedAt), fmtTime(d.UpdatedAt)}
}

// bare reports whether d is a deal as a plain "new" message makes it: a
// customer, an amount and a stage, open, and nothing else. Its row is
// written by insertBareDealSQL: 9 values bound instead of 20, the
// others the columns' defaults (the "customer title" form is the
// customer's when there is no title; the three times are one). Binding
// the 20, each a call into SQLite and for a numbered one a copy of its
// name, was about a sixth of the insert's time in profiles; creates under
// the harness's load ran 7.7% faster without (README, Performance).
func bare(d coach.Deal) bool {
	return d.Title == "" && d.Status == coach.Open && d.LostReason == "" && d.NextStep == "" &&
		d.NextStepDue.IsZero() && d.ExpectedClose.IsZero() && d.SnoozedUntil.IsZero() &&
		d.StageSince.Equal(d.CreatedAt) && d.UpdatedAt.Equal(d.CreatedAt)
}

// insertDealSQL writes a deal row; insertUniqueDealSQL the same unless the
// owner has an open deal of the same names (?3, ?5, ?7); openTwinSQL names
// the open deal that stopped a unique insert.
const (
	insertDealInto = `INSERT INTO deals (id, customer, customer_norm, title, title_norm, full_norm,
		owner_id, team_id, amount, currency, stage, status, lost_reason, next_step, next_step_due,
		expected_close, snoozed_until, stage_since, created_at, updated_at, version)`
	insertDealValues = `nullif(?1, 0), ?2, ?3, ?4, ?5, ?6, ?7, nullif(?8, 0), ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, 1`

	insertDealSQL       = insertDealInto + " VALUES (" + insertDealValues + ")"
	insertUniqueDealSQL = insertDealInto + " SELECT " + insertDealValues + `
		WHERE NOT EXISTS (SELECT 1 FROM deals WHERE customer_norm = ?3 AND title_norm = ?5 AND owner_id = ?7 AND status = 'open')`
	openTwinSQL = `SELECT id FROM deals WHERE customer_norm = ? AND title_norm = ? AND owner_id = ? AND status = 'open' LIMIT 1`

	// insertBareDealSQL and insertUniqueBareDealSQL are the same for a
	// bare deal (see bare).
	insertBareDealInto      = `INSERT INTO deals (id, customer, customer_norm, full_norm, owner_id, team_id, amount, currency, stage, stage_since, created_at, updated_at, version)`
	insertBareDealValues    = `nullif(?1, 0), ?2, ?3, ?3, ?4, nullif(?5, 0), ?6, ?7, ?8, ?9, ?9, ?9, 1`
	insertBareDealSQL       = insertBareDealInto + " VALUES (" + insertBareDealValues + ")"
	insertUniqueBareDealSQL = insertBareDealInto + " SELECT " + insertBareDealValues + `
		WHERE NOT EXISTS (SELECT 1 FROM deals WHERE customer_norm = ?3 AND title_norm = '' AND owner_id = ?4 AND status = 'open')`
)

// Conv is a conversation's new state (nil State deletes it), written in the
// same transaction as the change it follows.
type Conv struct {
	PersonID int64
	Scope    string
	State    []byte
}

// ErrStale is returned by a write whose deal changed since it was read
// (its version moved on), or whose reserved id was taken: nothing was
// written, and the turn may read again and retry.
var ErrStale = errors.New("deal changed since it was read")

// UpdateDeal commits update u, worked out from u.Before as read: the new
// row (version checked against u.Before's, so a change made meanwhile is
// never overwritten: ErrStale), one history event per changed field, the
// notes, how to undo it, and the conversation's next state (conv may be
// nil), all in one transaction. It returns the deal as written.
func (db *DB) UpdateDeal(ctx context.Context, u coach.Update, actorID int64, conv *Conv) (coach.Deal, error) {
	after := u.After
	err := db.inTxRepeatable(ctx, func(tx *wtx) error { // u is only read
		var err error
		if after, err = db.updateDeal(ctx, tx, u, actorID); err != nil || conv == nil {
			return err
		}
		return saveConversation(ctx, tx, conv.PersonID, conv.Scope, conv.State, db.now())
	})
	if err != nil {
		return u.Before, err
	}
	return after, nil
}

func (db *DB) updateDeal(ctx context.Context, tx *wtx, u coach.Update, actorID int64) (coach.Deal, error) {
	before, after := u.Before, u.After
	if !u.Changed() {
		return after, nil
	}
	if err := checkTexts(after, u.Notes); err != nil {
		return before, err
	}
	now := db.now().UTC()
	after.UpdatedAt = now
	if after.Stage != before.Stage {
		after.StageSince = now
	}
	if err := updateRow(ctx, tx, before, after); err != nil {
		return before, err
	}
	after.Version = before.Version + 1
	if len(u.Events) > 0 {
		if err := recordUndo(ctx, tx, actorID, before, after.Version, fmtTime(now)); err != nil {
			return before, err
		}
	}
	return after, insertEvents(ctx, tx, before.ID, actorID, now, append(u.Events[:len(u.Events):len(u.Events)], u.Notes...))
}

// updateRow writes a changed deal. The columns behind indexes (names,
// owner, team, status) are written only when they changed: SQLite rewrites
// every index whose columns appear in an UPDATE's SET list, and most
// updates touch none of them.
func updateRow(ctx context.Context, tx *wtx, before, d coach.Deal) error {
	res, err := tx.exec(ctx, `UPDATE deals SET amount = ?, currency = ?, stage = ?, lost_reason = ?,
		next_step = ?, next_step_due = ?, expected_close = ?, snoozed_until = ?, stage_since = ?, updated_at = ?,
		version = version + 1 WHERE id = ? AND version = ?`,
		d.Amount, d.Currency, d.Stage, d.LostReason, d.NextStep, nullDate(d.NextStepDue),
		nullDate(d.ExpectedClose), nullDate(d.SnoozedUntil), fmtTime(d.StageSince), fmtTime(d.UpdatedAt), d.ID, before.Version)
	if err != nil {
		return fmt.Errorf("update deal %d: %w", d.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("update deal %d version %d: %w", d.ID, before.Version, ErrStale)
	}
	if d.Customer == before.Customer && d.Title == before.Title && d.OwnerID == before.OwnerID &&
		d.TeamID == before.TeamID && d.Status == before.Status {
		return nil
	}
	n := names(d)
	_, err = tx.exec(ctx, `UPDATE deals SET customer = ?, customer_norm = ?, title = ?, title_norm = ?,
		full_norm = ?, owner_id = ?, team_id = nullif(?, 0), status = ? WHERE id = ?`,
		d.Customer, n.customer, d.Title, n.title, n.full,
		d.OwnerID, d.TeamID, string(d.Status), d.ID)
	if err != nil {
		return fmt.Errorf("update deal %d: %w", d.ID, err)
	}
	return nil
}

func insertEvents(ctx context.Context, tx *wtx, dealID, actorID int64, at time.Time, evs []coach.Event) error {
	for _, e := range evs {
		if !e.At.IsZero() {
			at = e.At
		}
		_, err := tx.exec(ctx, `INSERT INTO deal_events (deal_id, kind, from_value, to_value, actor_id, at)
			VALUES (?, ?, ?, ?, nullif(?, 0), ?)`, dealID, string(e.Kind), e.From, e.To, actorID, fmtTime(at))
		if err != nil {
			return fmt.Errorf("insert %s event of deal %d: %w", e.Kind, dealID, err)
		}
		if e.Kind == coach.EvNote {
			_, err = tx.exec(ctx, "INSERT INTO notes (deal_id, author_id, body, created_at) VALUES (?, nullif(?, 0), ?, ?)",
				dealID, actorID, e.To, fmtTime(at))
			if err != nil {
				return fmt.Errorf("insert note of deal %d: %w", dealID, err)
			}
		}
	}
	return nil
}

// DealFilter selects deals for Deals. Zero fields match everything.
type DealFilter struct {
	OwnerID int64
	TeamID  int64
	Status  coach.Status
	Stage   string
	Limit   int // 0: no limit
}

// Deals lists deals matching f, most recently updated first.
func (db *DB) Deals(ctx context.Context, f DealFilter) ([]coach.Deal, error) {
	var where []string
	var args []any
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if f.OwnerID != 0 {
		add("d.owner_id = ?", f.OwnerID)
	}
	if f.TeamID != 0 {
		add("d.team_id = ?", f.TeamID)
	}
	if f.Status != "" {
		add("d.status = ?", string(f.Status))
	}
	if f.Stage != "" {
		add("d.stage = ?", f.Stage)
	}
	q := "SELECT " + dealCols + dealFrom
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY d.updated_at DESC, d.id DESC"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return db.queryDeals(ctx, q, args...)
}

func (db *DB) queryDeals(ctx context.Context, q string, args ...any) ([]coach.Deal, error) {
	return db.queryDealsCap(ctx, 0, q, args...)
}

// queryDealsCap is queryDeals with room for n deals from the start.
func (db *DB) queryDealsCap(ctx context.Context, n int, q string, args ...any) ([]coach.Deal, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query deals: %w", err)
	}
	defer rows.Close()
	out := make([]coach.Deal, 0, n)
	var sc dealScan
	for rows.Next() {
		d, err := sc.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("scan deal: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// FindDeals looks a deal up by the words a user called it: deals whose
// customer, title or "customer title" equals name (normalised); failing
// that, those where one of them starts with name; failing that, those
// containing it. At most limit deals are returned.
func (db *DB) FindDeals(ctx context.Context, name string, limit int) ([]coach.Deal, error) {
	n := coach.NormalizeName(name)
	if n == "" {
		return nil, nil
	}
	q := findQueries(limit)
	// Exact names, the common case, one index at a time: cheaper than one
	// query OR-ing three indexes.
	for _, exact := range q[:3] {
		ds, err := db.queryDeals(ctx, exact, n)
		if err != nil || len(ds) > 0 {
			return ds, err
		}
	}
	ds, err := db.queryDeals(ctx, q[3], n, n+"\U0010FFFF")
	if err != nil || len(ds) > 0 {
		return ds, err
	}
	return db.queryDeals(ctx, q[4], "%"+escapeLike(n)+"%")
}

// findQueries are FindDeals' queries, in the order it tries them: exact
// customer, full name and title (?1), then a prefix of customer or title
// (?1 up to ?2), then a part of either (?1, a LIKE pattern). The full name
// and the title are indexed for titled deals only (an untitled deal's full
// name is its customer, asked first): "title_norm != ”" lets SQLite use
// those partial indexes, and changes no answer since the name looked up is
// never empty. The prefix is a range on the indexed columns rather than
// LIKE, which SQLite cannot index here (case-sensitive prefix with a
// non-C collation).
func findQueries(limit int) [5]string {
	sel := "SELECT " + dealCols + dealFrom
	lim := fmt.Sprintf(" ORDER BY d.status = 'open' DESC, d.updated_at DESC, d.id DESC LIMIT %d", limit)
	return [5]string{
		sel + " WHERE d.customer_norm = ?1" + lim,
		sel + " WHERE d.full_norm = ?1 AND d.title_norm != ''" + lim,
		sel + " WHERE d.title_norm = ?1 AND d.title_norm != ''" + lim,
		sel + ` WHERE (d.customer_norm >= ?1 AND d.customer_norm < ?2)
		OR (d.title_norm >= ?1 AND d.title_norm < ?2 AND d.title_norm != '')` + lim,
		sel + ` WHERE d.customer_norm LIKE ?1 ESCAPE '\' OR d.title_norm LIKE ?1 ESCAPE '\'` + lim,
	}
}

func escapeLike(s string) string {
	return likeEscaper.Replace(s)
}

// History lists a deal's events, oldest first.
func (db *DB) History(ctx context.Context, dealID int64) ([]coach.Event, error) {
	rows, err := db.query(ctx, `SELECT e.id, e.deal_id, e.kind, e.from_value, e.to_value,
		coalesce(e.actor_id, 0), coalesce(p.name, ''), e.at
		FROM deal_events e LEFT JOIN people p ON p.id = e.actor_id WHERE e.deal_id = ? ORDER BY e.id`, dealID)
	if err != nil {
		return nil, fmt.Errorf("history of deal %d: %w", dealID, err)
	}
	defer rows.Close()
	var out []coach.Event
	for rows.Next() {
		var e coach.Event
		var kind, at string
		if err := rows.Scan(&e.ID, &e.DealID, &kind, &e.From, &e.To, &e.ActorID, &e.Actor, &at); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		e.Kind, e.At = coach.EventKind(kind), parseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// CountDeals counts all deals.
func (db *DB) CountDeals(ctx context.Context) (int, error) {
	var n int
	if err := db.row(ctx, "SELECT count(*) FROM deals").Scan(&n); err != nil {
		return 0, fmt.Errorf("count deals: %w", err)
	}
	return n, nil
}

// CreateDeals stores many new deals, each with its "created" event, in one
// transaction: for bulk loads and benchmarks, where a transaction per deal
// would dominate.
func (db *DB) CreateDeals(ctx context.Context, ds []coach.Deal, actorID int64) error {
	return db.inTx(ctx, func(tx *wtx) error {
		for _, d := range ds {
			if _, err := db.createDeal(ctx, tx, d, names(d), 0, actorID, false); err != nil {
				return err
			}
		}
		return nil
	})
}

// likeEscaper is built once: building a replacer costs more than using it.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// checkTexts refuses a deal or events (a note) whose texts are over the
// caps of coach.CheckDealText: every way in (chat, forms, buttons, import)
// writes through here. Restoring an export does not: what was stored
// before the caps comes back as it was.
func checkTexts(d coach.Deal, evs []coach.Event) error {
	if err := coach.CheckDealText(d); err != nil {
		return err
	}
	for _, e := range evs {
		if err := coach.CheckText(e.To, coach.MaxTextChars); err != nil {
			return err
		}
	}
	return nil
}
