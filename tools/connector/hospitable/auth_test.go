package hospitable

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestSpecDefaultsAreTheRealHospitable(t *testing.T) {
	s := NewSpec()
	if s.Name != "hospitable" || s.Title != "Hospitable" || s.BaseURL != "https://public.api.hospitable.com/v2" ||
		s.OAuth.AuthURL != "https://auth.hospitable.com/oauth/authorize" ||
		s.OAuth.TokenURL != "https://auth.hospitable.com/oauth/token" || s.OAuth.RevokeURL != "" ||
		s.OAuth.PKCE || s.OAuth.Configured() || s.HTTP == nil || s.Now == nil || s.PageSize != 0 {
		t.Errorf("spec = %+v, oauth = %+v", s, s.OAuth)
	}
	if len(s.AuthKinds) != 2 || s.AuthKinds[0] != store.AuthOAuth || s.AuthKinds[1] != store.AuthToken {
		t.Errorf("auth kinds %v", s.AuthKinds)
	}
	if f := s.Fields[store.AuthToken]; len(f) != 1 || f[0].Name != "access_token" || !f[0].Secret {
		t.Errorf("token fields %+v", f)
	}
	if s.FromFields == nil || s.Exchange == nil || s.Refresh == nil || s.New == nil || s.Revoke != nil {
		t.Error("Hospitable has every function but Revoke (no revocation endpoint)")
	}
}

func TestFromFields(t *testing.T) {
	s := NewSpec()
	tests := []struct {
		name   string
		kind   store.AuthKind
		values map[string]string
		want   error
	}{
		{"a token", store.AuthToken, map[string]string{"access_token": " " + sandbox.HospitablePAT + " "}, nil},
		{"pasted with its scheme", store.AuthToken, map[string]string{"access_token": "Bearer " + sandbox.HospitablePAT}, nil},
		{"empty", store.AuthToken, map[string]string{}, connector.ErrBadRequest},
		{"not a token", store.AuthToken, map[string]string{"access_token": "my token"}, connector.ErrBadRequest},
		{"wrong kind", store.AuthClientCredentials, map[string]string{"access_token": "x"}, connector.ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := s.FromFields(ctx, s, tt.kind, tt.values)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.want == nil && c.AccessToken != sandbox.HospitablePAT {
				t.Errorf("token %q", c.AccessToken)
			}
		})
	}
}

func TestOAuthExchangeAndRotatingRefresh(t *testing.T) {
	e := newEnv(t)
	cred := e.oauth(t)
	now := e.clk.Now()
	if cred.AccessToken == "" || cred.RefreshToken == "" || !cred.Expiry.Equal(now.Add(12*time.Hour)) ||
		!cred.RefreshExpiry.Equal(now.Add(90*24*time.Hour)) {
		t.Fatalf("expiry %v, refresh expiry %v", cred.Expiry, cred.RefreshExpiry)
	}
	if acct, err := e.spec.New(e.spec, connector.StaticSource(cred)).Check(ctx); err != nil || acct.ID == "" {
		t.Fatalf("check with the OAuth token: %+v, %v", acct, err)
	}

	e.clk.Advance(11 * time.Hour)
	fresh, err := e.spec.Refresh(ctx, e.spec, cred)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.AccessToken == cred.AccessToken || fresh.RefreshToken == cred.RefreshToken ||
		!fresh.Expiry.Equal(e.clk.Now().Add(12*time.Hour)) || !fresh.RefreshExpiry.Equal(e.clk.Now().Add(90*24*time.Hour)) {
		t.Errorf("refresh did not rotate")
	}
	// Hospitable honours the rotated token for an hour [T]; after that it
	// is dead and only the host can help.
	e.clk.Advance(61 * time.Minute)
	_, err = e.spec.Refresh(ctx, e.spec, cred)
	wantErr(t, err, connector.ErrNeedsReauth, cred.RefreshToken, cred.AccessToken)
	if _, err := e.spec.Refresh(ctx, e.spec, fresh); err != nil {
		t.Errorf("the current refresh token: %v", err)
	}

	e.v.RotateRefreshTokensOutOfBand()
	_, err = e.spec.Refresh(ctx, e.spec, fresh)
	wantErr(t, err, connector.ErrNeedsReauth, fresh.RefreshToken)

	_, err = e.spec.Refresh(ctx, e.spec, connector.Credential{AccessToken: sandbox.HospitablePAT})
	wantErr(t, err, connector.ErrNeedsReauth)
}

