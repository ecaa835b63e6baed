package sqlstore

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/hostgate/hostgate/store"
)

// sealedReturnPrefix marks a sign-in state's return path stored sealed in
// the return_to column. A return path in clear, as versions before this
// one wrote it, is a local path and so starts with "/": the two never
// mix up, and a row written before an upgrade still works for its ten
// minutes. A previous version reading a sealed one sees no local path and
// sends the host to "/" once signed in.
const sealedReturnPrefix = "sealed:"

// CreateSignInState implements [store.SignInStates]. The PKCE verifier and
// the return path (which may be a team invitation's link, /join/<token>)
// are sealed under one key, each bound to the state's hash and to what it
// is, so a sealed value copied to another row or column does not open.
func (s *Store) CreateSignInState(ctx context.Context, st store.SignInState) error {
	keyID, verifier, ret, err := s.sealSignIn(st.Hash, []byte(st.Verifier), []byte(st.ReturnTo))
	if err != nil {
		return fmt.Errorf("sqlstore: create sign-in state: %w", err)
	}
	_, err = s.exec(ctx, "create sign-in state",
		`INSERT INTO signin_states (hash, browser_hash, provider, nonce_hash, verifier, verifier_key, return_to,
			created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		st.Hash, st.BrowserHash, st.Provider, st.NonceHash, base64.StdEncoding.EncodeToString(verifier), keyID,
		ret, tv(st.CreatedAt), tv(st.ExpiresAt))
	return err
}

func signInVerifierAAD(hash string) []byte { return []byte("signin-state\x00" + hash) }
func signInReturnAAD(hash string) []byte   { return []byte("signin-return\x00" + hash) }

// sealSignIn seals a sign-in state's verifier and return path under the
// same key, since the row names one key (verifier_key) for both. The
// keyring may move to a new current key between two seals (hostgate keys
// rotate); then both are sealed again.
// It returns the sealed verifier's bytes and the return path as stored.
func (s *Store) sealSignIn(hash string, verifier, ret []byte) (keyID string, sealedVerifier []byte, storedRet string, err error) {
	for range 3 {
		vk, v, err := s.keys.Seal(verifier, signInVerifierAAD(hash))
		if err != nil {
			return "", nil, "", err
		}
		rk, r, err := s.keys.Seal(ret, signInReturnAAD(hash))
		if err != nil {
			return "", nil, "", err
		}
		if vk == rk {
			return vk, v, sealedReturnPrefix + base64.StdEncoding.EncodeToString(r), nil
		}
	}
	return "", nil, "", fmt.Errorf("the current sealing key keeps changing")
}

// openSignInReturn reads a stored return path: sealed, or in clear as a
// version before this one wrote it.
func (s *Store) openSignInReturn(hash, keyID, stored string) (string, error) {
	b64, sealed := strings.CutPrefix(stored, sealedReturnPrefix)
	if !sealed {
		return stored, nil
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return "", fmt.Errorf("%w: not base64", store.ErrSealed)
	}
	ret, err := s.keys.Open(keyID, raw, signInReturnAAD(hash))
	if err != nil {
		return "", err
	}
	return string(ret), nil
}

// ConsumeSignInState implements [store.SignInStates] with one
// DELETE … RETURNING on the single write connection: exactly one caller
// gets the row.
func (s *Store) ConsumeSignInState(ctx context.Context, hash string) (store.SignInState, error) {
	var st store.SignInState
	var sealed, keyID, ret string
	err := s.w.QueryRowContext(ctx,
		`DELETE FROM signin_states WHERE hash = ? RETURNING hash, browser_hash, provider, nonce_hash, verifier,
			verifier_key, return_to, created_at, expires_at`, hash).
		Scan(&st.Hash, &st.BrowserHash, &st.Provider, &st.NonceHash, &sealed, &keyID, &ret,
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
	if st.ReturnTo, err = s.openSignInReturn(st.Hash, keyID, ret); err != nil {
		return store.SignInState{}, fmt.Errorf("sqlstore: consume sign-in state: return path: %w", err)
	}
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
