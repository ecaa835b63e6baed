package mcpserver_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
)

// burst makes n concurrent calls of each body through /mcp, as separate
// clients of one app would, and fails on any answer that is not a
// successful tool result.
func (e *env) burst(t *testing.T, n int, bodies ...[]byte) {
	t.Helper()
	p, _ := e.grant(t, "read")
	sess := e.initSession(t, p.AccessToken)
	h, c := mcpHeaders(p.AccessToken, sess), benchClient()
	var wg sync.WaitGroup
	for i := range n * len(bodies) {
		wg.Go(func() {
			if err := post(c, e.ts.URL+"/mcp", h, bodies[i%len(bodies)]); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// vendorRequests counts each fake's requests so far.
func (e *env) vendorRequests() map[string]int {
	out := map[string]int{}
	for _, v := range e.sandbox.Vendors() {
		out[v.Name] = v.Requests("")
	}
	return out
}

// TestColdBurstOneVendorRequestPerQuery: 64 clients calling at once on a
// cold cache cost every vendor as many requests as one call of each
// distinct query does, through the whole server: list_properties over the
// four demo accounts, and two list_reservations that differ in arguments.
func TestColdBurstOneVendorRequestPerQuery(t *testing.T) {
	queries := [][]byte{
		listPropertiesCall,
		[]byte(`{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"list_reservations","arguments":{"by":"check_in"}}}`),
		[]byte(`{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"list_reservations","arguments":{"by":"check_out"}}}`),
	}
	one := newEnv(t, envOptions{sandbox: true, quiet: true, cacheBytes: connector.DefaultCacheBytes})
	before := one.vendorRequests()
	one.burst(t, 1, queries...)
	want := map[string]int{}
	for v, n := range one.vendorRequests() {
		want[v] = n - before[v]
	}
	if want["hostex"] == 0 || want["hospitable"] == 0 || want["hostaway"] == 0 {
		t.Fatalf("one call of each query asked %v", want)
	}

	e := newEnv(t, envOptions{sandbox: true, quiet: true, cacheBytes: connector.DefaultCacheBytes})
	before = e.vendorRequests()
	e.burst(t, 64, queries...)
	for v, n := range e.vendorRequests() {
		if got := n - before[v]; got != want[v] {
			t.Errorf("%s: 64 concurrent clients of each query made %d requests, one call of each %d", v, got, want[v])
		}
	}
	for _, v := range e.sandbox.Vendors() {
		if n := v.RateLimited(); n != 0 {
			t.Errorf("%s answered %d requests with a rate limit", v.Name, n)
		}
	}
}

// TestFreshBurstStaysWithinVendorLimits: clients that keep asking for
// fresh data, 8 at a time, round after round, more than Hostaway's 15
// requests per 10 s allow, all get answers (fresh, or the kept data with
// its age once the budget is spent), and no fake's published limit is
// exceeded.
func TestFreshBurstStaysWithinVendorLimits(t *testing.T) {
	e := newEnv(t, envOptions{sandbox: true, quiet: true, cacheBytes: connector.DefaultCacheBytes})
	p, _ := e.grant(t, "read")
	h, c := mcpHeaders(p.AccessToken, e.initSession(t, p.AccessToken)), benchClient()
	u := e.ts.URL + "/mcp"
	fresh := []byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"list_properties","arguments":{"vendor":"hostaway","fresh":true}}}`)
	var mu sync.Mutex
	stale := 0
	for range 24 {
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				body, err := postBody(c, u, h, fresh)
				if err != nil {
					t.Error(err)
					return
				}
				if strings.Contains(body, "rate limit is spent") {
					mu.Lock()
					stale++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
	}
	if stale == 0 {
		t.Error("no answer came from kept data: the budget was never spent")
	}
	for _, v := range e.sandbox.Vendors() {
		if n := v.RateLimited(); n != 0 {
			t.Errorf("%s answered %d requests with a rate limit", v.Name, n)
		}
	}
}

// postBody is post that returns the answer.
func postBody(c *http.Client, u string, h http.Header, body []byte) (string, error) {
	req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(body))
	req.Header = h.Clone()
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK || bytes.Contains(got, []byte(`"isError":true`)) {
		return "", &callError{status: resp.StatusCode, body: string(got[:min(len(got), 300)])}
	}
	return string(got), nil
}
