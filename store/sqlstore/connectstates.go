package sqlstore

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/hostgate/hostgate/store"
)

// CreateConnectState implements [store.ConnectStates]. The PKCE verifier
// is sealed, bound to the state's hash.
func (s *Store) CreateConnectState(ctx context.Context, c store.ConnectState) error {
	keyID, sealed, err := s.keys.Seal([]byte(c.Verifier), verifierAAD(c.Hash))
	if err != nil {
		return fmt.Errorf("sqlstore: create connect state: %w", err)
	}
	_, err = s.exec(ctx, "create connect state",
		`INSERT INTO connect_states (hash, user_id, session_hash, vendor, verifier, verifier_key, redirect_uri, return_to,
			connection_id, team_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Hash, c.UserID, c.SessionHash, c.Vendor, base64.StdEncoding.EncodeToString(sealed), keyID, c.RedirectURI,
		c.ReturnTo, c.ConnectionID, c.TeamID, tv(c.CreatedAt), tv(c.ExpiresAt))
	return err
}

func verifierAAD(hash string) []byte { return []byte("connect-state\x00" + hash) }

// ConsumeConnectState implements [store.ConnectStates] with one
// DELETE … RETURNING on the single write connection: exactly one caller
// gets the row.
func (s *Store) ConsumeConnectState(ctx context.Context, hash string) (store.ConnectState, error) {
	var c store.ConnectState
	var sealed, keyID string
	err := s.w.QueryRowContext(ctx,
		`DELETE FROM connect_states WHERE hash = ? RETURNING hash, user_id, session_hash, vendor, verifier, verifier_key,
			redirect_uri, return_to, connection_id, team_id, created_at, expires_at`, hash).
		Scan(&c.Hash, &c.UserID, &c.SessionHash, &c.Vendor, &sealed, &keyID, &c.RedirectURI, &c.ReturnTo,
			&c.ConnectionID, &c.TeamID, tc(&c.CreatedAt), tc(&c.ExpiresAt))
	if err != nil {
		return store.ConnectState{}, wrap("consume connect state", err)
	}
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return store.ConnectState{}, fmt.Errorf("sqlstore: consume connect state: %w", store.ErrSealed)
	}
	v, err := s.keys.Open(keyID, raw, verifierAAD(c.Hash))
	if err != nil {
		return store.ConnectState{}, fmt.Errorf("sqlstore: consume connect state: %w", err)
	}
	c.Verifier = string(v)
	return c, nil
}
