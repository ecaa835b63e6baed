package signin

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore"
)

// fastParams keep argon2id cheap in tests; production uses DefaultParams.
var fastParams = Params{Memory: 1024, Time: 1, Threads: 1}

const (
	testUser     = "alice"
	testPassword = "correct horse battery"
)

// clock is a settable clock, safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a Manager on a fresh SQLite store with one account, its pages
// mounted on mux next to a /whoami page that names the signed-in user.
type env struct {
	m     *Manager
	st    *sqlstore.Store
	clock *clock
	mux   *http.ServeMux
	user  store.User
}

func newEnv(t *testing.T, secure bool) *env {
	t.Helper()
	ctx := context.Background()
	keys, err := store.NewKeyring("k1", map[string][]byte{"k1": make([]byte, store.KeySize)})
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "db.sqlite"), keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{st: st, clock: &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}, mux: http.NewServeMux()}
	e.m, err = New(Config{
		Store: st, Key: bytes.Repeat([]byte{7}, 32), Secure: secure, Params: fastParams, Now: e.clock.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	hash, err := HashPassword(testPassword, fastParams)
	if err != nil {
		t.Fatal(err)
	}
	e.user = store.User{ID: "user-1", Username: testUser, PasswordHash: hash, CreatedAt: e.clock.Now()}
	if err := st.CreateUser(ctx, e.user); err != nil {
		t.Fatal(err)
	}
	e.m.Mount(e.mux)
	e.mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		if u, ok := e.m.User(r); ok {
			io.WriteString(w, "user:"+u.Username)
			return
		}
		http.Error(w, "signed out", http.StatusUnauthorized)
	})
	return e
}

func TestNewChecksConfig(t *testing.T) {
	e := newEnv(t, false)
	for _, tt := range []struct {
		name string
		cfg  Config
	}{
		{"no store", Config{Key: bytes.Repeat([]byte{1}, 32)}},
		{"no key", Config{Store: e.st}},
		{"short key", Config{Store: e.st, Key: bytes.Repeat([]byte{1}, 31)}},
	} {
		if _, err := New(tt.cfg); err == nil {
			t.Errorf("%s: New accepted the config", tt.name)
		}
	}
}

// TestCookieAttributes: every cookie is HttpOnly, SameSite=Lax, Path=/ and
// without Domain; with Secure its name starts with __Host- and it is
// Secure (RFC 6265bis §4.1.3.2), without it neither.
func TestCookieAttributes(t *testing.T) {
	for _, secure := range []bool{true, false} {
		name := "plain http"
		if secure {
			name = "secure"
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, secure)
			// The sign-in page sets the browser cookie.
			w := httptest.NewRecorder()
			e.mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, PathSignIn, nil))
			cookies := w.Result().Cookies()
			if len(cookies) != 1 {
				t.Fatalf("sign-in page set %d cookies", len(cookies))
			}
			browser := cookies[0]
			csrf := formValue(t, w.Body.String(), "csrf")
			// Signing in sets the session cookie.
			w = httptest.NewRecorder()
			r := postForm(PathSignIn, url.Values{"csrf": {csrf}, "username": {testUser}, "password": {testPassword}, "return": {"/"}})
			r.AddCookie(browser)
			e.mux.ServeHTTP(w, r)
			if w.Code != http.StatusSeeOther {
				t.Fatalf("sign-in: %d\n%s", w.Code, w.Body)
			}
			session := w.Result().Cookies()
			if len(session) != 1 || session[0].Name != e.m.SessionCookieName() {
				t.Fatalf("sign-in set %v", session)
			}
			if session[0].MaxAge != int((12 * time.Hour).Seconds()) {
				t.Fatalf("session Max-Age %d", session[0].MaxAge)
			}
			// Signing out clears it with the same attributes.
			w = httptest.NewRecorder()
			r = postForm(PathSignOut, url.Values{"csrf": {e.m.csrfFor(browser.Value, store.Hash(session[0].Value), "signout")}})
			r.AddCookie(browser)
			r.AddCookie(session[0])
			e.mux.ServeHTTP(w, r)
			cleared := w.Result().Cookies()
			if w.Code != http.StatusSeeOther || len(cleared) != 1 || cleared[0].MaxAge >= 0 {
				t.Fatalf("sign-out: %d %v", w.Code, cleared)
			}
			wantPrefix := map[bool]string{true: "__Host-", false: "hostgate-"}[secure]
			for _, c := range []*http.Cookie{browser, session[0], cleared[0]} {
				if !strings.HasPrefix(c.Name, wantPrefix) || (!secure && strings.HasPrefix(c.Name, "__Host-")) {
					t.Errorf("cookie %q: want prefix %q", c.Name, wantPrefix)
				}
				if c.Secure != secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
					t.Errorf("cookie %q: Secure=%v HttpOnly=%v SameSite=%v Path=%q Domain=%q", c.Name, c.Secure, c.HttpOnly, c.SameSite, c.Path, c.Domain)
				}
				raw := c.Raw
				if !strings.Contains(raw, "SameSite=Lax") || !strings.Contains(raw, "HttpOnly") || strings.Contains(raw, "Domain=") ||
					strings.Contains(raw, "; Secure") != secure {
					t.Errorf("Set-Cookie %q", raw)
				}
			}
			if len(browser.Value) < 43 || len(session[0].Value) < 43 {
				t.Fatal("cookie values carry less than 256 bits")
			}
		})
	}
}

