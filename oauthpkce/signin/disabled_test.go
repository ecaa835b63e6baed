package signin

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/internal/browsertest"
)

// TestDisabledHost: a disabled host's open browser is signed out at once,
// the right password then gets "disabled" (a wrong one still only "wrong
// username or password"), and no way of starting a session works for it.
func TestDisabledHost(t *testing.T) {
	e := newEnv(t, false)
	ts := httptest.NewServer(e.mux)
	t.Cleanup(ts.Close)
	b := browsertest.New(t, ts.URL)
	form := b.Get(SignInURL("/whoami")).Form(t, PathSignIn)
	if p := b.Submit(form, url.Values{"username": {testUser}, "password": {testPassword}}); p.Body != "user:"+testUser {
		t.Fatalf("sign-in before disabling: %d %s", p.Resp.StatusCode, p.Body)
	}

	if err := e.st.DisableUser(t.Context(), e.user.ID, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if p := b.Get("/whoami"); p.Resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("whoami after disabling: %d %s", p.Resp.StatusCode, p.Body)
	}
	form = b.Get(SignInURL("/whoami")).Form(t, PathSignIn)
	p := b.Submit(form, url.Values{"username": {testUser}, "password": {"wrong-password"}})
	if p.Resp.StatusCode != http.StatusUnauthorized || !strings.Contains(p.Body, "Wrong username or password.") {
		t.Fatalf("wrong password of a disabled host: %d\n%s", p.Resp.StatusCode, p.Body)
	}
	form = p.Form(t, PathSignIn)
	p = b.Submit(form, url.Values{"username": {testUser}, "password": {testPassword}})
	if p.Resp.StatusCode != http.StatusForbidden || !strings.Contains(p.Body, "This account is disabled.") {
		t.Fatalf("right password of a disabled host: %d\n%s", p.Resp.StatusCode, p.Body)
	}
	if p := b.Get("/whoami"); p.Resp.StatusCode != http.StatusUnauthorized {
		t.Fatal("a disabled host got a session")
	}
	if err := e.m.StartSession(t.Context(), httptest.NewRecorder(), e.user.ID); err != ErrDisabled {
		t.Fatalf("StartSession for a disabled host: %v, want ErrDisabled", err)
	}

	if err := e.st.EnableUser(t.Context(), e.user.ID); err != nil {
		t.Fatal(err)
	}
	form = b.Get(SignInURL("/whoami")).Form(t, PathSignIn)
	if p := b.Submit(form, url.Values{"username": {testUser}, "password": {testPassword}}); p.Body != "user:"+testUser {
		t.Fatalf("sign-in after enabling: %d %s", p.Resp.StatusCode, p.Body)
	}
}
