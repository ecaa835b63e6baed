package oauthpkce

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// TestVerifyAccessToken: what an MCP request's bearer token resolves to,
// and every way it is refused. Each row starts from a fresh grant whose
// access token has been verified once, so the refusal must get past the
// cache.
func TestVerifyAccessToken(t *testing.T) {
	f := newFixture(t, nil)
	b := f.hostBrowser()
	ctx := context.Background()
	tests := []struct {
		name string
		// act changes the world and returns the token to verify.
		act  func(f *fixture, tr tokenResult) string
		want bool
	}{
		{"valid", func(f *fixture, tr tokenResult) string { return tr.str("access_token") }, true},
		{"valid just before expiry", func(f *fixture, tr tokenResult) string {
			f.advance(time.Hour - time.Second)
			return tr.str("access_token")
		}, true},
		{"expired", func(f *fixture, tr tokenResult) string {
			f.advance(time.Hour)
			return tr.str("access_token")
		}, false},
		{"unknown", func(f *fixture, tr tokenResult) string { return "hga_unknown" }, false},
		{"empty", func(f *fixture, tr tokenResult) string { return "" }, false},
		{"refresh token", func(f *fixture, tr tokenResult) string { return tr.str("refresh_token") }, false},
		{"token revoked through the server", func(f *fixture, tr tokenResult) string {
			r := f.postForm(PathRevoke, map[string][]string{"token": {tr.str("access_token")}, "client_id": {publicClient.ID}}, "", "")
			if r.status != 200 {
				f.t.Fatalf("revoke: %d", r.status)
			}
			return tr.str("access_token")
		}, false},
		{"grant revoked through s.RevokeGrant", func(f *fixture, tr tokenResult) string {
			if err := f.s.RevokeGrant(ctx, mustAccessGrant(f.t, f, tr.str("access_token"))); err != nil {
				f.t.Fatal(err)
			}
			return tr.str("access_token")
		}, false},
		{"client revoked through s.RevokeClient", func(f *fixture, tr tokenResult) string {
			if err := f.s.RevokeClient(ctx, f.host.ID, publicClient.ID); err != nil {
				f.t.Fatal(err)
			}
			return tr.str("access_token")
		}, false},
		{"revoked by another process: refused once the cache bound passes", func(f *fixture, tr tokenResult) string {
			// Straight in the store, as a second hostgate process would:
			// this server's cache is not told.
			if err := f.st.RevokeGrant(ctx, mustAccessGrant(f.t, f, tr.str("access_token")), f.clock.Now()); err != nil {
				f.t.Fatal(err)
			}
			f.advance(cacheFor)
			return tr.str("access_token")
		}, false},
		{"another host's revocation leaves this grant alone", func(f *fixture, tr tokenResult) string {
			if err := f.s.RevokeClient(ctx, f.other.ID, publicClient.ID); err != nil {
				f.t.Fatal(err)
			}
			return tr.str("access_token")
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := f.on(t)
			tr := f.grant(b, publicClient, "")
			if !f.verify(tr.str("access_token")) {
				t.Fatal("fresh token refused")
			}
			tok := tt.act(f, tr)
			acc, err := f.s.VerifyAccessToken(ctx, tok)
			if tt.want {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				g, _ := f.st.GetGrant(ctx, mustAccessGrant(t, f, tok))
				want := Access{GrantID: g.ID, UserID: f.host.ID, Username: f.host.Username, ClientID: publicClient.ID, ClientName: publicClient.Name, Scopes: []string{"read", "write"},
					Resource: f.s.cfg.Resource, ExpiresAt: acc.ExpiresAt}
				if !reflect.DeepEqual(acc, want) {
					t.Fatalf("access %+v, want %+v", acc, want)
				}
				return
			}
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("err %v, want ErrInvalidToken", err)
			}
		})
	}
}

// TestVerifyAccessTokenWrongAudience: a token of a grant for another
// resource is refused (RFC 8707; MCP: no token passthrough).
func TestVerifyAccessTokenWrongAudience(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	now := f.clock.Now()
	for _, res := range []string{"https://other.example/mcp", f.ts.URL, ""} {
		tok := newSecret(prefixAccess)
		code := newSecret(prefixCode)
		if err := f.st.CreateAuthCode(ctx, store.AuthCode{Hash: store.Hash(code), ClientID: publicClient.ID, UserID: f.host.ID,
			RedirectURI: loopbackRedirect, Resource: res, CreatedAt: now, ExpiresAt: now.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		g := store.Grant{ID: newID(), UserID: f.host.ID, ClientID: publicClient.ID, Scopes: []string{"read"}, Resource: res, CreatedAt: now}
		access := store.Token{Hash: store.Hash(tok), Kind: store.KindAccess, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		refresh := store.Token{Hash: store.Hash(newSecret(prefixRefresh)), Kind: store.KindRefresh, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := f.st.RedeemAuthCode(ctx, store.Hash(code), now, g, access, refresh); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.VerifyAccessToken(ctx, tok); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("resource %q: err %v, want ErrInvalidToken", res, err)
		}
	}
}

// TestVerifyAccessTokenConcurrentRevocation: verifications racing a
// revocation never outlive it: once RevokeGrant has returned, the next
// verification is refused. Run with -race.
func TestVerifyAccessTokenConcurrentRevocation(t *testing.T) {
	f := newFixture(t, nil)
	tr := f.grant(f.hostBrowser(), publicClient, "")
	tok := tr.str("access_token")
	grantID := mustAccessGrant(t, f, tok)
	start := make(chan struct{})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := f.s.VerifyAccessToken(context.Background(), tok); err != nil && !errors.Is(err, ErrInvalidToken) {
					t.Error(err)
					return
				}
			}
		}()
	}
	close(start)
	if err := f.s.RevokeGrant(context.Background(), grantID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.VerifyAccessToken(context.Background(), tok); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("verified after revocation: %v", err)
	}
	close(stop)
	wg.Wait()
	if _, err := f.s.VerifyAccessToken(context.Background(), tok); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("verified after revocation: %v", err)
	}
}
