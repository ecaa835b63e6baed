package connectortest_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
)

// recorder is a testing.TB that records a failure instead of stopping.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Fatal(...any)          { r.failed = true }
func (r *recorder) Errorf(string, ...any) { r.failed = true }

func TestNoSecret(t *testing.T) {
	const token = "hx_pat_sandbox_writable_4c1f9a7e2b6d"
	for _, tc := range []struct {
		name    string
		err     error
		secrets []string
		fails   bool
	}{
		{"no error", nil, []string{token}, false},
		{"clean text", errors.New("hostex: list properties: vendor refused the credential"), []string{token}, false},
		{"the token in the text", fmt.Errorf("hostex: bad token %s", token), []string{token}, true},
		{"the token deep in a chain", fmt.Errorf("outer: %w", fmt.Errorf("inner %s", token)), []string{"", token}, true},
		{"a blank form value is not checked", errors.New("the key is missing or malformed"), []string{"  ", ""}, false},
		{"a stand-in shorter than 8 bytes is not checked", errors.New("the key is missing"), []string{"x", "a b", "abc def"}, false},
		{"8 bytes are checked", errors.New("refused 12345678"), []string{"12345678"}, true},
	} {
		r := &recorder{TB: t}
		connectortest.NoSecret(r, tc.err, tc.secrets...)
		if r.failed != tc.fails {
			t.Errorf("%s: failed = %v, want %v", tc.name, r.failed, tc.fails)
		}
	}
}

func TestWantErr(t *testing.T) {
	ae := &connector.APIError{Vendor: "hostex", Op: "check", Status: 401, Err: connector.ErrUnauthorized}
	err := fmt.Errorf("wrapped: %w", ae)

	r := &recorder{TB: t}
	if got := connectortest.WantErr(r, err, connector.ErrUnauthorized, "not-in-the-text"); r.failed || got != ae {
		t.Errorf("matching sentinel: failed %v, APIError %v", r.failed, got)
	}
	r = &recorder{TB: t}
	connectortest.WantErr(r, err, connector.ErrNotFound)
	if !r.failed {
		t.Error("another sentinel passed")
	}
	r = &recorder{TB: t}
	connectortest.WantErr(r, err, connector.ErrUnauthorized, "hostex: check")
	if !r.failed {
		t.Error("a secret in the text passed")
	}
	r = &recorder{TB: t}
	if got := connectortest.WantErr(r, fmt.Errorf("x: %w", connector.ErrBadRequest), connector.ErrBadRequest); r.failed || got != nil {
		t.Errorf("no APIError in the chain: failed %v, %v", r.failed, got)
	}
}
