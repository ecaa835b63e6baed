package oidcfake

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// User is the one person the provider signs in.
type User struct {
	Subject           string
	Email             string
	EmailVerified     bool
	Name              string
	PreferredUsername string
	// HostedDomain is the "hd" claim Google sends for Workspace accounts;
	// empty sends none.
	HostedDomain string
}

// Faults make the provider misbehave. The zero value behaves.
type Faults struct {
	// Issuer, when set, is the ID token's "iss" instead of the issuer.
	Issuer string
	// ResponseIssuer, when set, is the "iss" of the authorization response
	// (RFC 9207) instead of the issuer.
	ResponseIssuer string
	// Audience, when set, is the ID token's "aud" instead of the client.
	Audience string
	// ExtraAudience adds a second audience (and names it as "azp").
	ExtraAudience string
	// Expired issues ID tokens that expired an hour before now.
	Expired bool
	// ForeignKey signs ID tokens with a key the JWKS does not publish.
	ForeignKey bool
	// Nonce, when set, is the ID token's "nonce" instead of the request's.
	Nonce string
	// OmitNonce leaves "nonce" out of the ID token.
	OmitNonce bool
	// OmitIDToken answers the token request without an ID token.
	OmitIDToken bool
	// Error, when set, answers the authorization with this error code
	// (and a description) instead of a code.
	Error string
	// DiscoveryDown answers discovery with 503.
	DiscoveryDown bool
}

// Options configure a provider.
type Options struct {
	// Addr is where to listen; default 127.0.0.1:0 (a free loopback port).
	Addr string
	// Title names the provider on its page; default "Sandbox ID".
	Title        string
	ClientID     string
	ClientSecret string
	// RedirectURI is the one registered redirect URI, matched exactly.
	RedirectURI string
	User        User
	// Now is the provider's clock; default time.Now.
	Now func() time.Time
}

// Server is a running fake provider.
type Server struct {
	issuer string
	title  string
	now    func() time.Time
	srv    *http.Server
	ln     net.Listener

	key     *rsa.PrivateKey
	kid     string
	signer  jose.Signer
	foreign jose.Signer // lazily made: a key not in the JWKS

	mu          sync.Mutex
	clientID    string
	secret      string
	redirectURI string
	user        User
	faults      Faults
	codes       map[string]grantedCode
	tokenCalls  int
}

// grantedCode is an authorization code waiting for the token request.
type grantedCode struct {
	clientID, redirectURI, challenge, nonce string
	user                                    User
	expires                                 time.Time
}

// Start starts a provider on loopback.
func Start(o Options) (*Server, error) {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.Title == "" {
		o.Title = "Sandbox ID"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ClientID == "" || o.ClientSecret == "" {
		return nil, errors.New("oidcfake: ClientID and ClientSecret are required")
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("oidcfake: key: %w", err)
	}
	kid := randomString(8)
	signer, err := newSigner(key, kid)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("oidcfake: listen: %w", err)
	}
	s := &Server{
		issuer: "http://" + ln.Addr().String(), title: o.Title, now: o.Now, ln: ln,
		key: key, kid: kid, signer: signer,
		clientID: o.ClientID, secret: o.ClientSecret, redirectURI: o.RedirectURI, user: o.User,
		codes: map[string]grantedCode{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", s.handleDiscovery)
	mux.HandleFunc("GET /jwks", s.handleJWKS)
	mux.HandleFunc("GET /authorize", s.handleAuthorizePage)
	mux.HandleFunc("POST /authorize", s.handleAuthorize)
	mux.HandleFunc("POST /token", s.handleToken)
	s.srv = &http.Server{
		Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, MaxHeaderBytes: 16 << 10,
	}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func newSigner(key *rsa.PrivateKey, kid string) (jose.Signer, error) {
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("oidcfake: signer: %w", err)
	}
	return sig, nil
}

// Issuer returns the provider's issuer URL (its base URL).
func (s *Server) Issuer() string { return s.issuer }

// ClientSecret returns the client's secret, for the relying party's
// configuration.
func (s *Server) ClientSecret() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.secret
}

// Title returns the name the provider shows on its page.
func (s *Server) Title() string { return s.title }

// Close stops the provider.
func (s *Server) Close() error { return s.srv.Close() }

// SetRedirectURI registers the client's one redirect URI.
func (s *Server) SetRedirectURI(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.redirectURI = u
}

// SetUser sets who the provider signs in from now on.
func (s *Server) SetUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user = u
}

// SetFaults sets how the provider misbehaves from now on.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// TokenRequests returns how many token requests the provider answered
// with tokens.
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenCalls
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
