package hostex

import (
	"errors"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestSpecDefaultsAreTheRealHostex(t *testing.T) {
	s := NewSpec()
	if s.Name != "hostex" || s.Title != "Hostex" || s.BaseURL != "https://api.hostex.io/v3" ||
		s.OAuth.AuthURL != "https://hostex.io/app/authorization" ||
		s.OAuth.TokenURL != "https://api.hostex.io/v3/oauth/authorizations" ||
		s.OAuth.RevokeURL != "https://api.hostex.io/v3/oauth/revoke" ||
		s.OAuth.PKCE || s.OAuth.Configured() || s.HTTP == nil || s.Now == nil || s.PageSize != 0 {
		t.Errorf("spec = %+v, oauth = %+v", s, s.OAuth)
	}
	if len(s.AuthKinds) != 2 || s.AuthKinds[0] != store.AuthOAuth || s.AuthKinds[1] != store.AuthToken {
		t.Errorf("auth kinds %v", s.AuthKinds)
	}
	if f := s.Fields[store.AuthToken]; len(f) != 1 || f[0].Name != "access_token" || !f[0].Secret {
		t.Errorf("token fields %+v", f)
	}
	for _, fn := range []any{s.FromFields, s.Exchange, s.Refresh, s.Revoke, s.New} {
		if fn == nil {
			t.Error("a spec function is nil")
		}
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
		{"a token", store.AuthToken, map[string]string{"access_token": "  " + sandbox.HostexWritableToken + "\n"}, nil},
		{"empty", store.AuthToken, map[string]string{"access_token": " "}, connector.ErrBadRequest},
		{"spaces inside", store.AuthToken, map[string]string{"access_token": "two words"}, connector.ErrBadRequest},
		{"wrong kind", store.AuthClientCredentials, map[string]string{"access_token": "x"}, connector.ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := s.FromFields(ctx, s, tt.kind, tt.values)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.want == nil && c.AccessToken != sandbox.HostexWritableToken {
				t.Errorf("credential not trimmed")
			}
			noSecret(t, err, "two words")
		})
	}
}

func TestOAuthExchangeRefreshRevoke(t *testing.T) {
	e := newEnv(t)
	cred := e.oauth(t)
	if cred.AccessToken == "" || cred.RefreshToken == "" || !cred.Expiry.Equal(e.clk.Now().Add(7*24*time.Hour)) {
		t.Fatalf("exchanged credential: expiry %v, tokens present %v %v", cred.Expiry, cred.AccessToken != "", cred.RefreshToken != "")
	}
	src := &connectortest.Source{Cred: cred}
	c := e.spec.New(e.spec, src)
	if acct, err := c.Check(ctx); err != nil || acct.ID != "prop-12111947" {
		t.Fatalf("check with the OAuth token: %+v, %v", acct, err)
	}

	// Refresh rotates the refresh token; the old one is dead.
	e.clk.Advance(6 * 24 * time.Hour)
	tokenCalls := e.v.TokenRequests()
	fresh, err := e.spec.Refresh(ctx, e.spec, cred)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.AccessToken == cred.AccessToken || fresh.RefreshToken == cred.RefreshToken ||
		!fresh.Expiry.Equal(e.clk.Now().Add(7*24*time.Hour)) || e.v.TokenRequests() != tokenCalls+1 {
		t.Errorf("refresh did not rotate: expiry %v", fresh.Expiry)
	}
	_, err = e.spec.Refresh(ctx, e.spec, cred)
	wantErr(t, err, connector.ErrNeedsReauth, cred.RefreshToken, cred.AccessToken)

	// A refresh token used elsewhere: the host must reconnect.
	e.v.RotateRefreshTokensOutOfBand()
	_, err = e.spec.Refresh(ctx, e.spec, fresh)
	wantErr(t, err, connector.ErrNeedsReauth, fresh.RefreshToken, fresh.AccessToken)

	// Revoke ends the authorization: its access token stops working.
	cred2 := e.oauth(t)
	if err := e.spec.Revoke(ctx, e.spec, cred2); err != nil {
		t.Fatal(err)
	}
	_, err = e.spec.New(e.spec, connector.StaticSource(cred2)).Check(ctx)
	wantErr(t, err, connector.ErrUnauthorized, cred2.AccessToken)
	// Personal tokens are the host's to revoke.
	if err := e.spec.Revoke(ctx, e.spec, connector.Credential{AccessToken: sandbox.HostexWritableToken}); err != nil {
		t.Errorf("revoke a personal token: %v", err)
	}
}

