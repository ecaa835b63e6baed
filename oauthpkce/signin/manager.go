package signin

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/hostgate/hostgate/internal/metrics"
	"github.com/hostgate/hostgate/store"
	"golang.org/x/time/rate"
)

// Store is what sign-in keeps.
type Store interface {
	store.Users
	store.Sessions
	store.Audit
}

// Config configures a Manager.
type Config struct {
	Store Store
	// Key signs CSRF tokens; at least 32 bytes, secret.
	Key []byte
	// Secure selects __Host- cookies with the Secure flag. Set it whenever
	// the public URL is https. On plain-http loopback (the demo) browsers and
	// HTTP clients refuse Secure cookies, so the cookies are then named
	// "hostgate-session" and "hostgate-browser" without the prefix.
	Secure bool
	// SessionTTL is how long a sign-in lasts; default 12 h.
	SessionTTL time.Duration
	// Params are the argon2id costs for new hashes; default DefaultParams.
	Params Params
	// TrustedProxies are the reverse proxies whose X-Forwarded-For or
	// Forwarded header tells the client's address (clientaddr.Of); the
	// sign-in limiter counts attempts by that address.
	TrustedProxies []netip.Prefix
	Now            func() time.Time
	Logger         *slog.Logger

	// BaseURL is hostgate's public URL (no trailing slash); the OpenID
	// Connect redirect URI is BaseURL + PathOIDCCallback. Required with
	// Providers.
	BaseURL string
	// Providers are the OpenID Connect identity providers hosts may sign
	// in with, in the order the sign-in page offers them.
	Providers []Provider
	// NoPassword turns local password sign-in off: the sign-in page shows
	// no password form and a password sign-in is refused. It needs at
	// least one provider.
	NoPassword bool
	// HTTPClient talks to the providers; default a client with timeouts.
	HTTPClient *http.Client
	// Metrics counts sign-ins that fail, by method and reason; nil counts
	// nothing.
	Metrics *metrics.Metrics
	// SharedLimits, when set, counts password attempts for every process
	// on the database as well as in this one (fleetlimit.go): set it where
	// several replicas share the database. Nil counts in this process only.
	SharedLimits store.RateBudgets
}

// Manager signs hosts in and out and tells who is signed in.
type Manager struct {
	store         Store
	key           []byte
	secure        bool
	ttl           time.Duration
	params        Params
	now           func() time.Time
	log           *slog.Logger
	sessionCookie string
	browserCookie string
	limiter       *limiter
	dummyHash     string

	providers  []*oidcProvider
	oidcStore  store.OIDCSignIn // the Store, when it keeps OIDC sign-ins
	noPassword bool
	// oidcLimiter bounds how fast one address may start OpenID Connect
	// sign-ins, each of which stores a state.
	oidcLimiter *limiter
	metrics     *metrics.Metrics
	// fleet counts password attempts with the other replicas; nil when
	// there are none.
	fleet *fleetLimits
}

