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
	c, err := s.FromFields(ctx, s, store.AuthToken, map[string]string{"access_token": " Bearer " + sandbox.HostexWritableToken + "\n"})
	if err != nil || c.AccessToken != sandbox.HostexWritableToken {
		t.Errorf("the fake's personal token, pasted: %v", err)
	}
}

func TestOAuthExchangeRefreshRevoke(t *testing.T) {
	e := newEnv(t)
	cred := e.oauth(t)
	if cred.AccessToken == "" || cred.RefreshToken == "" || !cred.Expiry.Equal(e.Clock.Now().Add(7*24*time.Hour)) {
		t.Fatalf("exchanged credential: expiry %v, tokens present %v %v", cred.Expiry, cred.AccessToken != "", cred.RefreshToken != "")
	}
	src := &connectortest.Source{Cred: cred}
	c := e.Spec.New(e.Spec, src)
	if acct, err := c.Check(ctx); err != nil || acct.ID != "prop-12111947" {
		t.Fatalf("check with the OAuth token: %+v, %v", acct, err)
	}

	// Refresh rotates the refresh token; the old one is dead.
	e.Clock.Advance(6 * 24 * time.Hour)
	tokenCalls := e.V.TokenRequests()
	fresh, err := e.Spec.Refresh(ctx, e.Spec, cred)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.AccessToken == cred.AccessToken || fresh.RefreshToken == cred.RefreshToken ||
		!fresh.Expiry.Equal(e.Clock.Now().Add(7*24*time.Hour)) || e.V.TokenRequests() != tokenCalls+1 {
		t.Errorf("refresh did not rotate: expiry %v", fresh.Expiry)
	}
	_, err = e.Spec.Refresh(ctx, e.Spec, cred)
	wantErr(t, err, connector.ErrNeedsReauth, cred.RefreshToken, cred.AccessToken)

	// A refresh token used elsewhere: the host must reconnect.
	e.V.RotateRefreshTokensOutOfBand()
	_, err = e.Spec.Refresh(ctx, e.Spec, fresh)
	wantErr(t, err, connector.ErrNeedsReauth, fresh.RefreshToken, fresh.AccessToken)

	// Revoke ends the authorization: its access token stops working.
	cred2 := e.oauth(t)
	if err := e.Spec.Revoke(ctx, e.Spec, cred2); err != nil {
		t.Fatal(err)
	}
	_, err = e.Spec.New(e.Spec, connector.StaticSource(cred2)).Check(ctx)
	wantErr(t, err, connector.ErrUnauthorized, cred2.AccessToken)
	// Personal tokens are the host's to revoke.
	if err := e.Spec.Revoke(ctx, e.Spec, connector.Credential{AccessToken: sandbox.HostexWritableToken}); err != nil {
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
			e.V.Fail(tt.fault)
			_, err := e.Spec.Refresh(ctx, e.Spec, cred)
			wantErr(t, err, tt.want, cred.RefreshToken, cred.AccessToken)
			if tt.not != nil && errors.Is(err, tt.not) {
				t.Errorf("a transient failure asks the host to reconnect: %v", err)
			}
		})
	}
	// The faults were transient: the same refresh token still works.
	if _, err := e.Spec.Refresh(ctx, e.Spec, cred); err != nil {
		t.Errorf("refresh after transient failures: %v", err)
	}
	// A personal token cannot be renewed.
	_, err := e.Spec.Refresh(ctx, e.Spec, connector.Credential{AccessToken: sandbox.HostexWritableToken})
	wantErr(t, err, connector.ErrNeedsReauth)
}

func TestExchangeFailures(t *testing.T) {
	e := newEnv(t)
	_, err := e.Spec.Exchange(ctx, e.Spec, "not-a-code", "", "")
	wantErr(t, err, connector.ErrUnauthorized, "not-a-code")
	s := NewSpec()
	_, err = s.Exchange(ctx, s, "code", "", "")
	wantErr(t, err, connector.ErrUnsupported)
	bad := e.WithOAuth(func(o *connector.OAuth) { o.ClientSecret = "wrong-secret-value" })
	_, err = bad.Exchange(ctx, bad, "whatever", "", "")
	wantErr(t, err, connector.ErrUnauthorized, "wrong-secret-value")
}

// TestRefusedWriteOfADeadTokenIsRenewed: a write refused because the
// token died (not because it is read-only) makes the client ask the token
// source once and retry with what it returns. (The contract suite checks
// the refusal of reads.)
func TestRefusedWriteOfADeadTokenIsRenewed(t *testing.T) {
	e := newEnv(t)
	src := &connectortest.Source{Cred: e.oauth(t), Renew: connectortest.RefreshWith(e.Spec)}
	c := e.Spec.New(e.Spec, src).(*conn)
	e.V.ExpireAccessTokens()
	pc, _ := e.pat(sandbox.HostexWritableToken)
	convs, err := pc.ListConversations(ctx, connector.ConversationQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, id, _ := connector.SplitID(convs[0].ID)
	if _, err := c.SendMessage(ctx, id, "renewed"); err != nil || src.Rejections() != 1 {
		t.Errorf("send after renewal: %v, %d rejections", err, src.Rejections())
	}
}

// Hostex's authentication document: a personal access token goes in
// Hostex-Access-Token, an OAuth access token in Authorization: Bearer
// (issue 9, item 4). The old client sent both kinds in
// Hostex-Access-Token.
func TestTokensGoInTheHeaderOfTheirKind(t *testing.T) {
	e := newEnv(t)
	cred := e.oauth(t)
	s, log := e.logged()
	for _, tc := range []struct {
		name  string
		cred  connector.Credential
		token string
		want  string // the header that carries the token
	}{
		{"a personal token", connector.Credential{AccessToken: sandbox.HostexWritableToken}, sandbox.HostexWritableToken, "Hostex-Access-Token"},
		{"an OAuth access token", cred, "Bearer " + cred.AccessToken, "Authorization"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log.reset()
			c := s.New(s, &connectortest.Source{Cred: tc.cred})
			if _, err := c.Check(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := c.(*conn).Calendar(ctx, "12111947", connector.DateRange{}); err != nil {
				t.Fatal(err)
			}
			seen := log.all()
			if len(seen) < 3 {
				t.Fatalf("%d requests", len(seen))
			}
			for i, r := range seen {
				h := r.Header
				other := map[string]string{"Hostex-Access-Token": "Authorization", "Authorization": "Hostex-Access-Token"}[tc.want]
				if got := h.Values(tc.want); len(got) != 1 || got[0] != tc.token || len(h.Values(other)) != 0 {
					t.Errorf("request %d: headers %v, want the token in %s only", i, h, tc.want)
				}
			}
		})
	}
}
