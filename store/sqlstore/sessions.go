package sqlstore

import (
	"context"
	"time"

	"github.com/hostgate/hostgate/store"
)

// CreateSession implements [store.Sessions].
func (s *Store) CreateSession(ctx context.Context, b store.BrowserSession) error {
	_, err := s.exec(ctx, "create session",
		`INSERT INTO browser_sessions (hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		b.Hash, b.UserID, tv(b.CreatedAt), tv(b.ExpiresAt))
	return err
}

// GetSession implements [store.Sessions].
func (s *Store) GetSession(ctx context.Context, hash string) (store.BrowserSession, error) {
	var b store.BrowserSession
	err := s.r.QueryRowContext(ctx,
		`SELECT hash, user_id, created_at, expires_at FROM browser_sessions WHERE hash = ?`, hash).
		Scan(&b.Hash, &b.UserID, tc(&b.CreatedAt), tc(&b.ExpiresAt))
	if err != nil {
		return store.BrowserSession{}, wrap("get session", err)
	}
	return b, nil
}

// DeleteSession implements [store.Sessions].
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	return s.mustChange(ctx, "delete session", `DELETE FROM browser_sessions WHERE hash = ?`, hash)
}

// DeleteUserSessions implements [store.Sessions].
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) (int64, error) {
	return s.exec(ctx, "delete user sessions", `DELETE FROM browser_sessions WHERE user_id = ?`, userID)
}

var deleteExpiredSQL = []string{
	`DELETE FROM auth_codes WHERE expires_at < ?`,
	`DELETE FROM tokens WHERE expires_at < ?`,
	`DELETE FROM browser_sessions WHERE expires_at < ?`,
	`DELETE FROM connect_states WHERE expires_at < ?`,
	`DELETE FROM signin_states WHERE expires_at < ?`,
	`DELETE FROM consent_transactions WHERE expires_at < ?`,
	`DELETE FROM oneclick_codes WHERE expires_at < ?`,
	`DELETE FROM team_invites WHERE expires_at < ?`,
}

// DeleteExpired implements [store.Store]: codes, tokens, sessions, connect
// states, consent transactions and one-click codes whose
// expiry is before now, in one transaction. Rows with no expiry stay.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	err := s.write(ctx, func(tx *txn) error {
		total = 0 // a transaction run again counts afresh
		for _, q := range deleteExpiredSQL {
			res, err := tx.ExecContext(ctx, q, tn(now))
			if err != nil {
				return wrap("delete expired", err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return wrap("delete expired", err)
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return total, nil
}
