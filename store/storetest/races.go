package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// The tests here race two different writes whose rules meet, many times
// over, and check after each round what must hold whichever went first: a
// backend that runs write transactions one at a time (SQLite) passes them
// by construction, one that runs them side by side (PostgreSQL) only if
// each transaction locks what its decision rests on.

// rounds is how often each race is run.
const rounds = 16

// pair runs a and b at once, released together, and returns their errors.
func pair(a, b func() error) (error, error) {
	errs := race(2, func(i int) error {
		if i == 0 {
			return a()
		}
		return b()
	})
	return errs[0], errs[1]
}

// testRemoveOwnersConcurrent: owners removing each other at once leave the
// team one owner; every other removal succeeds.
func testRemoveOwnersConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 8
	var owners []string
	for i := range n {
		owners = append(owners, fmt.Sprintf("o%d", i))
		seedUser(t, s, owners[i])
	}
	check(t, "CreateTeam", s.CreateTeam(ctx, store.Team{ID: "t", Name: "T", CreatedAt: t0}, owners[0]))
	for i, o := range owners[1:] {
		inv := store.TeamInvite{Hash: store.Hash(fmt.Sprintf("inv-%d", i)), TeamID: "t", Role: store.RoleOwner,
			CreatedAt: t0, ExpiresAt: at(time.Hour)}
		check(t, "CreateInvite", s.CreateInvite(ctx, inv))
		_, err := s.AcceptInvite(ctx, inv.Hash, o, at(time.Minute))
		check(t, "AcceptInvite", err)
	}
	errs := race(n, func(i int) error { return s.RemoveMember(ctx, "t", owners[i]) })
	refused := 0
	for i, err := range errs {
		switch {
		case errors.Is(err, store.ErrLastOwner):
			refused++
		case err != nil:
			t.Fatalf("RemoveMember %s: %v", owners[i], err)
		}
	}
	members, err := s.ListMembers(ctx, "t")
	check(t, "ListMembers", err)
	if refused != 1 || len(members) != 1 || members[0].Role != store.RoleOwner {
		t.Fatalf("%d removals refused, members left %+v; want 1 refused and one owner left", refused, members)
	}
}

// testRevokeClientWhileRedeeming: a host revokes an app while it redeems a
// code. Either the code is gone before it is redeemed, or the grant it
// yields is revoked: an app the host revoked never keeps a working grant.
func testRevokeClientWhileRedeeming(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	for i := range rounds {
		code := newCode(fmt.Sprintf("code-%d", i), "c1", "u1")
		check(t, "CreateAuthCode", s.CreateAuthCode(ctx, code))
		g := store.Grant{ID: fmt.Sprintf("g%d", i), UserID: "u1", ClientID: "c1", Scopes: []string{"read"}, CreatedAt: t0}
		a := tok(g.ID+"-a", store.KindAccess, t0, time.Hour)
		r := tok(g.ID+"-r", store.KindRefresh, t0, time.Hour)
		redeemed, revoked := pair(
			func() error { return s.RedeemAuthCode(ctx, code.Hash, t0, g, a, r) },
			func() error { _, err := s.RevokeClient(ctx, "u1", "c1", t0); return err })
		check(t, "RevokeClient", revoked)
		if redeemed != nil {
			wantErr(t, fmt.Sprintf("round %d: RedeemAuthCode after the revocation", i), redeemed, store.ErrNotFound)
			continue
		}
		got, err := s.GetGrant(ctx, g.ID)
		check(t, "GetGrant", err)
		if got.Active() {
			t.Fatalf("round %d: the code was redeemed and the app revoked, yet its grant is active", i)
		}
	}
}

// testDisableUserWhileRedeeming: an operator disables a host while an app
// redeems the host's code. Either the code is gone first, or the grant it
// yields is revoked with its tokens.
func testDisableUserWhileRedeeming(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedClient(t, s, "c1")
	for i := range rounds {
		u := seedUser(t, s, fmt.Sprintf("u%d", i))
		code := newCode(fmt.Sprintf("code-%d", i), "c1", u.ID)
		check(t, "CreateAuthCode", s.CreateAuthCode(ctx, code))
		g := store.Grant{ID: fmt.Sprintf("g%d", i), UserID: u.ID, ClientID: "c1", Scopes: []string{"read"}, CreatedAt: t0}
		a := tok(g.ID+"-a", store.KindAccess, t0, time.Hour)
		r := tok(g.ID+"-r", store.KindRefresh, t0, time.Hour)
		redeemed, disabled := pair(
			func() error { return s.RedeemAuthCode(ctx, code.Hash, t0, g, a, r) },
			func() error { return s.DisableUser(ctx, u.ID, t0) })
		check(t, "DisableUser", disabled)
		if redeemed != nil {
			wantErr(t, fmt.Sprintf("round %d: RedeemAuthCode after disabling", i), redeemed, store.ErrNotFound)
			continue
		}
		for _, h := range []string{a.Hash, r.Hash} {
			tk, g, err := s.GetToken(ctx, h)
			check(t, "GetToken", err)
			if g.Active() || tk.RevokedAt.IsZero() {
				t.Fatalf("round %d: the host is disabled, yet token %s (revoked %v) of grant %s (active %v) lives",
					i, h, tk.RevokedAt, g.ID, g.Active())
			}
		}
	}
}

