package hostaway

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
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

// clock is an injected clock that moves only when a test advances it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fixedNow is the tests' fixed "now": the seeded data is laid out around it.
var fixedNow = time.Date(2026, 5, 21, 15, 4, 5, 0, time.UTC)

// env is one test's fake Hostaway and a Spec pointed at it.
type env struct {
	v    *sandbox.Vendor
	spec *connector.Spec
	clk  *clock
}

func start(t *testing.T, now time.Time) *env {
	t.Helper()
	clk := &clock{t: now}
	v := sandbox.NewHostaway(sandbox.Options{Now: clk.Now})
	if err := v.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	s := NewSpec()
	s.BaseURL, s.Now = v.APIBase, clk.Now
	return &env{v: v, spec: s, clk: clk}
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
func (e *env) conn(t *testing.T) (*Connector, *countingSource) {
	t.Helper()
	src := &countingSource{cred: e.mint(t), renew: func(ctx context.Context, c connector.Credential) (connector.Credential, error) {
		return e.spec.Refresh(ctx, e.spec, c)
	}}
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

// countingSource is a TokenSource double that counts Rejected calls and
// renews through the given function (nil: it cannot renew).
type countingSource struct {
	mu       sync.Mutex
	cred     connector.Credential
	renew    func(context.Context, connector.Credential) (connector.Credential, error)
	rejected int
}

func (s *countingSource) Token(context.Context) (connector.Credential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cred, nil
}

func (s *countingSource) Rejected(ctx context.Context, token string) (connector.Credential, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejected++
	if s.renew == nil {
		return connector.Credential{}, connector.ErrUnauthorized
	}
	fresh, err := s.renew(ctx, s.cred)
	if err != nil {
		return connector.Credential{}, err
	}
	s.cred = fresh
	return fresh, nil
}

func (s *countingSource) rejections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejected
}

// noSecret fails if an error's text holds any of the secrets.
func noSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range append(secrets, sandbox.HostawayAPIKey) {
		// Short strings (a blank form value) match any text by chance.
		if len(strings.TrimSpace(s)) >= 8 && strings.Contains(err.Error(), s) {
			t.Fatalf("error text holds a secret: %q", err.Error())
		}
	}
}
