package sandbox

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// maxBody caps every request body the fakes read (as in hostgate's own handlers, every body goes through
// http.MaxBytesReader). Real vendors accept more; no client of ours sends more.
const maxBody = 1 << 20

// Vendor is one fake vendor: an http.Handler with seeded data, its own OAuth/token endpoints
// and test hooks. All methods are safe for concurrent use.
//
// The URL fields are filled by Start, or by SetURL when a test mounts Handler() itself.
type Vendor struct {
	// Name is the vendor key: "hostex", "hospitable", "hostaway" or "hoxtonai".
	Name string
	// URL is the root URL of the listener, e.g. http://127.0.0.1:41234 (no trailing slash).
	URL string
	// APIBase is what a client uses in place of the vendor's real API base:
	// Hostex <URL>/v3, Hospitable <URL>/v2, Hostaway <URL>/v1, HoxtonAI <URL>.
	APIBase string
	// AuthorizeURL is the browser authorization page ("" for Hostaway, which has none).
	AuthorizeURL string
	// TokenURL is the token endpoint.
	TokenURL string
	// RevokeURL is the revocation endpoint.
	RevokeURL string
	// Issuer is the OIDC issuer, HoxtonAI only: <URL>/ WITH the trailing slash, as Auth0 does.
	Issuer string
	// ClientID and ClientSecret are the partner OAuth client the fake has registered for
	// hostgate; both "" for Hostaway, which has no OAuth.
	ClientID, ClientSecret string

	now       func() time.Time
	basePath  string   // API path prefix: "/v3", "/v2", "/v1" or ""
	authPaths []string // exact paths of auth endpoints; a Fault with Path "" skips them
	tokenPath string   // POSTs here count as TokenRequests
	mux       *http.ServeMux
	// writeFault renders a scripted fault in the vendor's own error format.
	writeFault func(w http.ResponseWriter, r *http.Request, f Fault)
	// gate runs after faults and before the routes (Hostaway's rate limits); false = handled.
	gate func(w http.ResponseWriter, r *http.Request) bool
	// urls derives the exported URL fields from a root URL.
	urls func(v *Vendor, root string)

	mu            sync.Mutex
	root          string // guarded by mu; "" until Start/SetURL
	faults        []*faultState
	requests      map[string]int
	tokenRequests int
	sent          []SentMessage
	calWrites     []CalendarWrite
	replies       []ReviewReply
	cal           calendarState
	rateLimiting  bool
	redirectURI   string
	tokens        tokenStore
	limits        limiter
	pending       map[string]*authRequest

	obs observers

	srv *http.Server
	ln  net.Listener
}

func newVendor(name, basePath string, opts Options) *Vendor {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Vendor{
		Name:         name,
		now:          now,
		basePath:     basePath,
		mux:          http.NewServeMux(),
		requests:     map[string]int{},
		rateLimiting: true,
		tokens:       newTokenStore(),
		limits:       limiter{hits: map[string][]time.Time{}},
		pending:      map[string]*authRequest{},
		cal:          calendarState{},
	}
}

// Handler returns the vendor's HTTP handler, for mounting in a test's own server
// (then call SetURL with that server's URL).
func (v *Vendor) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { v.observed(w, r, v.serve) })
}

// SetURL records the root URL the handler is served at and fills the exported URL fields.
// Start calls it; call it yourself after mounting Handler() in httptest.NewServer.
// Before it is called, links and the HoxtonAI issuer are derived from the request's Host.
func (v *Vendor) SetURL(root string) {
	root = strings.TrimRight(root, "/")
	v.mu.Lock()
	v.root = root
	v.mu.Unlock()
	v.URL = root
	v.APIBase = root + v.basePath
	v.urls(v, root)
}

// Start serves the vendor on a new loopback listener (127.0.0.1:0) and fills the URL fields.
func (v *Vendor) Start() error {
	if v.srv != nil {
		return fmt.Errorf("sandbox: %s: already started", v.Name)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("sandbox: %s: listen: %w", v.Name, err)
	}
	v.ln = ln
	v.srv = &http.Server{
		Handler:           v.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Long enough for any scripted Fault.Delay a test would use.
		WriteTimeout:   5 * time.Minute,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
	}
	v.SetURL("http://" + ln.Addr().String())
	srv := v.srv
	// Serve returns only after Close (http.ErrServerClosed); nothing to report.
	go func() { _ = srv.Serve(ln) }()
	return nil
}

