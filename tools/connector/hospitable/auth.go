package hospitable

import (
	"context"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// refreshTTL is how long a Hospitable refresh token lives [C].
const refreshTTL = 90 * 24 * time.Hour

// Hospitable's token endpoint, POST /oauth/token, takes a JSON body [C]
// (hence OAuth.TokenJSON) and answers RFC 6749's token response, with
// errors as {error, error_description, message} [T].

// exchange redeems an authorization code with {client_id, client_secret,
// grant_type, code}, the request the authentication guide shows [C]: no
// redirect_uri, which the Partner Portal fixes (OAuth.OmitRedirectURI), and
// no PKCE verifier, since none is documented and none was sent. A code
// from the marketplace's one-click connect is redeemed the same way.
func exchange(ctx context.Context, s *connector.Spec, code, verifier, redirectURI string) (connector.Credential, error) {
	cred, _, err := connector.ExchangeCode(ctx, s, api{}, code, verifier, redirectURI)
	if cred.RefreshToken != "" {
		cred.RefreshExpiry = s.Now().Add(refreshTTL)
	}
	return cred, err
}

// refresh renews an OAuth token (they last 12 hours [C]). Hospitable
// rotates the refresh token on every use [C]; the new one, good for 90
// days, is returned for the token source to store before the access token
// is used. A refused refresh (invalid_grant, a 400 or 401) needs the host;
// anything else is transient. A personal token has nothing to renew.
func refresh(ctx context.Context, s *connector.Spec, c connector.Credential) (connector.Credential, error) {
	fresh, err := connector.RefreshGrant(ctx, s, api{}, c)
	if err == nil && fresh.RefreshToken != c.RefreshToken {
		fresh.RefreshExpiry = s.Now().Add(refreshTTL)
	}
	return fresh, err
}
