package signin

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/internal/oidcfake"
	"github.com/hostgate/hostgate/store"
)

// TestOIDCDomainRule: a provider trusted for example.com admits a
// verified address there, and nothing else: an unverified address never,
// another domain never, no address never.
func TestOIDCDomainRule(t *testing.T) {
	for _, tt := range []struct {
		name   string
		user   oidcfake.User
		status int
		want   string
	}{
		{"verified, in the domain", oidcfake.User{Subject: "s1", Email: "bo@example.com", EmailVerified: true}, http.StatusOK, "user:bo@example.com"},
		{"verified, domain in another case", oidcfake.User{Subject: "s2", Email: "Bo@EXAMPLE.com", EmailVerified: true}, http.StatusOK, "user:bo@example.com"},
		{"unverified, in the domain", oidcfake.User{Subject: "s3", Email: "bo@example.com"}, http.StatusForbidden, "Example ID has not verified your e-mail address"},
		{"verified, another domain", oidcfake.User{Subject: "s4", Email: "bo@example.org", EmailVerified: true}, http.StatusForbidden, "Only accounts with a verified address at example.com"},
		{"verified, a subdomain", oidcfake.User{Subject: "s5", Email: "bo@mail.example.com", EmailVerified: true}, http.StatusForbidden, "Only accounts with a verified address at example.com"},
		{"no address", oidcfake.User{Subject: "s6"}, http.StatusForbidden, "Only accounts with a verified address at example.com"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newOIDCEnv(t, nil)
			before := len(e.users(t))
			e.idp.SetUser(tt.user)
			b := e.browser(t)
			p := e.signIn(t, b, "/whoami")
			if tt.status == http.StatusOK {
				if p.Body != tt.want {
					t.Fatalf("%d %s, want %s", p.Resp.StatusCode, p.Body, tt.want)
				}
				return
			}
			refused(t, p, tt.status, tt.want)
			e.signedOut(t, b)
			if n := len(e.users(t)); n != before {
				t.Fatalf("%d hosts after a refusal, want %d", n, before)
			}
		})
	}
}

