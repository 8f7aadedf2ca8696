package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/dealcoach/dealcoach/coach"
)

// SetTier sets a customer's key-account tier ("A", "B" or "C"), for all
// its deals.
func (db *DB) SetTier(ctx context.Context, customer, tier string) error {
	return db.inTx(ctx, func(tx *wtx) error {
		_, err := tx.exec(ctx, `INSERT INTO accounts (customer_norm, customer, tier, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (customer_norm) DO UPDATE SET customer = excluded.customer, tier = excluded.tier,
			updated_at = excluded.updated_at`, coach.NormalizeName(customer), customer, tier, fmtTime(db.now()))
		if err != nil {
			return fmt.Errorf("set tier of %q: %w", customer, err)
		}
		return nil
	})
}

// Tier is a customer's key-account tier, "" when none is set.
func (db *DB) Tier(ctx context.Context, customer string) (string, error) {
	var tier string
	err := db.row(ctx, "SELECT tier FROM accounts WHERE customer_norm = ?", coach.NormalizeName(customer)).Scan(&tier)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("tier of %q: %w", customer, err)
	}
	return tier, nil
}

// Tiers lists every customer's tier by normalised name (coach.NormalizeName).
func (db *DB) Tiers(ctx context.Context) (map[string]string, error) {
	rows, err := db.query(ctx, "SELECT customer_norm, tier FROM accounts")
	if err != nil {
		return nil, fmt.Errorf("list tiers: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var norm, tier string
		if err := rows.Scan(&norm, &tier); err != nil {
			return nil, fmt.Errorf("scan tier: %w", err)
		}
		out[norm] = tier
	}
	return out, rows.Err()
}
