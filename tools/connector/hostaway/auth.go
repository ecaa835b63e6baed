package hostaway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// mintSettle is how long a new token waits before its first use: Hostaway
// says a token is valid only one second after it is issued [C]. Tests set 0.
var mintSettle = time.Second

// fromFields validates the connect form and mints the connection's first
// token, which proves the account id and key work.
func fromFields(ctx context.Context, s *connector.Spec, kind connector.AuthKind, values map[string]string) (connector.Credential, error) {
	if kind != connector.AuthClientCredentials {
		return connector.Credential{}, fmt.Errorf("hostaway: connect with %q: %w", kind, connector.ErrUnsupported)
	}
	id := strings.TrimSpace(values[FieldAccountID])
	key := strings.TrimSpace(values[FieldAPIKey])
	if id == "" || strings.Trim(id, "0123456789") != "" || len(id) > 20 {
		return connector.Credential{}, fmt.Errorf("hostaway: the account ID is the number shown under Settings → Hostaway API: %w", connector.ErrBadRequest)
	}
	if key == "" || strings.ContainsAny(key, " \t\r\n") || len(key) > 512 {
		return connector.Credential{}, fmt.Errorf("hostaway: the API key is missing or malformed: %w", connector.ErrBadRequest)
	}
	return mint(ctx, s, id, key)
}

// refresh mints a new token from the stored account id and key. Hostaway
// has no refresh tokens [C]; a refused key (the host deleted it) is
// something only the host can fix.
func refresh(ctx context.Context, s *connector.Spec, c connector.Credential) (connector.Credential, error) {
	if c.ClientID == "" || c.ClientSecret == "" {
		return connector.Credential{}, fmt.Errorf("hostaway: no account id and API key saved: %w", connector.ErrNeedsReauth)
	}
	fresh, err := mint(ctx, s, c.ClientID, c.ClientSecret)
	var ae *connector.APIError
	if errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && ae.Status != http.StatusTooManyRequests && ae.Status != http.StatusRequestTimeout {
		return connector.Credential{}, fmt.Errorf("%w: %w", connector.ErrNeedsReauth, err)
	}
	return fresh, err
}

// mint: POST /v1/accessTokens, form-encoded client credentials with
// scope=general [C].
func mint(ctx context.Context, s *connector.Spec, accountID, apiKey string) (connector.Credential, error) {
	const op = "mint token"
	cred := connector.Credential{ClientID: accountID, ClientSecret: apiKey}
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {accountID},
		"client_secret": {apiKey},
		"scope":         {"general"},
	}
	if err := waitTurn(ctx, ""); err != nil {
		return connector.Credential{}, fmt.Errorf("hostaway: %s: %w", op, ctxOr(ctx, err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL(s), strings.NewReader(form.Encode()))
	if err != nil {
		return connector.Credential{}, fmt.Errorf("hostaway: %s: %w", op, connector.ErrBadRequest)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cache-Control", "no-cache")
	now := s.Now()
	resp, err := connector.Send(ctx, s, Vendor, op, req)
	if err != nil {
		return connector.Credential{}, err
	}
	status, raw := resp.Status, resp.Body
	if status != http.StatusOK {
		sentinel := connector.ForStatus(status)
		if sentinel == nil {
			sentinel = connector.ErrUnavailable
		}
		return connector.Credential{}, &connector.APIError{Vendor: Vendor, Op: op, Status: status, Code: vendorMessage(raw, cred), Err: sentinel}
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   intval `json:"expires_in"`
	}
	if json.Unmarshal(raw, &tok) != nil || tok.AccessToken == "" {
		return connector.Credential{}, &connector.APIError{Vendor: Vendor, Op: op, Status: status, Code: "malformed response", Err: connector.ErrUnavailable}
	}
	cred.AccessToken, cred.Scope = tok.AccessToken, "general"
	if tok.ExpiresIn > 0 {
		// The docs disagree on the lifetime (184 days or 24 months); trust
		// expires_in [C].
		cred.Expiry = now.Add(time.Duration(tok.ExpiresIn) * time.Second)
	}
	if err := pause(ctx, mintSettle); err != nil {
		return connector.Credential{}, fmt.Errorf("hostaway: %s: %w", op, err)
	}
	return cred, nil
}

// revoke: DELETE /v1/accessTokens?token= [C]. A token Hostaway already
// refuses is as good as revoked.
func revoke(ctx context.Context, s *connector.Spec, c connector.Credential) error {
	const op = "revoke token"
	if c.AccessToken == "" {
		return nil
	}
	if err := waitTurn(ctx, ""); err != nil {
		return fmt.Errorf("hostaway: %s: %w", op, ctxOr(ctx, err))
	}
	u := tokenURL(s) + "?" + url.Values{"token": {c.AccessToken}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, u, nil)
	if err != nil {
		return fmt.Errorf("hostaway: %s: %w", op, connector.ErrBadRequest)
	}
	resp, err := connector.Send(ctx, s, Vendor, op, req)
	if err != nil {
		return err
	}
	if st := resp.Status; st == http.StatusUnauthorized || st == http.StatusForbidden || st == http.StatusNotFound {
		return nil
	}
	_, err = decode(s, op, resp, c)
	return err
}

func tokenURL(s *connector.Spec) string {
	return strings.TrimRight(s.BaseURL, "/") + "/accessTokens"
}

// ctxOr prefers the context's own error, so callers can test for
// context.Canceled; a limiter that refuses to outwait a deadline reports
// the deadline.
func ctxOr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return context.DeadlineExceeded
	}
	return nil
}
