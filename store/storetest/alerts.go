package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// setStatus writes a connection's status and reason at the given time, as
// the connection lifecycle does.
func setStatus(t *testing.T, s store.Store, id string, status store.ConnStatus, reason string, when time.Time) {
	t.Helper()
	_, err := s.UpdateConnection(t.Context(), id, func(c store.Connection) (store.Connection, error) {
		c.Status, c.LastError, c.UpdatedAt = status, reason, when
		return c, nil
	})
	check(t, "UpdateConnection "+id, err)
}

// alertable lists the connection ids alertable at now.
func alertable(t *testing.T, s store.Store, now time.Time) []string {
	t.Helper()
	dead, err := s.ListAlertableConnections(t.Context(), now, 100)
	check(t, "ListAlertableConnections", err)
	var ids []string
	for _, d := range dead {
		ids = append(ids, d.ConnectionID)
	}
	return ids
}

func testConnectionAlerts(t *testing.T, s store.Store) {
	ctx := t.Context()
	u1 := newUser("u1")
	u1.Email = "host@example.com"
	check(t, "CreateUser", s.CreateUser(ctx, u1))
	seedUser(t, s, "u2")
	for _, c := range []store.Connection{
		newConn("ok", "u1", "hostex", "a1"),
		newConn("dead", "u1", "hospitable", "a2"),
		newConn("later", "u1", "hostaway", "a3"),
		newConn("unopenable", "u1", "hoxtonai", "a4"),
		newConn("disabled", "u2", "hostex", "a5"),
	} {
		seedConn(t, s, c)
	}
	setStatus(t, s, "later", store.StatusNeedsReauth, "the vendor refused the saved token", at(2*time.Minute))
	setStatus(t, s, "dead", store.StatusNeedsReauth, "the vendor refused to renew access", at(time.Minute))
	setStatus(t, s, "unopenable", store.StatusNeedsReauth, store.UnopenableSecret, at(time.Minute))
	setStatus(t, s, "disabled", store.StatusNeedsReauth, "the vendor refused the saved token", at(time.Minute))
	check(t, "DisableUser", s.DisableUser(ctx, "u2", at(time.Minute)))

	now := at(3 * time.Minute)
	dead, err := s.ListAlertableConnections(ctx, now, 100)
	check(t, "ListAlertableConnections", err)
	want := store.DeadConnection{ConnectionID: "dead", UserID: "u1", Username: "name-u1", Email: "host@example.com",
		Vendor: "hospitable", Label: "Label dead", Reason: "the vendor refused to renew access", Since: at(time.Minute)}
	if len(dead) != 2 || dead[1].ConnectionID != "later" {
		t.Fatalf("alertable = %+v, want dead then later (longest waiting first; not the ok, unopenable or disabled host's)", dead)
	}
	same(t, "alertable connection", dead[0], want)
	one, err := s.ListAlertableConnections(ctx, now, 1)
	check(t, "ListAlertableConnections limit 1", err)
	if len(one) != 1 || one[0].ConnectionID != "dead" {
		t.Fatalf("limit 1 = %+v", one)
	}
	none, err := s.ListAlertableConnections(ctx, now, 0)
	check(t, "ListAlertableConnections limit 0", err)
	if len(none) != 0 {
		t.Fatalf("limit 0 = %+v", none)
	}

	for _, tt := range []struct {
		id   string
		want error
	}{
		{"ok", store.ErrConflict},
		{"unopenable", store.ErrConflict},
		{"disabled", store.ErrConflict},
		{"nothing", store.ErrNotFound},
	} {
		_, err := s.ClaimConnectionAlert(ctx, tt.id, "p1", "e-"+tt.id, now, at(time.Hour))
		wantErr(t, "ClaimConnectionAlert "+tt.id, err, tt.want)
	}

	claim, err := s.ClaimConnectionAlert(ctx, "dead", "p1", "e1", now, at(time.Hour))
	check(t, "ClaimConnectionAlert", err)
	same(t, "claim", claim, store.AlertClaim{DeadConnection: want, Episode: "e1", Owner: "p1",
		ClaimedAt: now, LeaseUntil: at(time.Hour), Claims: 1})
	_, err = s.ClaimConnectionAlert(ctx, "dead", "p2", "e2", now, at(time.Hour))
	wantErr(t, "a second claim", err, store.ErrConflict)
	if got := alertable(t, s, now); fmt.Sprint(got) != "[later]" {
		t.Fatalf("alertable while claimed = %v, want [later]", got)
	}

	// Finished, the claim holds for the rest of the episode, lease or not.
	wantErr(t, "FinishConnectionAlert by another owner",
		s.FinishConnectionAlert(ctx, "dead", "e1", "p2", store.AlertSent, now), store.ErrConflict)
	wantErr(t, "FinishConnectionAlert of another episode",
		s.FinishConnectionAlert(ctx, "dead", "e2", "p1", store.AlertSent, now), store.ErrConflict)
	if err := s.FinishConnectionAlert(ctx, "dead", "e1", "p1", "maybe", now); err == nil {
		t.Fatal("FinishConnectionAlert took an unknown outcome")
	}
	check(t, "FinishConnectionAlert", s.FinishConnectionAlert(ctx, "dead", "e1", "p1", store.AlertSent, now))
	wantErr(t, "FinishConnectionAlert again",
		s.FinishConnectionAlert(ctx, "dead", "e1", "p1", store.AlertFailed, now), store.ErrConflict)
	wantErr(t, "ReleaseConnectionAlert of a finished claim",
		s.ReleaseConnectionAlert(ctx, "dead", "e1", "p1"), store.ErrConflict)
	if got := alertable(t, s, at(48*time.Hour)); fmt.Sprint(got) != "[later]" {
		t.Fatalf("alertable after the alert was sent = %v, want [later]", got)
	}
	// Marked again within the episode (another process found it dead too):
	// still the same episode.
	setStatus(t, s, "dead", store.StatusNeedsReauth, "the vendor refused the saved token", at(4*time.Minute))
	_, err = s.ClaimConnectionAlert(ctx, "dead", "p2", "e2", at(48*time.Hour), at(49*time.Hour))
	wantErr(t, "a claim within the same episode", err, store.ErrConflict)

	// The host reconnects: the episode ends. Broken again, it is a new one.
	setStatus(t, s, "dead", store.StatusOK, "", at(5*time.Minute))
	if got := alertable(t, s, now); fmt.Sprint(got) != "[later]" {
		t.Fatalf("alertable after a reconnect = %v, want [later]", got)
	}
	setStatus(t, s, "dead", store.StatusNeedsReauth, "the vendor refused to renew access", at(6*time.Minute))
	if got := alertable(t, s, now); fmt.Sprint(got) != "[later dead]" {
		t.Fatalf("alertable after breaking again = %v, want [later dead]", got)
	}
	claim, err = s.ClaimConnectionAlert(ctx, "dead", "p2", "e3", now, at(time.Hour))
	check(t, "ClaimConnectionAlert of the second episode", err)
	if claim.Episode != "e3" || claim.Claims != 1 || claim.Owner != "p2" {
		t.Fatalf("second episode's claim = %+v", claim)
	}

	// A connection deleted takes its claim with it.
	check(t, "DeleteConnection", s.DeleteConnection(ctx, "dead"))
	wantErr(t, "FinishConnectionAlert of a deleted connection",
		s.FinishConnectionAlert(ctx, "dead", "e3", "p2", store.AlertSent, now), store.ErrConflict)
}

