// Package oidcfake is a fake OpenID Connect provider on loopback, for tests
// and for `hostgate demo` ("Sandbox ID"): discovery, a JWKS, an authorize
// page that signs in one configured user, and a token endpoint that checks
// the code, the redirect URI, the client secret and the PKCE verifier
// before it hands out an RS256-signed ID token.
//
// Faults make it misbehave the ways a relying party must notice: an ID
// token from another issuer or for another audience, expired, signed with a
// key the JWKS does not publish, carrying another nonce or none; an
// authorization error instead of a code; discovery that fails.
//
// It shares no code with hostgate's sign-in, which it fakes the other side
// of: it is written from the OpenID Connect specifications, not from the
// client's structs.
package oidcfake
