package hospitable

import (
	"errors"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
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
	c, err := s.FromFields(ctx, s, store.AuthToken, map[string]string{"access_token": " Bearer " + sandbox.HospitablePAT + "\n"})
	if err != nil || c.AccessToken != sandbox.HospitablePAT {
		t.Errorf("the fake's personal token, pasted: %v", err)
	}
}

func TestOAuthExchangeAndRotatingRefresh(t *testing.T) {
	e := newEnv(t)
	cred := e.oauth(t)
	now := e.Clock.Now()
	if cred.AccessToken == "" || cred.RefreshToken == "" || !cred.Expiry.Equal(now.Add(12*time.Hour)) ||
		!cred.RefreshExpiry.Equal(now.Add(90*24*time.Hour)) {
		t.Fatalf("expiry %v, refresh expiry %v", cred.Expiry, cred.RefreshExpiry)
	}
	if acct, err := e.Spec.New(e.Spec, connector.StaticSource(cred)).Check(ctx); err != nil || acct.ID == "" {
		t.Fatalf("check with the OAuth token: %+v, %v", acct, err)
	}

	e.Clock.Advance(11 * time.Hour)
	fresh, err := e.Spec.Refresh(ctx, e.Spec, cred)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.AccessToken == cred.AccessToken || fresh.RefreshToken == cred.RefreshToken ||
		!fresh.Expiry.Equal(e.Clock.Now().Add(12*time.Hour)) || !fresh.RefreshExpiry.Equal(e.Clock.Now().Add(90*24*time.Hour)) {
		t.Errorf("refresh did not rotate")
	}
	// Hospitable honours the rotated token for an hour [T]; after that it
	// is dead and only the host can help.
	e.Clock.Advance(61 * time.Minute)
	_, err = e.Spec.Refresh(ctx, e.Spec, cred)
	wantErr(t, err, connector.ErrNeedsReauth, cred.RefreshToken, cred.AccessToken)
	if _, err := e.Spec.Refresh(ctx, e.Spec, fresh); err != nil {
		t.Errorf("the current refresh token: %v", err)
	}

	e.V.RotateRefreshTokensOutOfBand()
	_, err = e.Spec.Refresh(ctx, e.Spec, fresh)
	wantErr(t, err, connector.ErrNeedsReauth, fresh.RefreshToken)

	_, err = e.Spec.Refresh(ctx, e.Spec, connector.Credential{AccessToken: sandbox.HospitablePAT})
	wantErr(t, err, connector.ErrNeedsReauth)
}

// A code is redeemed once, with hostgate's secret: a replayed code or a
// wrong secret is refused, and neither the code nor the secret shows in
// the error. (Hospitable documents no PKCE, so none is sent.)
func TestExchangeFailures(t *testing.T) {
	e := newEnv(t)
	code, verifier := e.Authorize(t, redirectURI)
	if verifier != "" {
		t.Fatal("a PKCE verifier for Hospitable, which documents none")
	}
	if _, err := e.Spec.Exchange(ctx, e.Spec, code, "", redirectURI); err != nil {
		t.Fatalf("exchange: %v", err)
	}
	_, err := e.Spec.Exchange(ctx, e.Spec, code, "", redirectURI)
	ae := wantErr(t, err, connector.ErrBadRequest, code)
	if ae.Code != "invalid_grant" {
		t.Errorf("replayed code: %q", ae.Code)
	}
	_, err = e.Spec.Exchange(ctx, e.Spec, "", "", "")
	wantErr(t, err, connector.ErrBadRequest)
	bad := e.WithOAuth(func(o *connector.OAuth) { o.ClientSecret = "not-the-secret-at-all" })
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
		e.V.Fail(f)
		_, err := e.Spec.Refresh(ctx, e.Spec, cred)
		if err == nil || errors.Is(err, connector.ErrNeedsReauth) {
			t.Errorf("fault %+v: %v", f, err)
		}
		noSecret(t, err, cred.RefreshToken, cred.AccessToken)
	}
	if _, err := e.Spec.Refresh(ctx, e.Spec, cred); err != nil {
		t.Errorf("the refresh token survived the outages: %v", err)
	}
}
