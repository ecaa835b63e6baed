package oauthpkce

import (
	"crypto/rand"
	"encoding/base64"
)

// Prefixes of the secrets hostgate issues. They make a leaked one easy to
// recognize (and to add to secret scanners); the 256 random bits after them
// are what makes it unguessable.
const (
	prefixCode    = "hgc_"
	prefixAccess  = "hga_"
	prefixRefresh = "hgr_"
)

// newSecret returns prefix followed by 256 bits from crypto/rand, base64url.
func newSecret(prefix string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// newID returns a 128-bit random identifier for rows that are not secrets.
func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
