package signin

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/browsertest"
	"github.com/hostgate/hostgate/store"
)

// formValue returns the value of the named input of a rendered page.
func formValue(t *testing.T, page, name string) string {
	t.Helper()
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `"[^>]*value="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no input %q on page:\n%s", name, page)
	}
	return html.UnescapeString(m[1])
}

// TestSignInFlow drives the real sign-in form with a cookie-keeping browser:
// a wrong password or unknown user is 401 on the page, the right one signs
// the browser in and goes back to the local return path.
func TestSignInFlow(t *testing.T) {
	e := newEnv(t, false)
	ts := httptest.NewServer(e.mux)
	t.Cleanup(ts.Close)
	b := browsertest.New(t, ts.URL)
	if p := b.Get("/whoami"); p.Resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("whoami before sign-in: %d", p.Resp.StatusCode)
	}
	const back = "/whoami?after=signin"
	p := b.Get(SignInURL(back))
	if p.Resp.StatusCode != http.StatusOK || p.Resp.Header.Get("X-Frame-Options") != "DENY" ||
		!strings.Contains(p.Resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") || p.Resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("sign-in page: %d %v", p.Resp.StatusCode, p.Resp.Header)
	}
	form := p.Form(t, PathSignIn)
	if form.Values.Get("return") != back || form.Values.Get("csrf") == "" {
		t.Fatalf("form %v", form.Values)
	}

	for _, tt := range []struct{ name, user, password string }{
		{"wrong password", testUser, "wrong"},
		{"unknown user", "mallory", testPassword},
		{"empty password", testUser, ""},
		{"username in another case", "Alice", testPassword},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := b.Submit(form, url.Values{"username": {tt.user}, "password": {tt.password}})
			if p.Resp.StatusCode != http.StatusUnauthorized || !strings.Contains(p.Body, "Wrong username or password.") {
				t.Fatalf("status %d:\n%s", p.Resp.StatusCode, p.Body)
			}
			if strings.Contains(p.Body, tt.password) && tt.password != "" {
				t.Fatal("the page echoes the password")
			}
			// The page is ready for another try.
			f := p.Form(t, PathSignIn)
			if f.Values.Get("username") != tt.user || f.Values.Get("return") != back || f.Values.Get("csrf") == "" {
				t.Fatalf("form after failure %v", f.Values)
			}
			if p := b.Get("/whoami"); p.Resp.StatusCode != http.StatusUnauthorized {
				t.Fatal("signed in after a failure")
			}
		})
	}

	p = b.Submit(form, url.Values{"username": {testUser}, "password": {testPassword}})
	if p.Resp.StatusCode != http.StatusOK || p.URL.RequestURI() != back || p.Body != "user:"+testUser {
		t.Fatalf("after sign-in: %d at %s: %s", p.Resp.StatusCode, p.URL, p.Body)
	}
	// Signed in, the sign-in page sends the browser straight back.
	p = b.Get(SignInURL(back))
	if p.URL.RequestURI() != back || p.Body != "user:"+testUser {
		t.Fatalf("sign-in page when signed in: %s %s", p.URL, p.Body)
	}
	events, err := e.st.ListAuditEvents(t.Context(), e.user.ID, 10)
	if err != nil || len(events) != 1 || events[0].Kind != "signin" {
		t.Fatalf("audit %v, %v", events, err)
	}
}

// TestSignInRefusesForgedPosts: the sign-in form is CSRF-protected (login
// CSRF), and so is sign-out.
func TestSignInRefusesForgedPosts(t *testing.T) {
	e := newEnv(t, false)
	w := httptest.NewRecorder()
	e.mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, PathSignIn, nil))
	browser := w.Result().Cookies()[0]
	good := url.Values{"csrf": {formValue(t, w.Body.String(), "csrf")}, "username": {testUser}, "password": {testPassword}}
	tests := []struct {
		name   string
		v      url.Values
		header map[string]string
		cookie bool
		want   int
	}{
		{"no CSRF token", with(good, "csrf", ""), nil, true, http.StatusForbidden},
		{"wrong CSRF token", with(good, "csrf", strings.Repeat("A", 43)), nil, true, http.StatusForbidden},
		{"sign-out token", with(good, "csrf", e.m.csrfFor(browser.Value, "", "signout")), nil, true, http.StatusForbidden},
		{"no browser cookie", good, nil, false, http.StatusForbidden},
		{"Sec-Fetch-Site cross-site", good, map[string]string{"Sec-Fetch-Site": "cross-site"}, true, http.StatusForbidden},
		{"the real form", good, nil, true, http.StatusSeeOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := postForm(PathSignIn, tt.v)
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			if tt.cookie {
				r.AddCookie(browser)
			}
			w := httptest.NewRecorder()
			e.mux.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d", w.Code, tt.want)
			}
			session := false
			for _, c := range w.Result().Cookies() {
				session = session || (c.Name == e.m.SessionCookieName() && c.Value != "")
			}
			if session != (tt.want == http.StatusSeeOther) {
				t.Fatalf("session cookie set: %v", session)
			}
		})
	}
	t.Run("sign-out without a token keeps the session", func(t *testing.T) {
		w := httptest.NewRecorder()
		if err := e.m.StartSession(t.Context(), w, e.user.ID); err != nil {
			t.Fatal(err)
		}
		session := w.Result().Cookies()[0]
		for _, v := range []url.Values{{}, {"csrf": {e.m.csrfFor(browser.Value, store.Hash(session.Value), csrfSignIn)}}} {
			r := postForm(PathSignOut, v)
			r.AddCookie(browser)
			r.AddCookie(session)
			w := httptest.NewRecorder()
			e.mux.ServeHTTP(w, r)
			if w.Code != http.StatusForbidden {
				t.Fatalf("sign-out with %v: %d", v, w.Code)
			}
		}
		if _, ok := e.m.User(withCookies(session)); !ok {
			t.Fatal("a forged sign-out ended the session")
		}
	})
}

func with(v url.Values, k, val string) url.Values {
	out := url.Values{}
	for kk, vs := range v {
		out[kk] = vs
	}
	if val == "" {
		delete(out, k)
	} else {
		out[k] = []string{val}
	}
	return out
}

// TestSignInRateLimit: ten attempts per address in a burst, then 429 with
// Retry-After until the limiter refills (one every 6 s by the clock).
func TestSignInRateLimit(t *testing.T) {
	e := newEnv(t, false)
	w := httptest.NewRecorder()
	e.mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, PathSignIn, nil))
	browser := w.Result().Cookies()[0]
	csrf := formValue(t, w.Body.String(), "csrf")
	attempt := func(addr, password string) *httptest.ResponseRecorder {
		r := postForm(PathSignIn, url.Values{"csrf": {csrf}, "username": {testUser}, "password": {password}})
		r.RemoteAddr = addr
		r.AddCookie(browser)
		w := httptest.NewRecorder()
		e.mux.ServeHTTP(w, r)
		return w
	}
	const attacker = "198.51.100.7:4000"
	for i := range 10 {
		if w := attempt(attacker, "guess"); w.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, w.Code)
		}
	}
	w = attempt("198.51.100.7:4001", testPassword) // another port, same address
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), "Too many attempts") {
		t.Fatalf("11th attempt: %d %v", w.Code, w.Header())
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == e.m.SessionCookieName() && c.Value != "" {
			t.Fatal("a limited attempt signed in")
		}
	}
	if w := attempt("203.0.113.9:1", testPassword); w.Code != http.StatusSeeOther {
		t.Fatalf("another address: %d", w.Code)
	}
	e.clock.Advance(6 * time.Second)
	if w := attempt(attacker, testPassword); w.Code != http.StatusSeeOther {
		t.Fatalf("after the refill: %d", w.Code)
	}
	if w := attempt(attacker, testPassword); w.Code != http.StatusTooManyRequests {
		t.Fatalf("right after the refill: %d", w.Code)
	}
}

// TestSafeReturn: the return path after sign-in never leaves the origin
// (RFC 9700 §4.11: open redirectors).
func TestSafeReturn(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/authorize?client_id=a&state=b", "/authorize?client_id=a&state=b"},
		{"/connections", "/connections"},
		{"//evil.com", "/"},
		{"//evil.com/path", "/"},
		{"///evil.com", "/"},
		{"/\\evil.com", "/"},
		{"\\\\evil.com", "/"},
		{"/\\/evil.com", "/"},
		{"https://evil", "/"},
		{"https://evil.com/authorize", "/"},
		{"http:evil.com", "/"},
		{"javascript:alert(1)", "/"},
		{"JavaScript:alert(document.cookie)", "/"},
		{"data:text/html,<script>alert(1)</script>", "/"},
		{"evil.com", "/"},
		{"authorize", "/"},
		{"/\r\nLocation: https://evil.com", "/"},
		{"/\n//evil.com", "/"},
		{"/\t/evil.com", "/"},
		{"/%0d%0aSet-Cookie:x=y", "/%0d%0aSet-Cookie:x=y"}, // stays encoded: a path on this server
		{" //evil.com", "/"},
		{"/%zz", "/"},
	} {
		if got := safeReturn(tt.in); got != tt.want {
			t.Errorf("safeReturn(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSignInRedirectStaysHome: whatever return the form posts, the
// response's Location resolves to this server.
func TestSignInRedirectStaysHome(t *testing.T) {
	e := newEnv(t, false)
	for _, ret := range []string{"//evil.com", "/\\evil.com", "https://evil", "javascript:alert(1)", "/./\\evil.com", "/..//evil.com", "/.//evil.com"} {
		w := httptest.NewRecorder()
		e.mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, PathSignIn, nil))
		browser := w.Result().Cookies()[0]
		r := postForm(PathSignIn, url.Values{"csrf": {formValue(t, w.Body.String(), "csrf")}, "username": {testUser}, "password": {testPassword}, "return": {ret}})
		r.AddCookie(browser)
		w = httptest.NewRecorder()
		e.mux.ServeHTTP(w, r)
		if w.Code != http.StatusSeeOther {
			t.Fatalf("return %q: %d", ret, w.Code)
		}
		assertLocal(t, w.Header().Get("Location"))
		// The GET page's form carries the same safe value.
		w = httptest.NewRecorder()
		e.mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, SignInURL(ret), nil))
		assertLocal(t, formValue(t, w.Body.String(), "return"))
	}
}

// assertLocal fails unless loc, resolved as a browser would against our
// origin, stays on it.
func assertLocal(t *testing.T, loc string) {
	t.Helper()
	base, _ := url.Parse("https://hostgate.example/signin")
	// Browsers treat a backslash as a slash and drop tabs and newlines.
	norm := strings.NewReplacer("\\", "/", "\t", "", "\r", "", "\n", "").Replace(loc)
	u, err := url.Parse(norm)
	if err != nil {
		t.Fatalf("Location %q does not parse: %v", loc, err)
	}
	if got := base.ResolveReference(u); got.Scheme != "https" || got.Host != "hostgate.example" {
		t.Fatalf("Location %q leaves the origin (%s)", loc, got)
	}
}

// FuzzSafeReturn: safeReturn gives back "/" or its input, and what it
// gives back resolves to this origin as a browser would read it.
func FuzzSafeReturn(f *testing.F) {
	for _, s := range []string{"/", "//evil.com", "/\\evil", "https://evil", "javascript:alert(1)", "/a?b=c#d", "/\t/evil", "/%2F%2Fevil.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := safeReturn(s)
		if got != "/" && got != s {
			t.Fatalf("safeReturn(%q) = %q", s, got)
		}
		assertLocal(t, got)
	})
}