// New returns a Manager.
func New(cfg Config) (*Manager, error) {
	if cfg.Store == nil {
		return nil, errors.New("signin: Store is required")
	}
	if len(cfg.Key) < 32 {
		return nil, errors.New("signin: Key must be at least 32 bytes")
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.Params == (Params{}) {
		cfg.Params = DefaultParams
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	providers, err := newProviders(cfg)
	if err != nil {
		return nil, err
	}
	oidcStore, _ := cfg.Store.(store.OIDCSignIn)
	if len(providers) > 0 && oidcStore == nil {
		return nil, errors.New("signin: the Store keeps no OpenID Connect sign-ins (store.OIDCSignIn)")
	}
	if cfg.NoPassword && len(providers) == 0 {
		return nil, errors.New("signin: with password sign-in off, at least one OpenID Connect provider is needed, or no one can sign in")
	}
	m := &Manager{
		store: cfg.Store, key: cfg.Key, secure: cfg.Secure, ttl: cfg.SessionTTL,
		params: cfg.Params, now: cfg.Now, log: cfg.Logger.With("component", "signin"),
		sessionCookie: "hostgate-session", browserCookie: "hostgate-browser",
		limiter:   newLimiter(cfg.TrustedProxies, cfg.Now),
		providers: providers, oidcStore: oidcStore, noPassword: cfg.NoPassword,
		oidcLimiter: newLimiter(cfg.TrustedProxies, cfg.Now), metrics: cfg.Metrics,
	}
	// A start guesses nothing, it only stores a state: a looser bucket,
	// so that a whole office behind one address can sign in at nine.
	m.oidcLimiter.every, m.oidcLimiter.burst = rate.Every(oidcStartEvery), oidcStartBurst
	if cfg.SharedLimits != nil {
		m.fleet = &fleetLimits{rates: cfg.SharedLimits, log: m.log, metrics: cfg.Metrics}
	}
	if cfg.Secure {
		m.sessionCookie, m.browserCookie = "__Host-hostgate-session", "__Host-hostgate-browser"
	}
	// A hash to verify against when the username is unknown, so that a
	// wrong username costs as much time as a wrong password.
	h, err := HashPassword(randomString(), cfg.Params)
	if err != nil {
		return nil, err
	}
	m.dummyHash = h
	return m, nil
}

// SessionCookieName returns the name of the session cookie.
func (m *Manager) SessionCookieName() string { return m.sessionCookie }

// cookie builds one of our cookies. RFC 6265bis §4.1.3.2: a __Host- cookie
// is Secure, has Path=/ and no Domain. Lax keeps it off cross-site POSTs.
func (m *Manager) cookie(name, value string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: m.secure, SameSite: http.SameSiteLaxMode}
	if maxAge > 0 {
		c.MaxAge = int(maxAge / time.Second)
	}
	if maxAge < 0 {
		c.MaxAge = -1
	}
	return c
}

// ErrBadCredentials is returned by Authenticate for a wrong username or password.
var ErrBadCredentials = errors.New("signin: wrong username or password")

// Authenticate checks a local account's password. It takes the same time
// whether or not the username exists.
func (m *Manager) Authenticate(ctx context.Context, username, password string) (store.User, error) {
	if m.noPassword {
		return store.User{}, ErrPasswordOff
	}
	u, err := m.store.GetUserByUsername(ctx, username)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.PasswordHash == "") {
		VerifyPassword(m.dummyHash, password)
		return store.User{}, ErrBadCredentials
	}
	if err != nil {
		return store.User{}, fmt.Errorf("signin: %w", err)
	}
	if !VerifyPassword(u.PasswordHash, password) {
		return store.User{}, ErrBadCredentials
	}
	// Only someone who knows the password learns that the account is
	// disabled.
	if u.Disabled() {
		return store.User{}, ErrDisabled
	}
	return u, nil
}

// ErrPasswordOff is returned by Authenticate when password sign-in is
// turned off (Config.NoPassword).
var ErrPasswordOff = errors.New("signin: password sign-in is turned off")

// ErrDisabled is returned when a disabled host tries to sign in.
var ErrDisabled = errors.New("signin: this account is disabled")

// StartSession signs the user in on this browser with a fresh session id
// (never one the browser brought: no session fixation).
func (m *Manager) StartSession(ctx context.Context, w http.ResponseWriter, userID string) error {
	// Whatever way the host proved who they are, a disabled host gets no
	// session.
	u, err := m.store.GetUser(ctx, userID)
	if err != nil {
		return fmt.Errorf("signin: start session: %w", err)
	}
	if u.Disabled() {
		return ErrDisabled
	}
	id := randomString()
	now := m.now()
	err = m.store.CreateSession(ctx, store.BrowserSession{
		Hash: store.Hash(id), UserID: userID, CreatedAt: now, ExpiresAt: now.Add(m.ttl),
	})
	if err != nil {
		return fmt.Errorf("signin: create session: %w", err)
	}
	http.SetCookie(w, m.cookie(m.sessionCookie, id, m.ttl))
	return nil
}

// EndSession signs this browser out.
func (m *Manager) EndSession(ctx context.Context, w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(m.sessionCookie); err == nil {
		if err := m.store.DeleteSession(ctx, store.Hash(c.Value)); err != nil && !errors.Is(err, store.ErrNotFound) {
			m.log.ErrorContext(ctx, "delete session", "err", err)
		}
	}
	http.SetCookie(w, m.cookie(m.sessionCookie, "", -1))
}

// User returns the signed-in host of this request, if any.
func (m *Manager) User(r *http.Request) (store.User, bool) {
	c, err := r.Cookie(m.sessionCookie)
	if err != nil || c.Value == "" {
		return store.User{}, false
	}
	ctx := r.Context()
	s, err := m.store.GetSession(ctx, store.Hash(c.Value))
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			m.log.ErrorContext(ctx, "get session", "err", err)
		}
		return store.User{}, false
	}
	if !m.now().Before(s.ExpiresAt) {
		return store.User{}, false
	}
	u, err := m.store.GetUser(ctx, s.UserID)
	if err != nil || u.Disabled() {
		return store.User{}, false
	}
	return u, true
}

// randomString returns 256 random bits, base64url-encoded.
func randomString() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand never fails on supported platforms (Go 1.24+ panics itself).
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// SessionHash returns the hash of this browser's session id, to bind
// server-side state (a vendor OAuth flow) to the browser that started it.
// It is empty when there is no session cookie.
func (m *Manager) SessionHash(r *http.Request) string {
	c, err := r.Cookie(m.sessionCookie)
	if err != nil || c.Value == "" {
		return ""
	}
	return store.Hash(c.Value)
}
