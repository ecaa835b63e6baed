package main

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore"
)

// legacyRing is the keyring hostgate built from its one master key before
// key sets: secrets sealed by it must keep opening.
func legacyRing(t *testing.T, master []byte) *store.Keyring {
	t.Helper()
	seal, err := hkdf.Key(sha256.New, master, nil, "hostgate seal v1", store.KeySize)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(seal)
	id := hex.EncodeToString(sum[:4])
	ring, err := store.NewKeyring(id, map[string][]byte{id: seal})
	if err != nil {
		t.Fatal(err)
	}
	return ring
}

// TestExistingDeploymentKeepsOpening: a database sealed under a one-key
// deployment opens unchanged with that key alone, and as the older key of
// a set.
func TestExistingDeploymentKeepsOpening(t *testing.T) {
	ctx := context.Background()
	master := bytes.Repeat([]byte{5}, store.KeySize)
	path := filepath.Join(t.TempDir(), "hostgate.db")
	st, err := sqlstore.Open(ctx, path, legacyRing(t, master))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateUser(ctx, store.User{ID: "u", Username: "u"}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateConnection(ctx, store.Connection{ID: "c", UserID: "u", Vendor: "hostex", Secret: []byte("s"), Status: store.StatusOK}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, masters := range [][][]byte{{master}, {bytes.Repeat([]byte{6}, store.KeySize), master}} {
		k, err := deriveKeys(keySet{masters: masters})
		if err != nil {
			t.Fatal(err)
		}
		st, err := sqlstore.Open(ctx, path, k.ring)
		if err != nil {
			t.Fatal(err)
		}
		c, err := st.GetConnection(ctx, "c")
		st.Close()
		if err != nil || string(c.Secret) != "s" || c.Status != store.StatusOK {
			t.Fatalf("with %d keys: %q %s, %v", len(masters), c.Secret, c.Status, err)
		}
	}
	// The purpose keys follow the newest key only.
	one, _ := deriveKeys(keySet{masters: [][]byte{master}})
	two, _ := deriveKeys(keySet{masters: [][]byte{master, bytes.Repeat([]byte{6}, store.KeySize)}})
	if !bytes.Equal(one.csrf, two.csrf) || !bytes.Equal(one.state, two.state) || one.ring.Current() != two.ring.Current() {
		t.Fatal("adding an older key changed the keys derived from the newest")
	}
}

func TestKeySources(t *testing.T) {
	a, b := bytes.Repeat([]byte{1}, store.KeySize), bytes.Repeat([]byte{2}, store.KeySize)
	std, url := base64.StdEncoding.EncodeToString, base64.RawURLEncoding.EncodeToString
	tests := []struct {
		name    string
		env     string
		file    string // written as the key file when env is empty
		want    [][]byte
		wantErr string
	}{
		{"env one key", std(a), "", [][]byte{a}, ""},
		{"env newest first", std(b) + "," + url(a), "", [][]byte{b, a}, ""},
		{"env spaces and a trailing comma", " " + std(b) + " , " + std(a) + ",", "", [][]byte{b, a}, ""},
		{"env twice the same key", std(a) + "," + std(a), "", nil, "listed twice"},
		{"env short key", std(a[:16]), "", nil, "16 bytes"},
		{"env not base64", "not a key!", "", nil, "not base64"},
		{"file of today", "", std(a) + "\n", [][]byte{a}, ""},
		{"file newest first", "", std(b) + "\n" + std(a) + "\n", [][]byte{b, a}, ""},
		{"file with blank lines and CRLF", "", "\r\n" + std(b) + "\r\n\r\n" + std(a), [][]byte{b, a}, ""},
		{"file empty", "", "\n\n", nil, "no key"},
		{"file with a bad second key", "", std(a) + "\nxyz\n", nil, "key 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.env == "" {
				if err := os.WriteFile(filepath.Join(dir, keyFileName), []byte(tt.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			ks, _, err := masterKey(tt.env, dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				for _, k := range [][]byte{a, b} {
					if strings.Contains(err.Error(), std(k)[:16]) {
						t.Fatalf("the error quotes a key: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ks.masters) != len(tt.want) {
				t.Fatalf("%d keys, want %d", len(ks.masters), len(tt.want))
			}
			for i := range tt.want {
				if !bytes.Equal(ks.masters[i], tt.want[i]) {
					t.Fatalf("key %d differs", i)
				}
			}
		})
	}
}

// TestKeyFileReadableByOthersRefused: a key file others can read is refused.
func TestKeyFileReadableByOthersRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, keyFileName)
	if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(make([]byte, 32))), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := masterKey("", dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("err = %v", err)
	}
}

// TestKeyringFollowsKeyFile: a running hostgate's keyring picks up a key
// added to the file: it opens what is sealed under it and seals under it.
func TestKeyringFollowsKeyFile(t *testing.T) {
	dir := t.TempDir()
	ks, _, err := masterKey("", dir)
	if err != nil {
		t.Fatal(err)
	}
	k, err := deriveKeys(ks)
	if err != nil {
		t.Fatal(err)
	}
	oldID := k.ring.Current()
	added, err := addKey(ks)
	if err != nil {
		t.Fatal(err)
	}
	newID, newKey, _ := sealKey(added.masters[0])
	other, _ := store.NewKeyring(newID, map[string][]byte{newID: newKey})
	id, sealed, _ := other.Seal([]byte("x"), []byte("aad"))
	if got, err := k.ring.Open(id, sealed, []byte("aad")); err != nil || string(got) != "x" {
		t.Fatalf("Open under the added key: %q, %v", got, err)
	}
	if id, _, _ := k.ring.Seal([]byte("y"), nil); id != newID {
		t.Fatalf("seals under %s after the rotation, want %s", id, newID)
	}
	// The file rewritten without the old key: the keyring still opens it
	// while the process runs.
	if _, err := writeKeyFile(added.path, added.masters[:1], added.info); err != nil {
		t.Fatal(err)
	}
	if k.ring.Current() != newID || !k.ring.Has(oldID) {
		t.Fatalf("after the old key left the file: current %s, has old %v", k.ring.Current(), k.ring.Has(oldID))
	}
}
