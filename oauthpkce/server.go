package oauthpkce

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/hostgate/hostgate/oauthpkce/signin"
	"github.com/hostgate/hostgate/store"
)

// Store is what the authorization server keeps.
type Store interface {
	store.Users
	store.Clients
	store.Approvals
	store.Grants
	store.Sessions
	store.ConsentTransactions
	store.Audit
}

// Config configures the authorization server. Zero durations take the
// defaults documented on each field.
type Config struct {
	// Issuer is the public base URL, e.g. "https://hostgate.example.com",
	// without a trailing slash. RFC 8414 §3.3: the metadata's issuer is
	// exactly this string.
	Issuer string
	// Resource is the canonical URL of the MCP endpoint (<Issuer>/mcp): the
	// only audience this server issues tokens for (RFC 8707).
	Resource string
	Store    Store
	// Signin tells who the host is; its sessions back the consent page.
	Signin *signin.Manager
	// Scopes are the scopes offered; default DefaultScopes.
	Scopes []Scope
	// AccessTTL is an access token's lifetime; default 1 h.
	AccessTTL time.Duration
	// ClientAccessTTLs give the clients they match their own access-token
	// lifetime instead of AccessTTL (Server.AccessTTL): a rule naming the
	// client's metadata document URL wins, else the first whose name
	// pattern matches.
	ClientAccessTTLs []ClientAccessTTL
	// RefreshTTL is a refresh token's lifetime; default 30 days.
	RefreshTTL time.Duration
	// CodeTTL is an authorization code's lifetime; default 60 s, maximum
	// 10 min. A code is redeemed within seconds of its issue.
	CodeTTL time.Duration
	// GrantTTL is a grant's absolute lifetime: however often its client
	// refreshes, no token of it outlives CreatedAt+GrantTTL, and after that
	// the client must run the authorization flow again. Default 90 days.
	GrantTTL time.Duration
	// Now is the clock; default time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// MetadataClient fetches client-ID metadata documents; default a client
	// that refuses private, loopback and link-local destinations.
	MetadataClient *http.Client
	// AllowLoopbackMetadata lets metadata documents live on loopback
	// addresses. For tests only.
	AllowLoopbackMetadata bool
	// RegistrationsPerMinute limits dynamic registrations per client
	// address; default 10 a minute with a burst of 20.
	RegistrationsPerMinute int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For or
	// Forwarded header tells the client's address (clientaddr.Of); the
	// registration and token limiters count requests by that address.
	TrustedProxies []netip.Prefix
	// NativeSchemes are the private-use URI schemes accepted in redirect
	// URIs; default DefaultNativeSchemes.
	NativeSchemes []string
	// ConsentConnections, when set, lists the host's vendor connections the
	// consent page offers to share with the client.
	ConsentConnections func(r *http.Request, userID string) ([]ConnectionChoice, error)
	// ConnectURL, when set, returns where the host connects another vendor
	// account; the consent page links it with a return address.
	ConnectURL func(returnTo string) string
}

// Default lifetimes of codes and grants; see Config.
const (
	DefaultCodeTTL  = time.Minute
	DefaultGrantTTL = 90 * 24 * time.Hour
)

// ConnectionChoice is a vendor connection the consent page offers.
type ConnectionChoice struct {
	ID     string
	Vendor string // display name, e.g. "Hostex"
	Label  string
	Status string
	// CreatedAt tells connections added since the host's last approval of
	// this client, which the consent page offers checked.
	CreatedAt time.Time
}

// Server is hostgate's OAuth 2.1 authorization server for MCP clients.
type Server struct {
	cfg     Config
	log     *slog.Logger
	now     func() time.Time
	tokens  *tokenCache
	limiter *addrLimiter
	// tokenLimits limit the token endpoint (limitToken).
	tokenLimits *tokenLimits
	// metadataLimiter limits the metadata document fetches per address.
	metadataLimiter *addrLimiter
	metadata        *metadataFetcher
}

