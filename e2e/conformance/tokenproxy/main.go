// Command tokenproxy lets an MCP client that cannot authorize (the MCP
// conformance suite's server scenarios) talk to hostgate's /mcp. At start it
// completes hostgate's real authorization flow headlessly, as an MCP client
// and its host would: the 401 challenge, protected-resource and
// authorization-server metadata, dynamic registration (RFC 7591), a PKCE
// authorization request, sign-in and approval on the real pages with a
// cookie-keeping HTTP client, and the code exchange at /token. Then it
// serves http://LISTEN/mcp, reverse-proxying every request to hostgate's
// /mcp with "Authorization: Bearer <access token>", refreshing the token
// with the refresh token before it expires (or when hostgate rejects it).
//
// The proxy passes the client's Host and Origin headers through unchanged,
// so that hostgate's DNS-rebinding checks see what the client sent, and it
// streams responses (SSE) without buffering. GET /healthz answers 200 once
// the flow has completed, 503 before; POST /refresh renews the token at once
// (a test hook). Nothing else is served.
//
//	HOSTGATE_DEMO_PASSWORD=... go run ./e2e/conformance/tokenproxy \
//	    -upstream http://127.0.0.1:18501/mcp -listen 127.0.0.1:18502
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/oauth2"

	"github.com/hostgate/hostgate/internal/browsertest"
)

func main() {
	log.SetPrefix("tokenproxy: ")
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	upstream := flag.String("upstream", "http://127.0.0.1:18501/mcp", "hostgate's MCP endpoint")
	listen := flag.String("listen", "127.0.0.1:18502", "address to serve the proxied /mcp on")
	username := flag.String("username", "demo", "host account to sign in as")
	password := flag.String("password", "", "its password (default $HOSTGATE_DEMO_PASSWORD)")
	scope := flag.String("scope", "", "scopes to request (default: the scope of hostgate's 401 challenge)")
	verbose := flag.Bool("v", false, "log every proxied request")
	flag.Parse()
	if *password == "" {
		*password = os.Getenv("HOSTGATE_DEMO_PASSWORD")
	}
	if *password == "" {
		log.Fatal("no password: set HOSTGATE_DEMO_PASSWORD or -password")
	}
	target, err := url.Parse(*upstream)
	if err != nil || target.Host == "" {
		log.Fatalf("bad -upstream %q", *upstream)
	}

	// Bind first, so that a taken port fails at once; answer 503 until the
	// flow has completed.
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	p := &proxy{target: target, verbose: *verbose}
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	src, err := authorize(ctx, target, "http://"+ln.Addr().String()+"/callback", *username, *password, *scope)
	cancel()
	if err != nil {
		log.Fatalf("authorization flow: %v", err)
	}
	p.start(src)
	log.Printf("ready: http://%s%s -> %s", ln.Addr(), target.Path, target)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	_ = srv.Shutdown(sctx)
}

// ---- the authorization flow ----

