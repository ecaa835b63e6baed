package signin

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/oidcfake"
)

// TestOIDCSignIn: a first sign-in creates the host, keyed by (issuer,
// subject), with the verified address; a second finds the same host. The
// request to the provider is an authorization-code request with PKCE S256,
// a nonce and a state, to the registered redirect URI.
func TestOIDCSignIn(t *testing.T) {
	e := newOIDCEnv(t, nil)
	before := len(e.users(t))
	b := e.browser(t)
	auth := e.begin(t, b, "idp", "/whoami?after=oidc")
	q := auth.Query()
	for k, want := range map[string]string{
		"response_type": "code", "client_id": idpClientID, "redirect_uri": e.ts.URL + PathOIDCCallback,
		"code_challenge_method": "S256",
	} {
		if q.Get(k) != want {
			t.Errorf("authorize %s = %q, want %q", k, q.Get(k), want)
		}
	}
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if len(q.Get(k)) < 43 {
			t.Errorf("authorize %s = %q, want 256 random bits", k, q.Get(k))
		}
	}
	if !slices.Contains(strings.Fields(q.Get("scope")), "openid") {
		t.Errorf("scope %q lacks openid", q.Get("scope"))
	}
	p := b.Get(e.approve(t, auth, "allow"))
	if p.Resp.StatusCode != http.StatusOK || p.URL.RequestURI() != "/whoami?after=oidc" || p.Body != "user:alice@example.com" {
		t.Fatalf("after sign-in: %d at %s: %s", p.Resp.StatusCode, p.URL, p.Body)
	}
	us := e.users(t)
	if len(us) != before+1 {
		t.Fatalf("%d hosts, want %d", len(us), before+1)
	}
	u, err := e.st.GetUserBySubject(t.Context(), e.idp.Issuer(), alice.Subject)
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != alice.Email || u.Username != "alice@example.com" || u.PasswordHash != "" {
		t.Fatalf("created host %+v", u)
	}
	events, _ := e.st.ListAuditEvents(t.Context(), u.ID, 10)
	var kinds []string
	for _, ev := range events {
		kinds = append(kinds, ev.Kind+" "+ev.Detail)
	}
	if !slices.Contains(kinds, "user.created oidc idp") || !slices.Contains(kinds, "signin oidc idp") {
		t.Fatalf("audit events %q", kinds)
	}

	// Another browser, the same person: the same host, no new one.
	b2 := e.browser(t)
	if p := e.signIn(t, b2, "/whoami"); p.Body != "user:alice@example.com" {
		t.Fatalf("second sign-in: %d %s", p.Resp.StatusCode, p.Body)
	}
	if n := len(e.users(t)); n != before+1 {
		t.Fatalf("%d hosts after the second sign-in, want %d", n, before+1)
	}
	// A changed verified address is recorded.
	e.idp.SetUser(oidcfake.User{Subject: alice.Subject, Email: "alice.new@example.com", EmailVerified: true})
	e.signIn(t, e.browser(t), "/whoami")
	if u, _ := e.st.GetUser(t.Context(), u.ID); u.Email != "alice.new@example.com" {
		t.Fatalf("e-mail after a change at the provider: %q", u.Email)
	}
}

// TestOIDCReturnStaysLocal: the return path survives the round trip, and
// only a local one.
func TestOIDCReturnStaysLocal(t *testing.T) {
	e := newOIDCEnv(t, nil)
	for _, ret := range []string{"//evil.example/x", "https://evil.example/", "/\\evil"} {
		b := e.browser(t)
		p := e.signIn(t, b, ret)
		if p.URL.Host != strings.TrimPrefix(e.ts.URL, "http://") || p.URL.Path != "/" {
			t.Fatalf("return %q: landed at %s", ret, p.URL)
		}
	}
}

// TestOIDCStateSingleUse: a callback replayed, or carried to another
// browser, or arriving after ten minutes, is refused with no session; the
// provider is not asked to redeem its code again.
func TestOIDCStateSingleUse(t *testing.T) {
	e := newOIDCEnv(t, nil)

	t.Run("replayed", func(t *testing.T) {
		b := e.browser(t)
		cb := e.approve(t, e.begin(t, b, "idp", "/whoami"), "allow")
		if p := b.Get(cb); p.Body != "user:alice@example.com" {
			t.Fatalf("first use: %d %s", p.Resp.StatusCode, p.Body)
		}
		e.dropSession(t, b)
		redeemed := e.idp.TokenRequests()
		refused(t, b.Get(cb), http.StatusBadRequest, "This sign-in link expired or was already used.")
		e.signedOut(t, b)
		if e.idp.TokenRequests() != redeemed {
			t.Fatal("the replay reached the provider's token endpoint")
		}
	})

	t.Run("another browser", func(t *testing.T) {
		victim, attacker := e.browser(t), e.browser(t)
		attacker.Get(PathSignIn) // has a browser cookie of its own
		cb := e.approve(t, e.begin(t, victim, "idp", "/whoami"), "allow")
		refused(t, attacker.Get(cb), http.StatusBadRequest, "This sign-in was started in another browser.")
		e.signedOut(t, attacker)
		// The state is spent: the browser that started it cannot use it now.
		refused(t, victim.Get(cb), http.StatusBadRequest, "expired or was already used")
		e.signedOut(t, victim)
	})

	t.Run("a browser without cookies", func(t *testing.T) {
		b := e.browser(t)
		cb := e.approve(t, e.begin(t, b, "idp", "/whoami"), "allow")
		bare := e.browser(t)
		refused(t, bare.Get(cb), http.StatusBadRequest, "This sign-in was started in another browser.")
		e.signedOut(t, bare)
	})

	t.Run("expired", func(t *testing.T) {
		b := e.browser(t)
		auth := e.begin(t, b, "idp", "/whoami")
		e.clock.Advance(signInStateTTL)
		cb := e.approve(t, auth, "allow")
		refused(t, b.Get(cb), http.StatusBadRequest, "This sign-in took too long and expired.")
		e.signedOut(t, b)
	})

	t.Run("no state", func(t *testing.T) {
		b := e.browser(t)
		refused(t, b.Get(PathOIDCCallback+"?code=abc"), http.StatusBadRequest, "This sign-in answer is incomplete.")
		refused(t, b.Get(PathOIDCCallback+"?code=abc&state=made-up"), http.StatusBadRequest, "expired or was already used")
		e.signedOut(t, b)
	})
}

