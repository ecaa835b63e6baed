// Package metrics is hostgate's Prometheus instrumentation: the one
// registry of a server, every series hostgate keeps, and the values each
// label may take.
//
// The packages where things happen (mcpserver, tools/connector,
// oauthpkce/signin) import this package and call its methods, rather than
// each declaring an observer interface for mcpserver to implement in
// Prometheus. The reason is the labels: no label may carry a user, a
// token or an id, and every label must have a small, fixed set of
// values, or a scrape becomes a list of who did what. With every
// definition and every label value in this one small package, that rule
// is one file to review, and a call site cannot invent a series. The
// package imports nothing of hostgate's (it sits at the bottom of the
// layers, beside store), and only it imports client_golang
// (internal/archtest). Every method of a nil *Metrics does nothing, so
// code and tests that want no metrics pass none.
//
// The series are served by Handler on a listener of their own
// (--metrics-addr), never on the public one.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Outcomes of a vendor token refresh (VendorRefresh).
const (
	RefreshOK = "ok"
	// RefreshNeedsReauth: the vendor refused to renew; only the host can
	// repair the connection by reconnecting it.
	RefreshNeedsReauth = "needs_reauth"
	// RefreshFailed: the vendor or the store failed; a later call tries
	// again.
	RefreshFailed = "error"
	// RefreshSuperseded: another process renewed first, or the host
	// reconnected meanwhile; the stored credential is used.
	RefreshSuperseded = "superseded"
)

// Results of one read through the vendor read cache (CacheRead).
const (
	CacheHit = "hit" // served from memory
	// CacheMiss: this caller's read went to the vendor.
	CacheMiss = "miss"
	// CacheShared: joined a vendor read another caller had started.
	CacheShared = "shared"
	// CacheStale: the vendor's rate limit was spent and older data was
	// served, with its age.
	CacheStale = "stale"
	// CacheError: the vendor read failed and nothing could be served.
	CacheError = "error"
)

// Ways to sign in (SignInFailure).
const (
	SignInPassword = "password"
	SignInOIDC     = "oidc"
)

// What the shared rate counts counted, when they failed (SharedCountFailed).
const (
	SharedVendorBudget = "vendor_budget"
	SharedSignIn       = "signin"
)

// Unmatched is the route label of a request no route of the mux matched.
const Unmatched = "unmatched"

// Metrics is one hostgate server's series, in a registry of its own
// rather than Prometheus's global one, so that two servers in one process
// (tests) count apart. It is safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	requests        *prometheus.CounterVec
	requestSeconds  *prometheus.HistogramVec
	toolCalls       *prometheus.CounterVec
	toolSeconds     *prometheus.HistogramVec
	toolsInFlight   prometheus.Gauge
	vendorRequests  *prometheus.CounterVec
	vendorSeconds   *prometheus.HistogramVec
	refreshes       *prometheus.CounterVec
	rateWaits       *prometheus.CounterVec
	rateWaitSeconds *prometheus.CounterVec
	cacheReads      *prometheus.CounterVec
	signinFailures  *prometheus.CounterVec
	sharedFailures  *prometheus.CounterVec
}

// Buckets, in seconds. A tool call is bounded by its vendor calls (30 s
// each, a renewal 30 s more); the pages and the token endpoint answer in
// milliseconds but for argon2id (a sign-in, ~100 ms).
var (
	requestBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	toolBuckets    = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}
	vendorBuckets  = []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
)