// testClaimAlertWhileReconnecting: a process claims a dead connection's
// alert while the host reconnects it. Either the claim comes first and the
// reconnect ends its episode, or the claim finds the connection working;
// either way, when the connection breaks again it is alerted again.
func testClaimAlertWhileReconnecting(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedConn(t, s, newConn("k1", "u1", "hostex", "a1"))
	now := at(time.Hour)
	for i := range rounds {
		setStatus(t, s, "k1", store.StatusNeedsReauth, "the vendor refused the saved token", t0)
		claimed, fixed := pair(
			func() error {
				_, err := s.ClaimConnectionAlert(ctx, "k1", "p1", fmt.Sprintf("e%d", i), now, now.Add(time.Hour))
				return err
			},
			func() error {
				_, err := s.UpdateConnection(ctx, "k1", func(c store.Connection) (store.Connection, error) {
					c.Status, c.LastError = store.StatusOK, ""
					return c, nil
				})
				return err
			})
		check(t, "UpdateConnection", fixed)
		if claimed != nil && !errors.Is(claimed, store.ErrConflict) {
			t.Fatalf("round %d: ClaimConnectionAlert: %v", i, claimed)
		}
		setStatus(t, s, "k1", store.StatusNeedsReauth, "the vendor refused the saved token", t0)
		if got := alertable(t, s, now); !slices.Equal(got, []string{"k1"}) {
			t.Fatalf("round %d: broken again after a reconnect (claim: %v), alertable = %v; want k1", i, claimed, got)
		}
		setStatus(t, s, "k1", store.StatusOK, "", t0)
	}
}

// testSweepClientWhileAuthorizing: the sweeps delete a stale client and an
// idle document client while a host authorizes each. Either a client goes
// and its code is refused, or the code is stored and keeps its client: a
// code that was stored is never swept away with its client.
func testSweepClientWhileAuthorizing(t *testing.T, s store.Store) {
	ctx := t.Context()
	const day = 24 * time.Hour
	seedUser(t, s, "u1")
	for i := range rounds {
		stale := newClient(fmt.Sprintf("stale-%d", i))
		stale.MetadataURL, stale.CreatedAt = "", at(-30*day)
		check(t, "CreateClient", s.CreateClient(ctx, stale))
		idle := newClient(fmt.Sprintf("https://idle-%d.example/c", i))
		idle.MetadataURL, idle.CreatedAt, idle.LastUsedAt = idle.ID, at(-90*day), at(-60*day)
		check(t, "CreateClient", s.CreateClient(ctx, idle))
		for _, sweep := range []struct {
			client string
			fn     func() error
		}{
			{stale.ID, func() error { _, err := s.DeleteStaleClients(ctx, at(-7*day)); return err }},
			{idle.ID, func() error { _, err := s.DeleteIdleDocumentClients(ctx, at(-30*day), at(-day), t0); return err }},
		} {
			code := newCode(fmt.Sprintf("code-%s", sweep.client), sweep.client, "u1")
			created, swept := pair(func() error { return s.CreateAuthCode(ctx, code) }, sweep.fn)
			check(t, "sweep", swept)
			_, clientErr := s.GetClient(ctx, sweep.client)
			_, codeErr := s.GetAuthCode(ctx, code.Hash)
			if created != nil {
				wantErr(t, fmt.Sprintf("round %d: CreateAuthCode for %s", i, sweep.client), created, store.ErrNotFound)
				wantErr(t, "GetClient after a refused code", clientErr, store.ErrNotFound)
				continue
			}
			if clientErr != nil || codeErr != nil {
				t.Fatalf("round %d: the code for %s was stored, yet client: %v, code: %v", i, sweep.client, clientErr, codeErr)
			}
		}
	}
}
