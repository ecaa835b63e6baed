package hoxtonai

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

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

// HoxtonAI signs in at auth.hoxton.ai, whose token endpoint takes RFC
// 6749's parameters as one JSON object [C: both flows of the reference
// post JSON]: the code exchange and the refresh go through the connector
// package's JSON path (OAuth.TokenJSON); a machine client's grant is below.

// mintAnswer is the token endpoint's answer to a client-credentials grant
// [C: {access_token, token_type, expires_in}]; Auth0 may add scope [I].
type mintAnswer struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

// clientCredentials mints a machine-to-machine token: POST /oauth/token
// with the JSON {grant_type: client_credentials, audience, client_id,
// client_secret} [C]. The credential keeps the client's id and secret, to
// mint the next token from.
func clientCredentials(ctx context.Context, s *connector.Spec, id, secret string) (connector.Credential, error) {
	const op = "mint token"
	u := tokenURL(s)
	if u == "" {
		return connector.Credential{}, fmt.Errorf("hoxtonai: %s: no token endpoint: %w", op, connector.ErrUnsupported)
	}
	now := s.Now()
	body := map[string]string{"grant_type": "client_credentials", "audience": audience(s), "client_id": id, "client_secret": secret}
	var t mintAnswer
	c := connector.NewClient(s, nil, api{})
	if err := c.Do(ctx, connector.Request{Op: op, Method: http.MethodPost, URL: u, Body: body, Secrets: []string{secret}}, &t); err != nil {
		return connector.Credential{}, err
	}
	if t.AccessToken == "" {
		return connector.Credential{}, malformed(op, "a token response without access_token")
	}
	cred := connector.Credential{AccessToken: t.AccessToken, ClientID: id, ClientSecret: secret, Scope: t.Scope}
	if t.ExpiresIn > 0 {
		cred.Expiry = now.Add(time.Duration(t.ExpiresIn) * time.Second)
	}
	return cred, nil
}

// exchange redeems an authorization code at POST /oauth/token, JSON
// {grant_type: authorization_code, code, client_id, client_secret,
// redirect_uri} [C], with the PKCE verifier [I]. That is the whole
// documented flow: no discovery document is fetched and no ID token is
// required (see tokenSubject); the access token that comes back is the
// credential.
func exchange(ctx context.Context, s *connector.Spec, code, verifier, redirectURI string) (connector.Credential, error) {
	cred, _, err := connector.ExchangeCode(ctx, s, api{}, code, verifier, redirectURI)
	return cred, err
}

// refresh renews a sign-in with its refresh token, JSON {grant_type:
// refresh_token, refresh_token, client_id, client_secret} [I: the
// reference says offline_access yields a refresh token but not how it is
// spent; this is RFC 6749's grant, which Auth0 takes, and Auth0 rotates
// refresh tokens only when the tenant enables it], or
// re-mints a machine-to-machine token. A refused grant is for the host to
// fix; a vendor outage is not.
func refresh(ctx context.Context, s *connector.Spec, c connector.Credential) (connector.Credential, error) {
	switch {
	case c.RefreshToken != "":
		return connector.RefreshGrant(ctx, s, api{}, c)
	case c.ClientID != "" && c.ClientSecret != "":
		fresh, err := clientCredentials(ctx, s, c.ClientID, c.ClientSecret)
		return fresh, connector.RenewalError(err)
	}
	return connector.Credential{}, fmt.Errorf("hoxtonai: nothing saved to renew access with: %w", connector.ErrNeedsReauth)
}

// revoke: POST /oauth/revoke, JSON {client_id, client_secret, token},
// for the refresh token, which ends the grant [I: not in the reference;
// Auth0's endpoint]. Auth0 access
// tokens cannot be revoked and a machine client belongs to the host, so
// there is nothing else to call.
func revoke(ctx context.Context, s *connector.Spec, c connector.Credential) error {
	if c.RefreshToken == "" || s.OAuth == nil || s.OAuth.RevokeURL == "" || !s.OAuth.Configured() {
		return nil
	}
	return connector.RevokeToken(ctx, s, api{}, c.RefreshToken)
}

// tokenURL is the token endpoint, also for machine clients where hostgate
// has no OAuth client of its own.
func tokenURL(s *connector.Spec) string {
	if s.OAuth == nil {
		return ""
	}
	return s.OAuth.TokenURL
}
