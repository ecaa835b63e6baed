package connectortest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// FixedNow is the vendor tests' stopped "now": the fakes seed their data
// around the clock they are given.
var FixedNow = time.Date(2026, 5, 21, 15, 4, 5, 0, time.UTC)

// Env is one vendor's sandbox fake, started for a test on a stopped
// clock, and the vendor's Spec pointed at it. A vendor package's tests
// embed it in their own env to add their helpers.
type Env struct {
	V     *sandbox.Vendor
	Spec  *connector.Spec
	Clock *Clock
}

// NewEnv starts the fake newVendor makes, on a clock stopped at now, until
// the test ends, and points spec at it (PointAt). When the spec has OAuth,
// hostgate's registration with the fake (clientID, clientSecret) is set.
func NewEnv(t testing.TB, newVendor func(sandbox.Options) *sandbox.Vendor, spec *connector.Spec, now time.Time, clientID, clientSecret string) Env {
	t.Helper()
	clk := NewClock(now)
	v := Start(t, newVendor(sandbox.Options{Now: clk.Now}))
	PointAt(spec, v, clk.Now)
	if spec.OAuth != nil {
		spec.OAuth.ClientID, spec.OAuth.ClientSecret = clientID, clientSecret
	}
	return Env{V: v, Spec: spec, Clock: clk}
}

// WithOAuth returns a copy of the Spec whose OAuth registration edit has
// changed (a wrong secret, none at all); the Env's Spec is left alone.
func (e Env) WithOAuth(edit func(*connector.OAuth)) *connector.Spec {
	s := *e.Spec
	o := *s.OAuth
	edit(&o)
	s.OAuth = &o
	return &s
}

// Day is the date offset days from the clock's today, YYYY-MM-DD.
func (e Env) Day(offset int) string { return e.Clock.Now().AddDate(0, 0, offset).Format(time.DateOnly) }

// Authorize plays the host through the fake's consent page for hostgate's
// OAuth client, from the authorize URL hostgate builds (OAuth.AuthCodeURL),
// and returns the code and the PKCE verifier the exchange needs ("" when
// the vendor takes no PKCE).
func (e Env) Authorize(t testing.TB, redirectURI string) (code, verifier string) {
	t.Helper()
	if e.Spec.OAuth.OmitRedirectURI {
		// The vendor takes the redirect URL from its partner portal, not
		// from the request: register it there, as a partner would.
		e.V.SetRedirectURI(redirectURI)
	}
	u, verifier := e.Spec.OAuth.AuthCodeURL("st4te", redirectURI)
	loc := Approve(t, u)
	if got := loc.Query().Get("state"); got != "st4te" {
		t.Fatalf("consent redirect %q: the state did not come back", loc)
	}
	return loc.Query().Get("code"), verifier
}

// Connect runs a whole OAuth connect against the fake — Authorize, then
// the Spec's Exchange — and returns the credential.
func (e Env) Connect(t testing.TB, redirectURI string) connector.Credential {
	t.Helper()
	code, verifier := e.Authorize(t, redirectURI)
	cred, err := e.Spec.Exchange(context.Background(), e.Spec, code, verifier, redirectURI)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return cred
}

// Conn builds spec's connector, as its vendor type C, over a counting
// Source holding cred, and returns both.
func Conn[C connector.Connector](spec *connector.Spec, cred connector.Credential) (C, *Source) {
	src := &Source{Cred: cred}
	return spec.New(spec, src).(C), src
}

// Raw calls a fake directly, bypassing the client, so that a test can
// compare the client's mapping with what the vendor sent. body, when not
// nil, goes as JSON. It returns the HTTP status and the JSON answer (nil
// when there is none), and fails the test on a transport error or an
// answer that is not JSON.
func Raw(t testing.TB, method, u string, header http.Header, body any) (int, any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if len(bytes.TrimSpace(b)) == 0 {
		return resp.StatusCode, nil
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("raw %s %s: HTTP %d %s", method, u, resp.StatusCode, b)
	}
	return resp.StatusCode, out
}

// Checks returns WantErr and NoSecret bound to a fake's own secrets (its
// tokens and client secrets), which no error text may carry either.
func Checks(fakeSecrets ...string) (
	wantErr func(t testing.TB, err, sentinel error, secrets ...string) *connector.APIError,
	noSecret func(t testing.TB, err error, secrets ...string),
) {
	wantErr = func(t testing.TB, err, sentinel error, secrets ...string) *connector.APIError {
		t.Helper()
		return WantErr(t, err, sentinel, append(secrets, fakeSecrets...)...)
	}
	noSecret = func(t testing.TB, err error, secrets ...string) {
		t.Helper()
		NoSecret(t, err, append(secrets, fakeSecrets...)...)
	}
	return wantErr, noSecret
}
