package connector

import (
	"context"
	"fmt"
	"strings"
)

// TokenField is the connect-form field of a pasted personal access token.
const TokenField = "access_token"

// PastedToken cleans a personal access token a host pasted into a connect
// form: surrounding space and a copied "Bearer " scheme are dropped. An
// empty value, one longer than maxLen, or one with spaces, control or
// non-ASCII characters is refused with an error wrapping ErrBadRequest whose
// text (naming the vendor by title) is fit to show the host. The token
// itself never appears in the error.
func PastedToken(vendor, title, raw string, maxLen int) (string, error) {
	tok := strings.TrimSpace(raw)
	tok = strings.TrimSpace(strings.TrimPrefix(tok, "Bearer "))
	switch {
	case tok == "":
		return "", fmt.Errorf("%s: paste the personal access token: %w", vendor, ErrBadRequest)
	case len(tok) > maxLen || strings.ContainsFunc(tok, func(r rune) bool { return r <= ' ' || r > '~' }):
		return "", fmt.Errorf("%s: that does not look like a %s access token: %w", vendor, title, ErrBadRequest)
	}
	return tok, nil
}

// PastedTokenForm is the Spec.FromFields of a vendor whose hosts connect
// by pasting a personal access token (AuthToken) into the TokenField: the
// token as PastedToken cleans it, at most maxLen bytes. The connect flow
// then proves it with Check before saving it.
func PastedTokenForm(maxLen int) func(ctx context.Context, s *Spec, kind AuthKind, values map[string]string) (Credential, error) {
	return func(_ context.Context, s *Spec, kind AuthKind, values map[string]string) (Credential, error) {
		if kind != AuthToken {
			return Credential{}, fmt.Errorf("%s: connect by %q: %w", s.Name, kind, ErrUnsupported)
		}
		tok, err := PastedToken(s.Name, s.Title, values[TokenField], maxLen)
		if err != nil {
			return Credential{}, err
		}
		return Credential{AccessToken: tok}, nil
	}
}