// authorize runs the flow an MCP client runs against hostgate and returns
// the tokens it got.
func authorize(ctx context.Context, mcpURL *url.URL, redirectURI, username, password, scope string) (*tokens, error) {
	hc := &http.Client{Timeout: 30 * time.Second}

	// 1. The unauthenticated request and its challenge (MCP authorization,
	// RFC 9728 §5.1).
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, mcpURL.String(),
		strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	challenge := resp.Header.Get("WWW-Authenticate")
	if resp.StatusCode != http.StatusUnauthorized || challenge == "" {
		return nil, fmt.Errorf("POST %s without a token: want 401 with WWW-Authenticate, got %d", mcpURL, resp.StatusCode)
	}
	prmURL := authParam(challenge, "resource_metadata")
	if prmURL == "" {
		return nil, fmt.Errorf("challenge without resource_metadata: %s", challenge)
	}
	if scope == "" {
		scope = authParam(challenge, "scope")
	}

	// 2. Protected resource metadata (RFC 9728) → the authorization server.
	var prm struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
		ScopesSupported      []string `json:"scopes_supported"`
	}
	if err := getJSON(ctx, hc, prmURL, &prm); err != nil {
		return nil, fmt.Errorf("protected resource metadata: %w", err)
	}
	if prm.Resource != mcpURL.String() || len(prm.AuthorizationServers) == 0 {
		return nil, fmt.Errorf("protected resource metadata: resource %q (want %q), authorization servers %v", prm.Resource, mcpURL, prm.AuthorizationServers)
	}
	if scope == "" {
		scope = strings.Join(prm.ScopesSupported, " ")
	}
	issuer := prm.AuthorizationServers[0]

	// 3. Authorization server metadata (RFC 8414).
	var as struct {
		Issuer                string   `json:"issuer"`
		AuthorizationEndpoint string   `json:"authorization_endpoint"`
		TokenEndpoint         string   `json:"token_endpoint"`
		RegistrationEndpoint  string   `json:"registration_endpoint"`
		CodeChallengeMethods  []string `json:"code_challenge_methods_supported"`
	}
	if err := getJSON(ctx, hc, strings.TrimSuffix(issuer, "/")+"/.well-known/oauth-authorization-server", &as); err != nil {
		return nil, fmt.Errorf("authorization server metadata: %w", err)
	}
	if as.Issuer != issuer || as.AuthorizationEndpoint == "" || as.TokenEndpoint == "" || as.RegistrationEndpoint == "" {
		return nil, fmt.Errorf("authorization server metadata incomplete: %+v", as)
	}
	if !contains(as.CodeChallengeMethods, "S256") {
		return nil, fmt.Errorf("authorization server does not offer PKCE S256")
	}

	// 4. Dynamic client registration (RFC 7591), a public client.
	clientID, err := register(ctx, hc, as.RegistrationEndpoint, redirectURI)
	if err != nil {
		return nil, err
	}
	log.Printf("registered client %s", clientID)

	// 5. The authorization request with PKCE (S256) and the resource
	// indicator (RFC 8707), signed in and approved on the real pages.
	conf := &oauth2.Config{
		ClientID: clientID, RedirectURL: redirectURI, Scopes: strings.Fields(scope),
		Endpoint: oauth2.Endpoint{AuthURL: as.AuthorizationEndpoint, TokenURL: as.TokenEndpoint, AuthStyle: oauth2.AuthStyleInParams},
	}
	verifier := oauth2.GenerateVerifier()
	state := oauth2.GenerateVerifier()
	resource := oauth2.SetAuthURLParam("resource", prm.Resource)
	authURL := conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), resource)
	code, err := approve(issuer, authURL, username, password, state)
	if err != nil {
		return nil, err
	}

	// 6. The code exchange.
	tctx := context.WithValue(ctx, oauth2.HTTPClient, hc)
	tok, err := conf.Exchange(tctx, code, oauth2.VerifierOption(verifier), resource)
	if err != nil {
		return nil, fmt.Errorf("token exchange: %w", err)
	}
	if tok.RefreshToken == "" {
		return nil, errors.New("token exchange: no refresh token")
	}
	log.Printf("got an access token (scope %q, expires in %s)", tok.Extra("scope"), time.Until(tok.Expiry).Round(time.Second))
	return &tokens{tokenURL: as.TokenEndpoint, clientID: clientID, resource: prm.Resource, hc: hc,
		access: tok.AccessToken, refresh: tok.RefreshToken, expiry: tok.Expiry}, nil
}

// approve plays the host's browser: it follows the authorization URL, signs
// in and approves on the consent page, and returns the code from the
// redirect to the client, checking state and iss (RFC 9207).
func approve(issuer, authURL, username, password, state string) (code string, err error) {
	t := &failer{}
	defer func() {
		if r := recover(); r != nil {
			if f, ok := r.(failure); ok {
				err = f
				return
			}
			panic(r)
		}
	}()
	b := browsertest.New(t, issuer)
	p := b.Get(authURL)
	if p.URL.Path == "/signin" {
		p = b.Submit(p.Form(t, "/signin"), url.Values{"username": {username}, "password": {password}})
	}
	p = b.Submit(p.Form(t, "/consent"), url.Values{"action": {"approve"}})
	loc, err := url.Parse(p.Resp.Header.Get("Location"))
	if p.Resp.StatusCode != http.StatusSeeOther || err != nil || loc.String() == "" {
		return "", fmt.Errorf("consent did not redirect to the client (status %d)", p.Resp.StatusCode)
	}
	q := loc.Query()
	switch {
	case q.Get("error") != "":
		return "", fmt.Errorf("authorization refused: %s %s", q.Get("error"), q.Get("error_description"))
	case q.Get("state") != state:
		return "", errors.New("authorization response: state does not match")
	case q.Get("iss") != issuer:
		return "", fmt.Errorf("authorization response: iss %q, want %q", q.Get("iss"), issuer)
	case q.Get("code") == "":
		return "", errors.New("authorization response without a code")
	}
	log.Printf("signed in as %s and approved", username)
	return q.Get("code"), nil
}

