package hoxtonai

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// tokenSubject reads the sub claim of a JWT access token without checking
// its signature: the token came straight from the vendor's token endpoint
// over TLS, authenticated with hostgate's client secret, and is only ever
// sent back to the vendor, which checks it. It returns "" for an opaque
// token.
//
// hostgate verifies no ID token: HoxtonAI's reference documents neither an
// OIDC discovery document nor a key set for auth.hoxton.ai [C: its
// authentication section gives only /authorize and /oauth/token], and an
// ID token received from the token endpoint over TLS needs no signature
// check to be trusted (OpenID Connect Core 1.0, 3.1.3.7).
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
