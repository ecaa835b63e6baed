package signin

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

func TestHashPassword(t *testing.T) {
	h1, err := HashPassword(testPassword, fastParams)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := HashPassword(testPassword, fastParams)
	if err != nil {
		t.Fatal(err)
	}
	if h1 == h2 {
		t.Fatal("two hashes of one password are equal: no random salt")
	}
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=1024,t=1,p=1$") || strings.Count(h1, "$") != 5 {
		t.Fatalf("hash %q is not a PHC argon2id string", h1)
	}
	if strings.Contains(h1, testPassword) {
		t.Fatal("hash contains the password")
	}
	for _, h := range []string{h1, h2} {
		if !VerifyPassword(h, testPassword) {
			t.Fatal("the password does not verify against its hash")
		}
	}
	for _, wrong := range []string{"", "correct horse batter", "correct horse battery ", "Correct horse battery", testPassword + "\x00"} {
		if VerifyPassword(h1, wrong) {
			t.Fatalf("wrong password %q verifies", wrong)
		}
	}
	// The empty password hashes and verifies like any other.
	he, err := HashPassword("", fastParams)
	if err != nil || !VerifyPassword(he, "") || VerifyPassword(he, " ") {
		t.Fatal("empty password")
	}
	// The costs are read from the hash, not from the caller's defaults.
	hd, err := HashPassword(testPassword, Params{Memory: 2048, Time: 2, Threads: 2})
	if err != nil || !strings.Contains(hd, "$m=2048,t=2,p=2$") || !VerifyPassword(hd, testPassword) {
		t.Fatalf("hash with other costs %q, %v", hd, err)
	}
}

// TestVerifyPasswordMalformedHashes: a malformed or tampered hash never
// matches and never panics, and absurd costs are refused before any work.
func TestVerifyPasswordMalformedHashes(t *testing.T) {
	good, err := HashPassword(testPassword, fastParams)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$") // "", argon2id, v=19, m=..., salt, key
	salt, key := parts[4], parts[5]
	b64 := base64.RawStdEncoding
	phc := func(alg, v, params, salt, key string) string {
		return strings.Join([]string{"", alg, v, params, salt, key}, "$")
	}
	tests := []struct{ name, hash string }{
		{"empty", ""},
		{"plaintext password", testPassword},
		{"five parts", strings.Join(parts[:5], "$")},
		{"seven parts", good + "$x"},
		{"argon2i", phc("argon2i", "v=19", "m=1024,t=1,p=1", salt, key)},
		{"argon2d", phc("argon2d", "v=19", "m=1024,t=1,p=1", salt, key)},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"version 16", phc("argon2id", "v=16", "m=1024,t=1,p=1", salt, key)},
		{"version missing", phc("argon2id", "", "m=1024,t=1,p=1", salt, key)},
		{"version not a number", phc("argon2id", "v=x", "m=1024,t=1,p=1", salt, key)},
		{"params missing", phc("argon2id", "v=19", "", salt, key)},
		{"params reordered", phc("argon2id", "v=19", "t=1,m=1024,p=1", salt, key)},
		{"memory zero", phc("argon2id", "v=19", "m=0,t=1,p=1", salt, key)},
		{"memory over 1 GiB", phc("argon2id", "v=19", "m=1048577,t=1,p=1", salt, key)},
		{"memory negative", phc("argon2id", "v=19", "m=-1,t=1,p=1", salt, key)},
		{"memory overflows uint32", phc("argon2id", "v=19", "m=4294967297,t=1,p=1", salt, key)},
		{"time zero", phc("argon2id", "v=19", "m=1024,t=0,p=1", salt, key)},
		{"time over 16", phc("argon2id", "v=19", "m=1024,t=17,p=1", salt, key)},
		{"threads zero", phc("argon2id", "v=19", "m=1024,t=1,p=0", salt, key)},
		{"threads overflow uint8", phc("argon2id", "v=19", "m=1024,t=1,p=256", salt, key)},
		{"salt not base64", phc("argon2id", "v=19", "m=1024,t=1,p=1", "!!!!!!!!!!!!", key)},
		{"salt padded", phc("argon2id", "v=19", "m=1024,t=1,p=1", base64.StdEncoding.EncodeToString([]byte("0123456789abcdef")), key)},
		{"salt too short", phc("argon2id", "v=19", "m=1024,t=1,p=1", b64.EncodeToString([]byte("1234567")), key)},
		{"salt empty", phc("argon2id", "v=19", "m=1024,t=1,p=1", "", key)},
		{"key not base64", phc("argon2id", "v=19", "m=1024,t=1,p=1", salt, "!!!!")},
		{"key too short", phc("argon2id", "v=19", "m=1024,t=1,p=1", salt, b64.EncodeToString(make([]byte, 15)))},
		{"key empty", phc("argon2id", "v=19", "m=1024,t=1,p=1", salt, "")},
		{"key of another password", phc("argon2id", "v=19", "m=1024,t=1,p=1", salt, strings.Split(mustHash(t, "other"), "$")[5])},
		{"salt of another hash", phc("argon2id", "v=19", "m=1024,t=1,p=1", strings.Split(mustHash(t, testPassword), "$")[4], key)},
		{"costs changed", phc("argon2id", "v=19", "m=2048,t=1,p=1", salt, key)},
		{"key truncated to 16 bytes", phc("argon2id", "v=19", "m=1024,t=1,p=1", salt, b64.EncodeToString(mustDecode(t, key)[:16]))},
	}
	for _, tt := range tests {
		if VerifyPassword(tt.hash, testPassword) {
			t.Errorf("%s: %q verifies", tt.name, tt.hash)
		}
	}
	if !VerifyPassword(phc("argon2id", "v=19", "m=1024,t=1,p=1", salt, key), testPassword) {
		t.Fatal("the reassembled good hash does not verify: the table proves nothing")
	}
}

func mustHash(t *testing.T, pw string) string {
	t.Helper()
	h, err := HashPassword(pw, fastParams)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func mustDecode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzParseHash: whatever a tampered row holds, parsing never panics and
// never lets through costs that could exhaust the server.
func FuzzParseHash(f *testing.F) {
	f.Add("$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5")
	f.Add("$argon2id$v=19$m=1048576,t=16,p=255$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5")
	f.Add("$argon2id$v=19$m=99999999999,t=1,p=1$$")
	f.Add("$$$$$")
	f.Add("")
	f.Fuzz(func(t *testing.T, hash string) {
		p, salt, key, err := parseHash(hash)
		if err != nil {
			return
		}
		if p.Memory == 0 || p.Memory > 1<<20 || p.Time == 0 || p.Time > 16 || p.Threads == 0 {
			t.Fatalf("accepted costs %+v", p)
		}
		if len(salt) < 8 || len(key) < 16 {
			t.Fatalf("accepted salt %d bytes, key %d bytes", len(salt), len(key))
		}
		if !strings.HasPrefix(hash, "$argon2id$v=19$") {
			t.Fatalf("accepted %q", hash)
		}
		_ = fmt.Sprint(p)
	})
}
