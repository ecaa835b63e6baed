package signin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Paths of OpenID Connect sign-in. A provider's sign-in starts at
// PathOIDC + its name; every provider answers at PathOIDCCallback, the
// redirect URI an operator registers with it.
const (
	PathOIDC         = "/signin/oidc/"
	PathOIDCCallback = "/signin/oidc/callback"
)

// Provider is an OpenID Connect identity provider hosts may sign in with.
type Provider struct {
	// Name is the provider's short name, in its sign-in path: lowercase
	// letters, digits and dashes.
	Name string
	// Label names it on the sign-in button ("Sign in with <Label>").
	Label string
	// Issuer is its issuer URL, exactly as its discovery document says it.
	Issuer       string
	ClientID     string
	ClientSecret string
	// Domains are the e-mail domains the provider is trusted for: a person
	// whose verified address is in one of them gets a host account on first
	// sign-in, or the existing one whose e-mail is that address.
	Domains []string
	// AllowAnyAccount admits everyone who can sign in at the provider: each
	// new identity gets a new host account. For a provider whose accounts
	// are all staff (a company's own Keycloak, Dex or Entra tenant).
	AllowAnyAccount bool
}

var providerName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// Check reports what is wrong with the provider's configuration, in words
// that say how to fix it.
func (p Provider) Check() error {
	if !providerName.MatchString(p.Name) || p.Name == "callback" {
		return fmt.Errorf("provider name %q must be 1 to 32 lowercase letters, digits or dashes (and not \"callback\")", p.Name)
	}
	u, err := url.Parse(p.Issuer)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("provider %s: issuer %q must be an absolute URL like https://accounts.google.com", p.Name, p.Issuer)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && loopbackHost(u.Hostname())) {
		return fmt.Errorf("provider %s: issuer %q must be https (plain http only on loopback)", p.Name, p.Issuer)
	}
	if p.ClientID == "" {
		return fmt.Errorf("provider %s: the client id is missing", p.Name)
	}
	if p.ClientSecret == "" {
		return fmt.Errorf("provider %s: the client secret is missing", p.Name)
	}
	for _, d := range p.Domains {
		if d == "" || d != strings.ToLower(d) || strings.ContainsAny(d, "@/ ,;") || !strings.Contains(d, ".") {
			return fmt.Errorf("provider %s: %q is not an e-mail domain like example.com (lowercase, no @)", p.Name, d)
		}
	}
	if p.AllowAnyAccount && len(p.Domains) > 0 {
		return fmt.Errorf("provider %s: give either domains or allow-any, not both", p.Name)
	}
	return nil
}

func loopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// newHTTPClient is the client for identity providers: bounded in time, so
// a provider that hangs cannot hold a sign-in (or a goroutine) for long.
func newHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 4
	t.ResponseHeaderTimeout = 10 * time.Second
	t.TLSHandshakeTimeout = 10 * time.Second
	return &http.Client{Timeout: 15 * time.Second, Transport: t}
}

// discoveryRetry is how long a failed discovery is remembered: sign-ins in
// that time fail at once instead of each waiting on a provider that is down.
const discoveryRetry = 30 * time.Second

// oidcProvider is a configured provider and, once discovery succeeded,
// what it discovered. Discovery is lazy and retried: a provider that is
// down when hostgate starts does not stop it, nor the other ways in.
type oidcProvider struct {
	Provider
	client      *http.Client
	redirectURI string
	now         func() time.Time

	mu       sync.Mutex
	disc     *oidc.Provider
	failedAt time.Time
	failure  error
}

// discovered returns the provider's endpoints and key set, discovering
// them if need be (at most once per discoveryRetry while it fails).
func (p *oidcProvider) discovered(ctx context.Context) (*oidc.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.disc != nil {
		return p.disc, nil
	}
	if p.failure != nil && p.now().Sub(p.failedAt) < discoveryRetry {
		return nil, p.failure
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	// go-oidc keeps the client of this context for the key set it fetches
	// later, so the JWKS requests have the same timeouts.
	d, err := oidc.NewProvider(oidc.ClientContext(ctx, p.client), p.Issuer)
	if err != nil {
		p.failedAt, p.failure = p.now(), fmt.Errorf("signin: discover %s: %w", p.Name, err)
		return nil, p.failure
	}
	p.disc, p.failure = d, nil
	return d, nil
}

// oauth2Config is the client configuration toward the provider.
func (p *oidcProvider) oauth2Config(d *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID: p.ClientID, ClientSecret: p.ClientSecret, Endpoint: d.Endpoint(),
		RedirectURL: p.redirectURI, Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}
}

// CheckProviders discovers every OpenID Connect provider not yet
// discovered and returns, per provider name, why discovery failed (nil
// when every one answered). Sign-in works without it; a server calls it
// at start to tell the operator early about a wrong issuer.
func (m *Manager) CheckProviders(ctx context.Context) map[string]error {
	var out map[string]error
	for _, p := range m.providers {
		if _, err := p.discovered(ctx); err != nil {
			if out == nil {
				out = map[string]error{}
			}
			out[p.Name] = err
		}
	}
	return out
}

// newProviders validates the configured providers and prepares them.
func newProviders(cfg Config) ([]*oidcProvider, error) {
	if len(cfg.Providers) == 0 {
		return nil, nil
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || base.Host == "" || base.Path != "" {
		return nil, errors.New("signin: BaseURL (scheme and host, no path) is required for OpenID Connect providers")
	}
	client := cfg.HTTPClient
	if client == nil {
		client = newHTTPClient()
	}
	seen := map[string]bool{}
	var out []*oidcProvider
	for _, p := range cfg.Providers {
		if err := p.Check(); err != nil {
			return nil, fmt.Errorf("signin: %w", err)
		}
		if seen[p.Name] {
			return nil, fmt.Errorf("signin: two providers are named %q", p.Name)
		}
		seen[p.Name] = true
		if p.Label == "" {
			p.Label = p.Name
		}
		out = append(out, &oidcProvider{Provider: p, client: client, now: cfg.Now,
			redirectURI: strings.TrimSuffix(cfg.BaseURL, "/") + PathOIDCCallback})
	}
	return out, nil
}
