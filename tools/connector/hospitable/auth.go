package hospitable

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// refreshTTL is how long a Hospitable refresh token lives [C].
const refreshTTL = 90 * 24 * time.Hour

// fieldToken is the connect-form field of a personal access token.
const fieldToken = "access_token"

// fromFields takes a pasted personal access token (a JWT of about a
// thousand characters [C]). The connect flow then proves it with Check.
func fromFields(_ context.Context, _ *connector.Spec, kind connector.AuthKind, values map[string]string) (connector.Credential, error) {
	if kind != connector.AuthToken {
		return connector.Credential{}, fmt.Errorf("%s: connect by %q: %w", vendor, kind, connector.ErrUnsupported)
	}
	tok, err := connector.PastedToken(vendor, "Hospitable", values[fieldToken], 8192)
	if err != nil {
		return connector.Credential{}, err
	}
	return connector.Credential{AccessToken: tok}, nil
}

// exchange redeems an authorization code with a JSON body [C]. The
// redirect_uri goes along when the authorize request carried one (RFC 6749
// §4.1.3; Laravel Passport enforces it), and a PKCE verifier when one was
// used.
func exchange(ctx context.Context, s *connector.Spec, code, verifier, redirectURI string) (connector.Credential, error) {
	if !s.OAuth.Configured() {
		return connector.Credential{}, fmt.Errorf("%s: exchange: OAuth client not configured: %w", vendor, connector.ErrUnsupported)
	}
	if code == "" {
		return connector.Credential{}, fmt.Errorf("%s: exchange: no authorization code: %w", vendor, connector.ErrBadRequest)
	}
	p := map[string]string{"grant_type": "authorization_code", "code": code}
	if redirectURI != "" {
		p["redirect_uri"] = redirectURI
	}
	if verifier != "" {
		p["code_verifier"] = verifier
	}
	return grant(ctx, s, "exchange code", p, code, verifier)
}

// refresh renews an OAuth token (they last 12 hours [C]). Hospitable
// rotates the refresh token on every use [C]; the new one is returned for
// the token source to store before the access token is used. A refused
// refresh (invalid_grant, a 400 or 401) needs the host; anything else is
// transient. A personal token has nothing to renew.
func refresh(ctx context.Context, s *connector.Spec, c connector.Credential) (connector.Credential, error) {
	if c.RefreshToken == "" {
		return connector.Credential{}, fmt.Errorf("%s: the access token was refused and cannot be renewed: %w", vendor, connector.ErrNeedsReauth)
	}
	if !s.OAuth.Configured() {
		return connector.Credential{}, fmt.Errorf("%s: refresh: OAuth client not configured: %w", vendor, connector.ErrUnsupported)
	}
	fresh, err := grant(ctx, s, "refresh token", map[string]string{"grant_type": "refresh_token", "refresh_token": c.RefreshToken}, c.RefreshToken, c.AccessToken)
	var ae *connector.APIError
	if errors.As(err, &ae) && (ae.Status == http.StatusBadRequest || ae.Status == http.StatusUnauthorized) {
		return connector.Credential{}, fmt.Errorf("%w: %w", connector.ErrNeedsReauth, err)
	}
	if err != nil {
		return connector.Credential{}, err
	}
	if fresh.RefreshToken == "" {
		// Not rotated this time: the old one stays good.
		fresh.RefreshToken, fresh.RefreshExpiry = c.RefreshToken, c.RefreshExpiry
	}
	return fresh, nil
}

// grant calls the token endpoint with a JSON body [C]. secrets are cut from
// any vendor message that would echo them, as is the client secret.
func grant(ctx context.Context, s *connector.Spec, op string, p map[string]string, secrets ...string) (connector.Credential, error) {
	p["client_id"], p["client_secret"] = s.OAuth.ClientID, s.OAuth.ClientSecret
	b, err := json.Marshal(p)
	if err != nil {
		return connector.Credential{}, fmt.Errorf("%s: %s: encode request: %w", vendor, op, err)
	}
	req, err := connector.NewRequest(ctx, http.MethodPost, s.OAuth.TokenURL, b)
	if err != nil {
		return connector.Credential{}, &connector.APIError{Vendor: vendor, Op: op, Code: "bad token URL", Err: connector.ErrBadRequest}
	}
	raw, err := send(ctx, s, op, req, append(secrets, s.OAuth.ClientSecret)...)
	if err != nil {
		return connector.Credential{}, err
	}
	var t struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int64  `json:"expires_in"`
	}
	if json.Unmarshal(raw, &t) != nil || t.AccessToken == "" {
		return connector.Credential{}, &connector.APIError{Vendor: vendor, Op: op, Status: http.StatusOK, Code: "malformed token response", Err: connector.ErrUnavailable}
	}
	now := s.Now()
	c := connector.Credential{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken}
	if t.ExpiresIn > 0 {
		c.Expiry = now.Add(time.Duration(t.ExpiresIn) * time.Second)
	}
	if t.RefreshToken != "" {
		c.RefreshExpiry = now.Add(refreshTTL)
	}
	return c, nil
}
