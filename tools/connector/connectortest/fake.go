package connectortest

import (
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// Start serves a sandbox fake on a loopback port until the test ends, and
// returns it. Every exchange is held against the vendor's contract
// (WatchContract) and the test fails on a violation.
func Start(t testing.TB, v *sandbox.Vendor) *sandbox.Vendor {
	t.Helper()
	if err := v.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	WatchContract(t, v)
	return v
}

// PointAt aims a vendor's Spec at a started fake — BaseURL, and the OAuth
// authorize, token and revoke endpoints when the Spec has OAuth — and gives
// it the clock now. hostgate's client registration (OAuth.ClientID and
// ClientSecret) is the caller's to set. It returns s.
func PointAt(s *connector.Spec, v *sandbox.Vendor, now func() time.Time) *connector.Spec {
	s.BaseURL, s.Now = v.APIBase, now
	if s.OAuth != nil {
		s.OAuth.AuthURL, s.OAuth.TokenURL, s.OAuth.RevokeURL = v.AuthorizeURL, v.TokenURL, v.RevokeURL
	}
	return s
}
