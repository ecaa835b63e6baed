package mcpserver_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/internal/browsertest"
	"github.com/hostgate/hostgate/internal/metrics/metricstest"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// TestMetricsAfterEndToEnd runs the whole flow — a failed sign-in, then
// sign-in, consent, token and tool calls of every kind (no vendor, every
// vendor, a cache hit, a vendor error, a vendor 401 renewed, a spent rate
// limit served from the cache) — and scrapes the metrics listener, as
// Prometheus would, on a listener of its own: every family is there, the
// counts agree with what the test did and with each other, and no label
// value is an id, a token or a name the test saw.
func TestMetricsAfterEndToEnd(t *testing.T) {
	// The fakes and hostgate's rate budgets run on the test's stopped
	// clock, so a spent budget stays spent.
	e := newEnv(t, envOptions{sandbox: true, sandboxClock: true, cacheBytes: connector.DefaultCacheBytes})
	e.sandbox.Hostaway.SetRateLimiting(false) // hostgate's own budget is the one under test
	listener := httptest.NewServer(e.srv.Metrics().Handler())
	defer listener.Close()
	scrape := func() metricstest.Scrape {
		t.Helper()
		resp, err := http.Get(listener.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("scrape: %d", resp.StatusCode)
		}
		return metricstest.Parse(t, resp.Body)
	}

	// A sign-in failure: the wrong password on the real form.
	b := browsertest.New(t, e.ts.URL)
	p := b.Submit(b.Get("/signin").Form(t, "/signin"), url.Values{"username": {hostName}, "password": {"not the password"}})
	if p.Resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", p.Resp.StatusCode)
	}

	f := e.authorize(t, "2025-11-25")
	defer f.client.Close()
	calls := 0
	call := func(name string, args map[string]any) (bool, string) {
		t.Helper()
		calls++
		return toolResult(t, f.client, name, args, nil)
	}
	if isErr, text := call("whoami", nil); isErr {
		t.Fatalf("whoami: %s", text)
	}
	for range 2 { // the second is served from the cache
		if isErr, text := call("list_properties", nil); isErr {
			t.Fatalf("list_properties: %s", text)
		}
	}
	e.sandbox.Hostex.Fail(sandbox.Fault{Path: "/properties", Status: http.StatusInternalServerError})
	if isErr, _ := call("list_properties", map[string]any{"vendor": "hostex", "fresh": true}); !isErr {
		t.Fatal("a Hostex 500 was not a tool error")
	}
	e.sandbox.Hostaway.Fail(sandbox.Fault{Path: "/listings", Status: http.StatusUnauthorized})
	if isErr, text := call("list_properties", map[string]any{"vendor": "hostaway", "fresh": true}); isErr {
		t.Fatalf("a Hostaway 401 was not renewed: %s", text)
	}
	// Fresh Hostaway reads until hostgate's budget (15 requests in 10 s
	// from one address) refuses to send one; the cache then serves the
	// last answer, with its age.
	for i := 0; scrape().Sum("hostgate_rate_limit_waits_total", "vendor", "hostaway", "outcome", "refused") == 0; i++ {
		if i == 30 {
			t.Fatal("30 fresh Hostaway reads and the budget never refused one")
		}
		if isErr, text := call("list_properties", map[string]any{"vendor": "hostaway", "fresh": true}); isErr {
			t.Fatalf("a read over Hostaway's budget was not served from the cache: %s", text)
		}
	}

	got := scrape()
	if testing.Verbose() {
		// What curl of the listener shows, buckets left out.
		resp, err := http.Get(listener.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		text, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for line := range strings.Lines(string(text)) {
			if strings.HasPrefix(line, "hostgate_") && !strings.Contains(line, "_bucket{") {
				t.Log(strings.TrimSpace(line))
			}
		}
	}
	atLeast := func(min float64, name string, pairs ...string) {
		t.Helper()
		if v := got.Sum(name, pairs...); v < min {
			t.Errorf("%s%v = %v, want at least %v", name, pairs, v, min)
		}
	}
	equal := func(want float64, name string, pairs ...string) {
		t.Helper()
		if v := got.Sum(name, pairs...); v != want {
			t.Errorf("%s%v = %v, want %v", name, pairs, v, want)
		}
	}

	// Requests, by the mux's pattern.
	atLeast(1, "hostgate_http_requests_total", "route", "POST /signin", "code", "401")
	atLeast(1, "hostgate_http_requests_total", "route", "POST /token", "code", "200")
	atLeast(float64(calls), "hostgate_http_requests_total", "route", "/mcp", "code", "200")
	equal(got.Sum("hostgate_http_requests_total"), "hostgate_http_request_duration_seconds")
	for _, route := range got.Values("hostgate_http_requests_total", "route") {
		if strings.ContainsAny(route, "?=") {
			t.Errorf("route label %q is not a pattern", route)
		}
	}

	// Tool calls: every one counted, once, with its duration.
	equal(float64(calls), "hostgate_tool_calls_total")
	equal(float64(calls), "hostgate_tool_call_duration_seconds")
	equal(1, "hostgate_tool_calls_total", "tool", "whoami", "vendor", "none", "outcome", "ok")
	equal(2, "hostgate_tool_calls_total", "tool", "list_properties", "vendor", "multiple", "outcome", "ok")
	equal(1, "hostgate_tool_calls_total", "tool", "list_properties", "vendor", "hostex", "outcome", "error")
	atLeast(2, "hostgate_tool_calls_total", "tool", "list_properties", "vendor", "hostaway", "outcome", "ok")
	if s := got.HistogramSum("hostgate_tool_call_duration_seconds"); s <= 0 {
		t.Errorf("tool call seconds = %v", s)
	}
	equal(0, "hostgate_tool_calls_in_flight")

	// Vendors: the exchanges and their answers, the renewal, the budget.
	atLeast(1, "hostgate_vendor_requests_total", "vendor", "hostex", "code", "500")
	atLeast(1, "hostgate_vendor_requests_total", "vendor", "hostaway", "code", "401")
	for _, v := range []string{"hostex", "hospitable", "hostaway"} {
		atLeast(1, "hostgate_vendor_requests_total", "vendor", v, "code", "200")
	}
	equal(got.Sum("hostgate_vendor_requests_total"), "hostgate_vendor_request_duration_seconds")
	atLeast(1, "hostgate_vendor_refreshes_total", "vendor", "hostaway", "outcome", "ok")
	equal(1, "hostgate_rate_limit_waits_total", "vendor", "hostaway", "outcome", "refused")

	// The read cache.
	atLeast(1, "hostgate_cache_reads_total", "kind", "properties", "result", "hit")
	atLeast(1, "hostgate_cache_reads_total", "kind", "properties", "result", "miss")
	equal(1, "hostgate_cache_reads_total", "kind", "properties", "result", "stale")
	atLeast(1, "hostgate_cache_entries")
	atLeast(1, "hostgate_cache_bytes")

	// Sign-in and sessions.
	equal(1, "hostgate_signin_failures_total", "method", "password", "reason", "bad_credentials")
	equal(1, "hostgate_mcp_sessions")

	// The runtime's and the process's own series.
	for _, name := range []string{"hostgate_build_info", "go_goroutines", "go_memstats_alloc_bytes", "process_cpu_seconds_total", "process_resident_memory_bytes"} {
		if !got.Has(name) {
			t.Errorf("no %s", name)
		}
	}

	// No label value is anything that names who or what: the host, the
	// app, the tokens, the session, the accounts.
	tok, _ := f.tokens.GetToken(t.Context())
	secrets := []string{e.host.ID, e.host.Username, f.clientID, tok.AccessToken, tok.RefreshToken, f.code, f.verifier, "hgm_", "hga_", "hgr_"}
	for _, c := range e.hostConns(t) {
		secrets = append(secrets, c.ID, c.AccountID, c.Label)
	}
	for _, v := range got.LabelValues() {
		for _, s := range secrets {
			if s != "" && strings.Contains(v, s) {
				t.Errorf("label value %q holds %q", v, s)
			}
		}
	}
}
