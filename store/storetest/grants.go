package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

func testAuthCodes(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	c := newCode(store.Hash("code"), "c1", "u1")
	check(t, "CreateAuthCode", s.CreateAuthCode(ctx, c))
	wantErr(t, "CreateAuthCode again", s.CreateAuthCode(ctx, c), store.ErrExists)
	got, err := s.GetAuthCode(ctx, c.Hash)
	check(t, "GetAuthCode", err)
	same(t, "GetAuthCode", got, c)

	bare := store.AuthCode{Hash: store.Hash("bare"), ClientID: "c1", UserID: "u1",
		Scopes: []string{}, CreatedAt: t0, ExpiresAt: at(time.Minute)}
	check(t, "CreateAuthCode bare", s.CreateAuthCode(ctx, bare))
	got, err = s.GetAuthCode(ctx, bare.Hash)
	check(t, "GetAuthCode bare", err)
	same(t, "GetAuthCode bare", got, bare)

	_, err = s.GetAuthCode(ctx, store.Hash("nothing"))
	wantErr(t, "GetAuthCode unknown", err, store.ErrNotFound)
}

func testRedeemAuthCode(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	c := newCode(store.Hash("code"), "c1", "u1")
	check(t, "CreateAuthCode", s.CreateAuthCode(ctx, c))
	g := store.Grant{ID: "g1", UserID: "u1", ClientID: "c1", Scopes: c.Scopes,
		Resource: c.Resource, Connections: c.Connections, CreatedAt: at(time.Second)}
	a := tok(store.Hash("a"), store.KindAccess, at(time.Second), time.Hour)
	r := tok(store.Hash("r"), store.KindRefresh, at(time.Second), 30*24*time.Hour)
	a.GrantID, r.GrantID = "ignored", "ignored" // the store fills them in
	check(t, "RedeemAuthCode", s.RedeemAuthCode(ctx, c.Hash, at(time.Second), g, a, r))

	got, err := s.GetAuthCode(ctx, c.Hash)
	check(t, "GetAuthCode", err)
	c.UsedAt, c.GrantID = at(time.Second), "g1"
	same(t, "redeemed code", got, c)
	gg, err := s.GetGrant(ctx, "g1")
	check(t, "GetGrant", err)
	same(t, "GetGrant", gg, g)
	for _, want := range []store.Token{a, r} {
		want.GrantID = "g1"
		gotT, gotG, err := s.GetToken(ctx, want.Hash)
		check(t, "GetToken", err)
		same(t, "GetToken token", gotT, want)
		same(t, "GetToken grant", gotG, g)
	}

	a2 := tok(store.Hash("a2"), store.KindAccess, t0, time.Hour)
	r2 := tok(store.Hash("r2"), store.KindRefresh, t0, time.Hour)
	g2 := g
	g2.ID = "g2"
	wantErr(t, "RedeemAuthCode again", s.RedeemAuthCode(ctx, c.Hash, at(time.Minute), g2, a2, r2), store.ErrUsed)
	wantErr(t, "RedeemAuthCode unknown", s.RedeemAuthCode(ctx, store.Hash("nothing"), t0, g2, a2, r2), store.ErrNotFound)
	// A failed redemption leaves nothing behind.
	_, err = s.GetGrant(ctx, "g2")
	wantErr(t, "GetGrant of failed redemption", err, store.ErrNotFound)
	_, _, err = s.GetToken(ctx, a2.Hash)
	wantErr(t, "GetToken of failed redemption", err, store.ErrNotFound)
	got, err = s.GetAuthCode(ctx, c.Hash)
	check(t, "GetAuthCode", err)
	same(t, "code after a replay", got, c)

	// A client without the refresh_token grant type gets an access token
	// only: a zero refresh Token stores nothing.
	c3 := newCode(store.Hash("code3"), "c1", "u1")
	check(t, "CreateAuthCode", s.CreateAuthCode(ctx, c3))
	g3 := g
	g3.ID = "g3"
	a3 := tok(store.Hash("a3"), store.KindAccess, at(time.Second), time.Hour)
	check(t, "RedeemAuthCode without refresh", s.RedeemAuthCode(ctx, c3.Hash, at(time.Second), g3, a3, store.Token{}))
	_, gotG, err := s.GetToken(ctx, a3.Hash)
	check(t, "GetToken", err)
	same(t, "grant of the access-only redemption", gotG, g3)
	_, _, err = s.GetToken(ctx, "")
	wantErr(t, "GetToken of the zero refresh token", err, store.ErrNotFound)
}

func testRedeemAuthCodeConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	c := newCode(store.Hash("code"), "c1", "u1")
	check(t, "CreateAuthCode", s.CreateAuthCode(ctx, c))

	const n = 16
	errs := make([]error, n)
	var ready, done sync.WaitGroup
	begin := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			g := store.Grant{ID: fmt.Sprintf("g%d", i), UserID: "u1", ClientID: "c1", CreatedAt: t0}
			a := tok(fmt.Sprintf("a%d", i), store.KindAccess, t0, time.Hour)
			r := tok(fmt.Sprintf("r%d", i), store.KindRefresh, t0, time.Hour)
			ready.Done()
			<-begin
			errs[i] = s.RedeemAuthCode(ctx, c.Hash, t0, g, a, r)
		}()
	}
	ready.Wait()
	close(begin)
	done.Wait()

	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Fatalf("redemptions %d and %d both succeeded", winner, i)
			}
			winner = i
		case !errors.Is(err, store.ErrUsed):
			t.Fatalf("redemption %d: err = %v, want ErrUsed", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no redemption succeeded")
	}
	got, err := s.GetAuthCode(ctx, c.Hash)
	check(t, "GetAuthCode", err)
	if want := fmt.Sprintf("g%d", winner); got.GrantID != want {
		t.Fatalf("code's GrantID = %q, want the winner's %q", got.GrantID, want)
	}
	grants, err := s.ListGrants(ctx, "u1")
	check(t, "ListGrants", err)
	if len(grants) != 1 {
		t.Fatalf("%d grants exist, want 1", len(grants))
	}
	for i := range n {
		_, _, errA := s.GetToken(ctx, fmt.Sprintf("a%d", i))
		_, _, errR := s.GetToken(ctx, fmt.Sprintf("r%d", i))
		if i == winner {
			check(t, "GetToken winner access", errA)
			check(t, "GetToken winner refresh", errR)
		} else {
			wantErr(t, "GetToken loser access", errA, store.ErrNotFound)
			wantErr(t, "GetToken loser refresh", errR, store.ErrNotFound)
		}
	}
}

func testGetToken(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	g, a, r := seedGrant(t, s, "g1", "u1", "c1", t0)
	for _, want := range []store.Token{a, r} {
		gotT, gotG, err := s.GetToken(ctx, want.Hash)
		check(t, "GetToken", err)
		same(t, "GetToken token", gotT, want)
		same(t, "GetToken grant", gotG, g)
	}
	_, _, err := s.GetToken(ctx, "nothing")
	wantErr(t, "GetToken unknown", err, store.ErrNotFound)
	_, err = s.GetGrant(ctx, "nothing")
	wantErr(t, "GetGrant unknown", err, store.ErrNotFound)
}

func testRevokeToken(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	g, a, _ := seedGrant(t, s, "g1", "u1", "c1", t0)
	check(t, "RevokeToken", s.RevokeToken(ctx, a.Hash, at(time.Minute)))
	check(t, "RevokeToken again", s.RevokeToken(ctx, a.Hash, at(time.Hour)))
	gotT, gotG, err := s.GetToken(ctx, a.Hash)
	check(t, "GetToken", err)
	a.RevokedAt = at(time.Minute) // the first revocation stands
	same(t, "revoked token", gotT, a)
	same(t, "its grant, still active", gotG, g)
	wantErr(t, "RevokeToken unknown", s.RevokeToken(ctx, "nothing", t0), store.ErrNotFound)
}

func testListGrants(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedUser(t, s, "u2")
	seedClient(t, s, "c1")
	seedClient(t, s, "c2")
	g1, _, _ := seedGrant(t, s, "g1", "u1", "c1", at(-3*time.Hour))
	g2, _, _ := seedGrant(t, s, "g2", "u1", "c2", at(-time.Hour))
	seedGrant(t, s, "g3", "u1", "c1", at(-2*time.Hour))
	seedGrant(t, s, "g4", "u2", "c1", t0)
	check(t, "RevokeGrant", s.RevokeGrant(ctx, "g3", t0))

	got, err := s.ListGrants(ctx, "u1")
	check(t, "ListGrants", err)
	same(t, "ListGrants: active, newest first", got, []store.Grant{g2, g1})
	got, err = s.ListGrants(ctx, "nobody")
	check(t, "ListGrants unknown user", err)
	if len(got) != 0 {
		t.Fatalf("ListGrants(unknown user) = %v, want none", got)
	}
}

