package oidcfake

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// handleToken redeems a code (RFC 6749 §4.1.3, RFC 7636 §4.6): the client
// authenticates, the code is used once, by its client, with the redirect
// URI it was issued for and the verifier of its challenge.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	f := r.PostForm
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = f.Get("client_id"), f.Get("client_secret")
	}
	s.mu.Lock()
	okClient := id == s.clientID && subtle.ConstantTimeCompare([]byte(secret), []byte(s.secret)) == 1
	c, found := s.codes[f.Get("code")]
	if okClient && found {
		delete(s.codes, f.Get("code")) // used once, whatever follows
	}
	faults := s.faults
	s.mu.Unlock()
	switch {
	case !okClient:
		w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
		tokenError(w, http.StatusUnauthorized, "invalid_client")
		return
	case f.Get("grant_type") != "authorization_code":
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	case !found || c.clientID != id || !s.now().Before(c.expires):
		tokenError(w, http.StatusBadRequest, "invalid_grant")
		return
	case f.Get("redirect_uri") != c.redirectURI:
		tokenError(w, http.StatusBadRequest, "invalid_grant")
		return
	case !verifierMatches(f.Get("code_verifier"), c.challenge):
		tokenError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	resp := map[string]any{"access_token": randomString(24), "token_type": "Bearer", "expires_in": 3600, "scope": "openid email profile"}
	if !faults.OmitIDToken {
		idToken, err := s.idToken(c, faults)
		if err != nil {
			tokenError(w, http.StatusInternalServerError, "server_error")
			return
		}
		resp["id_token"] = idToken
	}
	s.mu.Lock()
	s.tokenCalls++
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, resp)
}

func verifierMatches(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}

func tokenError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code})
}

// idToken signs the ID token of a redeemed code (OpenID Connect Core
// §2), bent by the faults.
func (s *Server) idToken(c grantedCode, f Faults) (string, error) {
	now := s.now()
	claims := map[string]any{
		"iss": s.issuer, "sub": c.user.Subject, "aud": s.clientID,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "nonce": c.nonce,
	}
	if c.user.Email != "" {
		claims["email"] = c.user.Email
		claims["email_verified"] = c.user.EmailVerified
	}
	if c.user.Name != "" {
		claims["name"] = c.user.Name
	}
	if c.user.PreferredUsername != "" {
		claims["preferred_username"] = c.user.PreferredUsername
	}
	if c.user.HostedDomain != "" {
		claims["hd"] = c.user.HostedDomain
	}
	if f.Issuer != "" {
		claims["iss"] = f.Issuer
	}
	if f.Audience != "" {
		claims["aud"] = f.Audience
	}
	if f.ExtraAudience != "" {
		claims["aud"] = []string{s.clientID, f.ExtraAudience}
		claims["azp"] = f.ExtraAudience
	}
	if f.Expired {
		claims["iat"], claims["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
	}
	if f.Nonce != "" {
		claims["nonce"] = f.Nonce
	}
	if f.OmitNonce {
		delete(claims, "nonce")
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signer := s.signer
	if f.ForeignKey {
		if signer, err = s.foreignSigner(); err != nil {
			return "", err
		}
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// foreignSigner signs with a key of its own under the published key's id:
// a token a verifier must refuse, since the key it names does not check it.
func (s *Server) foreignSigner() (jose.Signer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.foreign == nil {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		if s.foreign, err = newSigner(key, s.kid); err != nil {
			return nil, err
		}
	}
	return s.foreign, nil
}
