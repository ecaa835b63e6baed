package connector

import (
	"fmt"
	"strings"
)

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
