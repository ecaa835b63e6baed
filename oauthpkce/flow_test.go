package oauthpkce

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/browsertest"
	"github.com/hostgate/hostgate/oauthpkce/signin"
	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore"
)

// The shared fixture of the handler tests: an authorization server with a
// real sign-in manager on a fresh SQLite store, two host accounts, and a
// client of each kind, driven over HTTP by a cookie-keeping browser that
// submits the real forms.

// fastParams keep argon2id cheap in tests; production uses signin.DefaultParams.
var fastParams = signin.Params{Memory: 1024, Time: 1, Threads: 1}

const (
	hostName      = "alice"
	hostPassword  = "correct horse battery"
	otherName     = "bob"
	otherPassword = "bob's own password"

	loopbackRedirect = "http://127.0.0.1:51234/callback"
	otherRedirect    = "http://127.0.0.1:51235/other-app/callback"
	webRedirect      = "https://app.example/callback"
	webSecret        = "web-client-secret"
	postSecret       = "post-client-secret"
)

// The clients every fixture has.
var (
	// publicClient is what mcp-go, Claude Code and Cursor register: public,
	// PKCE only, one loopback redirect URI.
	publicClient = store.Client{ID: "client-public", Name: "Test App", RedirectURIs: []string{loopbackRedirect},
		GrantTypes: []string{"authorization_code", "refresh_token"}, ResponseTypes: []string{"code"}, AuthMethod: "none"}
	// otherClient is a second public client, for cross-client rows.
	otherClient = store.Client{ID: "client-other", Name: "Other App", RedirectURIs: []string{otherRedirect},
		GrantTypes: []string{"authorization_code", "refresh_token"}, ResponseTypes: []string{"code"}, AuthMethod: "none"}
	// twoRedirectClient registered two redirect URIs.
	twoRedirectClient = store.Client{ID: "client-two", Name: "Two Callbacks", RedirectURIs: []string{"https://two.example/cb", "https://two.example/cb2"},
		GrantTypes: []string{"authorization_code", "refresh_token"}, ResponseTypes: []string{"code"}, AuthMethod: "none"}
	// basicClient is confidential and authenticates with HTTP Basic.
	basicClient = store.Client{ID: "client-basic", Name: "Web App", RedirectURIs: []string{webRedirect},
		GrantTypes: []string{"authorization_code", "refresh_token"}, ResponseTypes: []string{"code"},
		AuthMethod: "client_secret_basic", SecretHash: store.Hash(webSecret)}
	// postClient is confidential and sends its secret in the body.
	postClient = store.Client{ID: "client-post", Name: "Post App", RedirectURIs: []string{"https://post.example/cb"},
		GrantTypes: []string{"authorization_code", "refresh_token"}, ResponseTypes: []string{"code"},
		AuthMethod: "client_secret_post", SecretHash: store.Hash(postSecret)}
)

// fixture is a running authorization server with its sign-in pages.
type fixture struct {
	t     *testing.T
	s     *Server
	st    *sqlstore.Store
	ts    *httptest.Server
	clock *testClock
	sm    *signin.Manager
	host  store.User
	other store.User
}

// on returns the fixture reporting to t, for use inside a subtest (a
// helper must not fail the parent test).
func (f *fixture) on(t *testing.T) *fixture {
	g := *f
	g.t = t
	return &g
}