func TestRefreshFailures(t *testing.T) {
	e := newEnv(t)
	cred := e.oauth(t)
	tests := []struct {
		name  string
		fault sandbox.Fault
		want  error
		not   error
	}{
		{"vendor down", sandbox.Fault{Path: "/v3/oauth/authorizations", Status: 500}, connector.ErrUnavailable, connector.ErrNeedsReauth},
		{"proxy 502", sandbox.Fault{Path: "/v3/oauth/authorizations", HTTPStatus: 502, Body: "<html>bad gateway</html>"}, connector.ErrUnavailable, connector.ErrNeedsReauth},
		{"throttled", sandbox.Fault{Path: "/v3/oauth/authorizations", Status: 429, RetryAfter: "30"}, connector.ErrRateLimited, connector.ErrNeedsReauth},
		{"garbage", sandbox.Fault{Path: "/v3/oauth/authorizations", Body: "{nope"}, connector.ErrUnavailable, connector.ErrNeedsReauth},
		{"bad refresh token", sandbox.Fault{Path: "/v3/oauth/authorizations", Status: 401}, connector.ErrNeedsReauth, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.v.Fail(tt.fault)
			_, err := e.spec.Refresh(ctx, e.spec, cred)
			wantErr(t, err, tt.want, cred.RefreshToken, cred.AccessToken)
			if tt.not != nil && errors.Is(err, tt.not) {
				t.Errorf("a transient failure asks the host to reconnect: %v", err)
			}
		})
	}
	// The faults were transient: the same refresh token still works.
	if _, err := e.spec.Refresh(ctx, e.spec, cred); err != nil {
		t.Errorf("refresh after transient failures: %v", err)
	}
	// A personal token cannot be renewed.
	_, err := e.spec.Refresh(ctx, e.spec, connector.Credential{AccessToken: sandbox.HostexWritableToken})
	wantErr(t, err, connector.ErrNeedsReauth)
}

func TestExchangeFailures(t *testing.T) {
	e := newEnv(t)
	_, err := e.spec.Exchange(ctx, e.spec, "not-a-code", "", "")
	wantErr(t, err, connector.ErrUnauthorized, "not-a-code")
	s := NewSpec()
	_, err = s.Exchange(ctx, s, "code", "", "")
	wantErr(t, err, connector.ErrUnsupported)
	bad := pointAt(NewSpec(), e.v, e.clk.Now)
	bad.OAuth.ClientSecret = "wrong-secret-value"
	_, err = bad.Exchange(ctx, bad, "whatever", "", "")
	wantErr(t, err, connector.ErrUnauthorized, "wrong-secret-value")
}

// TestRejectedTokenIsRenewedOnce: a vendor 401 makes the client ask the
// token source once and retry with what it returns.
func TestRejectedTokenIsRenewedOnce(t *testing.T) {
	e := newEnv(t)
	cred := e.oauth(t)
	src := &connectortest.Source{Cred: cred, Renew: connectortest.RefreshWith(e.spec)}
	c := e.spec.New(e.spec, src).(*conn)
	e.v.ExpireAccessTokens()
	tokenCalls := e.v.TokenRequests()
	ps, err := c.ListProperties(ctx)
	if err != nil || len(ps) != 4 {
		t.Fatalf("after renewal: %d properties, %v", len(ps), err)
	}
	if src.Rejections() != 1 || e.v.TokenRequests() != tokenCalls+1 || src.Credential().AccessToken == cred.AccessToken {
		t.Errorf("%d rejections, %d token calls", src.Rejections(), e.v.TokenRequests()-tokenCalls)
	}

	// Refused again after the renewal: give up with ErrUnauthorized.
	pc, psrc := e.pat(sandbox.HostexWritableToken)
	e.v.Fail(sandbox.Fault{Path: "/properties", Status: 401, Times: 2})
	_, err = pc.ListProperties(ctx)
	wantErr(t, err, connector.ErrUnauthorized)
	if psrc.Rejections() != 1 {
		t.Errorf("%d rejections, want 1", psrc.Rejections())
	}

	// The source cannot renew: its verdict is the answer.
	pc, psrc = e.pat(sandbox.HostexWritableToken)
	psrc.RejectErr = connector.ErrNeedsReauth
	e.v.Fail(sandbox.Fault{Path: "/properties", Status: 401})
	_, err = pc.ListProperties(ctx)
	wantErr(t, err, connector.ErrNeedsReauth)

	// A write refused because the token died is renewed too.
	src = &connectortest.Source{Cred: e.oauth(t), Renew: connectortest.RefreshWith(e.spec)}
	c = e.spec.New(e.spec, src).(*conn)
	e.v.ExpireAccessTokens()
	convs, err := e.spec.New(e.spec, connector.StaticSource{AccessToken: sandbox.HostexWritableToken}).(*conn).ListConversations(ctx, connector.ConversationQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, id, _ := connector.SplitID(convs[0].ID)
	if _, err := c.SendMessage(ctx, id, "renewed"); err != nil || src.Rejections() != 1 {
		t.Errorf("send after renewal: %v, %d rejections", err, src.Rejections())
	}
}