// New checks cfg and returns a server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Signin == nil {
		return nil, errors.New("oauthpkce: Store and Signin are required")
	}
	iss, err := url.Parse(cfg.Issuer)
	if err != nil || (iss.Scheme != "https" && iss.Scheme != "http") || iss.Host == "" ||
		strings.HasSuffix(cfg.Issuer, "/") || iss.RawQuery != "" || iss.Fragment != "" {
		return nil, fmt.Errorf("oauthpkce: issuer %q must be an absolute http(s) URL without a trailing slash, query or fragment", cfg.Issuer)
	}
	if cfg.Resource == "" {
		return nil, errors.New("oauthpkce: Resource is required")
	}
	if cfg.Scopes == nil {
		cfg.Scopes = DefaultScopes
	}
	if cfg.AccessTTL <= 0 {
		cfg.AccessTTL = time.Hour
	}
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = 30 * 24 * time.Hour
	}
	cfg.CodeTTL, cfg.GrantTTL = lifetimes(cfg.CodeTTL, cfg.GrantTTL)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.RegistrationsPerMinute <= 0 {
		cfg.RegistrationsPerMinute = 10
	}
	if cfg.NativeSchemes == nil {
		cfg.NativeSchemes = DefaultNativeSchemes
	}
	s := &Server{cfg: cfg, log: cfg.Logger.With("component", "oauth"), now: cfg.Now}
	s.tokens = newTokenCache()
	s.limiter = newAddrLimiter(cfg.RegistrationsPerMinute, cfg.Now)
	s.tokenLimits = newTokenLimits(cfg.Now)
	s.metadataLimiter = newAddrLimiter(metadataFetchesPerMinute, cfg.Now)
	s.metadata = newMetadataFetcher(cfg.MetadataClient, cfg.AllowLoopbackMetadata, cfg.Now)
	return s, nil
}

// Paths of the authorization server's endpoints.
const (
	PathMetadata     = "/.well-known/oauth-authorization-server"
	PathOIDCMetadata = "/.well-known/openid-configuration"
	PathAuthorize    = "/authorize"
	PathConsent      = "/consent"
	PathToken        = "/token"
	PathRegister     = "/register"
	PathRevoke       = "/revoke"
)

// Mount registers the authorization server's endpoints on mux. The
// endpoints programs call answer errors in JSON (serveJSON); those the
// host's browser visits answer with a page or a redirect (servePage).
func (s *Server) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET "+PathMetadata, s.handleMetadata)
	mux.HandleFunc("GET "+PathOIDCMetadata, s.handleMetadata)
	mux.Handle("POST "+PathRegister, s.serveJSON(s.handleRegister))
	// Browser-based clients preflight discovery and registration.
	mux.HandleFunc("OPTIONS "+PathMetadata, s.handleMetadata)
	mux.HandleFunc("OPTIONS "+PathOIDCMetadata, s.handleMetadata)
	mux.Handle("OPTIONS "+PathRegister, s.serveJSON(s.handleRegister))
	mux.Handle("GET "+PathAuthorize, s.servePage(s.withClientAddr(s.handleAuthorize)))
	mux.Handle("POST "+PathConsent, s.servePage(s.handleConsent))
	mux.Handle("POST "+PathToken, s.serveJSON(s.limitToken(s.handleToken)))
	mux.Handle("POST "+PathRevoke, s.serveJSON(s.handleRevoke))
}

// lifetimes applies the defaults and the cap of Config.CodeTTL and
// Config.GrantTTL.
func lifetimes(code, grant time.Duration) (time.Duration, time.Duration) {
	if code <= 0 {
		code = DefaultCodeTTL
	}
	if grant <= 0 {
		grant = DefaultGrantTTL
	}
	return min(code, 10*time.Minute), grant
}

// SetLifetimes sets Config.CodeTTL and Config.GrantTTL (zero: the default)
// of a server built by another package. Call it before serving: it is not
// safe to call while requests are served.
func (s *Server) SetLifetimes(code, grant time.Duration) {
	s.cfg.CodeTTL, s.cfg.GrantTTL = lifetimes(code, grant)
}

// Issuer returns the issuer URL.
func (s *Server) Issuer() string { return s.cfg.Issuer }

// ScopesSupported returns the names of the offered scopes.
func (s *Server) ScopesSupported() []string { return s.scopeNames() }
