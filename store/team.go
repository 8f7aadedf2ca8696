package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/dealcoach/dealcoach/coach"
)

const teamCols = "id, name, tz, digest_platform, digest_channel, remind_hour, weekends, lang"

func scanTeam(row scanner) (coach.Team, error) {
	var t coach.Team
	err := row.Scan(&t.ID, &t.Name, &t.TZ, &t.DigestPlatform, &t.DigestChannel, &t.RemindHour, &t.Weekends, &t.Lang)
	return t, err
}

// CreateTeam adds a team; a name already used is a conflict. A zero
// RemindHour is taken as the default hour (09:00).
func (db *DB) CreateTeam(ctx context.Context, t coach.Team) (coach.Team, error) {
	if t.RemindHour == 0 {
		t.RemindHour = coach.DefaultRemindHour
	}
	err := db.inTx(ctx, func(tx *wtx) error {
		// Names are unique ignoring case, as TeamByName finds them.
		var one int
		switch err := tx.row(ctx, "SELECT 1 FROM teams WHERE name = ? COLLATE NOCASE", t.Name).Scan(&one); {
		case err == nil:
			return coach.Errorf(coach.Conflict, "err.team_exists", "name", t.Name)
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("check team name %q: %w", t.Name, err)
		}
		res, err := tx.exec(ctx, `INSERT INTO teams (name, tz, digest_platform, digest_channel, remind_hour, weekends, lang, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			t.Name, t.TZ, t.DigestPlatform, t.DigestChannel, t.RemindHour, t.Weekends, t.Lang, fmtTime(db.now()))
		if isUnique(err) {
			return coach.Errorf(coach.Conflict, "err.team_exists", "name", t.Name)
		}
		if err != nil {
			return fmt.Errorf("insert team %q: %w", t.Name, err)
		}
		t.ID, err = res.LastInsertId()
		return err
	})
	return t, err
}

// UpdateTeam stores a team's name, zone, language, digest channel and
// reminder settings.
func (db *DB) UpdateTeam(ctx context.Context, t coach.Team) error {
	return db.inTx(ctx, func(tx *wtx) error {
		res, err := tx.exec(ctx, `UPDATE teams SET name = ?, tz = ?, digest_platform = ?, digest_channel = ?,
			remind_hour = ?, weekends = ?, lang = ? WHERE id = ?`,
			t.Name, t.TZ, t.DigestPlatform, t.DigestChannel, t.RemindHour, t.Weekends, t.Lang, t.ID)
		if isUnique(err) {
			return coach.Errorf(coach.Conflict, "err.team_exists", "name", t.Name)
		}
		if err != nil {
			return fmt.Errorf("update team %d: %w", t.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return coach.Errorf(coach.NotFound, "err.team_not_found", "name", t.Name)
		}
		return nil
	})
}

// Team loads a team by id.
func (db *DB) Team(ctx context.Context, id int64) (coach.Team, error) {
	t, err := scanTeam(db.row(ctx, "SELECT "+teamCols+" FROM teams WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, coach.Errorf(coach.NotFound, "err.team_not_found", "name", fmt.Sprintf("%d", id))
	}
	if err != nil {
		return t, fmt.Errorf("load team %d: %w", id, err)
	}
	return t, nil
}

// TeamByName loads a team by its name, ignoring case.
func (db *DB) TeamByName(ctx context.Context, name string) (coach.Team, error) {
	t, err := scanTeam(db.row(ctx, "SELECT "+teamCols+" FROM teams WHERE name = ? COLLATE NOCASE", name))
	if errors.Is(err, sql.ErrNoRows) {
		return t, coach.Errorf(coach.NotFound, "err.team_not_found", "name", name)
	}
	if err != nil {
		return t, fmt.Errorf("load team %q: %w", name, err)
	}
	return t, nil
}

// Teams lists all teams in id order.
func (db *DB) Teams(ctx context.Context) ([]coach.Team, error) {
	rows, err := db.query(ctx, "SELECT "+teamCols+" FROM teams ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	defer rows.Close()
	var out []coach.Team
	for rows.Next() {
		t, err := scanTeam(rows)
		if err != nil {
			return nil, fmt.Errorf("scan team: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// JoinTeam puts a person in a team with a role ("" keeps theirs), and
// their deals with them, so that the team's manager sees them and the
// team's digest counts them. A person is in one team at a time.
func (db *DB) JoinTeam(ctx context.Context, personID, teamID int64, role coach.Role) error {
	return db.inTx(ctx, func(tx *wtx) error {
		res, err := tx.exec(ctx, "UPDATE people SET team_id = ?, role = coalesce(nullif(?, ''), role) WHERE id = ?",
			teamID, string(role), personID)
		if err != nil {
			return fmt.Errorf("person %d joins team %d: %w", personID, teamID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return coach.Errorf(coach.NotFound, "err.person_not_found", "id", personID)
		}
		if _, err := tx.exec(ctx, "UPDATE deals SET team_id = ? WHERE owner_id = ?", teamID, personID); err != nil {
			return fmt.Errorf("move deals of person %d to team %d: %w", personID, teamID, err)
		}
		return nil
	})
}

// LeaveTeam takes a person out of their team; a manager becomes a rep
// (an admin stays admin). Their deals stay with the team.
func (db *DB) LeaveTeam(ctx context.Context, personID int64) error {
	return db.inTx(ctx, func(tx *wtx) error {
		_, err := tx.exec(ctx, `UPDATE people SET team_id = NULL,
			role = CASE role WHEN 'manager' THEN 'rep' ELSE role END WHERE id = ?`, personID)
		if err != nil {
			return fmt.Errorf("person %d leaves their team: %w", personID, err)
		}
		return nil
	})
}

// SetTarget sets a team's target for a quarter ("2026-Q4").
func (db *DB) SetTarget(ctx context.Context, teamID int64, quarter string, amount coach.Money) error {
	return db.inTx(ctx, func(tx *wtx) error {
		_, err := tx.exec(ctx, `INSERT INTO team_targets (team_id, quarter, amount) VALUES (?, ?, ?)
			ON CONFLICT (team_id, quarter) DO UPDATE SET amount = excluded.amount`, teamID, quarter, int64(amount))
		if err != nil {
			return fmt.Errorf("set target of team %d for %s: %w", teamID, quarter, err)
		}
		return nil
	})
}

// Target is a team's target for a quarter; ok is false when none is set.
func (db *DB) Target(ctx context.Context, teamID int64, quarter string) (amount coach.Money, ok bool, err error) {
	err = db.row(ctx, "SELECT amount FROM team_targets WHERE team_id = ? AND quarter = ?", teamID, quarter).Scan(&amount)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("target of team %d for %s: %w", teamID, quarter, err)
	}
	return amount, true, nil
}

// PeopleByName lists the people of a platform called name (ignoring
// case), in id order: none, one, or several to choose between.
func (db *DB) PeopleByName(ctx context.Context, platform, name string) ([]coach.Person, error) {
	return db.queryPeople(ctx, "SELECT "+personCols+" FROM people WHERE platform = ? AND name = ? COLLATE NOCASE ORDER BY id",
		platform, name)
}