// New returns the series of a server of the given version, with the Go
// runtime's and the process's collectors.
func New(version string) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hostgate_http_requests_total",
		Help: "HTTP requests answered on the public listener, by route (the mux pattern, never the path) and status code.",
	}, []string{"route", "code"})
	m.requestSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "hostgate_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route. A GET /mcp listening stream lasts as long as the client keeps it open.",
		Buckets: requestBuckets,
	}, []string{"route"})
	m.toolCalls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hostgate_tool_calls_total",
		Help: "MCP tool calls, by tool, vendor (the one vendor the call used; multiple or none) and outcome (ok, error, refused, or how a write ended).",
	}, []string{"tool", "vendor", "outcome"})
	m.toolSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "hostgate_tool_call_duration_seconds",
		Help:    "Time a tool call took, by tool and outcome.",
		Buckets: toolBuckets,
	}, []string{"tool", "outcome"})
	m.toolsInFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "hostgate_tool_calls_in_flight",
		Help: "Tool calls running now; a draining server waits for them.",
	})
	m.vendorRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hostgate_vendor_requests_total",
		Help: "HTTP exchanges with vendor APIs and their token endpoints, by vendor and status code: the HTTP status, or the vendor's own error code where it hides errors in an HTTP 200 (Hostex); no_answer: no usable answer; canceled: the caller gave up.",
	}, []string{"vendor", "code"})
	m.vendorSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "hostgate_vendor_request_duration_seconds",
		Help:    "Time of one HTTP exchange with a vendor, by vendor.",
		Buckets: vendorBuckets,
	}, []string{"vendor"})
	m.refreshes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hostgate_vendor_refreshes_total",
		Help: "Renewals of a vendor access token, by vendor and outcome (ok, needs_reauth, error, superseded).",
	}, []string{"vendor", "outcome"})
	m.rateWaits = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hostgate_rate_limit_waits_total",
		Help: "Vendor requests held back by the vendor's published rate limits, by vendor and outcome (waited: sent after a pause; refused: not sent, the wait would have been too long).",
	}, []string{"vendor", "outcome"})
	m.rateWaitSeconds = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hostgate_rate_limit_wait_seconds_total",
		Help: "Time vendor requests spent waiting for room in the vendor's rate limits, by vendor.",
	}, []string{"vendor"})
	m.cacheReads = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hostgate_cache_reads_total",
		Help: "Reads through the vendor read cache, by kind of data and result (hit, miss, shared, stale, error).",
	}, []string{"kind", "result"})
	m.signinFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hostgate_signin_failures_total",
		Help: "Browser sign-ins that signed no one in, by method (password, oidc) and reason.",
	}, []string{"method", "reason"})
	m.sharedFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hostgate_shared_count_failures_total",
		Help: "Takes of the database's shared rate counts (PostgreSQL replicas) that failed or timed out, after which this process judged by its own counts, by what was counted (vendor_budget, signin).",
	}, []string{"what"})
	for _, w := range []string{SharedVendorBudget, SharedSignIn} {
		m.sharedFailures.WithLabelValues(w)
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "hostgate_build_info",
		Help:        "Always 1; its label is the running version.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	build.Set(1)
	m.reg.MustRegister(m.requests, m.requestSeconds, m.toolCalls, m.toolSeconds, m.toolsInFlight,
		m.vendorRequests, m.vendorSeconds, m.refreshes, m.rateWaits, m.rateWaitSeconds,
		m.cacheReads, m.signinFailures, m.sharedFailures, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the series in Prometheus's text format (or OpenMetrics,
// as the scraper asks). Serve it on the metrics listener only.
func (m *Metrics) Handler() http.Handler {
	return promhttp.InstrumentMetricHandler(m.reg, promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		Registry:          m.reg,
		EnableOpenMetrics: true,
	}))
}

// Request counts one HTTP request answered on the public listener. route
// is the mux pattern that matched ("" for none), never the request's path,
// which can hold an invitation's token.
func (m *Metrics) Request(route string, code int, d time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = Unmatched
	}
	m.requests.WithLabelValues(route, codeLabel(code)).Inc()
	m.requestSeconds.WithLabelValues(route).Observe(d.Seconds())
}

// ToolCallStarted counts a tool call as running; ToolCallEnded as done.
func (m *Metrics) ToolCallStarted() {
	if m != nil {
		m.toolsInFlight.Inc()
	}
}

// ToolCallEnded is the end of a call ToolCallStarted counted.
func (m *Metrics) ToolCallEnded() {
	if m != nil {
		m.toolsInFlight.Dec()
	}
}

// ToolCall counts one finished tool call. tool is a name from the served
// list, vendor a configured vendor's name (or "multiple", "none"), outcome
// one of the activity log's outcomes.
func (m *Metrics) ToolCall(tool, vendor, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.toolCalls.WithLabelValues(tool, vendor, outcome).Inc()
	m.toolSeconds.WithLabelValues(tool, outcome).Observe(d.Seconds())
}

// VendorRequest counts one exchange with a vendor that got an answer: code
// is its HTTP status, or the vendor's own error code where the vendor
// hides errors in an HTTP 200.
func (m *Metrics) VendorRequest(vendor string, code int, d time.Duration) {
	if m == nil {
		return
	}
	m.vendorRequests.WithLabelValues(vendor, codeLabel(code)).Inc()
	m.vendorSeconds.WithLabelValues(vendor).Observe(d.Seconds())
}

// VendorRequestFailed counts one exchange with a vendor that got no usable
// answer: the caller gave up (canceled), or the connection, a timeout or
// an unreadable body failed it.
func (m *Metrics) VendorRequestFailed(vendor string, canceled bool, d time.Duration) {
	if m == nil {
		return
	}
	code := "no_answer"
	if canceled {
		code = "canceled"
	}
	m.vendorRequests.WithLabelValues(vendor, code).Inc()
	m.vendorSeconds.WithLabelValues(vendor).Observe(d.Seconds())
}

