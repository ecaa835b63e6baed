package sqlstore

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/storetest"
)

func TestRekeyingConformance(t *testing.T) {
	storetest.RunRekeying(t, func(t *testing.T) storetest.Reopen {
		path := filepath.Join(t.TempDir(), "hostgate.db")
		return func(t *testing.T, keys *store.Keyring) store.Store {
			return openAt(t, path, keys, options{})
		}
	})
}

// wantUnopenable checks that a connection whose secret does not open was
// read without an error, needing the host, without a secret.
func wantUnopenable(t *testing.T, what string, c store.Connection, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v, want the connection marked", what, err)
	}
	if c.Status != store.StatusNeedsReauth || c.LastError != store.UnopenableSecret || len(c.Secret) != 0 {
		t.Errorf("%s: %s %q with %d secret bytes, want needs_reauth, %q and none", what, c.Status, c.LastError, len(c.Secret), store.UnopenableSecret)
	}
}

// storedRow is a connection's row as it is on disk.
func storedRow(t *testing.T, s *Store, id string) (keyID string, sealed []byte, status string, version int64) {
	t.Helper()
	err := s.w.QueryRowContext(context.Background(), `SELECT secret_key_id, secret, status, version FROM connections WHERE id = ?`, id).
		Scan(&keyID, &sealed, &status, &version)
	if err != nil {
		t.Fatal(err)
	}
	return keyID, sealed, status, version
}

// TestResealSkipsRowChangedMeanwhile: a connection rewritten by a server
// between the re-seal reading it and writing it keeps the server's write;
// the re-seal counts it as skipped.
func TestResealSkipsRowChangedMeanwhile(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "hostgate.db")
	old := openAt(t, path, keyring(t, "old"), options{})
	defer old.Close()
	seedUsers(t, old, "u1")
	for _, id := range []string{"a", "b"} {
		if err := old.CreateConnection(ctx, conn(id, "u1", "secret-"+id)); err != nil {
			t.Fatal(err)
		}
	}
	s := openAt(t, path, keyring(t, "new", "old"), options{})
	defer s.Close()
	// The server, still sealing under the old key, renews "a" at the worst
	// moment.
	resealHook = func() {
		resealHook = nil
		if _, err := old.UpdateConnection(ctx, "a", func(c store.Connection) (store.Connection, error) {
			c.Secret = []byte("renewed-a")
			return c, nil
		}); err != nil {
			t.Error(err)
		}
	}
	defer func() { resealHook = nil }()
	b, err := s.ResealSecrets(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if b.Resealed != 1 || b.Skipped != 1 {
		t.Fatalf("batch = %+v, want b re-sealed and a skipped", b)
	}
	if keyID, _, _, v := storedRow(t, s, "b"); keyID != "new" || v != 1 {
		t.Errorf("b: key %q version %d, want new and its version unchanged", keyID, v)
	}
	c, err := s.GetConnection(ctx, "a")
	if err != nil || string(c.Secret) != "renewed-a" || c.Version != 2 {
		t.Fatalf("a = %q version %d, %v; want the server's renewal kept", c.Secret, c.Version, err)
	}
	// The next pass takes it.
	if b, err = s.ResealSecrets(ctx, "", 10); err != nil || b.Resealed != 1 {
		t.Fatalf("next pass = %+v, %v", b, err)
	}
	if keyID, _, _, _ := storedRow(t, s, "a"); keyID != "new" {
		t.Errorf("a: key %q after the next pass", keyID)
	}
}

// TestUnopenableMarkStored: the mark is written to the row, the sealed value
// stays byte for byte, and an update without a new secret keeps it.
func TestUnopenableMarkStored(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "hostgate.db")
	lost := openAt(t, path, keyring(t, "lost"), options{})
	defer lost.Close()
	seedUsers(t, lost, "u1")
	if err := lost.CreateConnection(ctx, conn("k1", "u1", "secret")); err != nil {
		t.Fatal(err)
	}
	_, sealed, _, _ := storedRow(t, lost, "k1")
	s := openAt(t, path, keyring(t, "other"), options{})
	defer s.Close()
	c, err := s.GetConnection(ctx, "k1")
	wantUnopenable(t, "GetConnection", c, err)
	keyID, now, status, v := storedRow(t, s, "k1")
	if keyID != "lost" || !bytes.Equal(now, sealed) || status != string(store.StatusNeedsReauth) || v != 2 || c.Version != 2 {
		t.Fatalf("stored: key %q, sealed kept %v, status %s, version %d (read %d)", keyID, bytes.Equal(now, sealed), status, v, c.Version)
	}
	// Reading it again writes nothing more.
	if _, err := s.ListConnections(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if _, _, _, v := storedRow(t, s, "k1"); v != 2 {
		t.Fatalf("version %d after another read, want 2", v)
	}
	if _, err := s.UpdateConnection(ctx, "k1", func(c store.Connection) (store.Connection, error) {
		c.Label = "x"
		return c, nil
	}); err != nil {
		t.Fatal(err)
	}
	if keyID, now, _, _ := storedRow(t, s, "k1"); keyID != "lost" || !bytes.Equal(now, sealed) {
		t.Fatalf("an update without a secret replaced the sealed value")
	}
}