// testConnectionAlertLease: a claim whose process stopped (unfinished, its
// lease over) is taken over with its episode; one released is alertable at
// once. Neither may then be finished by its former owner.
func testConnectionAlertLease(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedConn(t, s, newConn("k1", "u1", "hostex", "a1"))
	setStatus(t, s, "k1", store.StatusNeedsReauth, "the vendor refused the saved token", t0)

	_, err := s.ClaimConnectionAlert(ctx, "k1", "p1", "e1", t0, at(10*time.Minute))
	check(t, "ClaimConnectionAlert", err)
	// The lease holds up to and including its end.
	if got := alertable(t, s, at(10*time.Minute)); len(got) != 0 {
		t.Fatalf("alertable at the lease's end = %v", got)
	}
	_, err = s.ClaimConnectionAlert(ctx, "k1", "p2", "e2", at(10*time.Minute), at(20*time.Minute))
	wantErr(t, "a claim at the lease's end", err, store.ErrConflict)

	after := at(10*time.Minute + time.Nanosecond)
	if got := alertable(t, s, after); fmt.Sprint(got) != "[k1]" {
		t.Fatalf("alertable after the lease = %v, want [k1]", got)
	}
	claim, err := s.ClaimConnectionAlert(ctx, "k1", "p2", "e2", after, at(20*time.Minute))
	check(t, "take over", err)
	if claim.Episode != "e1" || claim.Owner != "p2" || claim.Claims != 2 || !claim.LeaseUntil.Equal(at(20*time.Minute)) {
		t.Fatalf("taken over claim = %+v, want episode e1, owner p2, 2 claims", claim)
	}
	wantErr(t, "FinishConnectionAlert by the former owner",
		s.FinishConnectionAlert(ctx, "k1", "e1", "p1", store.AlertSent, after), store.ErrConflict)
	wantErr(t, "ReleaseConnectionAlert by the former owner",
		s.ReleaseConnectionAlert(ctx, "k1", "e1", "p1"), store.ErrConflict)

	check(t, "ReleaseConnectionAlert", s.ReleaseConnectionAlert(ctx, "k1", "e1", "p2"))
	if got := alertable(t, s, after); fmt.Sprint(got) != "[k1]" {
		t.Fatalf("alertable after a release = %v, want [k1]", got)
	}
	wantErr(t, "ReleaseConnectionAlert again", s.ReleaseConnectionAlert(ctx, "k1", "e1", "p2"), store.ErrConflict)
	claim, err = s.ClaimConnectionAlert(ctx, "k1", "p3", "e4", after, at(30*time.Minute))
	check(t, "ClaimConnectionAlert after a release", err)
	if claim.Episode != "e4" || claim.Claims != 1 {
		t.Fatalf("claim after a release = %+v, want a fresh one", claim)
	}
	check(t, "FinishConnectionAlert failed", s.FinishConnectionAlert(ctx, "k1", "e4", "p3", store.AlertFailed, after))
	// A failed alert is not retried by anyone within the episode.
	if got := alertable(t, s, at(time.Hour)); len(got) != 0 {
		t.Fatalf("alertable after a failed alert = %v", got)
	}
}

