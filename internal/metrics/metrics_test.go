package metrics

import (
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/metrics/metricstest"
)

// TestEverySeries: each method counts in its family under the labels it
// was given, and the runtime and process collectors are there.
func TestEverySeries(t *testing.T) {
	m := New("1.2.3")
	m.Request("GET /healthz", 200, 3*time.Millisecond)
	m.Request("", 404, time.Millisecond)
	m.ToolCallStarted()
	m.ToolCallStarted()
	m.ToolCallEnded()
	m.ToolCall("list_properties", "hostex", "ok", 40*time.Millisecond)
	m.VendorRequest("hostex", 429, 20*time.Millisecond)
	m.VendorRequestFailed("hostex", false, time.Second)
	m.VendorRequestFailed("hostex", true, time.Second)
	m.VendorRefresh("hospitable", RefreshNeedsReauth)
	m.RateLimitWait("hostaway", 1500*time.Millisecond, false)
	m.RateLimitWait("hostaway", 0, true)
	m.CacheRead("properties", CacheHit)
	m.SignInFailure(SignInPassword, "bad_credentials")
	m.ObserveSessions(func() int { return 7 })
	m.ObserveCache(func() (int, int64) { return 3, 4096 })

	got := metricstest.Read(t, m.Handler())
	for _, c := range []struct {
		name  string
		pairs []string
		want  float64
	}{
		{"hostgate_http_requests_total", []string{"route", "GET /healthz", "code", "200"}, 1},
		{"hostgate_http_requests_total", []string{"route", Unmatched, "code", "404"}, 1},
		{"hostgate_http_request_duration_seconds", nil, 2},
		{"hostgate_tool_calls_total", []string{"tool", "list_properties", "vendor", "hostex", "outcome", "ok"}, 1},
		{"hostgate_tool_call_duration_seconds", []string{"tool", "list_properties", "outcome", "ok"}, 1},
		{"hostgate_tool_calls_in_flight", nil, 1},
		{"hostgate_vendor_requests_total", []string{"vendor", "hostex", "code", "429"}, 1},
		{"hostgate_vendor_requests_total", []string{"vendor", "hostex", "code", "no_answer"}, 1},
		{"hostgate_vendor_requests_total", []string{"vendor", "hostex", "code", "canceled"}, 1},
		{"hostgate_vendor_request_duration_seconds", []string{"vendor", "hostex"}, 3},
		{"hostgate_vendor_refreshes_total", []string{"vendor", "hospitable", "outcome", "needs_reauth"}, 1},
		{"hostgate_rate_limit_waits_total", []string{"vendor", "hostaway", "outcome", "waited"}, 1},
		{"hostgate_rate_limit_waits_total", []string{"vendor", "hostaway", "outcome", "refused"}, 1},
		{"hostgate_rate_limit_wait_seconds_total", []string{"vendor", "hostaway"}, 1.5},
		{"hostgate_cache_reads_total", []string{"kind", "properties", "result", "hit"}, 1},
		{"hostgate_signin_failures_total", []string{"method", "password", "reason", "bad_credentials"}, 1},
		{"hostgate_mcp_sessions", nil, 7},
		{"hostgate_cache_entries", nil, 3},
		{"hostgate_cache_bytes", nil, 4096},
		{"hostgate_build_info", []string{"version", "1.2.3"}, 1},
	} {
		if v := got.Sum(c.name, c.pairs...); v != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.pairs, v, c.want)
		}
	}
	if sum := got.HistogramSum("hostgate_tool_call_duration_seconds"); sum != 0.04 {
		t.Errorf("tool call seconds = %v, want 0.04", sum)
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if !got.Has(name) {
			t.Errorf("no %s: the runtime and process collectors are missing", name)
		}
	}
}

// TestStatusCodeLabels: a status code outside HTTP's range is "other", so
// a broken vendor cannot mint series.
func TestStatusCodeLabels(t *testing.T) {
	for code, want := range map[int]string{200: "200", 100: "100", 599: "599", 99: "other", 600: "other", 0: "other", -1: "other", 1 << 20: "other"} {
		if got := codeLabel(code); got != want {
			t.Errorf("codeLabel(%d) = %q, want %q", code, got, want)
		}
	}
}

// TestNilCountsNothing: every method of a nil *Metrics is a no-op, so
// code without metrics needs no stand-in.
func TestNilCountsNothing(t *testing.T) {
	var m *Metrics
	m.Request("x", 200, 0)
	m.ToolCallStarted()
	m.ToolCallEnded()
	m.ToolCall("t", "v", "ok", 0)
	m.VendorRequest("v", 200, 0)
	m.VendorRequestFailed("v", true, 0)
	m.VendorRefresh("v", RefreshOK)
	m.RateLimitWait("v", time.Second, false)
	m.CacheRead("k", CacheMiss)
	m.SignInFailure(SignInOIDC, "wrong_nonce")
	m.ObserveSessions(func() int { return 0 })
	m.ObserveCache(func() (int, int64) { return 0, 0 })
}

// BenchmarkToolCallCounted is what counting one tool call costs: its
// request, the in-flight gauge, the call and its duration.
//
//	go test -run '^$' -bench ToolCallCounted ./internal/metrics/
func BenchmarkToolCallCounted(b *testing.B) {
	m := New("bench")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.ToolCallStarted()
			m.ToolCall("list_properties", "hostex", "ok", 40*time.Millisecond)
			m.ToolCallEnded()
			m.Request("/mcp", 200, 41*time.Millisecond)
		}
	})
}