// failure and failer turn browsertest's test failures into an error.
type failure string

func (f failure) Error() string { return string(f) }

type failer struct{}

func (*failer) Helper()                           {}
func (*failer) Fatal(args ...any)                 { panic(failure(fmt.Sprint(args...))) }
func (*failer) Fatalf(format string, args ...any) { panic(failure(fmt.Sprintf(format, args...))) }

func register(ctx context.Context, hc *http.Client, endpoint, redirectURI string) (string, error) {
	body, _ := json.Marshal(map[string]any{
		"client_name": "MCP conformance token proxy", "redirect_uris": []string{redirectURI},
		"token_endpoint_auth_method": "none", "grant_types": []string{"authorization_code", "refresh_token"},
		"response_types": []string{"code"},
	})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("register: %d %s", resp.StatusCode, b)
	}
	var reg struct {
		ClientID string `json:"client_id"`
	}
	if err := json.Unmarshal(b, &reg); err != nil || reg.ClientID == "" {
		return "", fmt.Errorf("register: %s", b)
	}
	return reg.ClientID, nil
}

func getJSON(ctx context.Context, hc *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d", u, resp.StatusCode)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v)
}

// authParam returns a parameter of a WWW-Authenticate challenge.
func authParam(challenge, name string) string {
	m := regexp.MustCompile(`(?:^|[\s,])` + regexp.QuoteMeta(name) + `="([^"]*)"`).FindStringSubmatch(challenge)
	if m == nil {
		return ""
	}
	return m[1]
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ---- tokens ----

// refreshMargin is how long before its expiry an access token is renewed.
const refreshMargin = 30 * time.Second

// tokens holds the current token pair and refreshes it, one refresh at a
// time: hostgate rotates refresh tokens and treats a reused one as theft.
type tokens struct {
	tokenURL, clientID, resource string
	hc                           *http.Client
	now                          func() time.Time // for tests; nil means time.Now

	mu      sync.Mutex
	access  string
	refresh string
	expiry  time.Time
}

// current returns an access token valid for at least refreshMargin. A
// caller whose token hostgate rejected passes it as rejected to force a
// refresh (unless another caller has refreshed since).
func (t *tokens) current(rejected string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now
	if t.now != nil {
		now = t.now
	}
	if t.access != rejected && (t.expiry.IsZero() || now().Add(refreshMargin).Before(t.expiry)) {
		return t.access, nil
	}
	// Not under the caller's context: a refresh cancelled after hostgate
	// rotated the token would lose the new pair, and the next attempt
	// would present a reused refresh token, which revokes the grant.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := t.refreshLocked(ctx, now()); err != nil {
		return "", fmt.Errorf("refresh: %w", err)
	}
	log.Printf("refreshed the access token (expires in %s)", t.expiry.Sub(now()).Round(time.Second))
	return t.access, nil
}

// renew refreshes the token pair now.
func (t *tokens) renew() error {
	t.mu.Lock()
	stale := t.access
	t.mu.Unlock()
	_, err := t.current(stale)
	return err
}

