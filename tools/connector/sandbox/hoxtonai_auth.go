package sandbox

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// HoxtonAI's authorization server as its reference describes it [C, docs/vendors.md "HoxtonAI"]:
// /authorize and /oauth/token (JSON), `profile` yields an ID token, `offline_access` a refresh
// token, machine tokens last 24 h. The rest follows Auth0, which the server resembles [I]:
// issuer with a trailing slash, RS256 tokens, `openid` also yields an ID token, errors
// {error, error_description}, a form body taken as well as JSON. Choices Auth0 leaves to the
// tenant are [I]: no refresh-token rotation (the refresh response carries no new refresh
// token), no refresh-token expiry, codes live 10 minutes.
const (
	hxAccessTTL  = 24 * time.Hour
	hxIDTokenTTL = 10 * time.Hour
	hxSubject    = "auth0|65f1c0ffee0123456789abcd"
	hxUserEmail  = "ops@roundhouse-live.example"
	hxUserName   = "Alex Morgan"
)

var hxSupportedScopes = []string{"openid", "profile", "email", "offline_access"}

// signing returns the signer, making the RSA key on first use.
func (x *hoxton) signing() (jose.Signer, error) {
	x.keyOnce.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			x.keyErr = fmt.Errorf("sandbox: hoxtonai: generate key: %w", err)
			return
		}
		jwk := jose.JSONWebKey{Key: &key.PublicKey, Algorithm: string(jose.RS256), Use: "sig"}
		thumb, err := jwk.Thumbprint(crypto.SHA256)
		if err != nil {
			x.keyErr = fmt.Errorf("sandbox: hoxtonai: key thumbprint: %w", err)
			return
		}
		x.key, x.kid = key, base64.RawURLEncoding.EncodeToString(thumb)
		x.signer, x.keyErr = jose.NewSigner(
			jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: x.kid}},
			(&jose.SignerOptions{}).WithType("JWT"))
	})
	return x.signer, x.keyErr
}

func (x *hoxton) sign(claims map[string]any) (string, error) {
	s, err := x.signing()
	if err != nil {
		return "", err
	}
	return jwt.Signed(s).Claims(claims).Serialize()
}

func (x *hoxton) issuer(r *http.Request) string { return x.v.rootURL(r) + "/" }

// discovery: GET /.well-known/openid-configuration, as every Auth0 domain serves it. HoxtonAI's
// reference documents no discovery document [I: served because auth.hoxton.ai looks like an
// Auth0 domain]; hostgate never asks for it, and its contract watch would flag a client that did.
func (x *hoxton) discovery(w http.ResponseWriter, r *http.Request) {
	root := x.v.rootURL(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                root + "/",
		"authorization_endpoint":                root + "/authorize",
		"token_endpoint":                        root + "/oauth/token",
		"userinfo_endpoint":                     root + "/userinfo",
		"jwks_uri":                              root + "/.well-known/jwks.json",
		"revocation_endpoint":                   root + "/oauth/revoke",
		"scopes_supported":                      hxSupportedScopes,
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token", "client_credentials"},
		"code_challenge_methods_supported":      []string{"S256"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"claims_supported":                      []string{"aud", "email", "exp", "iat", "iss", "name", "nickname", "nonce", "picture", "sub"},
	})
}

// jwks: GET /.well-known/jwks.json with the public signing key.
func (x *hoxton) jwks(w http.ResponseWriter, _ *http.Request) {
	if _, err := x.signing(); err != nil {
		x.fail(w, http.StatusInternalServerError, "")
		return
	}
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &x.key.PublicKey, KeyID: x.kid, Algorithm: string(jose.RS256), Use: "sig"},
	}})
}

