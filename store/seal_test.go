package store

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func TestKeyringRoundTrip(t *testing.T) {
	k, err := NewKeyring("k1", map[string][]byte{"k1": key(1)})
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range [][]byte{nil, {}, []byte("vendor secret"), bytes.Repeat([]byte{0}, 4096)} {
		id, sealed, err := k.Seal(plain, []byte("conn\x00user"))
		if err != nil {
			t.Fatal(err)
		}
		if id != "k1" {
			t.Errorf("sealed under %q, want k1", id)
		}
		if len(plain) > 0 && bytes.Contains(sealed, plain) {
			t.Error("sealed value contains the plaintext")
		}
		got, err := k.Open(id, sealed, []byte("conn\x00user"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, plain) {
			t.Errorf("Open = %q, want %q", got, plain)
		}
	}
}

func TestKeyringSealsWithFreshNonces(t *testing.T) {
	k, _ := NewKeyring("k1", map[string][]byte{"k1": key(1)})
	_, a, _ := k.Seal([]byte("same"), nil)
	_, b, _ := k.Seal([]byte("same"), nil)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of one plaintext are equal: nonce reused")
	}
}

func TestKeyringOpenRejects(t *testing.T) {
	k, _ := NewKeyring("k1", map[string][]byte{"k1": key(1), "k2": key(2)})
	aad := []byte("conn-1\x00user-1")
	id, sealed, err := k.Seal([]byte("vendor secret"), aad)
	if err != nil {
		t.Fatal(err)
	}
	tamper := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 0x80
		return b
	}
	for _, tt := range []struct {
		name   string
		id     string
		sealed []byte
		aad    []byte
	}{
		{"wrong additional data", id, sealed, []byte("conn-2\x00user-1")},
		{"no additional data", id, sealed, nil},
		{"tampered nonce", id, tamper(0), aad},
		{"tampered ciphertext", id, tamper(len(sealed) / 2), aad},
		{"tampered tag", id, tamper(len(sealed) - 1), aad},
		{"truncated", id, sealed[:len(sealed)-1], aad},
		{"too short", id, sealed[:10], aad},
		{"empty", id, nil, aad},
		{"unknown key id", "k9", sealed, aad},
		{"another known key", "k2", sealed, aad},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := k.Open(tt.id, tt.sealed, tt.aad)
			if !errors.Is(err, ErrSealed) {
				t.Fatalf("Open: err = %v, want ErrSealed", err)
			}
			if got != nil {
				t.Fatalf("Open returned %q with its error", got)
			}
			if strings.Contains(err.Error(), "vendor secret") {
				t.Fatal("error text holds the secret")
			}
		})
	}
}

func TestKeyringRotation(t *testing.T) {
	old, _ := NewKeyring("2025", map[string][]byte{"2025": key(1)})
	id, sealed, err := old.Seal([]byte("sealed last year"), []byte("aad"))
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := NewKeyring("2026", map[string][]byte{"2025": key(1), "2026": key(2)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := rotated.Open(id, sealed, []byte("aad"))
	if err != nil || string(got) != "sealed last year" {
		t.Fatalf("old value under the rotated keyring: %q, %v", got, err)
	}
	newID, newSealed, _ := rotated.Seal([]byte("sealed this year"), []byte("aad"))
	if newID != "2026" {
		t.Errorf("rotated keyring seals under %q, want 2026", newID)
	}
	if _, err := old.Open(newID, newSealed, []byte("aad")); !errors.Is(err, ErrSealed) {
		t.Errorf("old keyring opening a new value: err = %v, want ErrSealed", err)
	}
	// Same key bytes under another id are not the same key id.
	if _, err := rotated.Open("2026", sealed, []byte("aad")); !errors.Is(err, ErrSealed) {
		t.Errorf("old value under the new key id: err = %v, want ErrSealed", err)
	}
}

func TestNewKeyringRejects(t *testing.T) {
	for _, tt := range []struct {
		name    string
		current string
		keys    map[string][]byte
	}{
		{"current missing", "k2", map[string][]byte{"k1": key(1)}},
		{"no keys", "k1", nil},
		{"short current key", "k1", map[string][]byte{"k1": key(1)[:16]}},
		{"long key", "k1", map[string][]byte{"k1": append(key(1), 0)}},
		{"short other key", "k1", map[string][]byte{"k1": key(1), "k0": key(0)[:24]}},
		{"empty key", "k1", map[string][]byte{"k1": {}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if k, err := NewKeyring(tt.current, tt.keys); err == nil {
				t.Fatalf("NewKeyring = %v, want an error", k)
			}
		})
	}
}
