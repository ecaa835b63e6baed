package oauthpkce

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/browsertest"
	"github.com/hostgate/hostgate/store"
)

// TestConsentRefusesForgedPosts: the consent form is CSRF-protected, its
// token bound to the browser and to the exact authorization request, and a
// cross-site or signed-out post is refused. Each refusal is our 403 page:
// no redirect, no approval, no code.
func TestConsentRefusesForgedPosts(t *testing.T) {
	const csrfMsg = "This form expired or came from another site"
	const signedOutMsg = "You are signed out"
	approve := url.Values{"action": {"approve"}}
	tests := []struct {
		name string
		// post returns the values to post and the browser and headers to
		// post them with, given a browser signed in as the host and its
		// consent form.
		post    func(f *fixture, b *browsertest.Browser, form *browsertest.Form) (url.Values, *browsertest.Browser, http.Header)
		message string
	}{
		{"no CSRF token", func(f *fixture, b *browsertest.Browser, form *browsertest.Form) (url.Values, *browsertest.Browser, http.Header) {
			return with(form.Values, url.Values{"csrf": nil}), b, nil
		}, csrfMsg},
		{"empty CSRF token", func(f *fixture, b *browsertest.Browser, form *browsertest.Form) (url.Values, *browsertest.Browser, http.Header) {
			return with(form.Values, url.Values{"csrf": {""}}), b, nil
		}, csrfMsg},
		{"wrong CSRF token", func(f *fixture, b *browsertest.Browser, form *browsertest.Form) (url.Values, *browsertest.Browser, http.Header) {
			return with(form.Values, url.Values{"csrf": {strings.Repeat("A", 43)}}), b, nil
		}, csrfMsg},
		{"token of another authorization request (state changed)", func(f *fixture, b *browsertest.Browser, form *browsertest.Form) (url.Values, *browsertest.Browser, http.Header) {
			return with(form.Values, url.Values{"state": {"attacker-state"}}), b, nil
		}, csrfMsg},
		{"token of another authorization request (challenge changed)", func(f *fixture, b *browsertest.Browser, form *browsertest.Form) (url.Values, *browsertest.Browser, http.Header) {
			_, challenge := newVerifier(f.t)
			return with(form.Values, url.Values{"code_challenge": {challenge}}), b, nil
		}, csrfMsg},
		{"token of another authorization request (scope widened)", func(f *fixture, b *browsertest.Browser, form *browsertest.Form) (url.Values, *browsertest.Browser, http.Header) {
			return with(form.Values, url.Values{"scope": {"read write"}}), b, nil
		}, csrfMsg},
		{"token of another authorization request (prompt added)", func(f *fixture, b *browsertest.Browser, form *browsertest.Form) (url.Values, *browsertest.Browser, http.Header) {
			return with(form.Values, url.Values{"prompt": {"none"}}), b, nil
		}, csrfMsg},
		{"token minted in another browser of the same host", func(f *fixture, b *browsertest.Browser, form *browsertest.Form) (url.Values, *browsertest.Browser, http.Header) {
			return form.Values, f.hostBrowser(), nil
		}, csrfMsg},
		{"token minted for another form (sign-in)", func(f *fixture, b *browsertest.Browser, form *browsertest.Form) (url.Values, *browsertest.Browser, http.Header) {
			tok := f.sm.CSRF(noopWriter{}, f.requestWith(b), "signin")
			return with(form.Values, url.Values{"csrf": {tok}}), b, nil
		}, csrfMsg},
		{"Sec-Fetch-Site cross-site", func(f *fixture, b *browsertest.Browser, form *browsertest.Form) (url.Values, *browsertest.Browser, http.Header) {
			return form.Values, b, http.Header{"Sec-Fetch-Site": {"cross-site"}}
		}, csrfMsg},
		{"signed out: no session cookie", func(f *fixture, b *browsertest.Browser, form *browsertest.Form) (url.Values, *browsertest.Browser, http.Header) {
			origin, _ := url.Parse(f.ts.URL)
			b.Client.Jar.SetCookies(origin, []*http.Cookie{{Name: f.sm.SessionCookieName(), Value: "", Path: "/", MaxAge: -1}})
			return form.Values, b, nil
		}, signedOutMsg},
		{"signed out: the session expired", func(f *fixture, b *browsertest.Browser, form *browsertest.Form) (url.Values, *browsertest.Browser, http.Header) {
			f.advance(12*time.Hour + time.Second)
			return form.Values, b, nil
		}, signedOutMsg},
		{"signed in as another host", func(f *fixture, b *browsertest.Browser, form *browsertest.Form) (url.Values, *browsertest.Browser, http.Header) {
			return form.Values, f.sessionFor(f.other), nil
		}, csrfMsg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			b := f.hostBrowser()
			a := f.authReq(publicClient, "")
			form := f.consentForm(b, a.v)
			v, poster, h := tt.post(f, b, form)
			r := f.send(poster, http.MethodPost, PathConsent, with(v, approve), h)
			wantErrorPage(t, r, http.StatusForbidden)
			if !strings.Contains(r.body, tt.message) {
				t.Fatalf("page does not say %q:\n%s", tt.message, r.body)
			}
			for _, u := range []store.User{f.host, f.other} {
				if _, err := f.st.GetApproval(context.Background(), u.ID, publicClient.ID); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("approval stored for %s: %v", u.Username, err)
				}
				if gs, err := f.st.ListGrants(context.Background(), u.ID); err != nil || len(gs) != 0 {
					t.Fatalf("grants %v, %v", gs, err)
				}
			}
		})
	}
}

