package oauthpkce

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/oauthpkce/signin"
	"github.com/hostgate/hostgate/store"
)

// wantErrorPage checks that r is our own error page with the given status:
// HTML with the security headers, and above all no redirect.
func wantErrorPage(t *testing.T, r *response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("status %d, want %d; Location %q\n%s", r.StatusCode, status, r.Header.Get("Location"), r.body)
	}
	if loc := r.Header.Get("Location"); loc != "" {
		t.Fatalf("error page carries Location %q", loc)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("Content-Type %q", ct)
	}
	if r.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(r.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatalf("security headers missing: %v", r.Header)
	}
}

// TestAuthorizeLoopbackAnyPort: a native app's loopback redirect URI
// matches on any port, the port it listens on this time (RFC 8252 §7.3);
// scheme, host and path still match exactly, so the code goes back only
// to the app's own callback.
func TestAuthorizeLoopbackAnyPort(t *testing.T) {
	f := newFixture(t, nil)
	a := f.authReq(publicClient, "")
	for _, port := range []string{"9999", "51234", "1"} {
		v := with(a.v, url.Values{"redirect_uri": {"http://127.0.0.1:" + port + "/callback"}})
		r := f.authorize(f.hostBrowser(), v)
		if r.StatusCode != http.StatusOK || !strings.Contains(r.body, "Approve") {
			t.Fatalf("port %s: %d, want the consent page", port, r.StatusCode)
		}
	}
}

// TestAuthorizeBadClientOrRedirectNeverRedirects: phase 1. A bad client or
// redirect URI is shown on our page and nothing is redirected, whether or
// not the host is signed in (RFC 6749 §4.1.2.1, RFC 9700 §4.1).
func TestAuthorizeBadClientOrRedirectNeverRedirects(t *testing.T) {
	f := newFixture(t, nil)
	a := f.authReq(publicClient, "")
	web := f.authReq(basicClient, "")
	tests := []struct {
		name    string
		v       url.Values
		message string // a phrase of the page's explanation
	}{
		{"unknown client", with(a.v, url.Values{"client_id": {"no-such-client"}}), "does not know this app"},
		{"client_id missing", with(a.v, url.Values{"client_id": nil}), "client_id is missing"},
		{"client_id empty", with(a.v, url.Values{"client_id": {""}}), "client_id is missing"},
		{"client_id over 256 bytes", with(a.v, url.Values{"client_id": {strings.Repeat("c", 300)}}), "does not know this app"},
		{"unregistered redirect_uri", with(a.v, url.Values{"redirect_uri": {"https://evil.example/callback"}}), "not one this app registered"},
		{"another client's redirect_uri", with(a.v, url.Values{"redirect_uri": {otherRedirect}}), "not one this app registered"},
		// An http loopback redirect matches on any port (RFC 8252 §7.3),
		// everything else exactly: see TestAuthorizeLoopbackAnyPort.
		{"https redirect on another port", with(web.v, url.Values{"redirect_uri": {"https://app.example:8443/callback"}}), "not one this app registered"},
		{"https redirect with default port spelled out", with(web.v, url.Values{"redirect_uri": {"https://app.example:443/callback"}}), "not one this app registered"},
		{"redirect with an extra query parameter", with(a.v, url.Values{"redirect_uri": {loopbackRedirect + "?next=evil"}}), "not one this app registered"},
		{"redirect with a trailing slash", with(a.v, url.Values{"redirect_uri": {loopbackRedirect + "/"}}), "not one this app registered"},
		{"redirect with another path case", with(a.v, url.Values{"redirect_uri": {"http://127.0.0.1:51234/Callback"}}), "not one this app registered"},
		{"redirect with a fragment", with(a.v, url.Values{"redirect_uri": {loopbackRedirect + "#x"}}), "not one this app registered"},
		{"redirect with localhost for 127.0.0.1", with(a.v, url.Values{"redirect_uri": {"http://localhost:51234/callback"}}), "not one this app registered"},
		{"redirect_uri repeated", with(a.v, url.Values{"redirect_uri": {loopbackRedirect, loopbackRedirect}}), "redirect_uri more than once"},
		{"redirect_uri repeated, second foreign", with(a.v, url.Values{"redirect_uri": {loopbackRedirect, "https://evil.example/cb"}}), "redirect_uri more than once"},
		{"client_id repeated", with(a.v, url.Values{"client_id": {publicClient.ID, publicClient.ID}}), "client_id more than once"},
		{"no redirect_uri, two registered", with(f.authReq(twoRedirectClient, "").v, url.Values{"redirect_uri": nil}), "registered several"},
		{"bad redirect and bad everything else", with(a.v, url.Values{"redirect_uri": {"https://evil.example/cb"}, "response_type": {"token"}, "code_challenge_method": {"plain"}}), "not one this app registered"},
	}
	for _, tt := range tests {
		for _, signedIn := range []bool{false, true} {
			name := tt.name + "/signed out"
			if signedIn {
				name = tt.name + "/signed in"
			}
			t.Run(name, func(t *testing.T) {
				f := f.on(t)
				b := f.browser()
				if signedIn {
					b = f.hostBrowser()
				}
				r := f.authorize(b, tt.v)
				wantErrorPage(t, r, http.StatusBadRequest)
				if !strings.Contains(r.body, tt.message) {
					t.Fatalf("page does not explain %q:\n%s", tt.message, r.body)
				}
				if strings.Contains(r.body, "evil.example") {
					t.Fatal("page links the foreign redirect URI")
				}
			})
		}
	}
}

