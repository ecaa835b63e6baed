package sandbox

import (
	"mime"
	"net/http"
	"time"
)

// hwTokenTTL is the expires_in of the official example (15897600 s, ~184 days) [C]. The same
// docs also say 24 months; clients must trust expires_in either way.
const hwTokenTTL = 15897600 * time.Second

// mint: POST /v1/accessTokens, form-encoded grant_type=client_credentials&client_id=<account
// id>&client_secret=<API key>&scope=general [C] → {token_type, expires_in, access_token}, no
// refresh token [C]. The error bodies are OAuth-server style [I].
func (h *hostaway) mint(w http.ResponseWriter, r *http.Request) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		writeTokenJSON(w, http.StatusBadRequest, oauthError{"invalid_request", "The request must be application/x-www-form-urlencoded."})
		return
	}
	p, err := tokenParams(r, false)
	if err != nil {
		writeTokenJSON(w, http.StatusBadRequest, oauthError{"invalid_request", err.Error()})
		return
	}
	switch {
	case p["grant_type"] != "client_credentials":
		writeTokenJSON(w, http.StatusBadRequest, oauthError{"unsupported_grant_type", "The authorization grant type is not supported by the authorization server."})
	case p["client_id"] != HostawayAccountID || !secretEqual(p["client_secret"], HostawayAPIKey):
		writeTokenJSON(w, http.StatusUnauthorized, oauthError{"invalid_client", "Client authentication failed"})
	case p["scope"] != "general":
		writeTokenJSON(w, http.StatusBadRequest, oauthError{"invalid_scope", "The requested scope is invalid, unknown, or malformed. Use scope=general."})
	default:
		now := h.v.now()
		tok := newSecret("hw_at_", 48)
		h.v.mu.Lock()
		h.v.tokens.access[tok] = &accessToken{grant: newHexID(8), clientID: HostawayAccountID, expires: now.Add(hwTokenTTL)}
		h.v.mu.Unlock()
		writeTokenJSON(w, http.StatusOK, map[string]any{
			"token_type": "Bearer", "expires_in": int(hwTokenTTL / time.Second), "access_token": tok,
		})
	}
}

// revoke: DELETE /v1/accessTokens?token=<token> → {"status":"success","result":[]} [C].
func (h *hostaway) revoke(w http.ResponseWriter, r *http.Request) {
	h.v.mu.Lock()
	if at, ok := h.v.tokens.access[r.URL.Query().Get("token")]; ok {
		at.dead = true
	}
	h.v.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"status": "success", "result": []any{}})
}
