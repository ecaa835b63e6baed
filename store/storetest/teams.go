package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

func ids(conns []store.Connection) []string {
	out := make([]string, 0, len(conns))
	for _, c := range conns {
		out = append(out, c.ID)
	}
	return out
}

// testTeams: teams, roles and the one rule everything else rests on —
// ListConnections gives a host its own connections and those of the teams
// it is a member of now, and nothing else.
func testTeams(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, u := range []string{"ann", "ben", "cat"} {
		seedUser(t, s, u)
	}
	check(t, "CreateTeam A", s.CreateTeam(ctx, store.Team{ID: "ta", Name: "Alpha Stays", CreatedAt: t0}, "ann"))
	check(t, "CreateTeam B", s.CreateTeam(ctx, store.Team{ID: "tb", Name: "Beta Homes", CreatedAt: t0}, "cat"))
	wantErr(t, "CreateTeam same id", s.CreateTeam(ctx, store.Team{ID: "ta", Name: "again", CreatedAt: t0}, "ben"), store.ErrExists)

	own := newConn("ann-own", "ann", "hostex", "1")
	teamA := newConn("a-team", "ann", "hostaway", "2")
	teamA.TeamID = "ta"
	teamB := newConn("b-team", "cat", "hostaway", "2") // the same vendor account, another team
	teamB.TeamID = "tb"
	seedConn(t, s, own)
	seedConn(t, s, teamA)
	seedConn(t, s, teamB)
	dup := newConn("a-dup", "ben", "hostaway", "2")
	dup.TeamID = "ta"
	wantErr(t, "a team's second connection of one account", s.CreateConnection(ctx, dup), store.ErrExists)

	got, err := s.GetConnection(ctx, "a-team")
	check(t, "GetConnection", err)
	same(t, "a team connection's team", got.TeamID, "ta")

	list := func(user string) []string {
		t.Helper()
		conns, err := s.ListConnections(ctx, user)
		check(t, "ListConnections "+user, err)
		return ids(conns)
	}
	same(t, "ann's connections", list("ann"), []string{"a-team", "ann-own"})
	same(t, "ben's connections before joining", list("ben"), []string{})
	same(t, "cat's connections", list("cat"), []string{"b-team"})

	inv := store.TeamInvite{Hash: store.Hash("invite-ben"), TeamID: "ta", Role: store.RoleMember, CreatedBy: "ann", CreatedAt: t0, ExpiresAt: at(time.Hour)}
	check(t, "CreateInvite", s.CreateInvite(ctx, inv))
	invites, err := s.ListInvites(ctx, "ta", at(time.Minute))
	check(t, "ListInvites", err)
	same(t, "ListInvites", len(invites), 1)
	if invs, _ := s.ListInvites(ctx, "tb", at(time.Minute)); len(invs) != 0 {
		t.Fatal("team B lists team A's invitation")
	}
	m, err := s.AcceptInvite(ctx, inv.Hash, "ben", at(time.Minute))
	check(t, "AcceptInvite", err)
	if m.Team.ID != "ta" || m.Team.Name != "Alpha Stays" || m.Role != store.RoleMember || m.UserID != "ben" {
		t.Fatalf("AcceptInvite = %+v", m)
	}
	_, err = s.AcceptInvite(ctx, inv.Hash, "cat", at(time.Minute))
	wantErr(t, "AcceptInvite used", err, store.ErrNotFound)
	if invs, _ := s.ListInvites(ctx, "ta", at(time.Minute)); len(invs) != 0 {
		t.Fatal("a used invitation is still listed")
	}
	same(t, "ben's connections as a member", list("ben"), []string{"a-team"})

	_, err = s.GetMembership(ctx, "tb", "ben")
	wantErr(t, "GetMembership of a team one is not in", err, store.ErrNotFound)
	mb, err := s.GetMembership(ctx, "ta", "ann")
	check(t, "GetMembership", err)
	same(t, "ann's role", mb.Role, store.RoleOwner)
	teams, err := s.ListTeams(ctx, "ann")
	check(t, "ListTeams", err)
	same(t, "ann's teams", len(teams), 1)
	members, err := s.ListMembers(ctx, "ta")
	check(t, "ListMembers", err)
	if len(members) != 2 || members[0].UserID != "ann" || members[1].UserID != "ben" {
		t.Fatalf("ListMembers = %+v", members)
	}

	// The last owner stays; a removed member loses the team's connections
	// at once; the host who connected a team account loses it on leaving.
	wantErr(t, "RemoveMember last owner", s.RemoveMember(ctx, "ta", "ann"), store.ErrLastOwner)
	check(t, "RemoveMember", s.RemoveMember(ctx, "ta", "ben"))
	same(t, "ben's connections after removal", list("ben"), []string{})
	wantErr(t, "RemoveMember again", s.RemoveMember(ctx, "ta", "ben"), store.ErrNotFound)
	owner := store.TeamInvite{Hash: store.Hash("invite-ben-owner"), TeamID: "ta", Role: store.RoleOwner, CreatedBy: "ann", CreatedAt: t0, ExpiresAt: at(time.Hour)}
	check(t, "CreateInvite owner", s.CreateInvite(ctx, owner))
	_, err = s.AcceptInvite(ctx, owner.Hash, "ben", at(time.Minute))
	check(t, "AcceptInvite owner", err)
	check(t, "RemoveMember an owner of two", s.RemoveMember(ctx, "ta", "ann"))
	same(t, "ann's connections after leaving", list("ann"), []string{"ann-own"})
	same(t, "ben's connections as owner", list("ben"), []string{"a-team"})

	// An owner invited again as a member stays an owner; an expired
	// invitation is no invitation; one is withdrawn only by its team.
	again := store.TeamInvite{Hash: store.Hash("again"), TeamID: "ta", Role: store.RoleMember, CreatedAt: t0, ExpiresAt: at(time.Hour)}
	check(t, "CreateInvite", s.CreateInvite(ctx, again))
	m, err = s.AcceptInvite(ctx, again.Hash, "ben", at(time.Minute))
	check(t, "AcceptInvite by an owner", err)
	same(t, "an owner invited as a member", m.Role, store.RoleOwner)
	old := store.TeamInvite{Hash: store.Hash("old"), TeamID: "ta", Role: store.RoleMember, CreatedAt: t0, ExpiresAt: at(time.Minute)}
	check(t, "CreateInvite", s.CreateInvite(ctx, old))
	_, err = s.AcceptInvite(ctx, old.Hash, "cat", at(time.Minute))
	wantErr(t, "AcceptInvite expired", err, store.ErrNotFound)
	wantErr(t, "DeleteInvite of another team", s.DeleteInvite(ctx, "tb", old.Hash), store.ErrNotFound)
	check(t, "DeleteInvite", s.DeleteInvite(ctx, "ta", old.Hash))
	_, err = s.AcceptInvite(ctx, store.Hash("never"), "cat", t0)
	wantErr(t, "AcceptInvite unknown", err, store.ErrNotFound)

	// A team connection keeps its team through updates.
	upd, err := s.UpdateConnection(ctx, "a-team", func(c store.Connection) (store.Connection, error) {
		c.TeamID, c.Label = "tb", "moved?"
		return c, nil
	})
	check(t, "UpdateConnection", err)
	same(t, "team after an update", upd.TeamID, "ta")
}

// testAcceptInviteConcurrent: of 16 hosts accepting one invitation at
// once, exactly one joins.
func testAcceptInviteConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "owner")
	check(t, "CreateTeam", s.CreateTeam(ctx, store.Team{ID: "t", Name: "T", CreatedAt: t0}, "owner"))
	const n = 16
	for i := range n {
		seedUser(t, s, "u"+string(rune('a'+i)))
	}
	inv := store.TeamInvite{Hash: store.Hash("one"), TeamID: "t", Role: store.RoleMember, CreatedAt: t0, ExpiresAt: at(time.Hour)}
	check(t, "CreateInvite", s.CreateInvite(ctx, inv))
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = s.AcceptInvite(ctx, inv.Hash, "u"+string(rune('a'+i)), at(time.Minute))
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrNotFound):
			t.Fatalf("AcceptInvite: %v", err)
		}
	}
	members, err := s.ListMembers(ctx, "t")
	check(t, "ListMembers", err)
	if won != 1 || len(members) != 2 {
		t.Fatalf("%d acceptances won and the team has %d members; want 1 and 2", won, len(members))
	}
}
