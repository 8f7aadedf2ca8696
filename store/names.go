package store

import (
	"context"
	"fmt"
)

// DealName is what the chat needs to find a deal by name in a message.
type DealName struct {
	ID              int64
	Customer, Title string
}

// OpenDealNames lists the names of open deals: of one owner (ownerID), of
// one team (teamID), or of everyone (both 0), at most limit of them. It
// reads two columns through the owner or team index, not whole rows: the
// chat reads a speaker's names to find deals anywhere in a message.
func (db *DB) OpenDealNames(ctx context.Context, ownerID, teamID int64, limit int) ([]DealName, error) {
	q := "SELECT id, customer, title FROM deals WHERE status = 'open'"
	var args []any
	switch {
	case ownerID != 0:
		q += " AND owner_id = ?"
		args = append(args, ownerID)
	case teamID != 0:
		q += " AND team_id = ?"
		args = append(args, teamID)
	}
	q += " LIMIT ?"
	args = append(args, limit)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("deal names: %w", err)
	}
	defer rows.Close()
	var out []DealName
	for rows.Next() {
		var n DealName
		if err := rows.Scan(&n.ID, &n.Customer, &n.Title); err != nil {
			return nil, fmt.Errorf("deal names: %w", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("deal names: %w", err)
	}
	return out, nil
}
