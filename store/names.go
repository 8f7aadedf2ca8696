package store

import (
	"context"
	"database/sql"
	"fmt"
)

// DealNames is the names of open deals, packed in one buffer so that a
// thousand of them cost a few allocations, not two strings each: deal i is
// ID[i], its customer Text[End[2i-1]:End[2i]] and its title
// Text[End[2i]:End[2i+1]] (End[-1] being 0). Name reads them.
type DealNames struct {
	ID   []int64
	Text []byte
	End  []int32
}

// Len is the number of deals.
func (n *DealNames) Len() int { return len(n.ID) }

// Name is deal i's id, customer and title (slices of Text).
func (n *DealNames) Name(i int) (id int64, customer, title []byte) {
	start := int32(0)
	if i > 0 {
		start = n.End[2*i-1]
	}
	return n.ID[i], n.Text[start:n.End[2*i]], n.Text[n.End[2*i]:n.End[2*i+1]]
}

// OpenDealNames lists the names of open deals: of one owner (ownerID), of
// one team (teamID), or of everyone (both 0), at most limit of them. The
// chat reads a speaker's names to find deals anywhere in a message: the
// owner and team indexes hold the names (migration 0012), so the rows
// themselves are not read.
func (db *DB) OpenDealNames(ctx context.Context, ownerID, teamID int64, limit int) (DealNames, error) {
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
		return DealNames{}, fmt.Errorf("deal names: %w", err)
	}
	defer rows.Close()
	var out DealNames
	var id int64
	var cust, title sql.RawBytes // reused from row to row
	for rows.Next() {
		if err := rows.Scan(&id, &cust, &title); err != nil {
			return DealNames{}, fmt.Errorf("deal names: %w", err)
		}
		if out.ID == nil {
			out.ID, out.Text, out.End = make([]int64, 0, 64), make([]byte, 0, 64*32), make([]int32, 0, 128)
		}
		out.ID = append(out.ID, id)
		out.Text = append(out.Text, cust...)
		out.End = append(out.End, int32(len(out.Text)))
		out.Text = append(out.Text, title...)
		out.End = append(out.End, int32(len(out.Text)))
	}
	if err := rows.Err(); err != nil {
		return DealNames{}, fmt.Errorf("deal names: %w", err)
	}
	return out, nil
}
