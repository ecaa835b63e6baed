package hoxtonai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// tokenResponse is an Auth0 token-endpoint reply [C for the code and
// client-credentials grants].
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
}

// fromFields connects a host's own machine-to-machine client: it mints the
// first token, which proves the client id and secret work.
func fromFields(ctx context.Context, s *connector.Spec, kind connector.AuthKind, values map[string]string) (connector.Credential, error) {
	if kind != connector.AuthClientCredentials {
		return connector.Credential{}, fmt.Errorf("hoxtonai: connect with %q: %w", kind, connector.ErrUnsupported)
	}
	id := strings.TrimSpace(values[FieldClientID])
	secret := strings.TrimSpace(values[FieldClientSecret])
	if id == "" || len(id) > 256 || strings.ContainsAny(id, " \t\r\n") {
		return connector.Credential{}, fmt.Errorf("hoxtonai: the client ID is missing or malformed: %w", connector.ErrBadRequest)
	}
	if secret == "" || len(secret) > 512 || strings.ContainsAny(secret, " \t\r\n") {
		return connector.Credential{}, fmt.Errorf("hoxtonai: the client secret is missing or malformed: %w", connector.ErrBadRequest)
	}
	return clientCredentials(ctx, s, id, secret)
}

// clientCredentials: POST /oauth/token {grant_type, audience, client_id,
// client_secret} [C].
func clientCredentials(ctx context.Context, s *connector.Spec, id, secret string) (connector.Credential, error) {
	now := s.Now()
	tok, err := postToken(ctx, s, "mint token", map[string]string{
		"grant_type": "client_credentials", "audience": audience(s), "client_id": id, "client_secret": secret,
	})
	if err != nil {
		return connector.Credential{}, err
	}
	return connector.Credential{AccessToken: tok.AccessToken, Expiry: expiry(now, tok.ExpiresIn),
		ClientID: id, ClientSecret: secret, Scope: tok.Scope}, nil
}

// exchange redeems an authorization code: POST /oauth/token with a JSON
// body {grant_type, code, client_id, client_secret, redirect_uri} [C] (and
// the PKCE verifier), then verifies the ID token that came with it.
func exchange(ctx context.Context, s *connector.Spec, code, verifier, redirectURI string) (connector.Credential, error) {
	const op = "exchange code"
	if !s.OAuth.Configured() {
		return connector.Credential{}, fmt.Errorf("hoxtonai: %s: no OAuth client is configured: %w", op, connector.ErrUnsupported)
	}
	body := map[string]string{
		"grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI,
		"client_id": s.OAuth.ClientID, "client_secret": s.OAuth.ClientSecret,
	}
	if verifier != "" {
		body["code_verifier"] = verifier
	}
	now := s.Now()
	tok, err := postToken(ctx, s, op, body)
	if err != nil {
		return connector.Credential{}, err
	}
	if tok.IDToken == "" {
		return connector.Credential{}, &connector.APIError{Vendor: Vendor, Op: op, Status: http.StatusOK, Code: "no id_token (is the openid or profile scope missing?)", Err: connector.ErrUnavailable}
	}
	if _, err := verifyIDToken(ctx, s, tok.IDToken, tok.AccessToken); err != nil {
		return connector.Credential{}, err
	}
	return connector.Credential{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken,
		Expiry: expiry(now, tok.ExpiresIn), Scope: tok.Scope}, nil
}

// refresh renews a sign-in with its refresh token, or re-mints a
// machine-to-machine token. A refused grant is for the host to fix;
// a vendor outage is not.
func refresh(ctx context.Context, s *connector.Spec, c connector.Credential) (connector.Credential, error) {
	var (
		fresh connector.Credential
		err   error
	)
	switch {
	case c.RefreshToken != "":
		fresh, err = refreshGrant(ctx, s, c)
	case c.ClientID != "" && c.ClientSecret != "":
		fresh, err = clientCredentials(ctx, s, c.ClientID, c.ClientSecret)
	default:
		return connector.Credential{}, fmt.Errorf("hoxtonai: nothing saved to renew access with: %w", connector.ErrNeedsReauth)
	}
	var ae *connector.APIError
	if errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && ae.Status != http.StatusTooManyRequests && ae.Status != http.StatusRequestTimeout {
		return connector.Credential{}, fmt.Errorf("%w: %w", connector.ErrNeedsReauth, err)
	}
	return fresh, err
}

