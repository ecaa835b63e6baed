package signin

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/hostgate/hostgate/internal/browsertest"
	"github.com/hostgate/hostgate/internal/oidcfake"
	"github.com/hostgate/hostgate/store"
)

const (
	idpClientID     = "hostgate-test-client"
	idpClientSecret = "idp-client-secret-9f3a1c"
)

// oidcEnv is env with an OpenID provider (the fake) configured as
// provider "idp", served over real loopback HTTP.
type oidcEnv struct {
	*env
	idp  *oidcfake.Server
	ts   *httptest.Server
	logs *syncBuffer
}

// syncBuffer collects log output written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var alice = oidcfake.User{Subject: "idp-sub-alice", Email: "alice@example.com", EmailVerified: true, Name: "Alice Example"}

// newOIDCEnv starts the fake provider signing in alice and a Manager with
// it as provider "idp"; mod adjusts the provider (its Domains,
// AllowAnyAccount) and the Config before the Manager is made.
func newOIDCEnv(t *testing.T, mod func(*Provider, *Config)) *oidcEnv {
	t.Helper()
	base := newEnv(t, false)
	e := &oidcEnv{env: base, logs: &syncBuffer{}}
	idp, err := oidcfake.Start(oidcfake.Options{ClientID: idpClientID, ClientSecret: idpClientSecret, User: alice, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idp.Close() })
	e.idp = idp
	var h http.Handler = http.NotFoundHandler()
	e.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(e.ts.Close)
	idp.SetRedirectURI(e.ts.URL + PathOIDCCallback)
	p := Provider{Name: "idp", Label: "Example ID", Issuer: idp.Issuer(), ClientID: idpClientID, ClientSecret: idpClientSecret,
		Domains: []string{"example.com"}}
	cfg := Config{
		Store: e.st, Key: bytes.Repeat([]byte{7}, 32), Params: fastParams, Now: e.clock.Now,
		Logger:  slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		BaseURL: e.ts.URL,
	}
	if mod != nil {
		mod(&p, &cfg)
	}
	cfg.Providers = append([]Provider{p}, cfg.Providers...)
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.m = m
	mux := http.NewServeMux()
	m.Mount(mux)
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		if u, ok := m.User(r); ok {
			io.WriteString(w, "user:"+u.Username)
			return
		}
		http.Error(w, "signed out", http.StatusUnauthorized)
	})
	e.mux, h = mux, mux
	return e
}

// browser returns a new browser on hostgate.
func (e *oidcEnv) browser(t *testing.T) *browsertest.Browser { return browsertest.New(t, e.ts.URL) }

// begin starts a sign-in with provider in b and returns where hostgate
// sends the browser: the provider's authorize URL.
func (e *oidcEnv) begin(t *testing.T, b *browsertest.Browser, provider, ret string) *url.URL {
	t.Helper()
	p := b.Get(PathOIDC + provider + "?" + url.Values{"return": {ret}}.Encode())
	if p.Resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d, want 303:\n%s", p.Resp.StatusCode, p.Body)
	}
	u, err := url.Parse(p.Resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(u.String(), e.idp.Issuer()+"/authorize?") {
		t.Fatalf("start redirects to %q, want the provider's authorize endpoint", p.Resp.Header.Get("Location"))
	}
	return u
}

// approve plays the person at the provider: the provider's page, then its
// Continue (or Cancel) button. It returns the callback URL the provider
// sends the browser to.
func (e *oidcEnv) approve(t *testing.T, authorize *url.URL, decision string) string {
	t.Helper()
	ib := browsertest.New(t, e.idp.Issuer())
	page := ib.Get(authorize.String())
	if page.Resp.StatusCode != http.StatusOK {
		t.Fatalf("provider page: %d %s", page.Resp.StatusCode, page.Body)
	}
	res := ib.Submit(page.Form(t, "/authorize"), url.Values{"decision": {decision}})
	loc := res.Resp.Header.Get("Location")
	if res.Resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, e.ts.URL+PathOIDCCallback+"?") {
		t.Fatalf("provider answers %d to %q, want 303 to hostgate's callback", res.Resp.StatusCode, loc)
	}
	return loc
}

// signIn runs a whole sign-in in b and returns the page the browser
// lands on.
func (e *oidcEnv) signIn(t *testing.T, b *browsertest.Browser, ret string) *browsertest.Page {
	t.Helper()
	return b.Get(e.approve(t, e.begin(t, b, "idp", ret), "allow"))
}

// signedOut asserts b has no session: no session cookie, and /whoami
// refuses it.
func (e *oidcEnv) signedOut(t *testing.T, b *browsertest.Browser) {
	t.Helper()
	u, _ := url.Parse(e.ts.URL)
	for _, c := range b.Client.Jar.Cookies(u) {
		if c.Name == e.m.SessionCookieName() {
			t.Fatalf("the browser holds a session cookie")
		}
	}
	if p := b.Get("/whoami"); p.Resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("whoami: %d %s, want signed out", p.Resp.StatusCode, p.Body)
	}
}

// dropSession forgets b's session cookie, as signing out would.
func (e *oidcEnv) dropSession(t *testing.T, b *browsertest.Browser) {
	t.Helper()
	u, _ := url.Parse(e.ts.URL)
	b.Client.Jar.SetCookies(u, []*http.Cookie{{Name: e.m.SessionCookieName(), Value: "", Path: "/", MaxAge: -1}})
}

// users returns every host.
func (e *oidcEnv) users(t *testing.T) []store.User {
	t.Helper()
	us, err := e.st.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return us
}

// refused asserts a page is the sign-in page refusing with status and a
// message containing want.
func refused(t *testing.T, p *browsertest.Page, status int, want string) {
	t.Helper()
	if p.Resp.StatusCode != status || !strings.Contains(p.Body, want) || !strings.Contains(p.Body, `role="alert"`) {
		t.Fatalf("got %d, want %d with %q:\n%s", p.Resp.StatusCode, status, want, p.Body)
	}
	if p.URL.Path != PathOIDCCallback && p.URL.Path != PathSignIn && !strings.HasPrefix(p.URL.Path, PathOIDC) {
		t.Fatalf("refusal served at %s", p.URL)
	}
	if !strings.Contains(p.Body, "Sign in with Example ID") {
		t.Fatalf("the refusal page offers no way to try again:\n%s", p.Body)
	}
}

func mustQuery(t *testing.T, raw, key string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get(key)
}
