package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// ClaimRenewal implements [store.RenewalLeases]. It decides in one write
// transaction holding the connection's row (on SQLite the single writer's
// lock, on Postgres FOR UPDATE), so a second claimer, in this process or
// another, waits for the first one's commit and reads its lease; a save of
// the connection is wholly before the claim (the claim sees the new
// version) or after it (the save ends the lease). The transaction holds
// nothing once the claim is decided: the vendor call comes after.
func (s *Store) ClaimRenewal(ctx context.Context, connectionID, owner string, version int64, now, until time.Time) (bool, error) {
	if owner == "" {
		return false, errors.New("sqlstore: claim renewal: an owner is required")
	}
	var won bool
	err := s.write(ctx, func(tx *txn) error {
		won = false // a retried transaction decides afresh
		var cur int64
		err := tx.QueryRowContext(ctx, `SELECT version FROM connections WHERE id = ?`+tx.d.forUpdate, connectionID).Scan(&cur)
		if err != nil {
			return wrap("claim renewal", err)
		}
		if cur != version {
			return nil
		}
		var holder string
		var held int64
		var lease time.Time
		err = tx.QueryRowContext(ctx, `SELECT owner, version, lease_until FROM connection_renewals
			WHERE connection_id = ?`, connectionID).Scan(&holder, &held, tc(&lease))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, `INSERT INTO connection_renewals (connection_id, owner, version, lease_until)
				VALUES (?, ?, ?, ?)`, connectionID, owner, version, tn(until))
			won = err == nil
			return wrap("claim renewal", err)
		case err != nil:
			return wrap("claim renewal", err)
		case holder != owner && held == version && !lease.Before(now):
			return nil // another process is renewing this credential
		}
		_, err = tx.ExecContext(ctx, `UPDATE connection_renewals SET owner = ?, version = ?, lease_until = ?
			WHERE connection_id = ?`, owner, version, tn(until), connectionID)
		won = err == nil
		return wrap("claim renewal", err)
	})
	if err != nil {
		return false, err
	}
	return won, nil
}

// ReleaseRenewal implements [store.RenewalLeases].
func (s *Store) ReleaseRenewal(ctx context.Context, connectionID, owner string) error {
	_, err := s.exec(ctx, "release renewal", `DELETE FROM connection_renewals
		WHERE connection_id = ? AND owner = ?`, connectionID, owner)
	return err
}
