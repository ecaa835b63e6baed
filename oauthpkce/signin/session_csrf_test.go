package signin

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/internal/browsertest"
)

// TestCSRFBoundToSession: a form token is bound to the signed-in session,
// not only to the browser cookie (on http loopback every port shares the
// browser's cookies). A token minted in one session is refused once the
// browser carries another session, or none; the new session's own token
// is accepted.
func TestCSRFBoundToSession(t *testing.T) {
	e := newEnv(t, false)
	e.mux.HandleFunc("GET /form", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<form method="post" action="/signout"><input type="hidden" name="csrf" value="`+e.m.SignOutCSRF(w, r)+`"></form>`)
	})
	ts := httptest.NewServer(e.mux)
	t.Cleanup(ts.Close)
	origin, _ := url.Parse(ts.URL)

	b := browsertest.New(t, ts.URL)
	signIn := b.Get(SignInURL("/whoami")).Form(t, PathSignIn)
	if p := b.Submit(signIn, url.Values{"username": {testUser}, "password": {testPassword}}); p.Body != "user:"+testUser {
		t.Fatalf("sign-in: %d %s", p.Resp.StatusCode, p.Body)
	}
	oldForm := b.Get("/form").Form(t, PathSignOut)

	// The browser now carries another session of the same host (signed in
	// again, say, or a session cookie set from another port).
	w := httptest.NewRecorder()
	if err := e.m.StartSession(context.Background(), w, e.user.ID); err != nil {
		t.Fatal(err)
	}
	b.Client.Jar.SetCookies(origin, w.Result().Cookies())
	if p := b.Get("/whoami"); p.Body != "user:"+testUser {
		t.Fatalf("the new session does not sign in: %s", p.Body)
	}
	p := b.Submit(oldForm, nil)
	if p.Resp.StatusCode != http.StatusForbidden || !strings.Contains(p.Body, "expired") {
		t.Fatalf("a token of the earlier session: %d %s", p.Resp.StatusCode, p.Body)
	}
	if p := b.Get("/whoami"); p.Body != "user:"+testUser {
		t.Fatalf("the refused sign-out signed the browser out: %s", p.Body)
	}

	// A token minted while signed in is refused without the session.
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, c := range b.Client.Jar.Cookies(origin) {
		r.AddCookie(c)
	}
	tok := e.m.CSRF(httptest.NewRecorder(), r, "p")
	if !e.m.CheckCSRF(r, "p", tok) {
		t.Fatal("a token refused in its own session")
	}
	bare := httptest.NewRequest(http.MethodPost, "/", nil)
	for _, c := range r.Cookies() {
		if c.Name != e.m.SessionCookieName() {
			bare.AddCookie(c)
		}
	}
	if e.m.CheckCSRF(bare, "p", tok) {
		t.Fatal("a signed-in token accepted without the session")
	}

	// The current session's own form works.
	p = b.Submit(b.Get("/form").Form(t, PathSignOut), nil)
	if p.Resp.StatusCode != http.StatusOK || p.URL.Path != PathSignIn {
		t.Fatalf("sign-out with the current token: %d at %s", p.Resp.StatusCode, p.URL)
	}
	if p := b.Get("/whoami"); p.Resp.StatusCode != http.StatusUnauthorized {
		t.Fatal("still signed in after sign-out")
	}
}