// VendorRefresh counts one renewal of a vendor access token; outcome is
// one of the Refresh* values.
func (m *Metrics) VendorRefresh(vendor, outcome string) {
	if m != nil {
		m.refreshes.WithLabelValues(vendor, outcome).Inc()
	}
}

// RateLimitWait counts a vendor request that met a spent rate limit: it
// waited the time given and was sent, or (refused) was not sent.
func (m *Metrics) RateLimitWait(vendor string, waited time.Duration, refused bool) {
	if m == nil {
		return
	}
	outcome := "waited"
	if refused {
		outcome = "refused"
	}
	m.rateWaits.WithLabelValues(vendor, outcome).Inc()
	if waited > 0 {
		m.rateWaitSeconds.WithLabelValues(vendor).Add(waited.Seconds())
	}
}

// CacheRead counts one read through the vendor read cache; kind is the
// kind of data (connector.Kind's name), result one of the Cache* values.
func (m *Metrics) CacheRead(kind, result string) {
	if m != nil {
		m.cacheReads.WithLabelValues(kind, result).Inc()
	}
}

// SignInFailure counts a browser sign-in that signed no one in. method is
// SignInPassword or SignInOIDC; reason is one of the sign-in package's
// fixed outcome words (bad_credentials, throttled, wrong_nonce, …), never
// a name or an address.
func (m *Metrics) SignInFailure(method, reason string) {
	if m != nil {
		m.signinFailures.WithLabelValues(method, reason).Inc()
	}
}

// SharedCountFailed counts a take of the shared rate counts that failed or
// timed out (what: SharedVendorBudget or SharedSignIn), after which the
// process judged by its own counts: replicas then allow more between them
// than the limit.
func (m *Metrics) SharedCountFailed(what string) {
	if m != nil {
		m.sharedFailures.WithLabelValues(what).Inc()
	}
}

// ObserveSessions reports, at each scrape, how many MCP sessions the
// server holds.
func (m *Metrics) ObserveSessions(count func() int) {
	if m == nil {
		return
	}
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "hostgate_mcp_sessions",
		Help: "MCP sessions held now (protocol 2025-11-25 and older; newer clients hold none).",
	}, func() float64 { return float64(count()) }))
}

// ObserveCache reports, at each scrape, how many entries the vendor read
// cache holds and their estimated size.
func (m *Metrics) ObserveCache(stats func() (entries int, bytes int64)) {
	if m == nil {
		return
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hostgate_cache_entries",
			Help: "Entries in the vendor read cache.",
		}, func() float64 { n, _ := stats(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "hostgate_cache_bytes",
			Help: "Estimated memory of the vendor read cache's entries, in bytes.",
		}, func() float64 { _, b := stats(); return float64(b) }),
	)
}

// codes are the status codes' labels, made once: a label per request
// should cost no allocation.
var codes = func() []string {
	c := make([]string, 600)
	for i := 100; i < len(c); i++ {
		c[i] = strconv.Itoa(i)
	}
	return c
}()

// codeLabel is a status code as a label; anything outside 100–599 is
// "other", so a broken vendor cannot mint series.
func codeLabel(code int) string {
	if code < 100 || code >= len(codes) {
		return "other"
	}
	return codes[code]
}

// The topics of FleetChanges' label: the store's change topics, and other
// for one a newer process sent.
var fleetTopics = map[string]bool{"grants": true, "connections": true, "limits": true, "sessions": true, "reset": true}

// FleetChanges registers the count of the changes this process applied
// from the database's change feed (PostgreSQL's LISTEN/NOTIFY: what other
// replicas revoked, disabled or changed), by topic, and returns the
// function that counts one. A feed that stops counting while the others
// count is a replica that no longer hears the fleet; reset counts the
// times it lost the feed and got it back.
func (m *Metrics) FleetChanges() func(topic string) {
	if m == nil {
		return func(string) {}
	}
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hostgate_fleet_changes_total",
		Help: "Changes applied from the database's change feed (revocations, connection, limit and session changes made by any replica), by topic.",
	}, []string{"topic"})
	m.reg.MustRegister(c)
	for t := range fleetTopics {
		c.WithLabelValues(t)
	}
	c.WithLabelValues("other")
	return func(topic string) {
		if !fleetTopics[topic] {
			topic = "other"
		}
		c.WithLabelValues(topic).Inc()
	}
}