// TestAuthorizeRequestErrors: phase 2. Once client and redirect URI are
// good, errors go back to the client with state and iss (RFC 6749
// §4.1.2.1, RFC 9207) — but only to a signed-in host; a signed-out one
// sees our page, so that hostgate is no open redirector (RFC 9700
// §4.11.2).
func TestAuthorizeRequestErrors(t *testing.T) {
	f := newFixture(t, nil)
	a := f.authReq(publicClient, "")
	verifier := a.verifier
	tests := []struct {
		name   string
		change url.Values
		code   string
	}{
		{"response_type token", url.Values{"response_type": {"token"}}, codeUnsupportedResponseType},
		{"response_type code id_token", url.Values{"response_type": {"code id_token"}}, codeUnsupportedResponseType},
		{"response_type missing", url.Values{"response_type": nil}, codeInvalidRequest},
		{"code_challenge missing", url.Values{"code_challenge": nil}, codeInvalidRequest},
		{"code_challenge_method plain", url.Values{"code_challenge_method": {"plain"}, "code_challenge": {verifier}}, codeInvalidRequest},
		{"code_challenge_method missing means plain", url.Values{"code_challenge_method": nil}, codeInvalidRequest},
		{"code_challenge_method lower-case s256", url.Values{"code_challenge_method": {"s256"}}, codeInvalidRequest},
		{"code_challenge too short", url.Values{"code_challenge": {"abc"}}, codeInvalidRequest},
		{"code_challenge with padding", url.Values{"code_challenge": {a.v.Get("code_challenge") + "="}}, codeInvalidRequest},
		{"code_challenge not base64url", url.Values{"code_challenge": {strings.Repeat("+", 43)}}, codeInvalidRequest},
		{"foreign resource", url.Values{"resource": {"https://evil.example/mcp"}}, codeInvalidTarget},
		{"resource is the issuer, not the MCP URL", url.Values{"resource": {f.ts.URL}}, codeInvalidTarget},
		{"resource with another path", url.Values{"resource": {f.ts.URL + "/mcp/other"}}, codeInvalidTarget},
		{"resource with a fragment", url.Values{"resource": {f.ts.URL + "/mcp#x"}}, codeInvalidTarget},
		{"resource relative", url.Values{"resource": {"/mcp"}}, codeInvalidTarget},
		{"resource repeated", url.Values{"resource": {f.ts.URL + "/mcp", "https://evil.example/mcp"}}, codeInvalidRequest},
		{"unknown scope", url.Values{"scope": {"read admin"}}, codeInvalidScope},
		{"scope repeated", url.Values{"scope": {"read", "write"}}, codeInvalidRequest},
		{"state repeated", url.Values{"state": {a.v.Get("state"), "other"}}, codeInvalidRequest},
		{"code_challenge repeated", url.Values{"code_challenge": {a.v.Get("code_challenge"), a.v.Get("code_challenge")}}, codeInvalidRequest},
	}
	for _, tt := range tests {
		v := with(a.v, tt.change)
		t.Run(tt.name+"/signed out", func(t *testing.T) {
			f := f.on(t)
			r := f.authorize(f.browser(), v)
			wantErrorPage(t, r, http.StatusBadRequest)
			if !strings.Contains(r.body, "<code>"+tt.code+"</code>") {
				t.Fatalf("page does not name %s:\n%s", tt.code, r.body)
			}
		})
		t.Run(tt.name+"/signed in", func(t *testing.T) {
			f := f.on(t)
			r := f.authorize(f.hostBrowser(), v)
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("status %d, want 303:\n%s", r.StatusCode, r.body)
			}
			loc := r.location(t)
			q := loc.Query()
			if base := strings.SplitN(loc.String(), "?", 2)[0]; base != loopbackRedirect {
				t.Fatalf("redirected to %s", loc)
			}
			if q.Get("error") != tt.code || q.Get("code") != "" {
				t.Fatalf("error %q, code %q; want %s", q.Get("error"), q.Get("code"), tt.code)
			}
			if q.Get("state") != a.v.Get("state") || len(q["state"]) != 1 {
				t.Fatalf("state %q, want the request's %q", q["state"], a.v.Get("state"))
			}
			if q.Get("iss") != f.ts.URL {
				t.Fatalf("iss %q, want %q", q.Get("iss"), f.ts.URL)
			}
			if r.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("Cache-Control %q", r.Header.Get("Cache-Control"))
			}
		})
	}
	t.Run("no state: none is invented", func(t *testing.T) {
		f := f.on(t)
		r := f.authorize(f.hostBrowser(), with(a.v, url.Values{"state": nil, "response_type": {"token"}}))
		q := r.location(t).Query()
		if _, ok := q["state"]; ok || q.Get("error") != codeUnsupportedResponseType {
			t.Fatalf("redirect query %v", q)
		}
	})
}

