package mcpserver

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hostgate/hostgate/internal/metrics"
	"github.com/hostgate/hostgate/internal/web"
	"github.com/hostgate/hostgate/oauthpkce"
	"github.com/hostgate/hostgate/oauthpkce/signin"
	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/mark3labs/mcp-go/server"
)

// MCPPath is where the MCP endpoint is served.
const MCPPath = "/mcp"

// Config wires the HTTP surface. mcpserver is the composition root: from
// the store and the keys it builds the sign-in manager, the authorization
// server and the tools.
type Config struct {
	// BaseURL is the public URL, without a trailing slash. It is the OAuth
	// issuer; the MCP endpoint is BaseURL + MCPPath.
	BaseURL string
	Store   store.Store
	// CSRFKey signs CSRF tokens (32 bytes, secret).
	CSRFKey []byte
	// StateKey seals what tools hand MCP clients to take back later (page
	// cursors, confirmation round trips): 32 bytes, secret, and not the
	// CSRF key.
	StateKey []byte
	// AccessTTL and RefreshTTL are the lifetimes of issued tokens; zero
	// means the authorization server's defaults (1 h, 30 days).
	AccessTTL, RefreshTTL time.Duration
	Version               string
	// AllowedOrigins are browser origins, besides our own, allowed on /mcp.
	AllowedOrigins []string
	// PasswordParams are the argon2id costs; zero means signin.DefaultParams.
	PasswordParams signin.Params
	// TrustedProxies are the reverse proxies (CIDRs) whose X-Forwarded-For
	// or Forwarded header names the client; the sign-in, registration and
	// token limiters count requests by that client's address.
	TrustedProxies []netip.Prefix
	// AllowLoopbackMetadata lets client-ID metadata documents live on
	// loopback. For tests only.
	AllowLoopbackMetadata bool
	// Tools builds the served tools; default tools.All.
	Tools func(*tools.Deps) []tools.Tool
	// Vendors are the vendor specs, in the order pages list them.
	Vendors []*connector.Spec
	Logger  *slog.Logger
	Now     func() time.Time

	// OIDCProviders are the OpenID Connect identity providers hosts may
	// sign in with; NoPasswordSignIn turns local password sign-in off
	// (signin.Config).
	OIDCProviders    []signin.Provider
	NoPasswordSignIn bool
	// SharedSignInLimits counts password sign-in attempts with every
	// replica on the database (signin.Config.SharedLimits); cmd sets it on
	// PostgreSQL. Nil counts them in this process only.
	SharedSignInLimits store.RateBudgets

	// CacheBytes bounds the vendor read cache (connector.Cache), by an
	// estimate of its values' memory; 0 keeps nothing (concurrent identical
	// reads still share one vendor call). cmd defaults it to
	// connector.DefaultCacheBytes.
	CacheBytes int64

	// ActivityRetention is how long the activity log keeps an event
	// (SweepActivity); zero keeps every event.
	ActivityRetention time.Duration
}

// Server is hostgate's HTTP surface.
type Server struct {
	cfg        Config
	log        *slog.Logger
	oauth      *oauthpkce.Server
	signin     *signin.Manager
	tools      []tools.Tool
	vendors    *connector.Registry
	lifecycle  *connector.Lifecycle
	deps       *tools.Deps
	handler    http.Handler
	origin     string
	loopback   bool
	prmURL     string
	scopes     []string
	toolScopes map[string]string
	// neededScopes are the distinct scopes the tools require.
	neededScopes []string
	sessions     *sessions
	// activity writes the hosts' activity log.
	activity *activityLog
	// metrics, drain and inFlight: metrics.go, ready.go.
	metrics  *metrics.Metrics
	drain    drainState
	inFlight atomic.Int64
	// fleet applies other processes' changes to the caches (fleet.go).
	fleet *fleet
	// limits are the hosts' limits of their apps, kept (limitscache.go).
	limits *limitsCache
}

