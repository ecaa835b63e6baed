package sqlstore

import (
	"encoding/base64"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// insertLegacySignInState writes a sign-in state as the version before the
// return path was sealed did: the verifier sealed, the return path in
// clear.
func insertLegacySignInState(t *testing.T, s *Store, hash, ret string) {
	t.Helper()
	keyID, sealed, err := s.keys.Seal([]byte("verifier-"+hash), signInVerifierAAD(hash))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := s.w.ExecContext(t.Context(), `INSERT INTO signin_states (hash, browser_hash, provider, nonce_hash,
		verifier, verifier_key, return_to, created_at, expires_at) VALUES (?, 'b', 'idp', 'n', ?, ?, ?, ?, ?)`,
		hash, base64.StdEncoding.EncodeToString(sealed), keyID, ret, now.UnixNano(), now.Add(10*time.Minute).UnixNano()); err != nil {
		t.Fatal(err)
	}
}

func storedReturn(t *testing.T, s *Store, hash string) string {
	t.Helper()
	var ret string
	if err := s.r.QueryRowContext(t.Context(), `SELECT return_to FROM signin_states WHERE hash = ?`, hash).Scan(&ret); err != nil {
		t.Fatal(err)
	}
	return ret
}

// TestSignInStateWrittenBeforeSealing: a row an earlier version wrote
// (return path in clear) still signs in where it should, and a key
// rotation's pass seals its return path.
func TestSignInStateWrittenBeforeSealing(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "hostgate.db")
	s := openAt(t, path, keyring(t, "a"), options{})
	insertLegacySignInState(t, s, "consumed", "/join/legacy-one")
	insertLegacySignInState(t, s, "resealed", "/join/legacy-two")
	got, err := s.ConsumeSignInState(ctx, "consumed")
	if err != nil || got.ReturnTo != "/join/legacy-one" || got.Verifier != "verifier-consumed" {
		t.Fatalf("legacy row = %q %q, %v", got.ReturnTo, got.Verifier, err)
	}
	s.Close()

	s = openAt(t, path, keyring(t, "b", "a"), options{})
	b, err := s.ResealSecrets(ctx, cursorSignIns, 10)
	if err != nil || b.Resealed != 1 || b.Unopenable != 0 {
		t.Fatalf("reseal = %+v, %v; want 1 re-sealed", b, err)
	}
	if ret := storedReturn(t, s, "resealed"); !strings.HasPrefix(ret, sealedReturnPrefix) || strings.Contains(ret, "legacy") {
		t.Fatalf("after the pass the return path is stored as %q, want it sealed", ret)
	}
	s.Close()
	s = openAt(t, path, keyring(t, "b"), options{})
	defer s.Close()
	got, err = s.ConsumeSignInState(ctx, "resealed")
	if err != nil || got.ReturnTo != "/join/legacy-two" {
		t.Fatalf("re-sealed legacy row = %q, %v", got.ReturnTo, err)
	}
}

// TestSignInReturnBoundToRow: a sealed return path moved to another row
// does not open there, and the state is refused rather than sending the
// host somewhere else.
func TestSignInReturnBoundToRow(t *testing.T) {
	ctx := t.Context()
	s := openTemp(t)
	for _, h := range []string{"h1", "h2"} {
		st := store.SignInState{Hash: h, BrowserHash: "b", Provider: "idp", NonceHash: "n", Verifier: "v-" + h,
			ReturnTo: "/join/" + h, CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Minute)}
		if err := s.CreateSignInState(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE signin_states SET return_to = ? WHERE hash = 'h2'`, storedReturn(t, s, "h1")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConsumeSignInState(ctx, "h2"); !errors.Is(err, store.ErrSealed) {
		t.Fatalf("a moved return path: err = %v, want ErrSealed", err)
	}
	if got, err := s.ConsumeSignInState(ctx, "h1"); err != nil || got.ReturnTo != "/join/h1" {
		t.Fatalf("the row left alone = %q, %v", got.ReturnTo, err)
	}
}