// noopWriter is a ResponseWriter for minting a CSRF token outside a request.
type noopWriter struct{}

func (noopWriter) Header() http.Header         { return http.Header{} }
func (noopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (noopWriter) WriteHeader(int)             {}

// TestConsentDecision: Deny sends access_denied with state and iss; Approve
// grants the requested scopes less the optional ones the host cleared.
func TestConsentDecision(t *testing.T) {
	tests := []struct {
		name      string
		scope     string      // requested
		post      url.Values  // replaces the form's values
		wantError string      // in the redirect
		wantScope string      // of the token response
		wantAppr  []string    // approval stored
		header    http.Header // extra request headers
	}{
		{name: "deny", post: url.Values{"action": {"deny"}}, wantError: codeAccessDenied},
		{name: "no action is a denial", post: url.Values{}, wantError: codeAccessDenied},
		{name: "approve all", post: url.Values{"action": {"approve"}}, wantScope: "read write", wantAppr: []string{"read", "write"}},
		{name: "approve with write cleared", post: url.Values{"action": {"approve"}, "grant_scope": nil}, wantScope: "read", wantAppr: []string{"read"}},
		{name: "required read cannot be cleared", scope: "read", post: url.Values{"action": {"approve"}, "grant_scope": nil}, wantScope: "read", wantAppr: []string{"read"}},
		{name: "a checked scope that was not requested is not granted", scope: "read", post: url.Values{"action": {"approve"}, "grant_scope": {"write", "admin"}}, wantScope: "read", wantAppr: []string{"read"}},
		{name: "only write requested and cleared", scope: "write", post: url.Values{"action": {"approve"}, "grant_scope": nil}, wantError: codeAccessDenied},
		{name: "no Sec-Fetch-Site (older browser)", post: url.Values{"action": {"approve"}}, wantScope: "read write", wantAppr: []string{"read", "write"}, header: http.Header{"Sec-Fetch-Site": nil}},
		{name: "Sec-Fetch-Site same-origin", post: url.Values{"action": {"approve"}}, wantScope: "read write", wantAppr: []string{"read", "write"}, header: http.Header{"Sec-Fetch-Site": {"same-origin"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			b := f.hostBrowser()
			a := f.authReq(publicClient, tt.scope)
			form := f.consentForm(b, a.v)
			v := with(form.Values, tt.post)
			r := f.send(b, http.MethodPost, PathConsent, v, tt.header)
			if tt.wantError != "" {
				if r.StatusCode != http.StatusSeeOther {
					t.Fatalf("status %d:\n%s", r.StatusCode, r.body)
				}
				q := r.location(t).Query()
				if q.Get("error") != tt.wantError || q.Get("code") != "" || q.Get("state") != a.v.Get("state") || q.Get("iss") != f.ts.URL {
					t.Fatalf("redirect query %v", q)
				}
				if !strings.HasPrefix(r.Header.Get("Location"), loopbackRedirect+"?") {
					t.Fatalf("Location %q", r.Header.Get("Location"))
				}
				if _, err := f.st.GetApproval(context.Background(), f.host.ID, publicClient.ID); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("denial stored an approval: %v", err)
				}
				return
			}
			code := f.codeFrom(r, loopbackRedirect, a.v.Get("state"))
			tr := wantTokens(t, f.token(exchangeForm(publicClient, a, code)))
			if tr.str("scope") != tt.wantScope {
				t.Fatalf("scope %q, want %q", tr.str("scope"), tt.wantScope)
			}
			ap, err := f.st.GetApproval(context.Background(), f.host.ID, publicClient.ID)
			if err != nil || !reflect.DeepEqual(ap.Scopes, tt.wantAppr) {
				t.Fatalf("approval %+v, %v; want scopes %v", ap, err, tt.wantAppr)
			}
			acc, err := f.s.VerifyAccessToken(context.Background(), tr.str("access_token"))
			if err != nil || strings.Join(acc.Scopes, " ") != tt.wantScope || acc.UserID != f.host.ID || acc.ClientID != publicClient.ID {
				t.Fatalf("access %+v, %v", acc, err)
			}
		})
	}
}

// TestConsentConnections: the host shares only their own connections,
// whatever the form says, and the choice is remembered.
func TestConsentConnections(t *testing.T) {
	conns := map[string][]ConnectionChoice{
		"user-" + hostName: {
			{ID: "conn-1", Vendor: "Hostex", Label: "Beach house", Status: "ok"},
			{ID: "conn-2", Vendor: "Hostaway", Label: "City flat", Status: "needs_reauth"},
		},
		"user-" + otherName: {{ID: "conn-bob", Vendor: "Hostex", Label: "Bob's", Status: "ok"}},
	}
	f := newFixture(t, func(c *Config) {
		c.ConsentConnections = func(r *http.Request, userID string) ([]ConnectionChoice, error) {
			return conns[userID], nil
		}
	})
	b := f.hostBrowser()
	a := f.authReq(publicClient, "")
	form := f.consentForm(b, a.v)
	// Working connections are offered checked, broken ones not.
	if got := form.Values["connection"]; !reflect.DeepEqual(got, []string{"conn-1"}) {
		t.Fatalf("checked connections %v, want [conn-1]", got)
	}
	r := f.submit(b, form, url.Values{"action": {"approve"}, "connection": {"conn-1", "conn-bob", "conn-unknown"}})
	code := f.codeFrom(r, loopbackRedirect, a.v.Get("state"))
	tr := wantTokens(t, f.token(exchangeForm(publicClient, a, code)))
	acc, err := f.s.VerifyAccessToken(context.Background(), tr.str("access_token"))
	if err != nil || !reflect.DeepEqual(acc.Connections, []string{"conn-1"}) {
		t.Fatalf("grant connections %v, %v; want [conn-1]", acc.Connections, err)
	}
	ap, err := f.st.GetApproval(context.Background(), f.host.ID, publicClient.ID)
	if err != nil || !reflect.DeepEqual(ap.Connections, []string{"conn-1"}) {
		t.Fatalf("approval %+v, %v", ap, err)
	}

	// The page shown again keeps the host's earlier choice: conn-2 chosen.
	form = f.consentForm(b, with(f.authReq(publicClient, "").v, url.Values{"prompt": {"consent"}}))
	r = f.submit(b, form, url.Values{"action": {"approve"}, "connection": {"conn-2"}})
	f.codeFrom(r, loopbackRedirect, form.Values.Get("state"))
	form = f.consentForm(b, with(f.authReq(publicClient, "").v, url.Values{"prompt": {"consent"}}))
	if got := form.Values["connection"]; !reflect.DeepEqual(got, []string{"conn-2"}) {
		t.Fatalf("checked connections %v, want the earlier choice [conn-2]", got)
	}

	// A remembered approval issues codes carrying the approved connections.
	a = f.authReq(publicClient, "read")
	code = f.codeFrom(f.authorize(b, a.v), loopbackRedirect, a.v.Get("state"))
	tr = wantTokens(t, f.token(exchangeForm(publicClient, a, code)))
	if acc, err := f.s.VerifyAccessToken(context.Background(), tr.str("access_token")); err != nil || !reflect.DeepEqual(acc.Connections, []string{"conn-2"}) {
		t.Fatalf("grant connections %v, %v; want [conn-2]", acc.Connections, err)
	}
}