// New builds the handler tree.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("mcpserver: Store is required")
	}
	if len(cfg.StateKey) != 32 {
		return nil, errors.New("mcpserver: StateKey must be 32 bytes")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("mcpserver: bad base URL %q", cfg.BaseURL)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	// Every logger hostgate builds comes from this one, so every log line
	// written with a request's context carries its request id.
	cfg.Logger = requestLogger(cfg.Logger)
	m := metrics.New(cfg.Version)
	for _, v := range cfg.Vendors {
		v.Log = cfg.Logger.With("component", "vendor")
		v.Metrics = m
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	// Every connection write in this process goes through the cache, which
	// drops the cached lists; see connCache.
	conns := newConnCache(cfg.Store, cfg.Now)
	cfg.Store = conns
	sm, err := signin.New(signin.Config{
		Store: cfg.Store, Key: cfg.CSRFKey, Secure: u.Scheme == "https", Params: cfg.PasswordParams,
		TrustedProxies: cfg.TrustedProxies, Now: cfg.Now, Logger: cfg.Logger,
		BaseURL: cfg.BaseURL, Providers: cfg.OIDCProviders, NoPassword: cfg.NoPasswordSignIn, Metrics: m,
		SharedLimits: cfg.SharedSignInLimits,
	})
	if err != nil {
		return nil, err
	}
	as, err := oauthpkce.New(oauthpkce.Config{
		Issuer: cfg.BaseURL, Resource: cfg.BaseURL + MCPPath, Store: cfg.Store, Signin: sm,
		AccessTTL: cfg.AccessTTL, RefreshTTL: cfg.RefreshTTL, Now: cfg.Now, Logger: cfg.Logger,
		AllowLoopbackMetadata: cfg.AllowLoopbackMetadata, TrustedProxies: cfg.TrustedProxies,
		ConsentConnections: func(r *http.Request, userID string) ([]oauthpkce.ConnectionChoice, error) {
			return consentChoices(r, cfg.Store, cfg.Vendors, userID)
		},
		ConnectURL: func(returnTo string) string { return connectionsURL(returnTo) },
	})
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, log: cfg.Logger.With("component", "mcp"), oauth: as, signin: sm,
		origin: u.Scheme + "://" + u.Host, loopback: isLoopbackHost(u.Host),
		prmURL: cfg.BaseURL + server.ProtectedResourceMetadataPath(cfg.BaseURL+MCPPath),
		scopes: as.ScopesSupported(), toolScopes: map[string]string{},
		sessions: newSessions(cfg.Store, cfg.Now, cfg.Logger.With("component", "mcp")),
		activity: newActivityLog(cfg.Store, cfg.Logger.With("component", "activity")),
		metrics:  m, drain: newDrainState(),
	}
	if cfg.Tools == nil {
		cfg.Tools = tools.All
	}
	s.vendors = connector.NewRegistry(cfg.Vendors...)
	s.lifecycle = connector.NewLifecycle(cfg.Store, s.vendors, cfg.Now, cfg.Logger)
	s.lifecycle.UseCache(connector.NewCache(cfg.CacheBytes, cfg.Now))
	s.lifecycle.OnChange(s.connectionChanged)
	s.observe()
	s.limits = newLimitsCache(cfg.Store.GetAppLimits, cfg.Now)
	s.deps = &tools.Deps{Store: cfg.Store, Logger: cfg.Logger, Now: cfg.Now, BaseURL: cfg.BaseURL,
		Registry: s.vendors, Lifecycle: s.lifecycle, Vendors: s.vendors.Names(), StateKey: cfg.StateKey,
		AppLimits: s.limits.limits}
	s.tools = cfg.Tools(s.deps)
	hooks := s.limitHooks()
	// Legacy sessions keep what their client declared (sessionclient.go).
	hooks.AddAfterInitialize(s.sessions.recordClient)
	mcpSrv := server.NewMCPServer("hostgate", cfg.Version,
		server.WithToolCapabilities(false),
		server.WithPromptCapabilities(false),
		// Outermost: the activity log sees a recovered panic as an error.
		server.WithToolHandlerMiddleware(s.recordToolCalls),
		server.WithRecovery(),
		server.WithInstructions(instructions(cfg.Vendors)),
		server.WithHooks(hooks),
	)
	for _, p := range tools.Prompts(s.deps) {
		mcpSrv.AddPrompt(p.Def, p.Handler)
	}
	for _, t := range s.tools {
		mcpSrv.AddTool(t.Def, t.Handler)
		s.toolScopes[t.Def.Name] = t.Scope
		if !slices.Contains(s.neededScopes, t.Scope) {
			s.neededScopes = append(s.neededScopes, t.Scope)
		}
	}
	streamable := server.NewStreamableHTTPServer(mcpSrv,
		server.WithSessionIdManagerResolver(s.sessions),
		server.WithSessionIdleTTL(sessionIdleTTL),
		server.WithHTTPContextFunc(s.sessions.restoreClient),
		// Our own Host check runs in protect, aware of proxies.
		server.WithDisableLocalhostProtection(true),
		// mcp-go logs session ids; scrubSessions keeps them out.
		server.WithStreamableHTTPLogger(slog.New(scrubSessions{cfg.Logger.With("component", "mcp-go").Handler()})),
	)
	s.sessions.evictVia(streamable, s.log)

	mux := http.NewServeMux()
	as.Mount(mux)
	sm.Mount(mux)
	web.Mount(mux)
	prm := server.NewProtectedResourceMetadataHandler(server.ProtectedResourceMetadataConfig{
		Resource:               cfg.BaseURL + MCPPath,
		AuthorizationServers:   []string{as.Issuer()},
		ScopesSupported:        s.scopes,
		BearerMethodsSupported: []string{"header"},
		ResourceName:           "hostgate",
	})
	// RFC 9728 §3.1: path-inserted for /mcp, and at the root for clients
	// that look there.
	mux.Handle(server.ProtectedResourceMetadataPath(cfg.BaseURL+MCPPath), prm)
	mux.Handle("/.well-known/oauth-protected-resource", prm)
	mux.Handle(MCPPath, s.protect(s.endOnDrain(streamable)))
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET "+PathReady, s.handleReady)
	mux.HandleFunc("GET /{$}", s.handleHome)
	s.mountConnections(mux)
	s.mountApprovals(mux)
	s.mountTeams(mux)
	s.mountLimits(mux)
	s.mountActivity(mux)
	s.handler = s.logRequests(mux)
	// Last: nothing is left to fail, and Close ends the subscription.
	if err := s.follow(conns); err != nil {
		return nil, fmt.Errorf("mcpserver: follow the database's changes: %w", err)
	}
	return s, nil
}

