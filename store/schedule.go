package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/dealcoach/dealcoach/coach"
)

// Reminder is a person's own morning-reminder setting.
type Reminder struct {
	Hour int  // 0–23; -1: the team's hour
	Off  bool // no morning reminders
}

// SetReminder stores a person's reminder setting.
func (db *DB) SetReminder(ctx context.Context, personID int64, r Reminder) error {
	var hour any
	if r.Hour >= 0 {
		hour = r.Hour
	}
	return db.inTx(ctx, func(tx *wtx) error {
		res, err := tx.exec(ctx, "UPDATE people SET remind_hour = ?, reminders_off = ? WHERE id = ?", hour, r.Off, personID)
		if err != nil {
			return fmt.Errorf("set reminder of person %d: %w", personID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return coach.Errorf(coach.NotFound, "err.person_not_found", "id", personID)
		}
		return nil
	})
}

// SetPersonTZ stores the time zone a person lives in (an IANA name, which
// the caller has checked): their reminders keep to it, and their dates
// are read in it. A platform's profile sets it only on first contact.
func (db *DB) SetPersonTZ(ctx context.Context, personID int64, tz string) error {
	return db.inTx(ctx, func(tx *wtx) error {
		res, err := tx.exec(ctx, "UPDATE people SET tz = ? WHERE id = ?", tz, personID)
		if err != nil {
			return fmt.Errorf("set time zone of person %d: %w", personID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return coach.Errorf(coach.NotFound, "err.person_not_found", "id", personID)
		}
		return nil
	})
}

// ReminderOf loads a person's own reminder setting.
func (db *DB) ReminderOf(ctx context.Context, personID int64) (Reminder, error) {
	var hour sql.NullInt64
	var r Reminder
	err := db.row(ctx, "SELECT remind_hour, reminders_off FROM people WHERE id = ?", personID).Scan(&hour, &r.Off)
	if errors.Is(err, sql.ErrNoRows) {
		return r, coach.Errorf(coach.NotFound, "err.person_not_found", "id", personID)
	}
	if err != nil {
		return r, fmt.Errorf("reminder of person %d: %w", personID, err)
	}
	r.Hour = -1
	if hour.Valid {
		r.Hour = int(hour.Int64)
	}
	return r, nil
}

// Recipient is a person the morning job may remind, with the settings
// that decide when.
type Recipient struct {
	Person   coach.Person
	Hour     int    // the person's hour, else their team's, else 09:00
	Off      bool   // reminders turned off
	Weekends bool   // their team's setting
	TeamTZ   string // their team's zone, for a person without one
}

// Recipients lists everyone, in id order.
func (db *DB) Recipients(ctx context.Context) ([]Recipient, error) {
	rows, err := db.query(ctx, "SELECT "+personColsOf("p")+`, coalesce(p.remind_hour, t.remind_hour, ?),
		p.reminders_off, coalesce(t.weekends, 0), coalesce(t.tz, '')
		FROM people p LEFT JOIN teams t ON t.id = p.team_id ORDER BY p.id`, coach.DefaultRemindHour)
	if err != nil {
		return nil, fmt.Errorf("list recipients: %w", err)
	}
	defer rows.Close()
	var out []Recipient
	for rows.Next() {
		var r Recipient
		r.Person, err = scanPerson(rows, &r.Hour, &r.Off, &r.Weekends, &r.TeamTZ)
		if err != nil {
			return nil, fmt.Errorf("scan recipient: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// TeamOpenAnswers loads the coaching answers of a team's open deals: deal
// id → question key → answer (without the answering person's name).
func (db *DB) TeamOpenAnswers(ctx context.Context, teamID int64) (map[int64]map[string]coach.Answer, error) {
	return db.openAnswers(ctx, "SELECT "+answerCols+` FROM answers a JOIN deals d ON d.id = a.deal_id
		WHERE `+teamIs("d", teamID)+` AND d.status = 'open'`, teamID)
}

// teamIs is the condition "alias's deal is of team ?": team 0 is the
// default team, everyone not in a team, whose deals have no team. It takes
// the team id as its one argument either way.
func teamIs(alias string, teamID int64) string {
	if teamID == 0 {
		return "(" + alias + ".team_id IS NULL AND ? = 0)"
	}
	return alias + ".team_id = ?"
}

const answerCols = "a.deal_id, a.question_key, a.stage, a.status, a.answer, a.at"

// openAnswers runs a query of answerCols, keeping them by deal and question.
func (db *DB) openAnswers(ctx context.Context, q string, args ...any) (map[int64]map[string]coach.Answer, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("answers of open deals: %w", err)
	}
	defer rows.Close()
	out := map[int64]map[string]coach.Answer{}
	for rows.Next() {
		var a coach.Answer
		var status, at string
		if err := rows.Scan(&a.DealID, &a.Question, &a.Stage, &status, &a.Text, &at); err != nil {
			return nil, fmt.Errorf("scan answer: %w", err)
		}
		a.Status, a.At = coach.AnswerStatus(status), parseTime(at)
		m := out[a.DealID]
		if m == nil {
			m = map[string]coach.Answer{}
			out[a.DealID] = m
		}
		m[a.Question] = a
	}
	return out, rows.Err()
}

// TeamDeals lists a team's deals (team 0: the deals of no team) that are open or changed since since:
// what coach.Analyze needs of a digest whose history starts then.
func (db *DB) TeamDeals(ctx context.Context, teamID int64, since time.Time) ([]coach.Deal, error) {
	return db.queryDeals(ctx, "SELECT "+dealCols+dealFrom+
		" WHERE "+teamIs("d", teamID)+" AND (d.status = 'open' OR d.updated_at >= ?) ORDER BY d.id", teamID, fmtTime(since))
}

// funnelKinds are the events funnel analytics replay; the others (notes,
// answers, contacts…) are left in the database.
const funnelKinds = "'created', 'stage', 'amount', 'won', 'lost', 'reopened'"

// TeamEvents lists the funnel events (created, stage, amount, won, lost,
// reopened) of a team's deals since since, in no particular order (as
// coach.Analyze takes them), without actors. The team's deals are a set
// SQLite builds once, and the events are read in time order off their
// index: a join and an ORDER BY made this query three times slower.
func (db *DB) TeamEvents(ctx context.Context, teamID int64, since time.Time) ([]coach.Event, error) {
	rows, err := db.query(ctx, `SELECT e.id, e.deal_id, e.kind, e.from_value, e.to_value, e.at
		FROM deal_events e WHERE e.at >= ? AND e.kind IN (`+funnelKinds+`)
		AND e.deal_id IN (SELECT id FROM deals t WHERE `+teamIs("t", teamID)+`)`, fmtTime(since), teamID)
	if err != nil {
		return nil, fmt.Errorf("events of team %d: %w", teamID, err)
	}
	defer rows.Close()
	out := make([]coach.Event, 0, 4096)
	var kind, at sql.RawBytes // read in place: no string per row
	for rows.Next() {
		var e coach.Event
		if err := rows.Scan(&e.ID, &e.DealID, &kind, &e.From, &e.To, &at); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		e.Kind, e.At = funnelKind(kind), parseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// funnelKind is the event kind named by b, without allocating.
func funnelKind(b []byte) coach.EventKind {
	for _, k := range []coach.EventKind{coach.EvStage, coach.EvAmount, coach.EvCreated, coach.EvWon, coach.EvLost, coach.EvReopened} {
		if string(b) == string(k) {
			return k
		}
	}
	return coach.EventKind(b)
}

// RecordRun records the scheduled run key (job, period, recipient) and
// enqueues its messages, in one transaction; a run already recorded
// changes nothing and reports false. A run with no messages (nothing to
// say) is recorded all the same, so it is not run again in its period.
func (db *DB) RecordRun(ctx context.Context, key string, msgs ...OutboxMessage) (fresh bool, err error) {
	for _, m := range msgs {
		if m.IdemKey == "" || m.Platform == "" || m.Channel == "" {
			return false, fmt.Errorf("run %s: idempotency key, platform and channel are required", key)
		}
	}
	now := fmtTime(db.now())
	err = db.inTx(ctx, func(tx *wtx) error {
		res, err := tx.exec(ctx, "INSERT INTO job_runs (key, at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", key, now)
		if err != nil {
			return fmt.Errorf("record run %s: %w", key, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		fresh = true
		for _, m := range msgs {
			next := now
			if !m.NextAttemptAt.IsZero() {
				next = fmtTime(m.NextAttemptAt)
			}
			if m.Payload == nil {
				m.Payload = []byte{}
			}
			if _, err := tx.exec(ctx, `INSERT INTO outbox (idem_key, platform, channel, payload, next_attempt_at, created_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (idem_key) DO NOTHING`,
				m.IdemKey, m.Platform, m.Channel, m.Payload, next, now); err != nil {
				return fmt.Errorf("enqueue %s: %w", m.IdemKey, err)
			}
		}
		return nil
	})
	return fresh, err
}

// RunDone reports whether the scheduled run key has been recorded.
func (db *DB) RunDone(ctx context.Context, key string) (bool, error) {
	var one int
	err := db.row(ctx, "SELECT 1 FROM job_runs WHERE key = ?", key).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("run %s: %w", key, err)
	}
	return true, nil
}

// DoneRuns lists the recorded runs whose key starts with prefix.
func (db *DB) DoneRuns(ctx context.Context, prefix string) (map[string]bool, error) {
	rows, err := db.query(ctx, "SELECT key FROM job_runs WHERE key >= ? AND key < ?", prefix, prefix+"\uffff")
	if err != nil {
		return nil, fmt.Errorf("runs %s*: %w", prefix, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("scan run: %w", err)
		}
		out[k] = true
	}
	return out, rows.Err()
}

// nudgeCols are the columns of a deal a morning reminder reads: what the
// nudge rules and the reminder's lines need. OwnersNudgeDeals reads no
// others, since on 100,000 deals every column costs (each value read from
// SQLite takes its connection's mutex, twice or thrice).
const nudgeCols = `d.id, d.customer, d.title, d.owner_id, d.amount, d.currency, d.stage,
	d.next_step, d.next_step_due, d.expected_close, d.snoozed_until, d.stage_since, d.updated_at`

// ownersIn is the condition "d's owner is one of the JSON array ?1": one
// statement for any number of owners, each looked up in deals_owner.
const ownersIn = "d.owner_id IN (SELECT value FROM json_each(?1)) AND d.status = 'open'"

// ownerList is owners as the JSON array ownersIn takes.
func ownerList(owners []int64) string {
	b := make([]byte, 0, 8*len(owners)+2)
	b = append(b, '[')
	for i, id := range owners {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// OpenDealCounts counts each owner's open deals, from the index alone.
func (db *DB) OpenDealCounts(ctx context.Context) (map[int64]int, error) {
	rows, err := db.query(ctx, "SELECT owner_id, count(*) FROM deals WHERE status = 'open' GROUP BY owner_id")
	if err != nil {
		return nil, fmt.Errorf("count open deals: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var owner sql.NullInt64
		var n int
		if err := rows.Scan(&owner, &n); err != nil {
			return nil, fmt.Errorf("count open deals: %w", err)
		}
		out[owner.Int64] = n
	}
	return out, rows.Err()
}

// OwnersNudgeDeals lists the open deals of owners, ordered by owner and
// then id, for the morning reminders: Status is Open, and of the other
// fields only ID, Customer, Title, OwnerID, Amount, Currency, Stage,
// NextStep, NextStepDue, ExpectedClose, SnoozedUntil, StageSince and
// UpdatedAt are filled. The scheduler reads a few thousand deals at a time, so that a
// scan of everyone's deals never holds them all; n is how many are
// expected (see OpenDealCounts), the list's first capacity.
func (db *DB) OwnersNudgeDeals(ctx context.Context, owners []int64, n int) ([]coach.Deal, error) {
	rows, err := db.query(ctx, "SELECT "+nudgeCols+" FROM deals d WHERE "+ownersIn+" ORDER BY d.owner_id, d.id",
		ownerList(owners))
	if err != nil {
		return nil, fmt.Errorf("open deals of %d owners: %w", len(owners), err)
	}
	defer rows.Close()
	out := make([]coach.Deal, 0, n)
	var due, closeDate, snoozed, since, updated sql.RawBytes
	for rows.Next() {
		d := coach.Deal{Status: coach.Open}
		if err := rows.Scan(&d.ID, &d.Customer, &d.Title, &d.OwnerID, &d.Amount, &d.Currency, &d.Stage,
			&d.NextStep, &due, &closeDate, &snoozed, &since, &updated); err != nil {
			return nil, fmt.Errorf("scan open deal: %w", err)
		}
		d.NextStepDue, d.ExpectedClose, d.SnoozedUntil = dateOf(due), dateOf(closeDate), dateOf(snoozed)
		d.StageSince, d.UpdatedAt = parseTime(since), parseTime(updated)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("open deals of %d owners: %w", len(owners), err)
	}
	return out, nil
}

// OwnersOpenAnswers loads the coaching answers of owners' open deals, by
// deal id and question key.
func (db *DB) OwnersOpenAnswers(ctx context.Context, owners []int64) (map[int64]map[string]coach.Answer, error) {
	return db.openAnswers(ctx, "SELECT "+answerCols+" FROM answers a JOIN deals d ON d.id = a.deal_id WHERE "+ownersIn,
		ownerList(owners))
}
