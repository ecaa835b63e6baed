package hostaway

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestFromFields(t *testing.T) {
	good := map[string]string{FieldAccountID: sandbox.HostawayAccountID, FieldAPIKey: sandbox.HostawayAPIKey}
	cc := store.AuthClientCredentials
	connectortest.ConnectsByForm(t, func(t *testing.T) connectortest.Env { return startQuiet(t).Env }, FieldAPIKey, noSecret, []connectortest.FormCase{
		{Name: "oauth is not offered", Kind: store.AuthOAuth, Values: good, Want: connector.ErrUnsupported},
		{Name: "account id missing", Kind: cc, Values: connectortest.With(good, FieldAccountID, ""), Want: connector.ErrBadRequest},
		{Name: "account id not a number", Kind: cc, Values: connectortest.With(good, FieldAccountID, "acme"), Want: connector.ErrBadRequest},
		{Name: "key missing", Kind: cc, Values: connectortest.With(good, FieldAPIKey, "  "), Want: connector.ErrBadRequest},
		{Name: "key with spaces", Kind: cc, Values: connectortest.With(good, FieldAPIKey, "abc def"), Want: connector.ErrBadRequest},
		{Name: "wrong key", Kind: cc, Values: connectortest.With(good, FieldAPIKey, "0123456789abcdef"), Want: connector.ErrUnauthorized, Minted: true},
		{Name: "wrong account", Kind: cc, Values: connectortest.With(good, FieldAccountID, "99999"), Want: connector.ErrUnauthorized, Minted: true},
		{Name: "ok, with stray spaces", Kind: cc, Values: connectortest.With(good, FieldAccountID, " 81234 "), Minted: true},
	}, func(t *testing.T, _ connectortest.Env, c connector.Credential) {
		if c.AccessToken == "" || c.RefreshToken != "" || c.ClientID != "81234" || c.ClientSecret != sandbox.HostawayAPIKey ||
			c.Scope != "general" || !c.Expiry.Equal(fixedNow.Add(15897600*time.Second)) {
			t.Errorf("credential = %+v", c)
		}
	})
}

func TestRefreshRemints(t *testing.T) {
	e := startQuiet(t)
	old := e.mint(t)
	e.Clock.Advance(time.Hour)
	fresh, err := e.Spec.Refresh(context.Background(), e.Spec, old)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.AccessToken == "" || fresh.AccessToken == old.AccessToken || fresh.ClientID != old.ClientID ||
		fresh.ClientSecret != old.ClientSecret || !fresh.Expiry.Equal(fixedNow.Add(time.Hour+15897600*time.Second)) {
		t.Errorf("refreshed = %+v", fresh)
	}
	if e.V.TokenRequests() != 2 {
		t.Errorf("%d token requests, want 2", e.V.TokenRequests())
	}
	// Hostaway has no refresh tokens, so an out-of-band rotation changes
	// nothing: the re-mint still works.
	e.V.RotateRefreshTokensOutOfBand()
	if _, err := e.Spec.Refresh(context.Background(), e.Spec, old); err != nil {
		t.Errorf("after RotateRefreshTokensOutOfBand: %v", err)
	}
}

func TestRefreshFailures(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cred      func(connector.Credential) connector.Credential
		fault     *sandbox.Fault
		reauth    bool
		sentinel  error
		noRequest bool
	}{
		{"key deleted by the host", func(c connector.Credential) connector.Credential { c.ClientSecret = "deadbeefdeadbeef"; return c },
			nil, true, connector.ErrUnauthorized, false},
		{"nothing saved to mint from", func(c connector.Credential) connector.Credential { c.ClientID = ""; return c },
			nil, true, nil, true},
		{"token endpoint down", nil, &sandbox.Fault{Path: "/v1/accessTokens", Status: 503}, false, connector.ErrUnavailable, false},
		{"token endpoint throttled", nil, &sandbox.Fault{Path: "/v1/accessTokens", Status: 429}, false, connector.ErrRateLimited, false},
		{"token endpoint garbage", nil, &sandbox.Fault{Path: "/v1/accessTokens", Body: "<html>"}, false, connector.ErrUnavailable, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := startQuiet(t)
			c := e.mint(t)
			if tc.cred != nil {
				c = tc.cred(c)
			}
			if tc.fault != nil {
				e.V.Fail(*tc.fault)
			}
			_, err := e.Spec.Refresh(context.Background(), e.Spec, c)
			if err == nil || errors.Is(err, connector.ErrNeedsReauth) != tc.reauth {
				t.Fatalf("error = %v; needs reauth: want %v", err, tc.reauth)
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("error = %v, want %v", err, tc.sentinel)
			}
			if tc.noRequest && e.V.TokenRequests() != 1 {
				t.Errorf("%d token requests; the refresh should not have called", e.V.TokenRequests())
			}
			noSecret(t, err, c.AccessToken, c.ClientSecret)
		})
	}
}

func TestRevoke(t *testing.T) {
	e := startQuiet(t)
	c := e.mint(t)
	if err := e.Spec.Revoke(context.Background(), e.Spec, c); err != nil {
		t.Fatal(err)
	}
	if n := e.V.Requests("/v1/accessTokens"); n != 2 {
		t.Errorf("%d token-endpoint requests, want mint and revoke", n)
	}
	conn := e.Spec.New(e.Spec, connector.StaticSource(c))
	if _, err := conn.Check(context.Background()); !errors.Is(err, connector.ErrUnauthorized) {
		t.Errorf("revoked token still works: %v", err)
	}
	// Revoking a dead token, or none, is not an error: the goal is met.
	if err := e.Spec.Revoke(context.Background(), e.Spec, c); err != nil {
		t.Errorf("second revoke: %v", err)
	}
	e.V.Fail(sandbox.Fault{Path: "/v1/accessTokens", Method: "DELETE", Status: http.StatusForbidden})
	if err := e.Spec.Revoke(context.Background(), e.Spec, c); err != nil {
		t.Errorf("revoke of a refused token: %v", err)
	}
	before := e.V.Requests("")
	if err := e.Spec.Revoke(context.Background(), e.Spec, connector.Credential{}); err != nil || e.V.Requests("") != before {
		t.Errorf("revoke without a token: %v", err)
	}
	e.V.Fail(sandbox.Fault{Path: "/v1/accessTokens", Method: "DELETE", Status: 500})
	err := e.Spec.Revoke(context.Background(), e.Spec, c)
	if !errors.Is(err, connector.ErrUnavailable) {
		t.Errorf("revoke on a 500: %v", err)
	}
	// The revocation URL carries the token; no error may repeat it.
	noSecret(t, err, c.AccessToken)
}

func TestMintWaitsForTheTokenAndHonoursCancel(t *testing.T) {
	e := startQuiet(t)
	mintSettle = time.Hour
	defer func() { mintSettle = 0 }()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.Spec.FromFields(ctx, e.Spec, store.AuthClientCredentials,
		map[string]string{FieldAccountID: sandbox.HostawayAccountID, FieldAPIKey: sandbox.HostawayAPIKey})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second {
		t.Fatalf("error = %v after %s, want a prompt DeadlineExceeded", err, time.Since(start))
	}
	if e.V.TokenRequests() != 1 {
		t.Errorf("%d token requests", e.V.TokenRequests())
	}
}