// TestAuthorizeAcceptsResourceVariants: MCP clients may send our resource
// with an upper-case scheme or host, a default port or a trailing slash
// (RFC 8707 and the MCP spec's canonical URI rules), or omit it.
func TestAuthorizeAcceptsResourceVariants(t *testing.T) {
	f := newFixture(t, nil)
	a := f.authReq(publicClient, "")
	host := strings.TrimPrefix(f.ts.URL, "http://")
	for _, res := range []string{
		f.ts.URL + "/mcp",
		f.ts.URL + "/mcp/",
		"HTTP://" + host + "/mcp",
		"HTTP://" + host + "/mcp/",
		"", // not sent: our resource
	} {
		t.Run(res, func(t *testing.T) {
			f := f.on(t)
			v := with(a.v, url.Values{"resource": {res}})
			if res == "" {
				v = with(a.v, url.Values{"resource": nil})
			}
			f.consentForm(f.hostBrowser(), v)
		})
	}
}

// TestIsOurResource covers the canonical comparison with a host name,
// which the loopback test server cannot have.
func TestIsOurResource(t *testing.T) {
	s := &Server{cfg: Config{Resource: "https://hostgate.example/mcp"}}
	for _, tt := range []struct {
		raw  string
		want bool
	}{
		{"https://hostgate.example/mcp", true},
		{"https://HostGate.EXAMPLE/mcp", true},
		{"HTTPS://hostgate.example/mcp", true},
		{"https://hostgate.example/mcp/", true},
		{"https://hostgate.example:443/mcp", true},
		{"https://hostgate.example/MCP", false},
		{"http://hostgate.example/mcp", false},
		{"https://hostgate.example:8443/mcp", false},
		{"https://hostgate.example/mcp#frag", false},
		{"https://hostgate.example/mcp?x=1", false},
		{"https://user@hostgate.example/mcp", false},
		{"https://hostgate.example.evil.com/mcp", false},
		{"https://hostgate.example/mcp/..", false},
		{"https://hostgate.example/mcp//", false},
		{"hostgate.example/mcp", false},
		{"", false},
	} {
		if got := s.isOurResource(tt.raw); got != tt.want {
			t.Errorf("isOurResource(%q) = %v, want %v", tt.raw, got, tt.want)
		}
	}
}

