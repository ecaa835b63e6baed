package hostaway

import (
	"context"
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
	return fresh, connector.RenewalError(err)
}

// mint: POST /v1/accessTokens, form-encoded client credentials with
// scope=general [C] — RFC 6749's client-credentials grant, which x/oauth2
// sends. The docs disagree on a token's lifetime (184 days or 24 months);
// expires_in is trusted [C]. Hostaway counts mints against the address's
// rate limit, and a new token works only a second after it is issued [C].
func mint(ctx context.Context, s *connector.Spec, accountID, apiKey string) (connector.Credential, error) {
	const op = "mint token"
	if err := waitTurn(ctx, ""); err != nil {
		return connector.Credential{}, fmt.Errorf("hostaway: %s: %w", op, ctxOr(ctx, err))
	}
	g := connector.ClientCredentials{TokenURL: tokenURL(s), ClientID: accountID, ClientSecret: apiKey, Scopes: []string{"general"}}
	cred, err := g.Mint(ctx, s, api{})
	if err != nil {
		return connector.Credential{}, err
	}
	if err := connector.Sleep(ctx, mintSettle); err != nil {
		return connector.Credential{}, fmt.Errorf("hostaway: %s: %w", op, err)
	}
	return cred, nil
}

// revoke: DELETE /v1/accessTokens?token= [C]. A token Hostaway already
// refuses is as good as revoked.
func revoke(ctx context.Context, s *connector.Spec, c connector.Credential) error {
	if c.AccessToken == "" {
		return nil
	}
	cl := connector.NewClient(s, nil, api{})
	err := cl.Do(ctx, connector.Request{Op: "revoke token", Method: http.MethodDelete, Path: "/accessTokens",
		Query: url.Values{"token": {c.AccessToken}}, Secrets: []string{c.AccessToken}}, nil)
	if errors.Is(err, connector.ErrUnauthorized) || errors.Is(err, connector.ErrNotFound) {
		return nil
	}
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
