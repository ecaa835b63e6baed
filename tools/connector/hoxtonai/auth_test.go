package hoxtonai

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestSpecDefaults(t *testing.T) {
	s := NewSpec()
	o := s.OAuth
	if s.Name != "hoxtonai" || s.Title != "HoxtonAI" || s.BaseURL != "https://api.hoxton.cloud" {
		t.Errorf("spec = %q %q %q", s.Name, s.Title, s.BaseURL)
	}
	if !slices.Equal(s.AuthKinds, []store.AuthKind{store.AuthOAuth, store.AuthClientCredentials}) {
		t.Errorf("auth kinds = %v", s.AuthKinds)
	}
	if o.AuthURL != "https://auth.hoxton.ai/authorize" || o.TokenURL != "https://auth.hoxton.ai/oauth/token" ||
		o.RevokeURL != "https://auth.hoxton.ai/oauth/revoke" || !o.PKCE || o.AuthParams["audience"] != "https://api.hoxton.cloud" ||
		!slices.Equal(o.Scopes, []string{"offline_access"}) || !o.TokenJSON || o.ClientID != "" || o.ClientSecret != "" {
		t.Errorf("oauth = %+v", o)
	}
	f := s.Fields[store.AuthClientCredentials]
	if len(f) != 2 || f[0].Name != FieldClientID || f[0].Secret || f[1].Name != FieldClientSecret || !f[1].Secret {
		t.Errorf("fields = %+v", f)
	}
	if s.HTTP == nil || s.Now == nil || s.FromFields == nil || s.Exchange == nil || s.Refresh == nil || s.Revoke == nil || s.New == nil {
		t.Error("spec is missing a client, clock or function")
	}
}

func TestExchange(t *testing.T) {
	e := start(t, fixedNow)
	c := e.login(t)
	if c.AccessToken == "" || c.RefreshToken == "" || !c.Expiry.Equal(fixedNow.Add(24*time.Hour)) ||
		!strings.Contains(c.Scope, "offline_access") || c.ClientID != "" || c.ClientSecret != "" {
		t.Errorf("credential = %+v", c)
	}
	// Only the documented steps: no discovery document, no key set.
	if e.V.Requests("/.well-known/openid-configuration") != 0 || e.V.Requests("/.well-known/jwks.json") != 0 {
		t.Errorf("discovery %d, jwks %d requests", e.V.Requests("/.well-known/openid-configuration"), e.V.Requests("/.well-known/jwks.json"))
	}
	// The account is the access token's subject: the host's login.
	acc, err := e.Spec.New(e.Spec, connector.StaticSource(c)).Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if acc.ID == "" || acc.ID != tokenSubject(c.AccessToken) || !strings.HasPrefix(acc.ID, "auth0|") ||
		acc.Name != "HoxtonAI: Roundhouse Live, Harbourside Outfitters" {
		t.Errorf("account = %+v", acc)
	}
}

func TestExchangeFailures(t *testing.T) {
	e := start(t, fixedNow)
	ctx := context.Background()
	code, verifier := e.authorize(t)
	if _, err := e.Spec.Exchange(ctx, e.Spec, code, "wrong-verifier-wrong-verifier-wrong-verifier", redirectURI); !errors.Is(err, connector.ErrUnauthorized) {
		t.Errorf("wrong PKCE verifier: %v", err)
	}
	if _, err := e.Spec.Exchange(ctx, e.Spec, code, verifier, redirectURI); !errors.Is(err, connector.ErrUnauthorized) {
		t.Errorf("a code used once: %v", err)
	} else {
		noSecret(t, err, code)
	}
	unconfigured := e.WithOAuth(func(o *connector.OAuth) { o.ClientID = "" })
	if _, err := e.Spec.Exchange(ctx, unconfigured, "x", "", redirectURI); !errors.Is(err, connector.ErrUnsupported) {
		t.Errorf("no client configured: %v", err)
	}
}

