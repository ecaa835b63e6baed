package hoxtonai

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/hostgate/hostgate/tools/connector"
)

// verifyIDToken checks the ID token of a code exchange against the
// issuer's discovery document and JWKS — signature, issuer, audience
// (hostgate's client id) and expiry — and returns its subject. When the
// access token is a JWT it must name the same subject, so that Check,
// which reads the access token, reports the account that was verified.
func verifyIDToken(ctx context.Context, s *connector.Spec, rawID, access string) (string, error) {
	const op = "verify id token"
	iss, err := issuer(s)
	if err != nil {
		return "", err
	}
	// Discovery and key fetches go through the vendor's sized client.
	octx := oidc.ClientContext(ctx, s.HTTP)
	provider, err := oidc.NewProvider(octx, iss)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", &connector.APIError{Vendor: Vendor, Op: "discover issuer", Code: connector.Excerpt(scrub(err.Error(), rawID, access)), Err: connector.ErrUnavailable}
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: s.OAuth.ClientID, Now: s.Now}).Verify(octx, rawID)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", &connector.APIError{Vendor: Vendor, Op: op, Status: http.StatusOK, Code: connector.Excerpt(scrub(err.Error(), rawID, access)), Err: connector.ErrUnauthorized}
	}
	if idt.Subject == "" {
		return "", &connector.APIError{Vendor: Vendor, Op: op, Status: http.StatusOK, Code: "no subject", Err: connector.ErrUnauthorized}
	}
	if sub := tokenSubject(access); sub != "" && sub != idt.Subject {
		return "", &connector.APIError{Vendor: Vendor, Op: op, Status: http.StatusOK, Code: "access token is for another subject", Err: connector.ErrUnauthorized}
	}
	return idt.Subject, nil
}

// tokenSubject reads the sub claim of a JWT access token without checking
// its signature: the token came straight from the vendor's token endpoint
// over TLS and is only ever sent back to the vendor, which checks it. It
// returns "" for an opaque token.
func tokenSubject(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return ""
	}
	return claims.Sub
}
