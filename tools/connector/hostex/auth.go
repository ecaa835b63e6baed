package hostex

import (
	"context"

	"github.com/hostgate/hostgate/tools/connector"
)

// scopeReadOnly is the Credential.Scope of a token known to be read-only:
// its writes fail here without a call. Hostex does not reveal a personal
// token's scope up front, so a credential usually has no Scope and a
// refused write is diagnosed when it happens (see api.CheckRefusal).
const scopeReadOnly = "read-only"

// Hostex's token endpoint, POST /v3/oauth/authorizations [C], is not RFC
// 6749's, hence OAuth.TokenJSON: it takes the grant's parameters and the
// client credentials as a JSON body, answers in its envelope (HTTP 200,
// a refusal as error_code 401 [C]), and takes no redirect_uri or PKCE [C].

// exchange redeems an authorization code, sending neither the redirect URI
// nor a verifier.
func exchange(ctx context.Context, s *connector.Spec, code, _, _ string) (connector.Credential, error) {
	cred, _, err := connector.ExchangeCode(ctx, s, api{}, code, "", "")
	return cred, err
}

// refresh renews an OAuth token (Hostex wants it within 7 days [C]) and
// keeps the refresh token Hostex sends back, which replaces the old one
// [I]. A personal token has nothing to renew: if Hostex refused it, only
// the host can replace it.
func refresh(ctx context.Context, s *connector.Spec, c connector.Credential) (connector.Credential, error) {
	return connector.RefreshGrant(ctx, s, api{}, c)
}

// revoke disconnects the host, as Hostex asks partners to do: POST
// /v3/oauth/revoke {client_id, client_secret, token} [C]. One call ends
// the whole authorization, so the longer-lived refresh token is the one
// sent. A personal token is revoked by the host in Hostex.
func revoke(ctx context.Context, s *connector.Spec, c connector.Credential) error {
	if c.RefreshToken == "" {
		return nil
	}
	return connector.RevokeToken(ctx, s, api{}, c.RefreshToken, c.AccessToken)
}
