package hostaway

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"golang.org/x/time/rate"

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
	setLimits(rate.Inf, rate.Inf)
	os.Exit(m.Run())
}

// setLimits changes the shared limiters, existing and future.
func setLimits(address, account rate.Limit) {
	limiters.mu.Lock()
	defer limiters.mu.Unlock()
	addressRate, accountRate = address, account
	limiters.address.SetLimit(address)
	for _, l := range limiters.account {
		l.SetLimit(account)
	}
}

// fixedNow is the tests' fixed "now": the seeded data is laid out around it.
var fixedNow = time.Date(2026, 5, 21, 15, 4, 5, 0, time.UTC)

// env is one test's fake Hostaway and a Spec pointed at it.
type env struct {
	v    *sandbox.Vendor
	spec *connector.Spec
	clk  *connectortest.Clock
}

func start(t *testing.T, now time.Time) *env {
	t.Helper()
	clk := connectortest.NewClock(now)
	v := connectortest.Start(t, sandbox.NewHostaway(sandbox.Options{Now: clk.Now}))
	return &env{v: v, spec: connectortest.PointAt(NewSpec(), v, clk.Now), clk: clk}
}

// startQuiet starts a fake with its rate limits off, for tests that make
// many calls and are not about limits.
func startQuiet(t *testing.T) *env {
	t.Helper()
	e := start(t, fixedNow)
	e.v.SetRateLimiting(false)
	return e
}

func (e *env) mint(t *testing.T) connector.Credential {
	t.Helper()
	c, err := e.spec.FromFields(context.Background(), e.spec, store.AuthClientCredentials,
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
	src := &connectortest.Source{Cred: e.mint(t), Renew: connectortest.RefreshWith(e.spec)}
	return e.spec.New(e.spec, src).(*Connector), src
}

// raw fetches a path from the fake directly, bypassing the client, so that
// tests compare the client's mapping with what the vendor sent.
func (e *env) raw(t *testing.T, cred connector.Credential, path string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("GET", e.v.APIBase+path, nil)
	req.Header.Set("Authorization", "Bearer "+cred.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("raw %s: HTTP %d %s", path, resp.StatusCode, b)
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
func noSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	connectortest.NoSecret(t, err, append(secrets, sandbox.HostawayAPIKey)...)
}