// TestAuthorizeSignedOutGoesToSignIn: a valid request from a signed-out
// browser goes to the sign-in page, which comes back to it; the signed-in
// host then sees the consent page.
func TestAuthorizeSignedOutGoesToSignIn(t *testing.T) {
	f := newFixture(t, nil)
	a := f.authReq(publicClient, "")
	b := f.browser()
	r := f.authorize(b, a.v)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303 to sign-in", r.StatusCode)
	}
	loc := r.location(t)
	if loc.IsAbs() || loc.Path != signin.PathSignIn {
		t.Fatalf("Location %s, want %s on this server", loc, signin.PathSignIn)
	}
	ret, err := url.Parse(loc.Query().Get("return"))
	if err != nil || ret.Path != PathAuthorize || ret.Query().Encode() != a.v.Encode() {
		t.Fatalf("return %q does not come back to the request", loc.Query().Get("return"))
	}

	// The real pages: sign-in form, back to /authorize, consent page.
	p := b.Get(loc.String())
	p = b.Submit(p.Form(t, signin.PathSignIn), url.Values{"username": {hostName}, "password": {hostPassword}})
	if p.Resp.StatusCode != http.StatusOK || p.URL.Path != PathAuthorize {
		t.Fatalf("after sign-in: %d at %s", p.Resp.StatusCode, p.URL)
	}
	p = b.Submit(p.Form(t, PathConsent), url.Values{"action": {"approve"}})
	code := f.codeFrom(&response{Response: p.Resp, body: p.Body}, loopbackRedirect, a.v.Get("state"))
	wantTokens(t, f.token(exchangeForm(publicClient, a, code)))
}

// TestConsentPage: the page names the client and the redirect host, shows
// the scopes, carries a CSRF token and may not be framed or cached.
func TestConsentPage(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		name     string
		client   store.Client
		wantHost string
	}{
		{"loopback client", publicClient, "127.0.0.1:51234"},
		{"web client", basicClient, "app.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := f.on(t)
			a := f.authReq(tt.client, "")
			r := f.authorize(f.hostBrowser(), a.v)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("status %d:\n%s", r.StatusCode, r.body)
			}
			h := r.Header
			if h.Get("X-Frame-Options") != "DENY" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
				h.Get("Cache-Control") != "no-store" || h.Get("Location") != "" {
				t.Fatalf("headers %v", h)
			}
			for _, want := range []string{tt.client.Name, "<code>" + tt.wantHost + "</code>", DefaultScopes[0].Description, DefaultScopes[1].Description, hostName} {
				if !strings.Contains(r.body, want) {
					t.Fatalf("consent page does not show %q:\n%s", want, r.body)
				}
			}
			p := f.consentForm(f.hostBrowser(), a.v)
			if p.Values.Get("csrf") == "" || p.Method != http.MethodPost {
				t.Fatalf("form %+v", p)
			}
			for k := range a.v {
				if p.Values.Get(k) != a.v.Get(k) {
					t.Fatalf("hidden %s = %q, want %q", k, p.Values.Get(k), a.v.Get(k))
				}
			}
		})
	}
}