// refreshLocked redeems the refresh token (OAuth 2.1 §4.3) with the
// resource indicator, as MCP asks of every token request (RFC 8707 §2).
func (t *tokens) refreshLocked(ctx context.Context, now time.Time) error {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {t.refresh},
		"client_id": {t.clientID}, "resource": {t.resource}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := t.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%d %s", resp.StatusCode, b)
	}
	var tr struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type"`
		ExpiresIn    int64  `json:"expires_in"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(b, &tr); err != nil || tr.AccessToken == "" || !strings.EqualFold(tr.TokenType, "Bearer") {
		return fmt.Errorf("bad token response: %s", b)
	}
	t.access = tr.AccessToken
	if tr.RefreshToken != "" { // rotated
		t.refresh = tr.RefreshToken
	}
	t.expiry = time.Time{}
	if tr.ExpiresIn > 0 {
		t.expiry = now.Add(time.Duration(tr.ExpiresIn) * time.Second)
	}
	return nil
}

// ---- the proxy ----

// maxReplay is the largest request body kept for a retry after a refresh
// (hostgate caps JSON-RPC bodies at 4 MiB).
const maxReplay = 4 << 20

type proxy struct {
	target  *url.URL
	verbose bool
	ready   atomic.Bool
	src     *tokens
	rp      *httputil.ReverseProxy
}

func (p *proxy) start(src *tokens) {
	p.src = src
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme = p.target.Scheme
			pr.Out.URL.Host = p.target.Host
			pr.Out.URL.Path, pr.Out.URL.RawPath = p.target.Path, p.target.RawPath
			// Keep the client's Host, so that hostgate's DNS-rebinding check
			// judges the Host the client sent, not ours. (Out.Host starts as
			// the client's; ProxyRequest.SetURL, not used here, would replace
			// it with the target's. Set explicitly so that no later change
			// loses it.) Origin is never rewritten.
			pr.Out.Host = pr.In.Host
		},
		Transport: &bearer{src: src, next: http.DefaultTransport},
		// SSE: write every chunk as it arrives.
		FlushInterval: -1,
		ErrorLog:      log.Default(),
	}
	p.ready.Store(true)
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/healthz" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "application/json")
		if !p.ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"status":"authorizing"}`+"\n")
			return
		}
		io.WriteString(w, `{"status":"ok"}`+"\n")
	case r.URL.Path == "/refresh" && r.Method == http.MethodPost:
		// A test hook: renew the token now, so that a run proves the
		// refresh against the real token endpoint without waiting for
		// the access token to expire.
		if !p.ready.Load() {
			http.Error(w, "tokenproxy: authorization flow not complete", http.StatusServiceUnavailable)
			return
		}
		if err := p.src.renew(); err != nil {
			http.Error(w, "tokenproxy: "+err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"refreshed"}`+"\n")
	case r.URL.Path != p.target.Path:
		http.NotFound(w, r)
	case !p.ready.Load():
		http.Error(w, "tokenproxy: authorization flow not complete", http.StatusServiceUnavailable)
	case p.verbose:
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		p.rp.ServeHTTP(sw, r)
		log.Printf("%s %s Host=%s Origin=%q -> %d %s (%s)", r.Method, r.URL.Path, r.Host, r.Header.Get("Origin"),
			sw.status, sw.Header().Get("Content-Type"), time.Since(start).Round(time.Millisecond))
	default:
		p.rp.ServeHTTP(w, r)
	}
}

// statusWriter records the status for the -v log; it keeps http.Flusher
// reachable (Unwrap) so that streams still stream.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// bearer is the proxy's transport: it adds the access token and, when
// hostgate rejects it as invalid (expired early, clock skew), refreshes once
// and replays the request.
type bearer struct {
	src  *tokens
	next http.RoundTripper
}

func (b *bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	replayable := r.Body == nil || r.Body == http.NoBody
	if !replayable && r.ContentLength >= 0 && r.ContentLength <= maxReplay {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return nil, err
		}
		r.Body.Close()
		replayable = true
	}
	send := func(token string) (*http.Response, error) {
		out := r.Clone(r.Context())
		if body != nil {
			out.Body = io.NopCloser(bytes.NewReader(body))
			out.ContentLength = int64(len(body))
		}
		out.Header.Set("Authorization", "Bearer "+token)
		return b.next.RoundTrip(out)
	}
	token, err := b.src.current("")
	if err != nil {
		return nil, err
	}
	resp, err := send(token)
	if err != nil || !replayable || resp.StatusCode != http.StatusUnauthorized ||
		!strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
		return resp, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	log.Printf("hostgate rejected the access token; refreshing and retrying")
	if token, err = b.src.current(token); err != nil {
		return nil, err
	}
	return send(token)
}
