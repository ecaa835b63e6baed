package hostaway

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestMain(m *testing.M) {
	// The vendor's timings are real seconds; the tests run on an injected
	// clock and must not wait them out. Tests that exercise a timing set
	// it back themselves.
	mintSettle = 0
	backoff429 = time.Millisecond
	budgeted = false
	os.Exit(m.Run())
}

// fixedNow is the tests' stopped "now".
var fixedNow = connectortest.FixedNow

// env is one test's fake Hostaway and a Spec pointed at it.
type env struct{ connectortest.Env }

func start(t *testing.T, now time.Time) *env {
	t.Helper()
	return &env{connectortest.NewEnv(t, sandbox.NewHostaway, NewSpec(), now, "", "")}
}

// startQuiet starts a fake with its rate limits off, for tests that make
// many calls and are not about limits.
func startQuiet(t *testing.T) *env {
	t.Helper()
	e := start(t, fixedNow)
	e.V.SetRateLimiting(false)
	return e
}

func (e *env) mint(t *testing.T) connector.Credential {
	t.Helper()
	return connectForm(t, e.Env)
}

// connectForm connects through the form: the account id and the API key.
func connectForm(t *testing.T, e connectortest.Env) connector.Credential {
	t.Helper()
	c, err := e.Spec.FromFields(context.Background(), e.Spec, store.AuthClientCredentials,
		map[string]string{FieldAccountID: sandbox.HostawayAccountID, FieldAPIKey: sandbox.HostawayAPIKey})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// conn returns a Connector over a counting source that renews with the
// Spec's Refresh.
func (e *env) conn(t *testing.T) (*Connector, *connectortest.Source) {
	t.Helper()
	c, src := connectortest.Conn[*Connector](e.Spec, e.mint(t))
	src.Renew = connectortest.RefreshWith(e.Spec)
	return c, src
}

// raw fetches a path from the fake directly, bypassing the client, so that
// tests compare the client's mapping with what the vendor sent.
func (e *env) raw(t *testing.T, cred connector.Credential, path string) map[string]any {
	t.Helper()
	status, body := connectortest.Raw(t, http.MethodGet, e.V.APIBase+path, http.Header{"Authorization": {"Bearer " + cred.AccessToken}}, nil)
	out, ok := body.(map[string]any)
	if !ok || status != http.StatusOK {
		t.Fatalf("raw %s: HTTP %d %v", path, status, body)
	}
	return out
}

func rawList(t *testing.T, m map[string]any) []map[string]any {
	t.Helper()
	l, ok := m["result"].([]any)
	if !ok {
		t.Fatalf("result is not a list: %v", m)
	}
	out := make([]map[string]any, len(l))
	for i, x := range l {
		out[i] = x.(map[string]any)
	}
	return out
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

func num(v any) float64 { f, _ := v.(float64); return f }

// noSecret fails if an error's text holds any of the secrets, or the
// fake's API key.
var _, noSecret = connectortest.Checks(sandbox.HostawayAPIKey)