// authorize: GET /authorize?response_type=code&client_id&redirect_uri&audience&scope [C]
// &state [I: echoed, as Auth0 does] [&code_challenge&code_challenge_method=S256 [I]&nonce].
func (x *hoxton) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != HoxtonAIClientID {
		x.v.authErrorPage(w, http.StatusBadRequest, "Unknown client, or a client that may not use this flow.")
		return
	}
	redirect, state := q.Get("redirect_uri"), q.Get("state")
	if redirect == "" || !x.v.redirectAllowed(redirect) {
		x.v.authErrorPage(w, http.StatusBadRequest, "Callback URL mismatch: "+redirect+" is not an allowed callback URL.")
		return
	}
	// A parameter outside what the reference allows (response_type code,
	// audience https://api.hoxton.cloud, the scopes the server knows) or
	// PKCE other than S256 gets an error page, not a redirect: the
	// reference is silent on how /authorize refuses, and a page is the
	// strictest reading, which no client can mistake for a code [I].
	var scopes []string
	for _, s := range strings.Fields(q.Get("scope")) {
		if !slices.Contains(hxSupportedScopes, s) {
			x.v.authErrorPage(w, http.StatusBadRequest, "invalid_scope: "+s+" is not a scope of this server.")
			return
		}
		if !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	switch {
	case q.Get("response_type") != "code":
		x.v.authErrorPage(w, http.StatusBadRequest, "unsupported_response_type: "+q.Get("response_type"))
		return
	case q.Has("audience") && q.Get("audience") != HoxtonAIAudience:
		x.v.authErrorPage(w, http.StatusBadRequest, "access_denied: Service not found: "+q.Get("audience"))
		return
	case (q.Has("code_challenge") || q.Has("code_challenge_method")) && q.Get("code_challenge_method") != "S256":
		x.v.authErrorPage(w, http.StatusBadRequest, "invalid_request: code_challenge_method must be S256")
		return
	}
	req := &authRequest{
		clientID: HoxtonAIClientID, redirectURI: redirect, state: state, hasState: q.Has("state"),
		scope: strings.Join(scopes, " "), audience: q.Get("audience"), nonce: q.Get("nonce"),
		challenge: q.Get("code_challenge"), method: q.Get("code_challenge_method"),
	}
	x.v.beginConsent(w, r, req, consentPage{
		Client: "hostgate (sandbox)", Account: hxUserName + " (" + hxUserEmail + ")", Scopes: scopes, Button: "Accept",
	})
}

func hxTokenError(w http.ResponseWriter, status int, code, desc string) {
	writeTokenJSON(w, status, oauthError{code, desc})
}