// TestOIDCLinksByVerifiedEmail: at a provider trusted for the domain, the
// existing host whose e-mail is the verified address becomes this
// identity's host; a host already tied to another identity is not taken
// over, and neither is one of two hosts sharing the address.
func TestOIDCLinksByVerifiedEmail(t *testing.T) {
	e := newOIDCEnv(t, nil)
	ctx := t.Context()
	if err := e.st.SetUserEmail(ctx, e.user.ID, "Alice@example.com"); err != nil {
		t.Fatal(err)
	}
	before := len(e.users(t))
	if p := e.signIn(t, e.browser(t), "/whoami"); p.Body != "user:"+testUser {
		t.Fatalf("sign-in: %d %s, want the existing host", p.Resp.StatusCode, p.Body)
	}
	u, err := e.st.GetUser(ctx, e.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Issuer != e.idp.Issuer() || u.Subject != alice.Subject || len(e.users(t)) != before {
		t.Fatalf("after linking: %+v, %d hosts", u, len(e.users(t)))
	}
	events, _ := e.st.ListAuditEvents(ctx, u.ID, 5)
	if len(events) == 0 || events[len(events)-1].Kind != "user.linked" {
		t.Fatalf("audit %+v, want user.linked first", events)
	}
	// The host keeps its password too.
	b := e.browser(t)
	b.Submit(b.Get(PathSignIn).Form(t, PathSignIn), map[string][]string{"username": {testUser}, "password": {testPassword}})
	if p := b.Get("/whoami"); p.Body != "user:"+testUser {
		t.Fatalf("password after linking: %s", p.Body)
	}

	// Another identity with the same verified address: the host is taken.
	e.idp.SetUser(oidcfake.User{Subject: "someone-else", Email: "alice@example.com", EmailVerified: true})
	b = e.browser(t)
	p := e.signIn(t, b, "/whoami")
	refused(t, p, http.StatusForbidden, "A hostgate account with your address already signs in another way.")
	if !strings.Contains(p.Body, "hostgate user link NAME --issuer "+e.idp.Issuer()+" --subject someone-else") {
		t.Fatalf("no hint for the operator:\n%s", p.Body)
	}
	e.signedOut(t, b)

	// Two hosts with one address: neither.
	for _, id := range []string{"h1", "h2"} {
		if err := e.st.CreateUser(ctx, store.User{ID: id, Username: id, Email: "shared@example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	e.idp.SetUser(oidcfake.User{Subject: "shared-sub", Email: "shared@example.com", EmailVerified: true})
	b = e.browser(t)
	refused(t, e.signIn(t, b, "/whoami"), http.StatusForbidden, "already signs in another way")
	e.signedOut(t, b)

	// A disabled host is not linked.
	if err := e.st.CreateUser(ctx, store.User{ID: "h3", Username: "h3", Email: "gone@example.com"}); err != nil {
		t.Fatal(err)
	}
	if err := e.st.DisableUser(ctx, "h3", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.idp.SetUser(oidcfake.User{Subject: "gone-sub", Email: "gone@example.com", EmailVerified: true})
	b = e.browser(t)
	refused(t, e.signIn(t, b, "/whoami"), http.StatusForbidden, "This account is disabled.")
	e.signedOut(t, b)
	if u, _ := e.st.GetUser(ctx, "h3"); u.Subject != "" {
		t.Fatal("a disabled host was linked")
	}
}

// TestOIDCOnlyLinkedIdentities: a provider with neither domains nor
// allow-any admits only identities an operator tied to a host; a verified
// address matching a host does not count there.
func TestOIDCOnlyLinkedIdentities(t *testing.T) {
	e := newOIDCEnv(t, func(p *Provider, _ *Config) { p.Domains = nil })
	ctx := t.Context()
	if err := e.st.SetUserEmail(ctx, e.user.ID, alice.Email); err != nil {
		t.Fatal(err)
	}
	before := len(e.users(t))
	b := e.browser(t)
	p := e.signIn(t, b, "/whoami")
	refused(t, p, http.StatusForbidden, "Your Example ID account has no hostgate account here.")
	hint := "hostgate user link NAME --issuer " + e.idp.Issuer() + " --subject " + alice.Subject
	if !strings.Contains(p.Body, hint) {
		t.Fatalf("no hint %q:\n%s", hint, p.Body)
	}
	e.signedOut(t, b)
	if n := len(e.users(t)); n != before {
		t.Fatalf("%d hosts, want %d", n, before)
	}
	if u, _ := e.st.GetUser(ctx, e.user.ID); u.Subject != "" {
		t.Fatal("the host was linked by an e-mail address the provider is not trusted for")
	}
	// What `hostgate user link` does.
	if err := e.st.SetUserIdentity(ctx, e.user.ID, e.idp.Issuer(), alice.Subject); err != nil {
		t.Fatal(err)
	}
	if p := e.signIn(t, e.browser(t), "/whoami"); p.Body != "user:"+testUser {
		t.Fatalf("after linking: %d %s", p.Resp.StatusCode, p.Body)
	}
}

// TestOIDCAllowAnyAccount: every identity gets its own host; an
// unverified address is not recorded, and matches no one.
func TestOIDCAllowAnyAccount(t *testing.T) {
	e := newOIDCEnv(t, func(p *Provider, _ *Config) { p.Domains, p.AllowAnyAccount = nil, true })
	ctx := t.Context()
	if err := e.st.SetUserEmail(ctx, e.user.ID, "alice@example.com"); err != nil {
		t.Fatal(err)
	}
	e.idp.SetUser(oidcfake.User{Subject: "kc-1", Email: "alice@example.com", EmailVerified: true})
	if p := e.signIn(t, e.browser(t), "/whoami"); p.Body != "user:alice@example.com" {
		t.Fatalf("verified: %d %s", p.Resp.StatusCode, p.Body)
	}
	if u, _ := e.st.GetUser(ctx, e.user.ID); u.Subject != "" {
		t.Fatal("allow-any linked an existing host by e-mail")
	}
	e.idp.SetUser(oidcfake.User{Subject: "kc-2", Email: "mallory@example.com"})
	p := e.signIn(t, e.browser(t), "/whoami")
	if p.Resp.StatusCode != http.StatusOK || !strings.HasPrefix(p.Body, "user:idp-") {
		t.Fatalf("unverified: %d %s", p.Resp.StatusCode, p.Body)
	}
	u, err := e.st.GetUserBySubject(ctx, e.idp.Issuer(), "kc-2")
	if err != nil || u.Email != "" {
		t.Fatalf("host of an unverified address: %+v %v", u, err)
	}
}

// TestOIDCGoogleHostedDomain: at Google, a verified address in the domain
// passes only from an account of that Workspace domain ("hd").
func TestOIDCGoogleHostedDomain(t *testing.T) {
	g := &oidcProvider{Provider: Provider{Issuer: googleIssuer, Domains: []string{"example.com"}}}
	other := &oidcProvider{Provider: Provider{Issuer: "https://id.example.com", Domains: []string{"example.com"}}}
	for _, tt := range []struct {
		p         *oidcProvider
		email, hd string
		want      bool
	}{
		{g, "a@example.com", "example.com", true},
		{g, "a@example.com", "", false},
		{g, "a@example.com", "other.com", false},
		{g, "a@other.com", "example.com", false},
		{other, "a@example.com", "", true},
		{other, "a@EXAMPLE.COM", "", true},
		{other, "a@example.com.evil", "", false},
	} {
		if got := tt.p.trusts(tt.email, tt.hd); got != tt.want {
			t.Errorf("%s trusts(%q, hd %q) = %v, want %v", tt.p.Issuer, tt.email, tt.hd, got, tt.want)
		}
	}
}

// TestVerifiedEmail: only an explicit true verifies an address.
func TestVerifiedEmail(t *testing.T) {
	for raw, want := range map[string]string{`true`: "a@b.c", `"true"`: "a@b.c", `false`: "", `"false"`: "", ``: "", `1`: "", `"yes"`: ""} {
		c := idClaims{Email: "a@b.c", EmailVerified: []byte(raw)}
		if got := c.verifiedEmail(); got != want {
			t.Errorf("email_verified %s: %q, want %q", raw, got, want)
		}
	}
	if got := (idClaims{Email: "nobody", EmailVerified: []byte("true")}).verifiedEmail(); got != "" {
		t.Errorf("an address without @ counts: %q", got)
	}
}

// TestPasswordSignInOff: with password sign-in off, the page shows only
// the providers and a password POST is refused, even with the right
// password.
func TestPasswordSignInOff(t *testing.T) {
	e := newOIDCEnv(t, func(_ *Provider, c *Config) { c.NoPassword = true })
	b := e.browser(t)
	page := b.Get(PathSignIn + "?return=/whoami")
	if page.Resp.StatusCode != http.StatusOK || strings.Contains(page.Body, `name="password"`) ||
		!strings.Contains(page.Body, `href="/signin/oidc/idp?return=%2Fwhoami" autofocus`) {
		t.Fatalf("sign-in page with passwords off:\n%s", page.Body)
	}
	p := b.Post(PathSignIn, map[string][]string{"username": {testUser}, "password": {testPassword}, "csrf": {"x"}})
	if p.Resp.StatusCode != http.StatusForbidden || !strings.Contains(p.Body, "Password sign-in is turned off here.") {
		t.Fatalf("password POST: %d\n%s", p.Resp.StatusCode, p.Body)
	}
	e.signedOut(t, b)
	if _, err := e.m.Authenticate(t.Context(), testUser, testPassword); err != ErrPasswordOff {
		t.Fatalf("Authenticate: %v, want ErrPasswordOff", err)
	}
	if p := e.signIn(t, b, "/whoami"); p.Body != "user:alice@example.com" {
		t.Fatalf("OIDC with passwords off: %d %s", p.Resp.StatusCode, p.Body)
	}

	if _, err := New(Config{Store: e.st, Key: bytes.Repeat([]byte{7}, 32), NoPassword: true}); err == nil {
		t.Fatal("New with passwords off and no provider: no error")
	}
}

// TestSignInPageOffersProviders: with both ways on, the password form
// comes first (its field focused, as before) and a button per provider
// carries the return path.
func TestSignInPageOffersProviders(t *testing.T) {
	e := newOIDCEnv(t, func(_ *Provider, c *Config) {
		c.Providers = []Provider{{Name: "corp", Label: "Corp SSO", Issuer: "https://sso.corp.example", ClientID: "c", ClientSecret: "s"}}
	})
	page := e.browser(t).Get(SignInURL("/authorize?x=1"))
	body := page.Body
	form, idp, corp := strings.Index(body, `name="password"`), strings.Index(body, ">Sign in with Example ID<"), strings.Index(body, ">Sign in with Corp SSO<")
	if form < 0 || idp < form || corp < idp || !strings.Contains(body, `id="username"`) ||
		!strings.Contains(body, `href="/signin/oidc/corp?return=%2Fauthorize%3Fx%3D1"`) {
		t.Fatalf("sign-in page:\n%s", body)
	}
}

// TestProviderCheck: each configuration mistake is named.
func TestProviderCheck(t *testing.T) {
	ok := Provider{Name: "google", Issuer: "https://accounts.google.com", ClientID: "id", ClientSecret: "secret"}
	for _, tt := range []struct {
		name string
		mod  func(*Provider)
		want string
	}{
		{"fine", func(*Provider) {}, ""},
		{"loopback http", func(p *Provider) { p.Issuer = "http://127.0.0.1:5556/dex" }, ""},
		{"domains", func(p *Provider) { p.Domains = []string{"example.com", "example.org"} }, ""},
		{"bad name", func(p *Provider) { p.Name = "Google" }, "lowercase"},
		{"reserved name", func(p *Provider) { p.Name = "callback" }, "callback"},
		{"plain http", func(p *Provider) { p.Issuer = "http://idp.example" }, "must be https"},
		{"relative issuer", func(p *Provider) { p.Issuer = "accounts.google.com" }, "absolute URL"},
		{"issuer with query", func(p *Provider) { p.Issuer = "https://idp.example/?x=1" }, "absolute URL"},
		{"no client id", func(p *Provider) { p.ClientID = "" }, "client id"},
		{"no secret", func(p *Provider) { p.ClientSecret = "" }, "client secret"},
		{"domain with @", func(p *Provider) { p.Domains = []string{"@example.com"} }, "not an e-mail domain"},
		{"domain in capitals", func(p *Provider) { p.Domains = []string{"Example.com"} }, "not an e-mail domain"},
		{"both rules", func(p *Provider) { p.Domains, p.AllowAnyAccount = []string{"example.com"}, true }, "not both"},
	} {
		p := ok
		tt.mod(&p)
		err := p.Check()
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}
