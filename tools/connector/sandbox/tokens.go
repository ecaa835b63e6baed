package sandbox

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// accessToken is what a fake remembers about an access token it issued.
type accessToken struct {
	grant    string // grant family: every token minted from one authorization
	clientID string
	scope    string
	audience []string
	expires  time.Time
	dead     bool // expired by the hook or revoked
}

// refreshToken is what a fake remembers about a refresh token it issued.
type refreshToken struct {
	grant    string
	clientID string
	scope    string
	audience string
	nonce    string
	expires  time.Time // zero = no expiry of its own
	// rotatedAt is when a successor was issued; zero while it is the current token.
	rotatedAt time.Time
	dead      bool
}

// authCode is an authorization code awaiting exchange.
type authCode struct {
	clientID    string
	redirectURI string
	scope       string
	audience    string
	nonce       string
	challenge   string
	method      string
	expires     time.Time
	used        bool
}

// tokenStore holds a vendor's codes and tokens; guarded by Vendor.mu.
type tokenStore struct {
	access  map[string]*accessToken
	refresh map[string]*refreshToken
	codes   map[string]*authCode
}

func newTokenStore() tokenStore {
	return tokenStore{
		access:  map[string]*accessToken{},
		refresh: map[string]*refreshToken{},
		codes:   map[string]*authCode{},
	}
}

// validAccess returns the record of a live access token. The caller holds v.mu.
func (s *tokenStore) validAccess(tok string, now time.Time) (*accessToken, bool) {
	at, ok := s.access[tok]
	if !ok || at.dead || !now.Before(at.expires) {
		return nil, false
	}
	return at, true
}

// revokeGrant kills every token of one grant family. The caller holds v.mu.
func (s *tokenStore) revokeGrant(grant string) {
	for _, at := range s.access {
		if at.grant == grant {
			at.dead = true
		}
	}
	for _, rt := range s.refresh {
		if rt.grant == grant {
			rt.dead = true
		}
	}
}

// ExpireAccessTokens makes every access token the vendor has issued invalid from now on, as if
// its lifetime had run out. Personal tokens (Hostex PATs, Hospitable PATs) are not affected:
// they never expire. Refresh tokens stay usable.
func (v *Vendor) ExpireAccessTokens() {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, at := range v.tokens.access {
		at.dead = true
	}
}

// RotateRefreshTokensOutOfBand simulates the refresh tokens having been used or revoked by
// someone else: every refresh token issued so far (including rotated ones still in a grace
// period) is dead, and the next refresh grant fails the vendor's way (invalid_grant, or Hostex
// error_code 401). Hostaway has no refresh tokens, so it is a no-op there.
func (v *Vendor) RotateRefreshTokensOutOfBand() {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, rt := range v.tokens.refresh {
		rt.dead = true
	}
}

// newSecret returns an unguessable token string (crypto/rand) with a readable prefix.
func newSecret(prefix string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand docs)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// newHexID returns n random bytes as hex, for request ids and opaque ids.
func newHexID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newUUID returns a random version-4 UUID for objects created at run time.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// tokenParams reads a token-endpoint request: a JSON object or a form body, plus HTTP Basic
// client credentials (RFC 6749 §2.3.1: form-urlencoded inside Basic), which win when present.
func tokenParams(r *http.Request, allowJSON bool) (map[string]string, error) {
	out := map[string]string{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if allowJSON && ct == "application/json" {
		var raw map[string]any
		if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
			return nil, fmt.Errorf("malformed JSON body")
		}
		for k, val := range raw {
			switch t := val.(type) {
			case string:
				out[k] = t
			case float64, bool:
				out[k] = fmt.Sprint(t)
			}
		}
	} else {
		if err := r.ParseForm(); err != nil {
			return nil, fmt.Errorf("malformed form body")
		}
		for k := range r.PostForm {
			out[k] = r.PostForm.Get(k)
		}
	}
	if id, secret, ok := r.BasicAuth(); ok {
		if u, err := url.QueryUnescape(id); err == nil {
			id = u
		}
		if u, err := url.QueryUnescape(secret); err == nil {
			secret = u
		}
		out["client_id"], out["client_secret"] = id, secret
	}
	return out, nil
}

// secretEqual compares secrets in constant time.
func secretEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// pkceOK checks an RFC 7636 code_verifier against the stored challenge.
func pkceOK(c *authCode, verifier string) bool {
	if c.challenge == "" {
		return true
	}
	if verifier == "" {
		return false
	}
	switch c.method {
	case "S256":
		sum := sha256.Sum256([]byte(verifier))
		return secretEqual(base64.RawURLEncoding.EncodeToString(sum[:]), c.challenge)
	case "plain", "":
		return secretEqual(verifier, c.challenge)
	}
	return false
}

// bearer returns the token of an "Authorization: Bearer" header, or "".
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// writeJSON writes v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "sandbox: encode response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeTokenJSON writes a token-endpoint response; tokens are never cached (RFC 6749 §5.1).
func writeTokenJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, status, v)
}

// oauthError is an RFC 6749 §5.2 error body.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}