func testRevokeGrant(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	g, a, _ := seedGrant(t, s, "g1", "u1", "c1", t0)
	check(t, "RevokeGrant", s.RevokeGrant(ctx, g.ID, at(time.Minute)))
	check(t, "RevokeGrant again", s.RevokeGrant(ctx, g.ID, at(time.Hour)))
	g.RevokedAt = at(time.Minute)
	got, err := s.GetGrant(ctx, g.ID)
	check(t, "GetGrant", err)
	same(t, "revoked grant", got, g)
	if got.Active() {
		t.Fatal("revoked grant is Active")
	}
	// Its tokens are returned with the revoked grant.
	_, gotG, err := s.GetToken(ctx, a.Hash)
	check(t, "GetToken", err)
	same(t, "token's grant", gotG, g)
	wantErr(t, "RevokeGrant unknown", s.RevokeGrant(ctx, "nothing", t0), store.ErrNotFound)
}

func testRevokeClient(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedUser(t, s, "u2")
	seedClient(t, s, "c1")
	seedClient(t, s, "c2")
	seedGrant(t, s, "g1", "u1", "c1", at(-2*time.Hour))
	seedGrant(t, s, "g2", "u1", "c1", at(-time.Hour))
	seedGrant(t, s, "g3", "u1", "c1", at(-time.Hour))
	check(t, "RevokeGrant", s.RevokeGrant(ctx, "g3", at(-time.Minute)))
	seedGrant(t, s, "g4", "u1", "c2", t0) // another client
	seedGrant(t, s, "g5", "u2", "c1", t0) // another host
	for _, a := range []store.Approval{{UserID: "u1", ClientID: "c1"}, {UserID: "u1", ClientID: "c2"},
		{UserID: "u2", ClientID: "c1"}} {
		a.CreatedAt, a.UpdatedAt = t0, t0
		check(t, "PutApproval", s.PutApproval(ctx, a))
	}

	// Codes issued and not yet redeemed: the host's for the client go with
	// it; another client's and another host's stay.
	codes := map[string]bool{}
	for _, k := range []struct {
		hash, client, user string
		kept               bool
	}{{"pending-u1-c1", "c1", "u1", false}, {"pending-u1-c2", "c2", "u1", true}, {"pending-u2-c1", "c1", "u2", true}} {
		c := newCode(k.hash, k.client, k.user)
		check(t, "CreateAuthCode", s.CreateAuthCode(ctx, c))
		codes[k.hash] = k.kept
	}

	n, err := s.RevokeClient(ctx, "u1", "c1", at(time.Minute))
	check(t, "RevokeClient", err)
	for h, kept := range codes {
		_, err := s.GetAuthCode(ctx, h)
		if kept {
			check(t, "GetAuthCode "+h, err)
		} else {
			wantErr(t, "GetAuthCode "+h+" after RevokeClient", err, store.ErrNotFound)
		}
	}
	// A redeemed code stays, so that a replay of it is still recognised.
	_, err = s.GetAuthCode(ctx, "code-g1")
	check(t, "GetAuthCode of a redeemed code", err)
	if n != 2 {
		t.Fatalf("RevokeClient revoked %d grants, want 2", n)
	}
	for id, want := range map[string]time.Time{"g1": at(time.Minute), "g2": at(time.Minute),
		"g3": at(-time.Minute), "g4": {}, "g5": {}} {
		g, err := s.GetGrant(ctx, id)
		check(t, "GetGrant", err)
		same(t, "RevokedAt of "+id, g.RevokedAt, want)
	}
	_, err = s.GetApproval(ctx, "u1", "c1")
	wantErr(t, "approval of the revoked client", err, store.ErrNotFound)
	for _, k := range [][2]string{{"u1", "c2"}, {"u2", "c1"}} {
		_, err := s.GetApproval(ctx, k[0], k[1])
		check(t, "other approval", err)
	}
	n, err = s.RevokeClient(ctx, "u1", "c1", at(time.Hour))
	check(t, "RevokeClient again", err)
	if n != 0 {
		t.Fatalf("RevokeClient again revoked %d grants, want 0", n)
	}
}