// TestOIDCDisabledHost: a disabled host is refused at the callback.
func TestOIDCDisabledHost(t *testing.T) {
	e := newOIDCEnv(t, nil)
	e.signIn(t, e.browser(t), "/whoami")
	u, err := e.st.GetUserBySubject(t.Context(), e.idp.Issuer(), alice.Subject)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.DisableUser(t.Context(), u.ID, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	b := e.browser(t)
	refused(t, e.signIn(t, b, "/whoami"), http.StatusForbidden, "This account is disabled.")
	e.signedOut(t, b)
}

// TestOIDCProviderDown: a provider whose discovery fails does not stop
// the sign-in page nor the password; hostgate tries it again after
// discoveryRetry and then signs in with it.
func TestOIDCProviderDown(t *testing.T) {
	e := newOIDCEnv(t, nil)
	e.idp.SetFaults(oidcfake.Faults{DiscoveryDown: true})
	if errs := e.m.CheckProviders(t.Context()); errs["idp"] == nil {
		t.Fatalf("CheckProviders = %v, want idp's failure", errs)
	}
	b := e.browser(t)
	p := b.Get(PathOIDC + "idp")
	refused(t, p, http.StatusServiceUnavailable, "Signing in with Example ID is unavailable right now.")
	page := b.Get(PathSignIn)
	b.Submit(page.Form(t, PathSignIn), map[string][]string{"username": {testUser}, "password": {testPassword}})
	if w := b.Get("/whoami"); w.Body != "user:"+testUser {
		t.Fatalf("password sign-in while the provider is down: %s", w.Body)
	}

	e.idp.SetFaults(oidcfake.Faults{})
	b2 := e.browser(t)
	// Within discoveryRetry the failure is remembered.
	e.clock.Advance(discoveryRetry - time.Second)
	refused(t, b2.Get(PathOIDC+"idp"), http.StatusServiceUnavailable, "unavailable right now")
	e.clock.Advance(time.Second)
	if p := e.signIn(t, b2, "/whoami"); p.Body != "user:alice@example.com" {
		t.Fatalf("after the provider came back: %d %s", p.Resp.StatusCode, p.Body)
	}
	if errs := e.m.CheckProviders(t.Context()); errs != nil {
		t.Fatalf("CheckProviders = %v", errs)
	}
}

// TestOIDCUnknownProvider: a start for a provider that is not configured
// is a 404 sign-in page.
func TestOIDCUnknownProvider(t *testing.T) {
	e := newOIDCEnv(t, nil)
	b := e.browser(t)
	refused(t, b.Get(PathOIDC+"nosuch"), http.StatusNotFound, "There is no such way to sign in here.")
}

// TestOIDCSecretsNotLogged: a whole sign-in and a refusal at debug level
// log no code, state, nonce or client secret.
func TestOIDCSecretsNotLogged(t *testing.T) {
	e := newOIDCEnv(t, nil)
	b := e.browser(t)
	auth := e.begin(t, b, "idp", "/")
	cb := e.approve(t, auth, "allow")
	b.Get(cb)
	b.Get(cb) // a replay, refused
	code := mustQuery(t, cb, "code")
	secrets := []string{code, auth.Query().Get("state"), auth.Query().Get("nonce"), auth.Query().Get("code_challenge"), idpClientSecret}
	logs := e.logs.String()
	if !strings.Contains(logs, "signed in") || !strings.Contains(logs, "outcome=unknown_state") {
		t.Fatalf("the logs do not tell the outcomes:\n%s", logs)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(logs, s) {
			t.Fatalf("the logs hold a secret %q:\n%s", s, logs)
		}
	}
}

// TestOIDCStartLimit: one address may start oidcStartBurst sign-ins at
// once, then one every oidcStartEvery; the refusal says to wait.
func TestOIDCStartLimit(t *testing.T) {
	e := newOIDCEnv(t, nil)
	b := e.browser(t)
	for i := range oidcStartBurst {
		if p := b.Get(PathOIDC + "idp"); p.Resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("start %d: %d", i+1, p.Resp.StatusCode)
		}
	}
	p := b.Get(PathOIDC + "idp")
	refused(t, p, http.StatusTooManyRequests, "Too many sign-in attempts.")
	if p.Resp.Header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	e.clock.Advance(oidcStartEvery)
	if p := b.Get(PathOIDC + "idp"); p.Resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after %s: %d", oidcStartEvery, p.Resp.StatusCode)
	}
}