// newFixture starts a server. mod, if not nil, changes the Config after the
// fixture has set Now and Signin.
func newFixture(t *testing.T, mod func(*Config)) *fixture {
	t.Helper()
	f := &fixture{t: t, clock: newTestClock()}
	s, st, ts := newTestServer(t, func(cfg *Config) {
		cfg.Now = f.clock.Now
		sm, err := signin.New(signin.Config{
			Store: cfg.Store, Key: bytes.Repeat([]byte{9}, 32), Params: fastParams,
			Now: f.clock.Now, Logger: cfg.Logger,
		})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Signin, f.sm = sm, sm
		if mod != nil {
			mod(cfg)
		}
	})
	f.s, f.st, f.ts = s, st, ts
	f.sm.Mount(ts.Config.Handler.(*http.ServeMux))
	ctx := context.Background()
	f.host = f.createUser(hostName, hostPassword)
	f.other = f.createUser(otherName, otherPassword)
	for _, c := range []store.Client{publicClient, otherClient, twoRedirectClient, basicClient, postClient} {
		c.CreatedAt = f.clock.Now()
		if err := st.CreateClient(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) createUser(name, password string) store.User {
	f.t.Helper()
	hash, err := signin.HashPassword(password, fastParams)
	if err != nil {
		f.t.Fatal(err)
	}
	u := store.User{ID: "user-" + name, Username: name, PasswordHash: hash, CreatedAt: f.clock.Now()}
	if err := f.st.CreateUser(context.Background(), u); err != nil {
		f.t.Fatal(err)
	}
	return u
}

// browser returns a new browser that is not signed in.
func (f *fixture) browser() *browsertest.Browser {
	return browsertest.New(f.t, f.ts.URL)
}

// sessionFor returns a browser with a fresh session of the user, started
// directly rather than through the form (the form's per-address rate limit
// allows ten sign-ins in a burst, and some tests need more browsers).
func (f *fixture) sessionFor(u store.User) *browsertest.Browser {
	f.t.Helper()
	b := f.browser()
	w := httptest.NewRecorder()
	if err := f.sm.StartSession(context.Background(), w, u.ID); err != nil {
		f.t.Fatal(err)
	}
	origin, _ := url.Parse(f.ts.URL)
	b.Client.Jar.SetCookies(origin, w.Result().Cookies())
	if _, ok := f.sm.User(f.requestWith(b)); !ok {
		f.t.Fatal("the session does not sign the browser in")
	}
	return b
}

// requestWith returns a request to the server carrying b's cookies.
func (f *fixture) requestWith(b *browsertest.Browser) *http.Request {
	r := httptest.NewRequest(http.MethodGet, f.ts.URL+"/", nil)
	origin, _ := url.Parse(f.ts.URL)
	for _, c := range b.Client.Jar.Cookies(origin) {
		r.AddCookie(c)
	}
	return r
}

// hostBrowser returns a browser signed in as the fixture's host.
func (f *fixture) hostBrowser() *browsertest.Browser { return f.sessionFor(f.host) }

// response is a response with its body read.
type response struct {
	*http.Response
	body string
}

// location returns the parsed Location header, failing if there is none.
func (r *response) location(t *testing.T) *url.URL {
	t.Helper()
	loc := r.Header.Get("Location")
	if loc == "" {
		t.Fatalf("no Location; status %d, body:\n%s", r.StatusCode, r.body)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// send makes one request with b's cookies (b may be nil) and follows no
// redirect, so that every Location is seen.
func (f *fixture) send(b *browsertest.Browser, method, path string, form url.Values, header http.Header) *response {
	f.t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if b != nil {
		client.Jar = b.Client.Jar
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, f.ts.URL+path, body)
	if err != nil {
		f.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Origin", "null")
	}
	for k, vs := range header {
		if vs == nil {
			delete(req.Header, k) // e.g. no Sec-Fetch-Site, as an older browser
		} else {
			req.Header[k] = vs
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return &response{Response: resp, body: string(data)}
}

// authorize GETs /authorize with the given parameters, following nothing.
func (f *fixture) authorize(b *browsertest.Browser, v url.Values) *response {
	f.t.Helper()
	return f.send(b, http.MethodGet, PathAuthorize+"?"+v.Encode(), nil, nil)
}

// newVerifier returns a fresh PKCE verifier and its S256 challenge.
func newVerifier(t testing.TB) (verifier, challenge string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	verifier = base64.RawURLEncoding.EncodeToString(b)
	return verifier, s256(verifier)
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// authReq is a well-formed authorization request of a client for its first
// redirect URI, and the verifier its challenge came from.
type authReq struct {
	v        url.Values
	verifier string
}

func (f *fixture) authReq(c store.Client, scope string) authReq {
	verifier, challenge := newVerifier(f.t)
	v := url.Values{
		"client_id": {c.ID}, "redirect_uri": {c.RedirectURIs[0]}, "response_type": {"code"},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"},
		"state": {"st-" + verifier[:8]}, "resource": {f.s.cfg.Resource},
	}
	if scope != "" {
		v.Set("scope", scope)
	}
	return authReq{v: v, verifier: verifier}
}

// with returns a copy of v with the changes: a nil slice deletes a key.
func with(v url.Values, changes url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for k, vs := range changes {
		if vs == nil {
			delete(out, k)
		} else {
			out[k] = vs
		}
	}
	return out
}

// consentForm GETs /authorize in the signed-in browser and returns the
// consent page's form; it fails unless the consent page is shown.
func (f *fixture) consentForm(b *browsertest.Browser, v url.Values) *browsertest.Form {
	f.t.Helper()
	r := f.authorize(b, v)
	if r.StatusCode != http.StatusOK {
		f.t.Fatalf("authorize: status %d, Location %q, want the consent page:\n%s", r.StatusCode, r.Header.Get("Location"), r.body)
	}
	p := &browsertest.Page{Resp: r.Response, Body: r.body, URL: r.Request.URL}
	return p.Form(f.t, PathConsent)
}

// submit posts a consent form with extra values, following nothing.
func (f *fixture) submit(b *browsertest.Browser, form *browsertest.Form, extra url.Values) *response {
	f.t.Helper()
	v := url.Values{}
	for k, vs := range form.Values {
		v[k] = append([]string(nil), vs...)
	}
	for k, vs := range extra {
		v[k] = vs
	}
	return f.send(b, http.MethodPost, PathConsent, v, nil)
}

// codeFrom checks that r redirects to redirectURI with a code, the state
// of the request and our issuer, and returns the code.
func (f *fixture) codeFrom(r *response, redirectURI, state string) string {
	f.t.Helper()
	if r.StatusCode != http.StatusSeeOther {
		f.t.Fatalf("status %d, want 303 to the client:\n%s", r.StatusCode, r.body)
	}
	loc := r.location(f.t)
	q := loc.Query()
	if base := strings.SplitN(loc.String(), "?", 2)[0]; base != redirectURI {
		f.t.Fatalf("redirected to %s, want %s", loc, redirectURI)
	}
	if q.Get("code") == "" || q.Get("error") != "" || q.Get("state") != state || q.Get("iss") != f.ts.URL {
		f.t.Fatalf("redirect query %v", q)
	}
	return q.Get("code")
}

// code runs /authorize (and the consent page, approving, if it is shown)
// in a signed-in browser and returns the code.
func (f *fixture) code(b *browsertest.Browser, a authReq) string {
	f.t.Helper()
	r := f.authorize(b, a.v)
	if r.StatusCode == http.StatusOK {
		p := &browsertest.Page{Resp: r.Response, Body: r.body, URL: r.Request.URL}
		r = f.submit(b, p.Form(f.t, PathConsent), url.Values{"action": {"approve"}})
	}
	return f.codeFrom(r, a.v.Get("redirect_uri"), a.v.Get("state"))
}

// tokenResult is a /token or /revoke response with its JSON body.
type tokenResult struct {
	status int
	header http.Header
	body   map[string]any
}

func (r tokenResult) str(k string) string { s, _ := r.body[k].(string); return s }

// postForm posts v to path with optional Basic credentials (already
// form-encoded as RFC 6749 §2.3.1 asks). Every response of the token and
// revocation endpoints must carry Cache-Control: no-store.
func (f *fixture) postForm(path string, v url.Values, basicID, basicSecret string) tokenResult {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.ts.URL+path, strings.NewReader(v.Encode()))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicID != "" {
		req.SetBasicAuth(url.QueryEscape(basicID), url.QueryEscape(basicSecret))
	}
	return f.do(req)
}

func (f *fixture) do(req *http.Request) tokenResult {
	f.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	if got := resp.Header.Get("Cache-Control"); got != "no-store" {
		f.t.Errorf("%s: Cache-Control %q, want no-store", req.URL.Path, got)
	}
	res := tokenResult{status: resp.StatusCode, header: resp.Header}
	if len(data) > 0 {
		if err := json.Unmarshal(data, &res.body); err != nil {
			f.t.Fatalf("%s: status %d, body not JSON: %q", req.URL.Path, resp.StatusCode, data)
		}
	}
	return res
}

// token posts v to /token as a public client would.
func (f *fixture) token(v url.Values) tokenResult {
	f.t.Helper()
	return f.postForm(PathToken, v, "", "")
}

// exchangeForm is the token request that redeems a's code for client c.
func exchangeForm(c store.Client, a authReq, code string) url.Values {
	return url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {a.v.Get("redirect_uri")},
		"code_verifier": {a.verifier}, "client_id": {c.ID}, "resource": {a.v.Get("resource")},
	}
}

// wantError checks an OAuth error response's status and code.
func wantError(t *testing.T, r tokenResult, status int, code string) {
	t.Helper()
	if r.status != status || r.str("error") != code {
		t.Fatalf("got %d %v, want %d %s", r.status, r.body, status, code)
	}
}

// wantTokens checks a successful token response and returns it.
func wantTokens(t *testing.T, r tokenResult) tokenResult {
	t.Helper()
	if r.status != http.StatusOK || r.str("access_token") == "" || r.str("refresh_token") == "" || r.str("token_type") != "Bearer" {
		t.Fatalf("token response %d %v", r.status, r.body)
	}
	return r
}

// grant runs the whole flow for client c and returns its first token
// response. Confidential clients authenticate with their fixture secret.
func (f *fixture) grant(b *browsertest.Browser, c store.Client, scope string) tokenResult {
	f.t.Helper()
	a := f.authReq(c, scope)
	v := exchangeForm(c, a, f.code(b, a))
	switch c.AuthMethod {
	case "client_secret_basic":
		v.Del("client_id")
		return wantTokens(f.t, f.postForm(PathToken, v, c.ID, webSecret))
	case "client_secret_post":
		v.Set("client_secret", postSecret)
	}
	return wantTokens(f.t, f.token(v))
}

// refreshForm is a refresh request of client c.
func refreshForm(c store.Client, rt string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {c.ID}}
}

// verify reports whether VerifyAccessToken accepts tok, failing on any
// error other than ErrInvalidToken.
func (f *fixture) verify(tok string) bool {
	f.t.Helper()
	_, err := f.s.VerifyAccessToken(context.Background(), tok)
	switch {
	case err == nil:
		return true
	case errors.Is(err, ErrInvalidToken):
		return false
	default:
		f.t.Fatalf("VerifyAccessToken: %v", err)
		return false
	}
}

// advance moves the shared clock of the server and the sign-in manager.
func (f *fixture) advance(d time.Duration) { f.clock.Advance(d) }
