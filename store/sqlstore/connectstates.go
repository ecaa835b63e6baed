package sqlstore

import (
	"context"

	"github.com/hostgate/hostgate/store"
)

// CreateConnectState implements [store.ConnectStates].
func (s *Store) CreateConnectState(ctx context.Context, c store.ConnectState) error {
	_, err := s.exec(ctx, "create connect state",
		`INSERT INTO connect_states (hash, user_id, session_hash, vendor, verifier, redirect_uri, return_to,
			connection_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Hash, c.UserID, c.SessionHash, c.Vendor, c.Verifier, c.RedirectURI, c.ReturnTo, c.ConnectionID,
		tv(c.CreatedAt), tv(c.ExpiresAt))
	return err
}

// ConsumeConnectState implements [store.ConnectStates] with one
// DELETE … RETURNING on the single write connection: exactly one caller
// gets the row.
func (s *Store) ConsumeConnectState(ctx context.Context, hash string) (store.ConnectState, error) {
	var c store.ConnectState
	err := s.w.QueryRowContext(ctx,
		`DELETE FROM connect_states WHERE hash = ? RETURNING hash, user_id, session_hash, vendor, verifier,
			redirect_uri, return_to, connection_id, created_at, expires_at`, hash).
		Scan(&c.Hash, &c.UserID, &c.SessionHash, &c.Vendor, &c.Verifier, &c.RedirectURI, &c.ReturnTo,
			&c.ConnectionID, tc(&c.CreatedAt), tc(&c.ExpiresAt))
	if err != nil {
		return store.ConnectState{}, wrap("consume connect state", err)
	}
	return c, nil
}