func TestExchangeWithPKCEAndFailures(t *testing.T) {
	e := newEnv(t)
	verifier := "dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk-longer-than-43"
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"client_id": {e.spec.OAuth.ClientID}, "response_type": {"code"}, "redirect_uri": {redirectURI},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	code := connectortest.Approve(t, e.spec.OAuth.AuthURL+"?"+q.Encode()).Query().Get("code")
	if _, err := e.spec.Exchange(ctx, e.spec, code, verifier, redirectURI); err != nil {
		t.Errorf("exchange with the verifier: %v", err)
	}
	code = connectortest.Approve(t, e.spec.OAuth.AuthURL+"?"+q.Encode()).Query().Get("code")
	_, err := e.spec.Exchange(ctx, e.spec, code, "wrong-verifier-wrong-verifier-wrong-verifier", redirectURI)
	ae := wantErr(t, err, connector.ErrBadRequest, code)
	if ae.Code != "invalid_grant" {
		t.Errorf("code %q", ae.Code)
	}
	_, err = e.spec.Exchange(ctx, e.spec, "", "", "")
	wantErr(t, err, connector.ErrBadRequest)
	bad := pointAt(NewSpec(), e.v, e.clk.Now)
	bad.OAuth.ClientSecret = "not-the-secret-at-all"
	_, err = bad.Exchange(ctx, bad, "x", "", "")
	wantErr(t, err, connector.ErrUnauthorized, "not-the-secret-at-all")
	unconfigured := NewSpec()
	_, err = unconfigured.Refresh(ctx, unconfigured, connector.Credential{RefreshToken: "r"})
	wantErr(t, err, connector.ErrUnsupported)
}

func TestRefreshTransientFailuresKeepTheConnection(t *testing.T) {
	e := newEnv(t)
	cred := e.oauth(t)
	for _, f := range []sandbox.Fault{
		{Path: "/oauth/token", Status: 500},
		{Path: "/oauth/token", Status: 503, RetryAfter: "9"},
		{Path: "/oauth/token", Status: 429, RetryAfter: "30"},
		{Path: "/oauth/token", Body: "<html>oops</html>", HTTPStatus: 200},
	} {
		e.v.Fail(f)
		_, err := e.spec.Refresh(ctx, e.spec, cred)
		if err == nil || errors.Is(err, connector.ErrNeedsReauth) {
			t.Errorf("fault %+v: %v", f, err)
		}
		noSecret(t, err, cred.RefreshToken, cred.AccessToken)
	}
	if _, err := e.spec.Refresh(ctx, e.spec, cred); err != nil {
		t.Errorf("the refresh token survived the outages: %v", err)
	}
}

// TestRejectedTokenIsRenewedOnce: a vendor 401 makes the client ask the
// token source once and retry with what it returns.
func TestRejectedTokenIsRenewedOnce(t *testing.T) {
	e := newEnv(t)
	src := &connectortest.Source{Cred: e.oauth(t), Renew: connectortest.RefreshWith(e.spec)}
	old := src.Credential()
	c := e.spec.New(e.spec, src)
	e.v.ExpireAccessTokens()
	tokenCalls := e.v.TokenRequests()
	acct, err := c.Check(ctx)
	if err != nil || acct.ID == "" {
		t.Fatalf("after renewal: %v", err)
	}
	if src.Rejections() != 1 || e.v.TokenRequests() != tokenCalls+1 || src.Credential().RefreshToken == old.RefreshToken {
		t.Errorf("%d rejections, %d token calls", src.Rejections(), e.v.TokenRequests()-tokenCalls)
	}

	pc, psrc := e.pat(sandbox.HospitablePAT)
	e.v.Fail(sandbox.Fault{Path: "/user", Status: 401, Times: 2})
	_, err = pc.Check(ctx)
	wantErr(t, err, connector.ErrUnauthorized)
	if psrc.Rejections() != 1 {
		t.Errorf("%d rejections, want 1", psrc.Rejections())
	}

	pc, psrc = e.pat(sandbox.HospitablePAT)
	psrc.RejectErr = connector.ErrNeedsReauth
	e.v.Fail(sandbox.Fault{Path: "/user", Status: 401})
	_, err = pc.Check(ctx)
	wantErr(t, err, connector.ErrNeedsReauth)

	// A dead refresh token behind a refused access token: needs the host.
	src = &connectortest.Source{Cred: e.oauth(t), Renew: connectortest.RefreshWith(e.spec)}
	e.v.ExpireAccessTokens()
	e.v.RotateRefreshTokensOutOfBand()
	_, err = e.spec.New(e.spec, src).Check(ctx)
	wantErr(t, err, connector.ErrNeedsReauth, src.Credential().AccessToken, src.Credential().RefreshToken)
}