// testClaimConnectionAlertConcurrent: 16 processes find the same dead
// connection at once; exactly one claims its alert.
func testClaimConnectionAlertConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedConn(t, s, newConn("k1", "u1", "hostex", "a1"))
	setStatus(t, s, "k1", store.StatusNeedsReauth, "the vendor refused the saved token", t0)
	errs := race(16, func(i int) error {
		_, err := s.ClaimConnectionAlert(ctx, "k1", fmt.Sprintf("p%d", i), fmt.Sprintf("e%d", i), t0, at(time.Minute))
		return err
	})
	oneWinner(t, "claim", errs, store.ErrConflict)
}

// testTeamConnectionAlert: a team's dead account is alerted to the team's
// owners (not its members, not a disabled owner), even when the host who
// connected it has since been disabled.
func testTeamConnectionAlert(t *testing.T, s store.Store) {
	ctx := t.Context()
	for _, u := range []struct{ id, email string }{{"ann", "ann@example.com"}, {"ben", "ben@example.com"}, {"dan", "dan@example.com"}, {"eve", ""}} {
		nu := newUser(u.id)
		nu.Email = u.email
		check(t, "CreateUser", s.CreateUser(ctx, nu))
	}
	check(t, "CreateTeam", s.CreateTeam(ctx, store.Team{ID: "ta", Name: "Alpha", CreatedAt: t0}, "ann"))
	for _, inv := range []struct {
		user string
		role store.Role
	}{{"ben", store.RoleMember}, {"dan", store.RoleOwner}, {"eve", store.RoleOwner}} {
		h := store.Hash("invite-" + inv.user)
		check(t, "CreateInvite", s.CreateInvite(ctx, store.TeamInvite{Hash: h, TeamID: "ta", Role: inv.role, CreatedAt: t0, ExpiresAt: at(time.Hour)}))
		_, err := s.AcceptInvite(ctx, h, inv.user, at(time.Minute))
		check(t, "AcceptInvite", err)
	}
	c := newConn("team-dead", "dan", "hostex", "x1")
	c.TeamID = "ta"
	seedConn(t, s, c)
	setStatus(t, s, "team-dead", store.StatusNeedsReauth, "the vendor refused to renew access", at(2*time.Minute))
	check(t, "DisableUser", s.DisableUser(ctx, "dan", at(3*time.Minute)))

	same(t, "alertable", alertable(t, s, at(4*time.Minute)), []string{"team-dead"})
	claim, err := s.ClaimConnectionAlert(ctx, "team-dead", "p1", "e1", at(4*time.Minute), at(time.Hour))
	check(t, "ClaimConnectionAlert", err)
	if claim.TeamID != "ta" {
		t.Fatalf("claim.TeamID = %q, want ta", claim.TeamID)
	}
	same(t, "the owners told", claim.OwnerEmails, []string{"ann@example.com"})
}
