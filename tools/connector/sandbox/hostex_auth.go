package sandbox

import (
	"net/http"
	"time"
)

// Hostex OAuth (partners only) [C]: authorize link /app/authorization?client_id&redirect_uri&
// state; token POST /v3/oauth/authorizations (JSON; no redirect_uri, no PKCE); revoke POST
// /v3/oauth/revoke. Access tokens last 7 days.
const hostexAccessTTL = 7 * 24 * time.Hour

// authorize renders the consent page; a bad client or redirect URI gets an error page, never
// a redirect.
func (h *hostex) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != HostexClientID {
		h.v.authErrorPage(w, http.StatusBadRequest, "Unknown client_id. OAuth is available to approved partners only.")
		return
	}
	redirect := q.Get("redirect_uri")
	if redirect == "" || !h.v.redirectAllowed(redirect) {
		h.v.authErrorPage(w, http.StatusBadRequest, "The redirect_uri is not registered for this client.")
		return
	}
	req := &authRequest{clientID: HostexClientID, redirectURI: redirect, state: q.Get("state"), hasState: q.Has("state")}
	h.v.beginConsent(w, r, req, consentPage{
		Client:  "hostgate (sandbox partner)",
		Account: "host@hostgate-sandbox.example",
		Scopes:  []string{"Read and manage your properties, reservations, calendars, messages and reviews"},
		Button:  "Authorize",
	})
}

// token exchanges a code or rotates a refresh token. Errors use the envelope (HTTP 200):
// error_code 401 for bad client credentials or a bad/used code or refresh token [C: "401 …
// also bad client creds … on OAuth endpoints"], 422 for a missing field or a grant_type outside
// the spec's enum [C: Errors], 400 for a body that is not JSON.
// Refresh rotates: the old refresh token dies at once [I], the old access token lives on
// until it expires [I].
func (h *hostex) token(w http.ResponseWriter, r *http.Request) {
	p, err := tokenParams(r, true)
	if err != nil {
		h.envelope(w, 400, err.Error(), nil)
		return
	}
	if p["client_id"] != HostexClientID || !secretEqual(p["client_secret"], HostexClientSecret) {
		h.envelope(w, 401, "Invalid client credentials.", nil)
		return
	}
	now := h.v.now()
	v := h.v
	v.mu.Lock()
	defer v.mu.Unlock()
	var grant string
	switch p["grant_type"] {
	case "authorization_code":
		if p["code"] == "" {
			h.envelope(w, 422, "The code field is required.", nil)
			return
		}
		if _, ok := v.tokens.takeCode(p["code"], HostexClientID, now); !ok {
			h.envelope(w, 401, "Invalid or expired authorization code.", nil)
			return
		}
		grant = newHexID(8)
	case "refresh_token":
		if p["refresh_token"] == "" {
			h.envelope(w, 422, "The refresh_token field is required.", nil)
			return
		}
		rt, ok := v.tokens.refresh[p["refresh_token"]]
		if !ok || rt.dead || rt.clientID != HostexClientID {
			h.envelope(w, 401, "Invalid refresh token.", nil)
			return
		}
		rt.dead, rt.rotatedAt = true, now
		grant = rt.grant
	default:
		// grant_type is an enum of the spec [C]; a value outside an enum is a validation error,
		// 422 [C: Errors].
		h.envelope(w, 422, "The selected grant_type is invalid.", nil)
		return
	}
	access, refresh := newSecret("hx_oat_", 32), newSecret("hx_ort_", 32)
	v.tokens.access[access] = &accessToken{grant: grant, clientID: HostexClientID, expires: now.Add(hostexAccessTTL)}
	v.tokens.refresh[refresh] = &refreshToken{grant: grant, clientID: HostexClientID}
	w.Header().Set("Cache-Control", "no-store")
	h.ok(w, map[string]any{
		"access_token": access, "refresh_token": refresh, "expires_in": int(hostexAccessTTL / time.Second),
	})
}

// revoke: POST /v3/oauth/revoke {client_id, client_secret, token} [C]. Revoking either token
// disconnects the host: every token of that authorization dies. An unknown token still
// succeeds (as RFC 7009 does) [I].
func (h *hostex) revoke(w http.ResponseWriter, r *http.Request) {
	p, err := tokenParams(r, true)
	if err != nil {
		h.envelope(w, 400, err.Error(), nil)
		return
	}
	if p["client_id"] != HostexClientID || !secretEqual(p["client_secret"], HostexClientSecret) {
		h.envelope(w, 401, "Invalid client credentials.", nil)
		return
	}
	if p["token"] == "" {
		h.envelope(w, 422, "The token field is required.", nil)
		return
	}
	h.v.mu.Lock()
	if at, ok := h.v.tokens.access[p["token"]]; ok {
		h.v.tokens.revokeGrant(at.grant)
	}
	if rt, ok := h.v.tokens.refresh[p["token"]]; ok {
		h.v.tokens.revokeGrant(rt.grant)
	}
	h.v.mu.Unlock()
	h.ok(w, nil)
}
