package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hostgate/hostgate/store"
)

// The alert claims live in connection_alerts (migration 0012), whose
// trigger deletes a connection's claim in the same write that gives the
// connection any status but needs_reauth: the episode's end needs nothing
// from the code that writes connections.

const deadCols = `c.id, c.user_id, u.username, u.email, c.vendor, c.label, c.last_error, c.updated_at, c.team_id`

// The status is spelt out, not bound, so that SQLite can use the partial
// index connections_needs_host.
const (
	alertableSQL = `SELECT ` + deadCols + `
		FROM connections c JOIN users u ON u.id = c.user_id
		WHERE c.status = 'needs_reauth' AND c.last_error <> ? AND (u.disabled_at IS NULL OR c.team_id <> '')
		AND NOT EXISTS (SELECT 1 FROM connection_alerts a WHERE a.connection_id = c.id
			AND (a.outcome <> '' OR a.lease_until >= ?))
		ORDER BY c.status, c.updated_at, c.id LIMIT ?`
	claimTargetSQL = `SELECT ` + deadCols + `, c.status, u.disabled_at
		FROM connections c JOIN users u ON u.id = c.user_id WHERE c.id = ?`
	finishAlertSQL = `UPDATE connection_alerts SET outcome = ?, finished_at = ?
		WHERE connection_id = ? AND episode = ? AND owner = ? AND outcome = ''`
	releaseAlertSQL = `DELETE FROM connection_alerts
		WHERE connection_id = ? AND episode = ? AND owner = ? AND outcome = ''`
)

func scanDead(row interface{ Scan(...any) error }, extra ...any) (store.DeadConnection, error) {
	var d store.DeadConnection
	err := row.Scan(append([]any{&d.ConnectionID, &d.UserID, &d.Username, &d.Email, &d.Vendor,
		&d.Label, &d.Reason, tc(&d.Since), &d.TeamID}, extra...)...)
	return d, err
}

// ListAlertableConnections implements [store.ConnectionAlerts].
func (s *Store) ListAlertableConnections(ctx context.Context, now time.Time, limit int) ([]store.DeadConnection, error) {
	n, ok := limitArg(limit)
	if !ok {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, alertableSQL, store.UnopenableSecret, tn(now), n)
	if err != nil {
		return nil, wrap("list alertable connections", err)
	}
	defer rows.Close()
	var out []store.DeadConnection
	for rows.Next() {
		d, err := scanDead(rows)
		if err != nil {
			return nil, wrap("list alertable connections", err)
		}
		out = append(out, d)
	}
	return out, wrap("list alertable connections", rows.Err())
}

// ClaimConnectionAlert implements [store.ConnectionAlerts]. It reads and
// writes in one write transaction holding the connection's row (on
// SQLite the single writer's lock, on Postgres FOR UPDATE): a second
// claimer, in this process or another, waits and reads the first one's
// claim, and a write that ends the episode is wholly before or after it.
func (s *Store) ClaimConnectionAlert(ctx context.Context, connectionID, owner, episode string, now, leaseUntil time.Time) (store.AlertClaim, error) {
	if owner == "" || episode == "" {
		return store.AlertClaim{}, errors.New("sqlstore: claim connection alert: owner and episode are required")
	}
	var claim store.AlertClaim
	err := s.write(ctx, func(tx *txn) error {
		if err := tx.lock(ctx, `SELECT id FROM connections WHERE id = ?`, connectionID); err != nil {
			return wrap("claim connection alert", err)
		}
		var status string
		var disabled time.Time
		d, err := scanDead(tx.QueryRowContext(ctx, claimTargetSQL, connectionID), &status, tc(&disabled))
		if err != nil {
			return wrap("claim connection alert", err)
		}
		// A team's account stays the team's when whoever connected it is
		// disabled; its owners are told.
		if status != string(store.StatusNeedsReauth) || d.Reason == store.UnopenableSecret || (!disabled.IsZero() && d.TeamID == "") {
			return fmt.Errorf("sqlstore: claim connection alert: the connection does not need its host: %w", store.ErrConflict)
		}
		if d.TeamID != "" {
			if d.OwnerEmails, err = ownerEmails(ctx, tx, d.TeamID); err != nil {
				return wrap("claim connection alert: owners", err)
			}
		}
		claim = store.AlertClaim{DeadConnection: d, Episode: episode, Owner: owner,
			ClaimedAt: utc(now), LeaseUntil: utc(leaseUntil), Claims: 1}
		var prevEpisode, outcome string
		var claims int
		var lease time.Time
		err = tx.QueryRowContext(ctx, `SELECT episode, claims, lease_until, outcome
			FROM connection_alerts WHERE connection_id = ?`, connectionID).Scan(&prevEpisode, &claims, tc(&lease), &outcome)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, `INSERT INTO connection_alerts
				(connection_id, episode, owner, claims, claimed_at, lease_until) VALUES (?, ?, ?, 1, ?, ?)`,
				connectionID, episode, owner, tn(now), tn(leaseUntil))
			return wrap("claim connection alert", err)
		case err != nil:
			return wrap("claim connection alert", err)
		case outcome != "" || !lease.Before(now):
			return fmt.Errorf("sqlstore: claim connection alert: already claimed: %w", store.ErrConflict)
		}
		// An abandoned claim: take it over, keeping its episode.
		claim.Episode, claim.Claims = prevEpisode, claims+1
		_, err = tx.ExecContext(ctx, `UPDATE connection_alerts
			SET owner = ?, claims = ?, claimed_at = ?, lease_until = ? WHERE connection_id = ?`,
			owner, claim.Claims, tn(now), tn(leaseUntil), connectionID)
		return wrap("claim connection alert", err)
	})
	if err != nil {
		return store.AlertClaim{}, err
	}
	return claim, nil
}

// FinishConnectionAlert implements [store.ConnectionAlerts].
func (s *Store) FinishConnectionAlert(ctx context.Context, connectionID, episode, owner string, outcome store.AlertOutcome, at time.Time) error {
	if outcome != store.AlertSent && outcome != store.AlertFailed {
		return fmt.Errorf("sqlstore: finish connection alert: unknown outcome %q", outcome)
	}
	n, err := s.exec(ctx, "finish connection alert", finishAlertSQL, string(outcome), tn(at), connectionID, episode, owner)
	if err == nil && n == 0 {
		err = fmt.Errorf("sqlstore: finish connection alert: not this owner's claim: %w", store.ErrConflict)
	}
	return err
}

// ReleaseConnectionAlert implements [store.ConnectionAlerts].
func (s *Store) ReleaseConnectionAlert(ctx context.Context, connectionID, episode, owner string) error {
	n, err := s.exec(ctx, "release connection alert", releaseAlertSQL, connectionID, episode, owner)
	if err == nil && n == 0 {
		err = fmt.Errorf("sqlstore: release connection alert: not this owner's claim: %w", store.ErrConflict)
	}
	return err
}

// ownerEmails are the addresses of a team's owners who may be told: not
// disabled, with an address.
func ownerEmails(ctx context.Context, tx *txn, teamID string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT u.email FROM team_members m JOIN users u ON u.id = m.user_id
		WHERE m.team_id = ? AND m.role = 'owner' AND u.email <> '' AND u.disabled_at IS NULL ORDER BY u.email`, teamID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