// TestSessionExpiry: a sign-in lasts SessionTTL by the injected clock, and
// the store sees only the session id's hash.
func TestSessionExpiry(t *testing.T) {
	for _, tt := range []struct {
		name string
		ttl  time.Duration
	}{
		{"default 12 h", 0},
		{"configured 30 min", 30 * time.Minute},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, false)
			want := tt.ttl
			if want == 0 {
				want = 12 * time.Hour
			}
			if tt.ttl != 0 {
				m, err := New(Config{Store: e.st, Key: bytes.Repeat([]byte{7}, 32), SessionTTL: tt.ttl, Params: fastParams, Now: e.clock.Now})
				if err != nil {
					t.Fatal(err)
				}
				e.m = m
			}
			w := httptest.NewRecorder()
			if err := e.m.StartSession(context.Background(), w, e.user.ID); err != nil {
				t.Fatal(err)
			}
			c := w.Result().Cookies()[0]
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.AddCookie(c)
			if _, err := e.st.GetSession(context.Background(), c.Value); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("session found by its plaintext id: %v", err)
			}
			if s, err := e.st.GetSession(context.Background(), store.Hash(c.Value)); err != nil || !s.ExpiresAt.Equal(e.clock.Now().Add(want)) {
				t.Fatalf("session %+v, %v", s, err)
			}
			e.clock.Advance(want - time.Second)
			if u, ok := e.m.User(r); !ok || u.ID != e.user.ID {
				t.Fatal("signed out before the session expired")
			}
			e.clock.Advance(time.Second)
			if _, ok := e.m.User(r); ok {
				t.Fatal("still signed in when the session expired")
			}
		})
	}
}

// TestUserRefusesBadSessions: only a live session of an existing user
// signs a browser in.
func TestUserRefusesBadSessions(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	now := e.clock.Now()
	// (A session of a deleted user cannot exist: the store's foreign key
	// refuses it.)
	if err := e.st.CreateSession(ctx, store.BrowserSession{Hash: store.Hash("real"), UserID: e.user.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		cookie *http.Cookie
	}{
		{"no cookie", nil},
		{"empty value", &http.Cookie{Name: e.m.SessionCookieName(), Value: ""}},
		{"unknown session", &http.Cookie{Name: e.m.SessionCookieName(), Value: "guessed"}},
		{"the hash instead of the id", &http.Cookie{Name: e.m.SessionCookieName(), Value: store.Hash("real")}},
		{"the id in the browser cookie", &http.Cookie{Name: "hostgate-browser", Value: "real"}},
		{"the id under the secure name on plain http", &http.Cookie{Name: "__Host-hostgate-session", Value: "real"}},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if tt.cookie != nil {
			r.AddCookie(tt.cookie)
		}
		if u, ok := e.m.User(r); ok {
			t.Errorf("%s: signed in as %+v", tt.name, u)
		}
	}
	if _, ok := e.m.User(withCookies(&http.Cookie{Name: e.m.SessionCookieName(), Value: "real"})); !ok {
		t.Fatal("the live session does not sign in: the table proves nothing")
	}
}

// TestStartSessionIgnoresBroughtID: a browser that arrives with a session
// cookie gets a new id at sign-in (no session fixation), and signing out
// deletes the session from the store.
func TestStartSessionIgnoresBroughtID(t *testing.T) {
	e := newEnv(t, false)
	w := httptest.NewRecorder()
	e.mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, PathSignIn, nil))
	browser := w.Result().Cookies()[0]
	planted := &http.Cookie{Name: e.m.SessionCookieName(), Value: strings.Repeat("f", 43)}
	w = httptest.NewRecorder()
	r := postForm(PathSignIn, url.Values{"csrf": {e.m.csrfFor(browser.Value, store.Hash(planted.Value), csrfSignIn)}, "username": {testUser}, "password": {testPassword}})
	r.AddCookie(browser)
	r.AddCookie(planted)
	e.mux.ServeHTTP(w, r)
	got := w.Result().Cookies()
	if w.Code != http.StatusSeeOther || len(got) != 1 || got[0].Value == planted.Value {
		t.Fatalf("sign-in: %d %v", w.Code, got)
	}
	if _, err := e.st.GetSession(context.Background(), store.Hash(planted.Value)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("planted session id stored: %v", err)
	}
	w = httptest.NewRecorder()
	r = postForm(PathSignOut, url.Values{"csrf": {e.m.SignOutCSRF(httptest.NewRecorder(), withCookies(browser, got[0]))}})
	r.AddCookie(browser)
	r.AddCookie(got[0])
	e.mux.ServeHTTP(w, r)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", w.Code)
	}
	if _, err := e.st.GetSession(context.Background(), store.Hash(got[0].Value)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("session kept after sign-out: %v", err)
	}
	if _, ok := e.m.User(withCookies(got[0])); ok {
		t.Fatal("still signed in after sign-out")
	}
}

// postForm is a same-origin form post.
func postForm(path string, v url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	return r
}

// withCookies is a GET request carrying cookies.
func withCookies(cs ...*http.Cookie) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, c := range cs {
		r.AddCookie(c)
	}
	return r
}
