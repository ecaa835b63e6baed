package hoxtonai

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestMain(m *testing.M) {
	pollInterval = time.Millisecond
	os.Exit(m.Run())
}

// fixedNow is the tests' fixed "now": the seeded counts end the day before.
var fixedNow = time.Date(2026, 5, 21, 15, 4, 5, 0, time.UTC)

// env is one test's fake HoxtonAI and a Spec pointed at it.
type env struct {
	v    *sandbox.Vendor
	spec *connector.Spec
	clk  *connectortest.Clock
}

func start(t *testing.T, now time.Time) *env {
	t.Helper()
	clk := connectortest.NewClock(now)
	v := connectortest.Start(t, sandbox.NewHoxtonAI(sandbox.Options{Now: clk.Now}))
	s := connectortest.PointAt(NewSpec(), v, clk.Now)
	s.OAuth.ClientID, s.OAuth.ClientSecret = sandbox.HoxtonAIClientID, sandbox.HoxtonAIClientSecret
	return &env{v: v, spec: s, clk: clk}
}

const redirectURI = "http://127.0.0.1:5555/connect/hoxtonai/callback"

// authorize plays the host in the browser: it opens the authorize URL the
// way hostgate's connect flow builds it from the Spec, approves, and
// returns the code and the PKCE verifier.
func (e *env) authorize(t *testing.T) (code, verifier string) {
	t.Helper()
	verifier = strings.Repeat("v3rifier-", 6)
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"response_type": {"code"}, "client_id": {e.spec.OAuth.ClientID}, "redirect_uri": {redirectURI},
		"scope": {strings.Join(e.spec.OAuth.Scopes, " ")}, "state": {"st4te"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	for k, v := range e.spec.OAuth.AuthParams {
		q.Set(k, v)
	}
	loc := connectortest.Approve(t, e.spec.OAuth.AuthURL+"?"+q.Encode())
	if loc.Query().Get("state") != "st4te" {
		t.Fatalf("consent redirect %q: the state did not come back", loc)
	}
	return loc.Query().Get("code"), verifier
}

// login runs the whole OAuth connect: authorize, then Exchange.
func (e *env) login(t *testing.T) connector.Credential {
	t.Helper()
	code, verifier := e.authorize(t)
	c, err := e.spec.Exchange(context.Background(), e.spec, code, verifier, redirectURI)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// machine connects a machine-to-machine client through the form.
func (e *env) machine(t *testing.T) connector.Credential {
	t.Helper()
	c, err := e.spec.FromFields(context.Background(), e.spec, store.AuthClientCredentials,
		map[string]string{FieldClientID: sandbox.HoxtonAIM2MClientID, FieldClientSecret: sandbox.HoxtonAIM2MClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// conn returns a Connector over a signed-in credential and a counting
// source that renews with the Spec's Refresh.
func (e *env) conn(t *testing.T) (*Connector, *connectortest.Source) {
	t.Helper()
	src := &connectortest.Source{Cred: e.login(t), Renew: connectortest.RefreshWith(e.spec)}
	return e.spec.New(e.spec, src).(*Connector), src
}

// raw calls the fake directly, bypassing the client.
func (e *env) raw(t *testing.T, cred connector.Credential, method, path string, body any) any {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.v.APIBase+path, rd)
	req.Header.Set("Authorization", "Bearer "+cred.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out any
	if resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(b, &out); err != nil || resp.StatusCode/100 != 2 {
		t.Fatalf("raw %s %s: HTTP %d %s", method, path, resp.StatusCode, b)
	}
	return out
}

// noSecret fails if an error's text holds any of the secrets, or the
// fake's client secrets.
func noSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	connectortest.NoSecret(t, err, append(secrets, sandbox.HoxtonAIClientSecret, sandbox.HoxtonAIM2MClientSecret)...)
}
