package connector

import "strings"

// MinSecret is the length below which a string is not treated as a secret:
// no credential a vendor issues is that short, and cutting a short one (a
// blank value, a stand-in such as "x") would mangle ordinary words.
const MinSecret = 8

// redacted stands where a secret was cut.
const redacted = "[redacted]"

// Redact is the one rule for a vendor's own text on its way into an error:
// every secret of at least MinSecret bytes is cut wherever it appears, and
// what is left is shortened to an Excerpt. Cutting comes first, so that
// shortening never leaves part of a secret behind.
func Redact(text string, secrets ...string) string {
	for _, s := range secrets {
		if len(s) >= MinSecret && strings.Contains(text, s) {
			text = strings.ReplaceAll(text, s, redacted)
		}
	}
	return Excerpt(text)
}

// secrets lists every secret a credential holds: the access and refresh
// tokens and the host's own client secret (Hostaway's API key).
func (c Credential) secrets() []string {
	return []string{c.AccessToken, c.RefreshToken, c.ClientSecret}
}