// Issue 9, item 1: HoxtonAI's reference documents /authorize and
// /oauth/token and nothing else; an OIDC discovery document at
// https://auth.hoxton.ai/ is not in it. The connect is those two steps:
// with no discovery document and no key set (both 404 here), a code
// exchanges for a working credential, with or without an ID token. The old
// client fetched discovery to verify a required ID token and could not
// connect.
func TestExchangeUsesOnlyDocumentedSteps(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string // a token response in place of the fake's; "" keeps it
	}{
		{"the fake's token response", ""},
		{"no id token", `{"access_token":"opaque-access-token","refresh_token":"v1.refresh","token_type":"Bearer","expires_in":86400}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, fixedNow)
			for _, p := range []string{"/.well-known/openid-configuration", "/.well-known/jwks.json"} {
				e.V.Fail(sandbox.Fault{Path: p, Status: 404, Times: -1})
			}
			code, verifier := e.authorize(t)
			if tc.body != "" {
				e.V.Fail(sandbox.Fault{Path: "/oauth/token", Body: tc.body})
			}
			c, err := e.Spec.Exchange(context.Background(), e.Spec, code, verifier, redirectURI)
			if err != nil || c.AccessToken == "" || c.RefreshToken == "" {
				t.Fatalf("exchange: %+v, %v", c.Expiry, err)
			}
			if n := e.V.Requests("/.well-known/"); n != 0 {
				t.Errorf("%d requests to /.well-known/", n)
			}
		})
	}
	// The authorize link carries the documented parameters.
	e := start(t, fixedNow)
	u, _ := e.Spec.OAuth.AuthCodeURL("st4te", redirectURI)
	for _, want := range []string{"response_type=code", "audience=https%3A%2F%2Fapi.hoxton.cloud", "scope=offline_access&", "client_id=", "redirect_uri="} {
		if !strings.Contains(u, want) {
			t.Errorf("authorize URL %s lacks %s", u, want)
		}
	}
}

func TestFromFields(t *testing.T) {
	good := map[string]string{FieldClientID: sandbox.HoxtonAIM2MClientID, FieldClientSecret: sandbox.HoxtonAIM2MClientSecret}
	cc := store.AuthClientCredentials
	connectortest.ConnectsByForm(t, func(t *testing.T) connectortest.Env { return start(t, fixedNow).Env }, FieldClientSecret, noSecret, []connectortest.FormCase{
		{Name: "oauth goes through Exchange", Kind: store.AuthOAuth, Values: good, Want: connector.ErrUnsupported},
		{Name: "client id missing", Kind: cc, Values: connectortest.With(good, FieldClientID, ""), Want: connector.ErrBadRequest},
		{Name: "secret missing", Kind: cc, Values: connectortest.With(good, FieldClientSecret, " "), Want: connector.ErrBadRequest},
		{Name: "secret with spaces", Kind: cc, Values: connectortest.With(good, FieldClientSecret, "a b"), Want: connector.ErrBadRequest},
		{Name: "wrong secret", Kind: cc, Values: connectortest.With(good, FieldClientSecret, "not-the-secret-at-all"), Want: connector.ErrUnauthorized, Minted: true},
		{Name: "a web client may not use client credentials", Kind: cc,
			Values: map[string]string{FieldClientID: sandbox.HoxtonAIClientID, FieldClientSecret: sandbox.HoxtonAIClientSecret}, Want: connector.ErrForbidden, Minted: true},
		{Name: "ok", Kind: cc, Values: good, Minted: true},
	}, func(t *testing.T, e connectortest.Env, c connector.Credential) {
		if c.AccessToken == "" || c.RefreshToken != "" || c.ClientID != sandbox.HoxtonAIM2MClientID ||
			c.ClientSecret != sandbox.HoxtonAIM2MClientSecret || !c.Expiry.Equal(fixedNow.Add(24*time.Hour)) {
			t.Errorf("credential = %+v", c)
		}
		acc, err := e.Spec.New(e.Spec, connector.StaticSource(c)).Check(context.Background())
		if err != nil || acc.ID != sandbox.HoxtonAIM2MClientID+"@clients" {
			t.Errorf("machine account = %+v, %v", acc, err)
		}
	})
}

func TestRefresh(t *testing.T) {
	e := start(t, fixedNow)
	ctx := context.Background()
	c := e.login(t)
	e.Clock.Advance(25 * time.Hour)
	fresh, err := e.Spec.Refresh(ctx, e.Spec, c)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.AccessToken == c.AccessToken || fresh.RefreshToken != c.RefreshToken || !fresh.Expiry.Equal(fixedNow.Add(49*time.Hour)) {
		t.Errorf("refreshed = %+v; want a new access token and the same (unrotated) refresh token", fresh)
	}
	if _, err := e.Spec.New(e.Spec, connector.StaticSource(fresh)).Check(ctx); err != nil {
		t.Errorf("refreshed token: %v", err)
	}
	// A tenant with rotation sends a new refresh token: keep it.
	e.V.Fail(sandbox.Fault{Path: "/oauth/token", Body: `{"access_token":"at-2","refresh_token":"v1.rotated-refresh-token","expires_in":3600,"scope":"openid"}`})
	rotated, err := e.Spec.Refresh(ctx, e.Spec, fresh)
	if err != nil || rotated.RefreshToken != "v1.rotated-refresh-token" || rotated.AccessToken != "at-2" || !rotated.Expiry.Equal(e.Clock.Now().Add(time.Hour)) {
		t.Errorf("rotation: %+v, %v", rotated, err)
	}
	// Someone else used or revoked the refresh token: only the host can fix it.
	e.V.RotateRefreshTokensOutOfBand()
	_, err = e.Spec.Refresh(ctx, e.Spec, fresh)
	if !errors.Is(err, connector.ErrNeedsReauth) || !errors.Is(err, connector.ErrUnauthorized) {
		t.Errorf("dead refresh token: %v, want ErrNeedsReauth", err)
	}
	noSecret(t, err, fresh.RefreshToken, fresh.AccessToken)
	if n := e.V.TokenRequests(); n != 4 {
		t.Errorf("%d token requests, want 4", n)
	}
}

func TestRefreshFailures(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cred     func(e *env, t *testing.T) connector.Credential
		fault    *sandbox.Fault
		reauth   bool
		sentinel error
	}{
		{"vendor down", (*env).login, &sandbox.Fault{Path: "/oauth/token", Status: 503}, false, connector.ErrUnavailable},
		{"vendor throttling", (*env).login, &sandbox.Fault{Path: "/oauth/token", Status: 429, RetryAfter: "30"}, false, connector.ErrRateLimited},
		{"vendor garbage", (*env).login, &sandbox.Fault{Path: "/oauth/token", Body: "<html>"}, false, connector.ErrUnavailable},
		{"slow vendor, caller gone", (*env).login, &sandbox.Fault{Path: "/oauth/token", Delay: time.Minute}, false, context.DeadlineExceeded},
		{"machine client re-minted", (*env).machine, nil, false, nil},
		{"machine client deleted", func(e *env, t *testing.T) connector.Credential {
			c := e.machine(t)
			c.ClientSecret = "deleted-deleted-deleted"
			return c
		}, nil, true, connector.ErrUnauthorized},
		{"nothing to renew with", func(*env, *testing.T) connector.Credential { return connector.Credential{AccessToken: "x"} }, nil, true, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, fixedNow)
			c := tc.cred(e, t)
			if tc.fault != nil {
				e.V.Fail(*tc.fault)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			fresh, err := e.Spec.Refresh(ctx, e.Spec, c)
			if tc.sentinel == nil && !tc.reauth {
				if err != nil || fresh.AccessToken == "" || fresh.ClientID != c.ClientID {
					t.Fatalf("refresh = %+v, %v", fresh, err)
				}
				return
			}
			if err == nil || errors.Is(err, connector.ErrNeedsReauth) != tc.reauth {
				t.Fatalf("error = %v; needs reauth: want %v", err, tc.reauth)
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("error = %v, want %v", err, tc.sentinel)
			}
			noSecret(t, err, c.AccessToken, c.RefreshToken, c.ClientSecret)
		})
	}
}

func TestRevoke(t *testing.T) {
	e := start(t, fixedNow)
	ctx := context.Background()
	c := e.login(t)
	e.V.Fail(sandbox.Fault{Path: "/oauth/revoke", Status: 500})
	err := e.Spec.Revoke(ctx, e.Spec, c)
	if !errors.Is(err, connector.ErrUnavailable) {
		t.Errorf("revoke on a 500: %v", err)
	}
	noSecret(t, err, c.RefreshToken)
	if err := e.Spec.Revoke(ctx, e.Spec, c); err != nil {
		t.Fatal(err)
	}
	if e.V.Requests("/oauth/revoke") != 2 {
		t.Errorf("%d revoke requests", e.V.Requests("/oauth/revoke"))
	}
	// Revocation ends the grant: its access token and refresh token die.
	if _, err := e.Spec.Refresh(ctx, e.Spec, c); !errors.Is(err, connector.ErrNeedsReauth) {
		t.Errorf("refresh after revoke: %v", err)
	}
	if _, err := e.Spec.New(e.Spec, connector.StaticSource(c)).Check(ctx); !errors.Is(err, connector.ErrUnauthorized) {
		t.Errorf("access token after revoke: %v", err)
	}
	// A machine client has nothing to revoke at the vendor.
	before := e.V.Requests("")
	if err := e.Spec.Revoke(ctx, e.Spec, e.machine(t)); err != nil || e.V.Requests("")-before != 1 {
		t.Errorf("machine revoke: %v, %d requests (want only the mint)", err, e.V.Requests("")-before)
	}
}
