package hostex

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// env is one started Hostex fake with a spec pointed at it.
type env struct {
	v    *sandbox.Vendor
	spec *connector.Spec
	clk  *connectortest.Clock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clk := connectortest.NewClock(time.Date(2026, 5, 21, 15, 4, 5, 0, time.UTC))
	v := connectortest.Start(t, sandbox.NewHostex(sandbox.Options{Now: clk.Now}))
	return &env{v: v, spec: pointAt(NewSpec(), v, clk.Now), clk: clk}
}

// pointAt aims a Hostex spec at the fake, with the fake's partner client.
func pointAt(s *connector.Spec, v *sandbox.Vendor, now func() time.Time) *connector.Spec {
	connectortest.PointAt(s, v, now)
	s.OAuth.ClientID, s.OAuth.ClientSecret = sandbox.HostexClientID, sandbox.HostexClientSecret
	return s
}

func (e *env) today() string { return e.clk.Now().Format(dateLayout) }

func (e *env) day(offset int) string { return e.clk.Now().AddDate(0, 0, offset).Format(dateLayout) }

// pat returns a connector over a personal token and its source.
func (e *env) pat(token string) (*conn, *connectortest.Source) {
	src := &connectortest.Source{Cred: connector.Credential{AccessToken: token}}
	return e.spec.New(e.spec, src).(*conn), src
}

// raw calls the fake directly, for cross-checking the client's mapping.
func (e *env) raw(t *testing.T, path string, q url.Values) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.v.APIBase+path+"?"+q.Encode(), nil)
	req.Header.Set("Hostex-Access-Token", sandbox.HostexWritableToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatal(err)
	}
	if env["error_code"].(float64) != 0 {
		t.Fatalf("raw %s: %v", path, env)
	}
	return env["data"].(map[string]any)
}

// rawAll pages through a raw list.
func (e *env) rawAll(t *testing.T, path, key string, q url.Values) []map[string]any {
	t.Helper()
	var out []map[string]any
	for offset := 0; ; offset += 100 {
		qq := url.Values{"offset": {strconv.Itoa(offset)}, "limit": {"100"}}
		for k, v := range q {
			qq[k] = v
		}
		items, _ := e.raw(t, path, qq)[key].([]any)
		for _, it := range items {
			out = append(out, it.(map[string]any))
		}
		if len(items) < 100 {
			return out
		}
	}
}

// oauth connects through the fake's OAuth flow.
func (e *env) oauth(t *testing.T) connector.Credential {
	t.Helper()
	q := url.Values{"client_id": {e.spec.OAuth.ClientID}, "redirect_uri": {"http://127.0.0.1:9/callback"}, "state": {"st"}}
	code := connectortest.Approve(t, e.spec.OAuth.AuthURL+"?"+q.Encode()).Query().Get("code")
	cred, err := e.spec.Exchange(context.Background(), e.spec, code, "", "http://127.0.0.1:9/callback")
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return cred
}

var allSecrets = []string{sandbox.HostexWritableToken, sandbox.HostexReadOnlyToken, sandbox.HostexLapsedToken, sandbox.HostexClientSecret}

// wantErr checks an error's sentinel and that its text holds no secret,
// the fake's included.
func wantErr(t *testing.T, err, sentinel error, secrets ...string) *connector.APIError {
	t.Helper()
	return connectortest.WantErr(t, err, sentinel, append(secrets, allSecrets...)...)
}

// noSecret checks that an error's text holds none of the secrets, nor the
// fake's.
func noSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	connectortest.NoSecret(t, err, append(secrets, allSecrets...)...)
}