// Close stops the listener started by Start and drops open connections. Safe to call twice.
func (v *Vendor) Close() {
	if v.srv != nil {
		_ = v.srv.Close()
	}
}

// rootURL is the root URL for links and issuers: the configured one, else the request's Host.
func (v *Vendor) rootURL(r *http.Request) string {
	v.mu.Lock()
	root := v.root
	v.mu.Unlock()
	if root != "" {
		return root
	}
	return "http://" + r.Host
}

// serve is the entry point of every request: count it, apply scripted faults, then route.
func (v *Vendor) serve(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	isAuth := v.isAuthPath(r.URL.Path)
	v.mu.Lock()
	v.requests[r.URL.Path]++
	if r.Method == http.MethodPost && r.URL.Path == v.tokenPath {
		v.tokenRequests++
	}
	f := v.takeFault(r.Method, r.URL.Path, v.relPath(r.URL.Path), isAuth)
	v.mu.Unlock()
	if f != nil {
		if f.Delay > 0 && !waitOrDone(r, f.Delay) {
			markFaulted(w)
			return // the client gave up; nobody is listening
		}
		if f.Status != 0 || f.Body != "" || f.HTTPStatus != 0 {
			markFaulted(w)
			if f.RetryAfter != "" {
				w.Header().Set("Retry-After", f.RetryAfter)
			}
			if f.Body != "" {
				w.Header().Set("Content-Type", "application/json")
				status := f.HTTPStatus
				if status == 0 {
					status = f.Status
				}
				if status == 0 || v.Name == "hostex" && f.HTTPStatus == 0 {
					status = http.StatusOK // Hostex errors travel in HTTP 200
				}
				w.WriteHeader(status)
				_, _ = w.Write([]byte(f.Body))
				return
			}
			v.writeFault(w, r, *f)
			return
		}
	}
	if v.gate != nil && !v.gate(w, r) {
		return
	}
	v.mux.ServeHTTP(w, r)
}

// markFaulted tells an observer that a scripted Fault, not the fake,
// answers this request.
func markFaulted(w http.ResponseWriter) {
	if rec, ok := w.(*recorder); ok {
		rec.faulted = true
	}
}

// waitOrDone waits d on a timer, returning false if the request was cancelled first.
func waitOrDone(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

func (v *Vendor) relPath(p string) string {
	if v.basePath != "" && (p == v.basePath || strings.HasPrefix(p, v.basePath+"/")) {
		return strings.TrimPrefix(p, v.basePath)
	}
	return p
}

func (v *Vendor) isAuthPath(p string) bool {
	for _, a := range v.authPaths {
		if p == a {
			return true
		}
	}
	return false
}

// Requests counts the requests (any method, faulted or not) whose path starts with prefix.
// The prefix may be given with or without the API base path ("/reservations" or
// "/v3/reservations"); "" counts everything.
func (v *Vendor) Requests(prefix string) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	n := 0
	for p, c := range v.requests {
		if strings.HasPrefix(p, prefix) || strings.HasPrefix(v.relPath(p), prefix) {
			n += c
		}
	}
	return n
}

// TokenRequests counts POSTs to the token endpoint (whatever their outcome), e.g. to prove
// that concurrent callers shared one refresh.
func (v *Vendor) TokenRequests() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.tokenRequests
}

// SentMessage is one message a client sent through the vendor's send-message endpoint.
type SentMessage struct {
	// ConversationID is the conversation (Hostex, Hostaway) or reservation UUID (Hospitable).
	ConversationID string
	// Body is the message text.
	Body string
	// CommunicationType is Hostaway's communicationType ("email" when omitted); "" elsewhere.
	CommunicationType string
	// At is the fake's clock when the message was accepted.
	At time.Time
}

// SentMessages returns, in order, the messages the vendor accepted from send-message calls.
func (v *Vendor) SentMessages() []SentMessage {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]SentMessage(nil), v.sent...)
}

// SetRateLimiting turns the vendor's documented rate limits on (the default) or off.
// Limits are counted on the injected clock, so a test advances Options.Now to refill them.
func (v *Vendor) SetRateLimiting(on bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.rateLimiting = on
	v.limits.hits = map[string][]time.Time{}
}

// SetRedirectURI registers the OAuth client's redirect URI, as a partner would in the vendor's
// portal. When set, authorize requests must use exactly this URI (or, for Hospitable, may omit
// it). When unset (the default), any https URI or http loopback URI is accepted.
func (v *Vendor) SetRedirectURI(uri string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.redirectURI = uri
}
