package hostex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// scopeReadOnly is the Credential.Scope of a token known to be read-only:
// its writes fail here without a call. Hostex does not reveal a personal
// token's scope up front, so a credential usually has no Scope and a
// refused write is diagnosed when it happens (see conn.call).
const scopeReadOnly = "read-only"

// fieldToken is the connect-form field of a personal access token.
const fieldToken = "access_token"

// fromFields takes a pasted personal access token. The connect flow then
// proves it with Check before saving it.
func fromFields(_ context.Context, _ *connector.Spec, kind connector.AuthKind, values map[string]string) (connector.Credential, error) {
	if kind != connector.AuthToken {
		return connector.Credential{}, fmt.Errorf("%s: connect by %q: %w", vendor, kind, connector.ErrUnsupported)
	}
	tok, err := connector.PastedToken(vendor, "Hostex", values[fieldToken], 512)
	if err != nil {
		return connector.Credential{}, err
	}
	return connector.Credential{AccessToken: tok}, nil
}

// exchange redeems an authorization code: JSON with the client credentials
// and no redirect_uri or PKCE, which Hostex does not take [C].
func exchange(ctx context.Context, s *connector.Spec, code, _, _ string) (connector.Credential, error) {
	if !s.OAuth.Configured() {
		return connector.Credential{}, fmt.Errorf("%s: exchange: OAuth client not configured: %w", vendor, connector.ErrUnsupported)
	}
	if code == "" {
		return connector.Credential{}, fmt.Errorf("%s: exchange: no authorization code: %w", vendor, connector.ErrBadRequest)
	}
	return grant(ctx, s, "exchange code", map[string]string{"grant_type": "authorization_code", "code": code})
}

// refresh renews an OAuth token (Hostex wants it within 7 days [C]) and
// keeps the refresh token Hostex sends back, which replaces the old one
// [I]. A personal token has nothing to renew: if Hostex refused it, only
// the host can replace it.
func refresh(ctx context.Context, s *connector.Spec, c connector.Credential) (connector.Credential, error) {
	if c.RefreshToken == "" {
		return connector.Credential{}, fmt.Errorf("%s: the access token was refused and cannot be renewed: %w", vendor, connector.ErrNeedsReauth)
	}
	if !s.OAuth.Configured() {
		return connector.Credential{}, fmt.Errorf("%s: refresh: OAuth client not configured: %w", vendor, connector.ErrUnsupported)
	}
	fresh, err := grant(ctx, s, "refresh token", map[string]string{"grant_type": "refresh_token", "refresh_token": c.RefreshToken})
	var ae *connector.APIError
	if errors.As(err, &ae) && (ae.Status == 400 || ae.Status == 401 || ae.Status == 422) {
		// A refused refresh token (or client) never recovers by retrying.
		return connector.Credential{}, fmt.Errorf("%w: %w", connector.ErrNeedsReauth, err)
	}
	if err != nil {
		return connector.Credential{}, err
	}
	fresh.Scope = c.Scope
	return fresh, nil
}

// revoke disconnects the host, as Hostex asks partners to do [C]. One call
// ends the whole authorization, so the longer-lived refresh token is the
// one sent. A personal token is revoked by the host in Hostex.
func revoke(ctx context.Context, s *connector.Spec, c connector.Credential) error {
	if c.RefreshToken == "" {
		return nil
	}
	if !s.OAuth.Configured() || s.OAuth.RevokeURL == "" {
		return fmt.Errorf("%s: revoke: OAuth client not configured: %w", vendor, connector.ErrUnsupported)
	}
	body := map[string]string{"client_id": s.OAuth.ClientID, "client_secret": s.OAuth.ClientSecret, "token": c.RefreshToken}
	_, err := post(ctx, s, "revoke", s.OAuth.RevokeURL, body, []string{c.RefreshToken, c.AccessToken})
	return err
}

// grant calls the token endpoint, POST /v3/oauth/authorizations [C].
func grant(ctx context.Context, s *connector.Spec, op string, params map[string]string) (connector.Credential, error) {
	params["client_id"], params["client_secret"] = s.OAuth.ClientID, s.OAuth.ClientSecret
	data, err := post(ctx, s, op, s.OAuth.TokenURL, params, []string{params["code"], params["refresh_token"]})
	if err != nil {
		return connector.Credential{}, err
	}
	var t struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int64  `json:"expires_in"`
	}
	if json.Unmarshal(data, &t) != nil || t.AccessToken == "" {
		return connector.Credential{}, &connector.APIError{Vendor: vendor, Op: op, Code: "malformed token response", Err: connector.ErrUnavailable}
	}
	c := connector.Credential{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken}
	if t.ExpiresIn > 0 {
		c.Expiry = s.Now().Add(time.Duration(t.ExpiresIn) * time.Second)
	}
	return c, nil
}

// post sends a JSON body to an OAuth endpoint and returns the envelope's
// data. The body holds the client secret, so no part of it, nor of the
// secrets listed, may reach an error text.
func post(ctx context.Context, s *connector.Spec, op, endpoint string, body map[string]string, secrets []string) (json.RawMessage, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: encode request: %w", vendor, op, err)
	}
	req, err := connector.NewRequest(ctx, http.MethodPost, endpoint, b)
	if err != nil {
		return nil, &connector.APIError{Vendor: vendor, Op: op, Code: "bad endpoint URL", Err: connector.ErrBadRequest}
	}
	resp, err := connector.Send(ctx, s, vendor, op, req)
	if err != nil {
		return nil, err
	}
	data, err := decode(op, resp, s.OAuth.ClientSecret, s.Now())
	var ae *connector.APIError
	if errors.As(err, &ae) {
		for _, sec := range secrets {
			ae.Code = scrub(ae.Code, sec)
		}
	}
	return data, err
}
