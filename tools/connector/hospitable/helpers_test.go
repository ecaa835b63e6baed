package hospitable

import (
	"context"
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
type env struct{ connectortest.Env }

// newEnv starts the fake on a clock stopped at connectortest.FixedNow.
func newEnv(t *testing.T) *env { t.Helper(); return newEnvAt(t, connectortest.FixedNow) }

// newEnvAt starts the fake on a clock stopped at now, with the fake's
// partner client.
func newEnvAt(t *testing.T, now time.Time) *env {
	t.Helper()
	return &env{connectortest.NewEnv(t, sandbox.NewHospitable, NewSpec(), now, sandbox.HospitableClientID, sandbox.HospitableClientSecret)}
}

// pat returns a connector over a personal token and its source.
func (e *env) pat(token string) (*conn, *connectortest.Source) {
	return connectortest.Conn[*conn](e.Spec, connector.Credential{AccessToken: token})
}

// raw calls the fake directly, for cross-checking the client's mapping.
func (e *env) raw(t *testing.T, path string, q url.Values) map[string]any {
	t.Helper()
	status, body := connectortest.Raw(t, http.MethodGet, e.V.APIBase+path+"?"+q.Encode(),
		http.Header{"Authorization": {"Bearer " + sandbox.HospitablePAT}}, nil)
	m, ok := body.(map[string]any)
	if !ok || status != http.StatusOK {
		t.Fatalf("raw %s: HTTP %d, %v", path, status, body)
	}
	return m
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
	return url.Values{"properties[]": ids, "include": {reservationIncludes(true)}}
}

const redirectURI = "http://127.0.0.1:9/callback"

// oauth connects through the fake's OAuth flow.
func (e *env) oauth(t *testing.T) connector.Credential {
	t.Helper()
	return e.Connect(t, redirectURI)
}

var allSecrets = []string{sandbox.HospitablePAT, sandbox.HospitableReadOnlyPAT, sandbox.HospitableNoFinancialsPAT,
	sandbox.HospitableNoListingsPAT, sandbox.HospitableNoTransactionsPAT, sandbox.HospitableClientSecret}

// wantErr checks an error's sentinel and that its text holds no secret,
// the fake's included; noSecret checks the text only.
var wantErr, noSecret = connectortest.Checks(allSecrets...)

// forget empties what the process learnt of tokens refused a relation, so
// that a test starts where a fresh hostgate does.
func forget(scopes ...*scoped) {
	for _, s := range scopes {
		s.refused.mu.Lock()
		clear(s.refused.m)
		s.refused.mu.Unlock()
	}
}