// Handler returns the root handler.
func (s *Server) Handler() http.Handler { return s.handler }

// OAuth returns the authorization server.
func (s *Server) OAuth() *oauthpkce.Server { return s.oauth }

// Signin returns the sign-in manager.
func (s *Server) Signin() *signin.Manager { return s.signin }

// Lifecycle returns the owner of the hosts' vendor connections (for the
// background refresher).
func (s *Server) Lifecycle() *connector.Lifecycle { return s.lifecycle }

// Metrics returns the server's series, for the metrics listener
// (Metrics().Handler()); never serve them on the public one.
func (s *Server) Metrics() *metrics.Metrics { return s.metrics }

// Tools returns the tools served.
func (s *Server) Tools() []tools.Tool { return s.tools }

// instructions tells the model what hostgate is, naming the configured
// vendors.
func instructions(vendors []*connector.Spec) string {
	titles := make([]string, len(vendors))
	for i, v := range vendors {
		titles[i] = v.Title
	}
	return "hostgate gives you the host's short-term-rental accounts (" + strings.Join(titles, ", ") + "). " +
		"IDs are vendor-qualified (hostex:123); pass them back unchanged. " +
		"List tools return a page at a time: while next_cursor is present, call again with the same arguments and cursor=next_cursor. " +
		"Anything a guest or vendor would see (a message, a calendar change, a review reply) is confirmed by the host before it happens: in this chat when the app can ask, otherwise as a draft the host approves at a link the tool gives you. " +
		"If a tool says an account needs reconnecting, give the host the URL it names."
}

// handleHealth is the liveness check: it answers while this process can
// serve HTTP, and asks nothing of the database. A database outage is
// /readyz's to report: were it here, every replica of a fleet would fail
// its liveness check at once and be restarted, which cures nothing.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(`{"status":"ok","version":"` + s.cfg.Version + `"}` + "\n"))
}