// TestAuthorizeRemembersApproval: the per-host registry of approved clients.
// A request within the approved scopes gets a code at once; prompt=consent
// or a wider scope shows the page again; another host or client is asked.
func TestAuthorizeRemembersApproval(t *testing.T) {
	f := newFixture(t, nil)
	b := f.hostBrowser()
	// Approve read only: the optional write box is cleared.
	first := f.authReq(publicClient, "read write")
	form := f.consentForm(b, first.v)
	form.Values.Del("grant_scope")
	code := f.codeFrom(f.submit(b, form, url.Values{"action": {"approve"}}), loopbackRedirect, first.v.Get("state"))
	if got := wantTokens(t, f.token(exchangeForm(publicClient, first, code))).str("scope"); got != "read" {
		t.Fatalf("scope %q, want read", got)
	}

	t.Run("same scopes: code at once", func(t *testing.T) {
		f := f.on(t)
		a := f.authReq(publicClient, "read")
		code := f.codeFrom(f.authorize(b, a.v), loopbackRedirect, a.v.Get("state"))
		wantTokens(t, f.token(exchangeForm(publicClient, a, code)))
	})
	t.Run("same scopes from another browser of the host: code at once", func(t *testing.T) {
		f := f.on(t)
		a := f.authReq(publicClient, "read")
		f.codeFrom(f.authorize(f.hostBrowser(), a.v), loopbackRedirect, a.v.Get("state"))
	})
	t.Run("prompt=consent shows the page", func(t *testing.T) {
		f := f.on(t)
		a := f.authReq(publicClient, "read")
		f.consentForm(b, with(a.v, url.Values{"prompt": {"consent"}}))
	})
	t.Run("wider scopes show the page", func(t *testing.T) {
		f := f.on(t)
		f.consentForm(b, f.authReq(publicClient, "read write").v)
	})
	t.Run("no scope means all scopes: the page", func(t *testing.T) {
		f := f.on(t)
		f.consentForm(b, f.authReq(publicClient, "").v)
	})
	t.Run("another client is asked", func(t *testing.T) {
		f := f.on(t)
		f.consentForm(b, f.authReq(otherClient, "read").v)
	})
	t.Run("another host is asked", func(t *testing.T) {
		f := f.on(t)
		f.consentForm(f.sessionFor(f.other), f.authReq(publicClient, "read").v)
	})
	t.Run("a signed-out browser is sent to sign in", func(t *testing.T) {
		f := f.on(t)
		r := f.authorize(f.browser(), f.authReq(publicClient, "read").v)
		if r.StatusCode != http.StatusSeeOther || r.location(t).Path != signin.PathSignIn {
			t.Fatalf("status %d, Location %q", r.StatusCode, r.Header.Get("Location"))
		}
	})
	t.Run("a revoked client is asked again", func(t *testing.T) {
		f := f.on(t)
		if err := f.s.RevokeClient(t.Context(), f.host.ID, publicClient.ID); err != nil {
			t.Fatal(err)
		}
		f.consentForm(b, f.authReq(publicClient, "read").v)
	})
}

// TestAuthorizeWithoutRedirectURI: OAuth 2.1 §4.1.1 lets a client with a
// single registered redirect URI omit it; RFC 6749 §4.1.3 then does not
// require it at the token endpoint either.
func TestAuthorizeWithoutRedirectURI(t *testing.T) {
	f := newFixture(t, nil)
	b := f.hostBrowser()
	a := f.authReq(publicClient, "")
	a.v.Del("redirect_uri")
	form := f.consentForm(b, a.v)
	code := f.codeFrom(f.submit(b, form, url.Values{"action": {"approve"}}), loopbackRedirect, a.v.Get("state"))
	ex := exchangeForm(publicClient, a, code)
	ex.Del("redirect_uri")
	wantTokens(t, f.token(ex))

	t.Run("remembered approval", func(t *testing.T) {
		f := f.on(t)
		a := f.authReq(publicClient, "")
		a.v.Del("redirect_uri")
		code := f.codeFrom(f.authorize(b, a.v), loopbackRedirect, a.v.Get("state"))
		// A redirect_uri the request did not carry must not be needed,
		// and a wrong one is refused.
		ex := exchangeForm(publicClient, a, code)
		ex.Set("redirect_uri", otherRedirect)
		wantError(t, f.token(ex), http.StatusBadRequest, codeInvalidGrant)
		ex.Del("redirect_uri")
		wantTokens(t, f.token(ex))
	})
	t.Run("included at /authorize: optional at /token, checked if present", func(t *testing.T) {
		// OAuth 2.1 §10.2: the token request may leave it out.
		f := f.on(t)
		a := f.authReq(publicClient, "")
		code := f.code(b, a)
		ex := exchangeForm(publicClient, a, code)
		ex.Set("redirect_uri", otherRedirect)
		wantError(t, f.token(ex), http.StatusBadRequest, codeInvalidGrant)
		ex.Del("redirect_uri")
		wantTokens(t, f.token(ex))
	})
}
