package sqlstore

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/hostgate/hostgate/store"
)

// CreateSignInState implements [store.SignInStates]. The PKCE verifier is
// sealed, bound to the state's hash, so a sealed verifier copied to another
// row does not open.
func (s *Store) CreateSignInState(ctx context.Context, st store.SignInState) error {
	keyID, sealed, err := s.keys.Seal([]byte(st.Verifier), signInVerifierAAD(st.Hash))
	if err != nil {
		return fmt.Errorf("sqlstore: create sign-in state: %w", err)
	}
	_, err = s.exec(ctx, "create sign-in state",
		`INSERT INTO signin_states (hash, browser_hash, provider, nonce_hash, verifier, verifier_key, return_to,
			created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		st.Hash, st.BrowserHash, st.Provider, st.NonceHash, base64.StdEncoding.EncodeToString(sealed), keyID,
		st.ReturnTo, tv(st.CreatedAt), tv(st.ExpiresAt))
	return err
}

func signInVerifierAAD(hash string) []byte { return []byte("signin-state\x00" + hash) }

// ConsumeSignInState implements [store.SignInStates] with one
// DELETE … RETURNING on the single write connection: exactly one caller
// gets the row.
func (s *Store) ConsumeSignInState(ctx context.Context, hash string) (store.SignInState, error) {
	var st store.SignInState
	var sealed, keyID string
	err := s.w.QueryRowContext(ctx,
		`DELETE FROM signin_states WHERE hash = ? RETURNING hash, browser_hash, provider, nonce_hash, verifier,
			verifier_key, return_to, created_at, expires_at`, hash).
		Scan(&st.Hash, &st.BrowserHash, &st.Provider, &st.NonceHash, &sealed, &keyID, &st.ReturnTo,
			tc(&st.CreatedAt), tc(&st.ExpiresAt))
	if err != nil {
		return store.SignInState{}, wrap("consume sign-in state", err)
	}
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil {
		return store.SignInState{}, fmt.Errorf("sqlstore: consume sign-in state: %w", store.ErrSealed)
	}
	v, err := s.keys.Open(keyID, raw, signInVerifierAAD(st.Hash))
	if err != nil {
		return store.SignInState{}, fmt.Errorf("sqlstore: consume sign-in state: %w", err)
	}
	st.Verifier = string(v)
	return st, nil
}

// SetUserIdentity implements [store.Identities]. The partial unique index
// on (issuer, subject) refuses an identity another host has.
func (s *Store) SetUserIdentity(ctx context.Context, userID, issuer, subject string) error {
	if subject == "" {
		issuer = ""
	}
	return s.mustChange(ctx, "set user identity",
		`UPDATE users SET issuer = ?, subject = ? WHERE id = ?`, issuer, subject, userID)
}
