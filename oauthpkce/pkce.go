package oauthpkce

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// validChallenge reports whether s can be an S256 code challenge: the
// base64url encoding, without padding, of a SHA-256 digest (RFC 7636 §4.2).
// Strict decoding refuses a last character with stray low bits, which no
// encoder produces and no verifier could ever match.
func validChallenge(s string) bool {
	if len(s) != 43 {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil && len(b) == sha256.Size
}

// validVerifier reports whether s is a code verifier as RFC 7636 §4.1
// defines one: 43 to 128 characters from the unreserved set.
func validVerifier(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

// verifyPKCE checks a code verifier against an S256 challenge in constant
// time (RFC 7636 §4.6).
func verifyPKCE(challenge, verifier string) bool {
	if !validVerifier(verifier) {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}
