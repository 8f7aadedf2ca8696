package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/dealcoach/dealcoach/coach"
)

const personCols = "id, platform, platform_id, name, tz, lang, role, coalesce(team_id, 0), coach_now"

// personColsOf is personCols of table alias a.
func personColsOf(a string) string {
	return a + ".id, " + a + ".platform, " + a + ".platform_id, " + a + ".name, " + a + ".tz, " + a + ".lang, " +
		a + ".role, coalesce(" + a + ".team_id, 0), " + a + ".coach_now"
}

// scanPerson scans personCols, then any more columns into more.
func scanPerson(row interface{ Scan(...any) error }, more ...any) (coach.Person, error) {
	var p coach.Person
	var role string
	dst := append([]any{&p.ID, &p.Platform, &p.PlatformID, &p.Name, &p.TZ, &p.Lang, &role, &p.TeamID, &p.CoachNow}, more...)
	err := row.Scan(dst...)
	p.Role = coach.Role(role)
	return p, err
}

// EnsurePerson returns the person known by p.Platform and p.PlatformID,
// creating them from p on first contact. An existing person keeps their
// stored fields, except that an empty name is filled in.
func (db *DB) EnsurePerson(ctx context.Context, p coach.Person) (coach.Person, error) {
	if p.Role == "" {
		p.Role = coach.Rep
	}
	// Almost every message comes from someone known: read first, so that
	// only a first contact costs a write transaction.
	const byPlatform = "SELECT " + personCols + " FROM people WHERE platform = ? AND platform_id = ?"
	out, err := scanPerson(db.row(ctx, byPlatform, p.Platform, p.PlatformID))
	if err == nil {
		return out, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return out, fmt.Errorf("load person %s/%s: %w", p.Platform, p.PlatformID, err)
	}
	err = db.inTx(ctx, func(tx *wtx) error {
		_, err := tx.exec(ctx, `INSERT INTO people (platform, platform_id, name, tz, lang, role, team_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, nullif(?, 0), ?) ON CONFLICT (platform, platform_id) DO NOTHING`,
			p.Platform, p.PlatformID, p.Name, p.TZ, p.Lang, string(p.Role), p.TeamID, fmtTime(db.now()))
		if err != nil {
			return fmt.Errorf("insert person %s/%s: %w", p.Platform, p.PlatformID, err)
		}
		out, err = scanPerson(tx.row(ctx, byPlatform, p.Platform, p.PlatformID))
		if err != nil {
			return fmt.Errorf("load person %s/%s: %w", p.Platform, p.PlatformID, err)
		}
		return nil
	})
	return out, err
}

// UpdatePerson stores a person's name, zone, language, role, team and
// coaching preference.
func (db *DB) UpdatePerson(ctx context.Context, p coach.Person) error {
	return db.inTx(ctx, func(tx *wtx) error {
		res, err := tx.exec(ctx, `UPDATE people SET name = ?, tz = ?, lang = ?, role = ?, team_id = nullif(?, 0),
			coach_now = ? WHERE id = ?`, p.Name, p.TZ, p.Lang, string(p.Role), p.TeamID, p.CoachNow, p.ID)
		if err != nil {
			return fmt.Errorf("update person %d: %w", p.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return coach.Errorf(coach.NotFound, "err.person_not_found", "id", p.ID)
		}
		return nil
	})
}

// Person loads a person by id.
func (db *DB) Person(ctx context.Context, id int64) (coach.Person, error) {
	p, err := scanPerson(db.row(ctx, "SELECT "+personCols+" FROM people WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, coach.Errorf(coach.NotFound, "err.person_not_found", "id", id)
	}
	if err != nil {
		return p, fmt.Errorf("load person %d: %w", id, err)
	}
	return p, nil
}

// People lists everyone, in id order.
func (db *DB) People(ctx context.Context) ([]coach.Person, error) {
	return db.queryPeople(ctx, "SELECT "+personCols+" FROM people ORDER BY id")
}

func (db *DB) queryPeople(ctx context.Context, q string, args ...any) ([]coach.Person, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list people: %w", err)
	}
	defer rows.Close()
	var out []coach.Person
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, fmt.Errorf("scan person: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
