package hoxtonai

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
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
		!slices.Equal(o.Scopes, []string{"openid", "profile", "offline_access"}) || o.ClientID != "" || o.ClientSecret != "" {
		t.Errorf("oauth = %+v", o)
	}
	if iss, err := issuer(s); err != nil || iss != "https://auth.hoxton.ai/" {
		t.Errorf("issuer = %q, %v; Auth0 issuers end with a slash", iss, err)
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
	// The discovery document and JWKS were fetched to verify the ID token.
	if e.V.Requests("/.well-known/openid-configuration") != 1 || e.V.Requests("/.well-known/jwks.json") != 1 {
		t.Errorf("discovery %d, jwks %d requests", e.V.Requests("/.well-known/openid-configuration"), e.V.Requests("/.well-known/jwks.json"))
	}
	// The account is the verified subject, the same one /userinfo names.
	acc, err := e.Spec.New(e.Spec, connector.StaticSource(c)).Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", e.V.URL+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+c.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var info struct{ Sub string }
	_ = json.NewDecoder(resp.Body).Decode(&info)
	resp.Body.Close()
	if acc.ID == "" || acc.ID != info.Sub || acc.Name != "HoxtonAI: Roundhouse Live, Harbourside Outfitters" {
		t.Errorf("account = %+v, userinfo sub %q", acc, info.Sub)
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
	// The issuer is compared exactly: the same server under another name
	// is another issuer.
	code, verifier = e.authorize(t)
	other := e.WithOAuth(func(o *connector.OAuth) { o.AuthURL = strings.Replace(o.AuthURL, "127.0.0.1", "localhost", 1) })
	_, err := e.Spec.Exchange(ctx, other, code, verifier, redirectURI)
	if !errors.Is(err, connector.ErrUnavailable) || !strings.Contains(err.Error(), "issuer") {
		t.Errorf("issuer mismatch: %v", err)
	}
	noSecret(t, err)
}

// TestIDTokenChecks feeds Exchange forged token responses through a fault
// on the token endpoint.
func TestIDTokenChecks(t *testing.T) {
	e := start(t, fixedNow)
	// A genuine pair to tamper with.
	code, verifier := e.authorize(t)
	genuine := map[string]any{}
	resp, err := http.Post(e.V.TokenURL, "application/json", strings.NewReader(`{"grant_type":"authorization_code","client_id":"`+
		sandbox.HoxtonAIClientID+`","client_secret":"`+sandbox.HoxtonAIClientSecret+`","code":"`+code+`","code_verifier":"`+verifier+`","redirect_uri":"`+redirectURI+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&genuine)
	resp.Body.Close()
	idToken, _ := genuine["id_token"].(string)
	if idToken == "" {
		t.Fatalf("no genuine id token: %v", genuine)
	}
	otherSub := "x." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"auth0|someone-else"}`)) + ".y"
	body := func(access, id string) string {
		b, _ := json.Marshal(map[string]any{"access_token": access, "id_token": id, "token_type": "Bearer", "expires_in": 86400})
		return string(b)
	}
	for _, tc := range []struct {
		name  string
		body  string
		after time.Duration
		want  error
	}{
		{"no id token", `{"access_token":"opaque-access-token","expires_in":86400}`, 0, connector.ErrUnavailable},
		{"garbage id token", body("opaque-access-token", "a.b.c"), 0, connector.ErrUnauthorized},
		{"forged signature", body("opaque-access-token", idToken[:strings.LastIndex(idToken, ".")+1]+"AAAA"), 0, connector.ErrUnauthorized},
		{"expired id token", body("opaque-access-token", idToken), 11 * time.Hour, connector.ErrUnauthorized},
		{"access token for another subject", body(otherSub, idToken), 0, connector.ErrUnauthorized},
		{"genuine id token, opaque access token", body("opaque-access-token", idToken), 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.V.ClearFaults()
			e.V.Fail(sandbox.Fault{Path: "/oauth/token", Body: tc.body})
			clk := connectortest.NewClock(fixedNow.Add(tc.after))
			s := *e.Spec
			s.Now = clk.Now
			_, err := s.Exchange(context.Background(), &s, "any-code", "", redirectURI)
			if !errors.Is(err, tc.want) || tc.want == nil && err != nil {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
			noSecret(t, err, idToken)
		})
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
