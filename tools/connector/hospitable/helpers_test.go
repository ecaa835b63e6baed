package hospitable

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

var ctx = context.Background()

// env is one started Hospitable fake with a spec pointed at it.
type env struct {
	v    *sandbox.Vendor
	spec *connector.Spec
	clk  *connectortest.Clock
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvAt(t, time.Date(2026, 5, 21, 15, 4, 5, 0, time.UTC))
}

func newEnvAt(t *testing.T, now time.Time) *env {
	t.Helper()
	clk := connectortest.NewClock(now)
	v := connectortest.Start(t, sandbox.NewHospitable(sandbox.Options{Now: clk.Now}))
	return &env{v: v, spec: pointAt(NewSpec(), v, clk.Now), clk: clk}
}

// pointAt aims a Hospitable spec at the fake, with the fake's partner client.
func pointAt(s *connector.Spec, v *sandbox.Vendor, now func() time.Time) *connector.Spec {
	connectortest.PointAt(s, v, now)
	s.OAuth.ClientID, s.OAuth.ClientSecret = sandbox.HospitableClientID, sandbox.HospitableClientSecret
	return s
}

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
	req.Header.Set("Authorization", "Bearer "+sandbox.HospitablePAT)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 {
		t.Fatalf("raw %s: HTTP %d, %v", path, resp.StatusCode, err)
	}
	return body
}

// rawAll pages through a raw list.
func (e *env) rawAll(t *testing.T, path string, q url.Values, perPage int) []map[string]any {
	t.Helper()
	var out []map[string]any
	for n := 1; ; n++ {
		qq := url.Values{"page": {strconv.Itoa(n)}, "per_page": {strconv.Itoa(perPage)}}
		for k, v := range q {
			qq[k] = v
		}
		body := e.raw(t, path, qq)
		for _, it := range body["data"].([]any) {
			out = append(out, it.(map[string]any))
		}
		if body["links"].(map[string]any)["next"] == nil {
			return out
		}
	}
}

// allProperties is the properties[] of every seeded property.
func (e *env) allProperties(t *testing.T) url.Values {
	var ids []string
	for _, p := range e.rawAll(t, "/properties", nil, 100) {
		ids = append(ids, p["id"].(string))
	}
	return url.Values{"properties[]": ids, "include": {reservationIncludes}}
}

const redirectURI = "http://127.0.0.1:9/callback"

// oauth connects through the fake's OAuth flow.
func (e *env) oauth(t *testing.T) connector.Credential {
	t.Helper()
	q := url.Values{"client_id": {e.spec.OAuth.ClientID}, "response_type": {"code"}, "redirect_uri": {redirectURI}, "state": {"st"}}
	cred, err := e.spec.Exchange(ctx, e.spec, connectortest.Approve(t, e.spec.OAuth.AuthURL+"?"+q.Encode()).Query().Get("code"), "", redirectURI)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return cred
}

var allSecrets = []string{sandbox.HospitablePAT, sandbox.HospitableReadOnlyPAT, sandbox.HospitableClientSecret}

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
