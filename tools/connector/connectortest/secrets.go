package connectortest

import (
	"errors"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
)

// minSecret is the length below which a string is not checked: a blank
// form value or a stand-in token such as "x" is in many texts by chance,
// and no credential a vendor or the sandbox issues is that short.
const minSecret = 8

// NoSecret fails the test when err's text contains any of the secrets
// (docs/security.md, "What is never logged": no error text carries a token, secret or password).
// Strings shorter than 8 bytes once trimmed are skipped. A nil err passes.
func NoSecret(t testing.TB, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	text := err.Error()
	for _, s := range secrets {
		if len(strings.TrimSpace(s)) >= minSecret && strings.Contains(text, s) {
			t.Fatalf("error text contains a secret: %q", text)
		}
	}
}

// WantErr fails the test unless err wraps sentinel and its text holds none
// of the secrets. It returns the *connector.APIError in err's chain, or nil
// when there is none.
func WantErr(t testing.TB, err, sentinel error, secrets ...string) *connector.APIError {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("err = %v, want %v", err, sentinel)
	}
	NoSecret(t, err, secrets...)
	var ae *connector.APIError
	errors.As(err, &ae)
	return ae
}