// refreshGrant: {grant_type: refresh_token, client_id, client_secret,
// refresh_token} [I: Auth0's standard shape]. Auth0 rotates refresh tokens
// only when the tenant enables it: keep the new one if sent.
func refreshGrant(ctx context.Context, s *connector.Spec, c connector.Credential) (connector.Credential, error) {
	if !s.OAuth.Configured() {
		return connector.Credential{}, fmt.Errorf("hoxtonai: refresh: no OAuth client is configured: %w", connector.ErrUnavailable)
	}
	now := s.Now()
	tok, err := postToken(ctx, s, "refresh token", map[string]string{
		"grant_type": "refresh_token", "refresh_token": c.RefreshToken,
		"client_id": s.OAuth.ClientID, "client_secret": s.OAuth.ClientSecret,
	})
	if err != nil {
		return connector.Credential{}, err
	}
	out := connector.Credential{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken,
		Expiry: expiry(now, tok.ExpiresIn), RefreshExpiry: c.RefreshExpiry, Scope: tok.Scope}
	if out.RefreshToken == "" {
		out.RefreshToken = c.RefreshToken
	} else {
		out.RefreshExpiry = time.Time{} // a new token's lifetime is unknown
	}
	if out.Scope == "" {
		out.Scope = c.Scope
	}
	return out, nil
}

// revoke: POST /oauth/revoke {client_id, client_secret, token} for the
// refresh token, which ends the grant [I: Auth0's endpoint]. Auth0 access
// tokens cannot be revoked and a machine client belongs to the host, so
// there is nothing else to call.
func revoke(ctx context.Context, s *connector.Spec, c connector.Credential) error {
	const op = "revoke token"
	if c.RefreshToken == "" || s.OAuth == nil || s.OAuth.RevokeURL == "" || !s.OAuth.Configured() {
		return nil
	}
	resp, err := post(ctx, s, op, s.OAuth.RevokeURL, map[string]string{
		"client_id": s.OAuth.ClientID, "client_secret": s.OAuth.ClientSecret, "token": c.RefreshToken,
	})
	if err != nil {
		return err
	}
	if resp.Status/100 != 2 {
		return apiError(s, op, resp, c.RefreshToken, s.OAuth.ClientSecret)
	}
	return nil
}

// postToken sends one token request and decodes a success.
func postToken(ctx context.Context, s *connector.Spec, op string, body map[string]string) (tokenResponse, error) {
	if s.OAuth == nil || s.OAuth.TokenURL == "" {
		return tokenResponse{}, fmt.Errorf("hoxtonai: %s: no token endpoint: %w", op, connector.ErrUnsupported)
	}
	resp, err := post(ctx, s, op, s.OAuth.TokenURL, body)
	if err != nil {
		return tokenResponse{}, err
	}
	if resp.Status != http.StatusOK {
		err := apiError(s, op, resp, body["client_secret"], body["refresh_token"], body["code"])
		var ae *connector.APIError
		if errors.As(err, &ae) && ae.Code == "invalid_grant" {
			// Auth0 answers a bad code or refresh token with 403 [I]; the
			// grant, not a permission, was refused.
			ae.Err = connector.ErrUnauthorized
		}
		return tokenResponse{}, err
	}
	var tok tokenResponse
	if json.Unmarshal(resp.Body, &tok) != nil || tok.AccessToken == "" {
		return tokenResponse{}, &connector.APIError{Vendor: Vendor, Op: op, Status: resp.Status, Code: "malformed response", Err: connector.ErrUnavailable}
	}
	return tok, nil
}

// post sends a JSON body, as Auth0's endpoints take it [C].
func post(ctx context.Context, s *connector.Spec, op, u string, body map[string]string) (connector.Response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return connector.Response{}, fmt.Errorf("hoxtonai: %s: encode request: %w", op, err)
	}
	req, err := connector.NewRequest(ctx, http.MethodPost, u, b)
	if err != nil {
		return connector.Response{}, fmt.Errorf("hoxtonai: %s: bad endpoint URL: %w", op, connector.ErrBadRequest)
	}
	return connector.Send(ctx, s, Vendor, op, req)
}

func expiry(now time.Time, seconds int64) time.Time {
	if seconds <= 0 {
		return time.Time{}
	}
	return now.Add(time.Duration(seconds) * time.Second)
}
