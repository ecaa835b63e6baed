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
		return "", connector.NewError(Vendor, "discover issuer", 0, connector.ErrUnavailable, connector.Redact(err.Error(), rawID, access))
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: s.OAuth.ClientID, Now: s.Now}).Verify(octx, rawID)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", connector.NewError(Vendor, op, http.StatusOK, connector.ErrUnauthorized, connector.Redact(err.Error(), rawID, access))
	}
	if idt.Subject == "" {
		return "", connector.NewError(Vendor, op, http.StatusOK, connector.ErrUnauthorized, "no subject")
	}
	if sub := tokenSubject(access); sub != "" && sub != idt.Subject {
		return "", connector.NewError(Vendor, op, http.StatusOK, connector.ErrUnauthorized, "access token is for another subject")
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
