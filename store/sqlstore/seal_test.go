package sqlstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

func conn(id, userID, secret string) store.Connection {
	return store.Connection{ID: id, UserID: userID, Vendor: "hostaway", AccountID: "acct-" + id,
		Label: "LABEL-" + id, AuthKind: store.AuthOAuth, Secret: []byte(secret),
		Status: store.StatusOK, CreatedAt: time.Now()}
}

func seedUsers(t *testing.T, s *Store, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if err := s.CreateUser(t.Context(), store.User{ID: id, Username: id}); err != nil {
			t.Fatal(err)
		}
	}
}

// dbFiles returns the bytes of the database and its WAL and shared-memory
// files, whichever exist.
func dbFiles(t testing.TB, path string) []byte {
	t.Helper()
	var all []byte
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		b, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

func TestNoSecretPlaintextOnDisk(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "hostgate.db")
	s := openAt(t, path, keyring(t, "k1"), options{})
	seedUsers(t, s, "u1")
	var secrets []string
	for i := range 20 {
		id := fmt.Sprintf("k%d", i)
		secret := fmt.Sprintf(`{"refresh_token":"SECRET-PLAINTEXT-%d-%s"}`, i, bytes.Repeat([]byte("x"), i*50))
		secrets = append(secrets, secret)
		if err := s.CreateConnection(ctx, conn(id, "u1", secret)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateConnection(ctx, id, func(c store.Connection) (store.Connection, error) {
			c.Secret = []byte(secret + "-ROTATED")
			return c, nil
		}); err != nil {
			t.Fatal(err)
		}
		// A vendor OAuth flow in progress: its PKCE verifier is sealed too.
		st := store.ConnectState{Hash: "state-" + id, UserID: "u1", SessionHash: "s", Vendor: "hostex",
			Verifier: fmt.Sprintf("SECRET-PLAINTEXT-VERIFIER-%d", i), CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Minute)}
		if err := s.CreateConnectState(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.ConsumeConnectState(ctx, "state-k3"); err != nil || got.Verifier != "SECRET-PLAINTEXT-VERIFIER-3" {
		t.Fatalf("verifier round trip: %q, %v", got.Verifier, err)
	}
	look := func(when string) {
		files := dbFiles(t, path)
		// The control: the label, not a secret, is found in the same bytes.
		if !bytes.Contains(files, []byte("LABEL-k7")) {
			t.Fatalf("%s: the files do not hold the label either; the test reads the wrong bytes", when)
		}
		if bytes.Contains(files, []byte("SECRET-PLAINTEXT")) {
			t.Fatalf("%s: a connection secret is in the database files in plaintext", when)
		}
	}
	look("before checkpoint") // the new pages are still in the WAL
	if _, err := s.w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	look("after checkpoint")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	look("after close")
}

// A sealed secret moved to another row does not open there.
func TestSealedSecretBoundToRow(t *testing.T) {
	ctx := t.Context()
	s := openTemp(t)
	seedUsers(t, s, "u1", "u2")
	for _, c := range []store.Connection{conn("k1", "u1", "one"), conn("k2", "u2", "two"), conn("k3", "u1", "three")} {
		if err := s.CreateConnection(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	// Swap k1's and k2's blobs (another user), and give k3 k1's old one
	// (same user, another row).
	blobs := map[string][]byte{}
	for _, id := range []string{"k1", "k2"} {
		var b []byte
		if err := s.w.QueryRowContext(ctx, `SELECT secret FROM connections WHERE id = ?`, id).Scan(&b); err != nil {
			t.Fatal(err)
		}
		blobs[id] = b
	}
	setBlob := func(id string, b []byte) {
		t.Helper()
		if _, err := s.w.ExecContext(ctx, `UPDATE connections SET secret = ? WHERE id = ?`, b, id); err != nil {
			t.Fatal(err)
		}
	}
	setBlob("k1", blobs["k2"])
	setBlob("k2", blobs["k1"])
	setBlob("k3", blobs["k1"])
	for _, id := range []string{"k1", "k2", "k3"} {
		c, err := s.GetConnection(ctx, id)
		wantUnopenable(t, "GetConnection "+id+" with a moved blob", c, err)
	}
	list, err := s.ListConnections(ctx, "u1")
	if err != nil || len(list) != 2 {
		t.Fatalf("ListConnections with moved blobs = %d, %v; want both, marked", len(list), err)
	}
	for _, c := range list {
		wantUnopenable(t, "ListConnections "+c.ID, c, nil)
	}

	// A blob tampered with in place does not open either.
	if err := s.CreateConnection(ctx, conn("k4", "u1", "four")); err != nil {
		t.Fatal(err)
	}
	var b []byte
	if err := s.w.QueryRowContext(ctx, `SELECT secret FROM connections WHERE id = 'k4'`).Scan(&b); err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	setBlob("k4", b)
	c, err := s.GetConnection(ctx, "k4")
	wantUnopenable(t, "GetConnection of a tampered blob", c, err)
}

func TestKeyRotation(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "hostgate.db")
	s := openAt(t, path, keyring(t, "old"), options{})
	seedUsers(t, s, "u1")
	if err := s.CreateConnection(ctx, conn("k1", "u1", "sealed under old")); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// A keyring without the old key cannot open it.
	s = openAt(t, path, keyring(t, "new"), options{})
	c, err := s.GetConnection(ctx, "k1")
	wantUnopenable(t, "GetConnection without its key", c, err)
	s.Close()

	// With both, it opens, and a rewrite seals it under the new key.
	s = openAt(t, path, keyring(t, "new", "old"), options{})
	defer s.Close()
	c, err = s.GetConnection(ctx, "k1")
	if err != nil || string(c.Secret) != "sealed under old" {
		t.Fatalf("GetConnection with both keys = %q, %v", c.Secret, err)
	}
	if _, err := s.UpdateConnection(ctx, c.ID, func(c store.Connection) (store.Connection, error) { return c, nil }); err != nil {
		t.Fatal(err)
	}
	var keyID string
	if err := s.r.QueryRowContext(ctx, `SELECT secret_key_id FROM connections WHERE id = 'k1'`).Scan(&keyID); err != nil {
		t.Fatal(err)
	}
	if keyID != "new" {
		t.Errorf("rewritten secret is under key %q, want new", keyID)
	}
}

// BenchmarkUpdateConnection measures one update-through-a-function commit
// (the write that persists a rotated vendor token) under synchronous=FULL
// and NORMAL.
func BenchmarkUpdateConnection(b *testing.B) {
	for _, sync := range []string{"FULL", "NORMAL"} {
		b.Run(sync, func(b *testing.B) {
			ctx := context.Background()
			s := openAt(b, filepath.Join(b.TempDir(), "bench.db"), keyring(b, "k1"), options{synchronous: sync})
			defer s.Close()
			if err := s.CreateUser(ctx, store.User{ID: "u1", Username: "u1"}); err != nil {
				b.Fatal(err)
			}
			if err := s.CreateConnection(ctx, conn("k1", "u1", "secret")); err != nil {
				b.Fatal(err)
			}
			renew := func(c store.Connection) (store.Connection, error) {
				c.Secret = []byte(`{"access_token":"a","refresh_token":"r"}`)
				return c, nil
			}
			for b.Loop() {
				if _, err := s.UpdateConnection(ctx, "k1", renew); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGetToken measures the hot path of every MCP request.
func BenchmarkGetToken(b *testing.B) {
	ctx := context.Background()
	s := openAt(b, filepath.Join(b.TempDir(), "bench.db"), keyring(b, "k1"), options{})
	defer s.Close()
	now := time.Now()
	if err := s.CreateUser(ctx, store.User{ID: "u1", Username: "u1"}); err != nil {
		b.Fatal(err)
	}
	if err := s.CreateClient(ctx, store.Client{ID: "c1", CreatedAt: now}); err != nil {
		b.Fatal(err)
	}
	code := store.AuthCode{Hash: "code", ClientID: "c1", UserID: "u1", CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
	if err := s.CreateAuthCode(ctx, code); err != nil {
		b.Fatal(err)
	}
	g := store.Grant{ID: "g1", UserID: "u1", ClientID: "c1", Scopes: []string{"read", "write"}, CreatedAt: now}
	a := store.Token{Hash: store.Hash("a"), Kind: store.KindAccess, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	r := store.Token{Hash: store.Hash("r"), Kind: store.KindRefresh, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.RedeemAuthCode(ctx, "code", now, g, a, r); err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := s.GetToken(ctx, a.Hash); err != nil {
				b.Fatal(err)
			}
		}
	})
}
