package storetest

import (
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// testPreviewInvite: an invitation that could be accepted is described
// (team, role, who made it) and stays unused; an unknown, used or expired
// one is ErrNotFound, all alike. The inviter is named by username, by
// e-mail address without one, and not at all once gone.
func testPreviewInvite(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "ann")
	seedUser(t, s, "ben")
	oidcOnly := newUser("oidc")
	oidcOnly.Username, oidcOnly.PasswordHash, oidcOnly.Email = "", "", "dee@example.com"
	check(t, "CreateUser", s.CreateUser(ctx, oidcOnly))
	check(t, "CreateTeam", s.CreateTeam(ctx, store.Team{ID: "ta", Name: "Alpha Stays", CreatedAt: t0}, "ann"))
	invite := func(hash, by string, role store.Role, expires time.Duration) {
		t.Helper()
		check(t, "CreateInvite "+hash, s.CreateInvite(ctx, store.TeamInvite{Hash: store.Hash(hash), TeamID: "ta", Role: role,
			CreatedBy: by, CreatedAt: t0, ExpiresAt: at(expires)}))
	}
	invite("by-ann", "ann", store.RoleMember, time.Hour)
	invite("by-oidc", "oidc", store.RoleOwner, time.Hour)
	invite("by-gone", "nobody", store.RoleMember, time.Hour)
	invite("used", "ann", store.RoleMember, time.Hour)
	invite("expired", "ann", store.RoleMember, time.Minute)
	_, err := s.AcceptInvite(ctx, store.Hash("used"), "ben", t0)
	check(t, "AcceptInvite", err)

	now := at(time.Minute) // "expired" expires exactly now: refused, as AcceptInvite refuses it
	for hash, want := range map[string]store.InvitePreview{
		"by-ann":  {TeamName: "Alpha Stays", Role: store.RoleMember, InvitedBy: "name-ann"},
		"by-oidc": {TeamName: "Alpha Stays", Role: store.RoleOwner, InvitedBy: "dee@example.com"},
		"by-gone": {TeamName: "Alpha Stays", Role: store.RoleMember},
	} {
		got, err := s.PreviewInvite(ctx, store.Hash(hash), now)
		check(t, "PreviewInvite "+hash, err)
		same(t, "PreviewInvite "+hash, got, want)
	}
	for _, hash := range []string{"used", "expired", "never made"} {
		_, err := s.PreviewInvite(ctx, store.Hash(hash), now)
		wantErr(t, "PreviewInvite "+hash, err, store.ErrNotFound)
	}
	// A preview uses nothing: the invitation is still accepted after it.
	m, err := s.AcceptInvite(ctx, store.Hash("by-ann"), "ben", now)
	check(t, "AcceptInvite after a preview", err)
	if m.Team.ID != "ta" || m.Role != store.RoleMember {
		t.Fatalf("AcceptInvite after a preview = %+v", m)
	}
}
