package connector_test

import (
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
