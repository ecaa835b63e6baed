package sandbox

import (
	"net/http"
	"time"
)

// Hospitable OAuth [C]: authorize at /oauth/authorize?client_id&response_type=code[&state];
// token POST /oauth/token (JSON; form accepted too); 12 h access tokens; rotating refresh
// tokens that last 90 days. The old refresh token keeps working for 60 minutes after
// rotation [T], and token errors are {error, error_description} [T].
const (
	hspAccessTTL   = 12 * time.Hour
	hspRefreshTTL  = 90 * 24 * time.Hour
	hspRotateGrace = 60 * time.Minute
)

// hspScopes are the scopes the sandbox app is granted; the names follow the spec's "Required
// scopes" notes [C].
var hspScopes = []string{"property:read", "listing:read", "reservation:read", "calendar:read", "calendar:write",
	"message:read", "message:write", "reviews:read", "reviews:write", "financials:read"}

// authorize renders the consent page. The redirect URI is the one registered with
// SetRedirectURI (the Partner Portal) or, when the request carries one, that one if the
// policy accepts it. state is optional: the one-click marketplace flow has none [C].
func (h *hospitable) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != HospitableClientID {
		h.v.authErrorPage(w, http.StatusBadRequest, "Client authentication failed: unknown client_id.")
		return
	}
	redirect := q.Get("redirect_uri")
	if redirect == "" {
		redirect = h.v.registeredRedirect()
	}
	if redirect == "" || !h.v.redirectAllowed(redirect) {
		h.v.authErrorPage(w, http.StatusBadRequest, "No acceptable redirect URL is registered for this client.")
		return
	}
	state := q.Get("state")
	if q.Get("response_type") != "code" {
		// response_type=code is the only one documented [C: the authentication guide]. Another is
		// answered as Laravel Passport (league/oauth2-server) answers a request no grant can
		// serve: a 400 in JSON, not a redirect [I].
		h.tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.")
		return
	}
	method := q.Get("code_challenge_method")
	if q.Get("code_challenge") != "" && method != "" && method != "S256" && method != "plain" {
		redirectWithError(w, r, redirect, state, "invalid_request", "Code challenge method must be plain or S256.")
		return
	}
	req := &authRequest{
		clientID: HospitableClientID, redirectURI: redirect, state: state, hasState: q.Has("state"),
		challenge: q.Get("code_challenge"), method: method,
	}
	h.v.beginConsent(w, r, req, consentPage{
		Client:  "hostgate (sandbox app)",
		Account: "Sam Carter (host@hostgate-sandbox.example)",
		Scopes:  hspScopes,
		Button:  "Authorize",
	})
}

func (h *hospitable) tokenError(w http.ResponseWriter, status int, code, desc string) {
	// Laravel Passport also repeats the description as "message".
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc, "message": desc})
}

// token serves the authorization_code and refresh_token grants.
func (h *hospitable) token(w http.ResponseWriter, r *http.Request) {
	p, err := tokenParams(r, true)
	if err != nil {
		h.tokenError(w, http.StatusBadRequest, "invalid_request", "The request is missing a required parameter or is malformed.")
		return
	}
	if p["client_id"] != HospitableClientID || !secretEqual(p["client_secret"], HospitableClientSecret) {
		h.tokenError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed")
		return
	}
	const badGrant = "The provided authorization grant or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."
	now := h.v.now()
	v := h.v
	v.mu.Lock()
	defer v.mu.Unlock()
	var grant string
	switch p["grant_type"] {
	case "authorization_code":
		c, ok := v.tokens.takeCode(p["code"], HospitableClientID, now)
		if !ok || !pkceOK(c, p["code_verifier"]) || p["redirect_uri"] != "" && p["redirect_uri"] != c.redirectURI {
			h.tokenError(w, http.StatusBadRequest, "invalid_grant", badGrant)
			return
		}
		grant = newHexID(8)
	case "refresh_token":
		rt, ok := v.tokens.refresh[p["refresh_token"]]
		if !ok || rt.dead || rt.clientID != HospitableClientID || !now.Before(rt.expires) ||
			!rt.rotatedAt.IsZero() && !now.Before(rt.rotatedAt.Add(hspRotateGrace)) {
			h.tokenError(w, http.StatusBadRequest, "invalid_grant", badGrant)
			return
		}
		if rt.rotatedAt.IsZero() {
			rt.rotatedAt = now // the grace period runs from the first rotation
		}
		grant = rt.grant
	case "":
		h.tokenError(w, http.StatusBadRequest, "invalid_request", "The grant_type parameter is required.")
		return
	default:
		h.tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.")
		return
	}
	access, refresh := newSecret("hsp_oat_", 48), newSecret("hsp_ort_", 48)
	v.tokens.access[access] = &accessToken{grant: grant, clientID: HospitableClientID, expires: now.Add(hspAccessTTL)}
	v.tokens.refresh[refresh] = &refreshToken{grant: grant, clientID: HospitableClientID, expires: now.Add(hspRefreshTTL)}
	writeTokenJSON(w, http.StatusOK, map[string]any{
		"token_type": "Bearer", "expires_in": int(hspAccessTTL / time.Second),
		"access_token": access, "refresh_token": refresh,
	})
}
