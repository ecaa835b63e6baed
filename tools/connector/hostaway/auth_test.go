package hostaway

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestFromFields(t *testing.T) {
	good := map[string]string{FieldAccountID: sandbox.HostawayAccountID, FieldAPIKey: sandbox.HostawayAPIKey}
	with := func(k, v string) map[string]string {
		out := map[string]string{}
		for kk, vv := range good {
			out[kk] = vv
		}
		out[k] = v
		return out
	}
	for _, tc := range []struct {
		name   string
		kind   store.AuthKind
		values map[string]string
		want   error
		minted bool // reached the token endpoint
	}{
		{"oauth is not offered", store.AuthOAuth, good, connector.ErrUnsupported, false},
		{"account id missing", store.AuthClientCredentials, with(FieldAccountID, ""), connector.ErrBadRequest, false},
		{"account id not a number", store.AuthClientCredentials, with(FieldAccountID, "acme"), connector.ErrBadRequest, false},
		{"key missing", store.AuthClientCredentials, with(FieldAPIKey, "  "), connector.ErrBadRequest, false},
		{"key with spaces", store.AuthClientCredentials, with(FieldAPIKey, "abc def"), connector.ErrBadRequest, false},
		{"wrong key", store.AuthClientCredentials, with(FieldAPIKey, "0123456789abcdef"), connector.ErrUnauthorized, true},
		{"wrong account", store.AuthClientCredentials, with(FieldAccountID, "99999"), connector.ErrUnauthorized, true},
		{"ok, with stray spaces", store.AuthClientCredentials, with(FieldAccountID, " 81234 "), nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := startQuiet(t)
			c, err := e.spec.FromFields(context.Background(), e.spec, tc.kind, tc.values)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
			noSecret(t, err, tc.values[FieldAPIKey])
			if got := e.v.TokenRequests(); got != map[bool]int{true: 1}[tc.minted] {
				t.Errorf("%d token requests", got)
			}
			if tc.want != nil {
				return
			}
			if c.AccessToken == "" || c.RefreshToken != "" || c.ClientID != "81234" || c.ClientSecret != sandbox.HostawayAPIKey ||
				c.Scope != "general" || !c.Expiry.Equal(fixedNow.Add(15897600*time.Second)) {
				t.Errorf("credential = %+v", c)
			}
		})
	}
}

func TestRefreshRemints(t *testing.T) {
	e := startQuiet(t)
	old := e.mint(t)
	e.clk.Advance(time.Hour)
	fresh, err := e.spec.Refresh(context.Background(), e.spec, old)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.AccessToken == "" || fresh.AccessToken == old.AccessToken || fresh.ClientID != old.ClientID ||
		fresh.ClientSecret != old.ClientSecret || !fresh.Expiry.Equal(fixedNow.Add(time.Hour+15897600*time.Second)) {
		t.Errorf("refreshed = %+v", fresh)
	}
	if e.v.TokenRequests() != 2 {
		t.Errorf("%d token requests, want 2", e.v.TokenRequests())
	}
	// Hostaway has no refresh tokens, so an out-of-band rotation changes
	// nothing: the re-mint still works.
	e.v.RotateRefreshTokensOutOfBand()
	if _, err := e.spec.Refresh(context.Background(), e.spec, old); err != nil {
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
				e.v.Fail(*tc.fault)
			}
			_, err := e.spec.Refresh(context.Background(), e.spec, c)
			if err == nil || errors.Is(err, connector.ErrNeedsReauth) != tc.reauth {
				t.Fatalf("error = %v; needs reauth: want %v", err, tc.reauth)
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("error = %v, want %v", err, tc.sentinel)
			}
			if tc.noRequest && e.v.TokenRequests() != 1 {
				t.Errorf("%d token requests; the refresh should not have called", e.v.TokenRequests())
			}
			noSecret(t, err, c.AccessToken, c.ClientSecret)
		})
	}
}

func TestRevoke(t *testing.T) {
	e := startQuiet(t)
	c := e.mint(t)
	if err := e.spec.Revoke(context.Background(), e.spec, c); err != nil {
		t.Fatal(err)
	}
	if n := e.v.Requests("/v1/accessTokens"); n != 2 {
		t.Errorf("%d token-endpoint requests, want mint and revoke", n)
	}
	conn := e.spec.New(e.spec, connector.StaticSource(c))
	if _, err := conn.Check(context.Background()); !errors.Is(err, connector.ErrUnauthorized) {
		t.Errorf("revoked token still works: %v", err)
	}
	// Revoking a dead token, or none, is not an error: the goal is met.
	if err := e.spec.Revoke(context.Background(), e.spec, c); err != nil {
		t.Errorf("second revoke: %v", err)
	}
	e.v.Fail(sandbox.Fault{Path: "/v1/accessTokens", Method: "DELETE", Status: http.StatusForbidden})
	if err := e.spec.Revoke(context.Background(), e.spec, c); err != nil {
		t.Errorf("revoke of a refused token: %v", err)
	}
	before := e.v.Requests("")
	if err := e.spec.Revoke(context.Background(), e.spec, connector.Credential{}); err != nil || e.v.Requests("") != before {
		t.Errorf("revoke without a token: %v", err)
	}
	e.v.Fail(sandbox.Fault{Path: "/v1/accessTokens", Method: "DELETE", Status: 500})
	err := e.spec.Revoke(context.Background(), e.spec, c)
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
	_, err := e.spec.FromFields(ctx, e.spec, store.AuthClientCredentials,
		map[string]string{FieldAccountID: sandbox.HostawayAccountID, FieldAPIKey: sandbox.HostawayAPIKey})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second {
		t.Fatalf("error = %v after %s, want a prompt DeadlineExceeded", err, time.Since(start))
	}
	if e.v.TokenRequests() != 1 {
		t.Errorf("%d token requests", e.v.TokenRequests())
	}
}
