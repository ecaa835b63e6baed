package connector_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
)

func TestPastedToken(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		ok             bool
	}{
		{"plain", "abc123", "abc123", true},
		{"surrounding space", "  abc123\n", "abc123", true},
		{"copied scheme", "Bearer abc123", "abc123", true},
		{"empty", "  ", "", false},
		{"inner space", "abc 123", "", false},
		{"non-ASCII", "abcé", "", false},
		{"control character", "abc\x00", "", false},
		{"too long", strings.Repeat("a", 17), "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := connector.PastedToken("x", "X", tc.in, 16)
			if tc.ok {
				if err != nil || got != tc.want {
					t.Fatalf("= %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if !errors.Is(err, connector.ErrBadRequest) {
				t.Fatalf("error %v, want ErrBadRequest", err)
			}
			if len(tc.in) > 3 && strings.Contains(err.Error(), strings.TrimSpace(tc.in)) {
				t.Fatalf("error text %q holds the input", err)
			}
		})
	}
}

func TestPastedTokenForm(t *testing.T) {
	s := &connector.Spec{Name: "acme", Title: "Acme"}
	s.FromFields = connector.PastedTokenForm(64)
	const token = "acme_pat_0123456789abcdef"
	for _, tc := range []struct {
		name   string
		kind   connector.AuthKind
		values map[string]string
		want   error
	}{
		{"a token", connector.AuthToken, map[string]string{"access_token": "  " + token + "\n"}, nil},
		{"pasted with its scheme", connector.AuthToken, map[string]string{"access_token": "Bearer " + token}, nil},
		{"empty", connector.AuthToken, map[string]string{"access_token": " "}, connector.ErrBadRequest},
		{"no field", connector.AuthToken, map[string]string{}, connector.ErrBadRequest},
		{"spaces inside", connector.AuthToken, map[string]string{"access_token": "two words"}, connector.ErrBadRequest},
		{"wrong kind", connector.AuthClientCredentials, map[string]string{"access_token": token}, connector.ErrUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := s.FromFields(context.Background(), s, tc.kind, tc.values)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.want == nil && c != (connector.Credential{AccessToken: token}) {
				t.Errorf("credential %+v, want the trimmed token alone", c)
			}
			if err != nil && (strings.Contains(err.Error(), token) || strings.Contains(err.Error(), "two words")) {
				t.Errorf("error text %q holds the input", err)
			}
		})
	}
}
