package mcpserver

import (
	"time"

	"github.com/hostgate/hostgate/store"
)

// What mcpserver counts (internal/metrics holds the definitions): every
// request on the public listener by its mux pattern and status
// (logRequests), every tool call by tool, vendor and outcome with its
// duration (recordToolCalls, recordRefusedCall), the tool calls in flight,
// the MCP sessions held, and the read cache's size. The vendor requests,
// refreshes, rate-limit waits and cache reads are counted where they
// happen (tools/connector), and sign-in failures by the sign-in manager.

// Label values for the vendor of a tool call.
const (
	vendorNone     = "none"     // the call used no vendor account
	vendorMultiple = "multiple" // it used accounts of several vendors
	// labelOther stands for a name hostgate does not serve or configure;
	// no request can mint a series.
	labelOther = "other"
)

// observe wires the series that are read at each scrape (sessions, the
// cache's size) and the read cache's counts. New calls it once.
func (s *Server) observe() {
	s.metrics.ObserveSessions(s.sessions.count)
	cache := s.lifecycle.Cache()
	cache.UseMetrics(s.metrics)
	s.metrics.ObserveCache(cache.Stats)
}

// toolCallStarted and toolCallEnded bracket every tool call: the gauge of
// calls in flight, and the count a draining server reports.
func (s *Server) toolCallStarted() {
	s.inFlight.Add(1)
	s.metrics.ToolCallStarted()
}

func (s *Server) toolCallEnded() {
	s.inFlight.Add(-1)
	s.metrics.ToolCallEnded()
}

// countToolCall counts a tool call as its activity event records it. The
// labels are the tool's name from the served list, the vendor it used, and
// the outcome; never the host, the app or an account.
func (s *Server) countToolCall(e store.AuditEvent) {
	s.metrics.ToolCall(s.toolLabel(e.Tool), s.vendorLabel(e.Accounts), e.Outcome, e.Duration)
}

// toolLabel is a tool's name if hostgate serves it. mcp-go answers a call
// of an unknown tool before any middleware runs; this keeps the rule
// local.
func (s *Server) toolLabel(name string) string {
	if _, ok := s.toolScopes[name]; ok {
		return name
	}
	return labelOther
}

// vendorLabel names the one vendor whose accounts a call used, or says
// none or several.
func (s *Server) vendorLabel(accounts []store.EventAccount) string {
	if len(accounts) == 0 {
		return vendorNone
	}
	v := accounts[0].Vendor
	for _, a := range accounts[1:] {
		if a.Vendor != v {
			return vendorMultiple
		}
	}
	if _, ok := s.vendors.Spec(v); !ok {
		return labelOther
	}
	return v
}

// requestDone counts a request on the public listener by the pattern the
// mux matched; logRequests calls it once the request is answered.
func (s *Server) requestDone(pattern string, status int, d time.Duration) {
	s.metrics.Request(pattern, status, d)
}

// count is how many MCP sessions the table holds.
func (s *sessions) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}