// token: POST /oauth/token (JSON or form, client secret in the body or Basic) [C].
// Auth0-style failures [I]: bad client 401 access_denied "Unauthorized"; bad code, verifier
// or refresh token 403 invalid_grant; grant not allowed for the client 403 unauthorized_client.
func (x *hoxton) token(w http.ResponseWriter, r *http.Request) {
	p, err := tokenParams(r, true)
	if err != nil {
		hxTokenError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	id, secret := p["client_id"], p["client_secret"]
	web := id == HoxtonAIClientID && secretEqual(secret, HoxtonAIClientSecret)
	m2m := id == HoxtonAIM2MClientID && secretEqual(secret, HoxtonAIM2MClientSecret)
	if !web && !m2m {
		hxTokenError(w, http.StatusUnauthorized, "access_denied", "Unauthorized")
		return
	}
	grantType := p["grant_type"]
	if grantType == "client_credentials" && !m2m || grantType != "client_credentials" && m2m {
		hxTokenError(w, http.StatusForbidden, "unauthorized_client", "Grant type '"+grantType+"' not allowed for the client.")
		return
	}
	now := x.v.now()
	iss := x.issuer(r)
	var grant, scope, audience, nonce string
	withRefresh := false
	x.v.mu.Lock()
	switch grantType {
	case "authorization_code":
		c, ok := x.v.tokens.takeCode(p["code"], id, now)
		switch {
		case !ok:
			x.v.mu.Unlock()
			hxTokenError(w, http.StatusForbidden, "invalid_grant", "Invalid authorization code")
			return
		case p["redirect_uri"] != c.redirectURI:
			x.v.mu.Unlock()
			hxTokenError(w, http.StatusForbidden, "invalid_grant", "Invalid redirect_uri")
			return
		case !pkceOK(c, p["code_verifier"]):
			x.v.mu.Unlock()
			hxTokenError(w, http.StatusForbidden, "invalid_grant", "Failed to verify code verifier")
			return
		}
		grant, scope, audience, nonce = newHexID(8), c.scope, c.audience, c.nonce
		withRefresh = slices.Contains(strings.Fields(scope), "offline_access")
	case "refresh_token":
		rt, ok := x.v.tokens.refresh[p["refresh_token"]]
		if !ok || rt.dead || rt.clientID != id {
			x.v.mu.Unlock()
			hxTokenError(w, http.StatusForbidden, "invalid_grant", "Unknown or invalid refresh token.")
			return
		}
		grant, scope, audience = rt.grant, rt.scope, rt.audience
	case "client_credentials":
		audience = p["audience"]
		if audience != HoxtonAIAudience {
			x.v.mu.Unlock()
			hxTokenError(w, http.StatusForbidden, "access_denied", "Service not found: "+audience)
			return
		}
		grant = newHexID(8)
	default:
		x.v.mu.Unlock()
		hxTokenError(w, http.StatusForbidden, "unsupported_grant_type", "Unsupported grant type: "+grantType)
		return
	}
	x.v.mu.Unlock()
	x.issueTokens(w, iss, id, grant, grantType, scope, audience, nonce, withRefresh, now)
}

// issueTokens signs and records the tokens of one successful grant and writes the response.
func (x *hoxton) issueTokens(w http.ResponseWriter, iss, clientID, grant, grantType, scope, audience, nonce string, withRefresh bool, now time.Time) {
	scopes := strings.Fields(scope)
	var aud []string
	if audience != "" {
		aud = append(aud, audience)
	}
	if slices.Contains(scopes, "openid") || audience == "" {
		aud = append(aud, iss+"userinfo") // Auth0 adds its /userinfo audience for openid
	}
	claims := map[string]any{
		"iss": iss, "sub": hxSubject, "iat": now.Unix(), "exp": now.Add(hxAccessTTL).Unix(),
		"azp": clientID, "scope": scope, "jti": newHexID(12),
		"https://hoxton.ai/organisationId": HoxtonAIOrganisationID,
	}
	if len(aud) == 1 {
		claims["aud"] = aud[0]
	} else {
		claims["aud"] = aud
	}
	if grantType == "client_credentials" {
		claims["sub"], claims["gty"] = clientID+"@clients", "client-credentials"
		claims["scope"] = "read:sites read:monitors write:monitors read:reports"
	}
	access, err := x.sign(claims)
	if err != nil {
		hxTokenError(w, http.StatusInternalServerError, "server_error", "Could not sign the token.")
		return
	}
	resp := map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": int(hxAccessTTL / time.Second)}
	if grantType != "client_credentials" {
		resp["scope"] = scope
	}
	if slices.Contains(scopes, "openid") || slices.Contains(scopes, "profile") {
		idClaims := map[string]any{"iss": iss, "sub": hxSubject, "aud": clientID, "iat": now.Unix(),
			"exp": now.Add(hxIDTokenTTL).Unix(), "name": hxUserName, "nickname": "alex.morgan",
			"picture": "https://avatars.hoxton.example/alex.png", "updated_at": now.Add(-48 * time.Hour).UTC().Format(time.RFC3339)}
		if slices.Contains(scopes, "email") {
			idClaims["email"], idClaims["email_verified"] = hxUserEmail, true
		}
		if nonce != "" {
			idClaims["nonce"] = nonce
		}
		if resp["id_token"], err = x.sign(idClaims); err != nil {
			hxTokenError(w, http.StatusInternalServerError, "server_error", "Could not sign the token.")
			return
		}
	}
	x.v.mu.Lock()
	x.v.tokens.access[access] = &accessToken{grant: grant, clientID: clientID, scope: scope, audience: aud, expires: now.Add(hxAccessTTL)}
	if withRefresh {
		rt := newSecret("v1.", 48)
		x.v.tokens.refresh[rt] = &refreshToken{grant: grant, clientID: clientID, scope: scope, audience: audience, nonce: nonce}
		resp["refresh_token"] = rt
	}
	x.v.mu.Unlock()
	writeTokenJSON(w, http.StatusOK, resp)
}

// revoke: POST /oauth/revoke {client_id, client_secret, token} revokes a refresh token and its
// grant, answering 200 with an empty body as Auth0 does [I].
func (x *hoxton) revoke(w http.ResponseWriter, r *http.Request) {
	p, err := tokenParams(r, true)
	if err != nil {
		hxTokenError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if p["client_id"] != HoxtonAIClientID || !secretEqual(p["client_secret"], HoxtonAIClientSecret) {
		hxTokenError(w, http.StatusUnauthorized, "access_denied", "Unauthorized")
		return
	}
	x.v.mu.Lock()
	if rt, ok := x.v.tokens.refresh[p["token"]]; ok {
		x.v.tokens.revokeGrant(rt.grant)
	}
	x.v.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

// userinfo: GET /userinfo with an access token whose audience includes <issuer>userinfo.
func (x *hoxton) userinfo(w http.ResponseWriter, r *http.Request) {
	x.v.mu.Lock()
	at, ok := x.v.tokens.validAccess(bearer(r), x.v.now())
	x.v.mu.Unlock()
	if !ok || !slices.Contains(at.audience, x.issuer(r)+"userinfo") {
		x.fail(w, http.StatusUnauthorized, "Invalid or expired token")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sub": hxSubject, "name": hxUserName, "nickname": "alex.morgan",
		"email": hxUserEmail, "email_verified": true})
}
