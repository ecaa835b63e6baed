package storetest

import (
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// testDisableUser: disabling a host revokes its grants and tokens, ends its
// sessions and deletes its unredeemed codes, all at once, and touches
// nobody else's.
func testDisableUser(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedUser(t, s, "u2")
	seedClient(t, s, "c1")
	_, a1, r1 := seedGrant(t, s, "g1", "u1", "c1", t0)
	_, a2, _ := seedGrant(t, s, "g2", "u2", "c1", t0)
	check(t, "CreateAuthCode", s.CreateAuthCode(ctx, newCode("pending-u1", "c1", "u1")))
	check(t, "CreateAuthCode", s.CreateAuthCode(ctx, newCode("pending-u2", "c1", "u2")))
	for _, b := range []store.BrowserSession{
		{Hash: store.Hash("s1"), UserID: "u1", CreatedAt: t0, ExpiresAt: at(time.Hour)},
		{Hash: store.Hash("s2"), UserID: "u2", CreatedAt: t0, ExpiresAt: at(time.Hour)},
	} {
		check(t, "CreateSession", s.CreateSession(ctx, b))
	}

	check(t, "DisableUser", s.DisableUser(ctx, "u1", at(time.Minute)))
	u, err := s.GetUser(ctx, "u1")
	check(t, "GetUser", err)
	if !u.Disabled() || !u.DisabledAt.Equal(at(time.Minute)) {
		t.Fatalf("DisabledAt = %v, want %v", u.DisabledAt, at(time.Minute))
	}
	for _, h := range []string{a1.Hash, r1.Hash} {
		tk, g, err := s.GetToken(ctx, h)
		check(t, "GetToken", err)
		if tk.RevokedAt.IsZero() || g.RevokedAt.IsZero() {
			t.Fatalf("token %s of a disabled host: token revoked %v, grant revoked %v; want both", h, tk.RevokedAt, g.RevokedAt)
		}
	}
	_, err = s.GetSession(ctx, store.Hash("s1"))
	wantErr(t, "GetSession of a disabled host", err, store.ErrNotFound)
	_, err = s.GetAuthCode(ctx, "pending-u1")
	wantErr(t, "GetAuthCode of a disabled host", err, store.ErrNotFound)

	// The other host keeps everything.
	tk, g, err := s.GetToken(ctx, a2.Hash)
	check(t, "GetToken of another host", err)
	if !tk.RevokedAt.IsZero() || !g.RevokedAt.IsZero() {
		t.Fatal("disabling u1 revoked u2's token")
	}
	_, err = s.GetSession(ctx, store.Hash("s2"))
	check(t, "GetSession of another host", err)
	_, err = s.GetAuthCode(ctx, "pending-u2")
	check(t, "GetAuthCode of another host", err)

	// Disabling again keeps the first time; enabling clears it and
	// revives nothing.
	check(t, "DisableUser again", s.DisableUser(ctx, "u1", at(time.Hour)))
	u, _ = s.GetUser(ctx, "u1")
	same(t, "DisabledAt after a second DisableUser", u.DisabledAt, at(time.Minute))
	check(t, "EnableUser", s.EnableUser(ctx, "u1"))
	u, _ = s.GetUser(ctx, "u1")
	if u.Disabled() {
		t.Fatal("EnableUser left the host disabled")
	}
	if _, g, _ := s.GetToken(ctx, a1.Hash); g.RevokedAt.IsZero() {
		t.Fatal("EnableUser revived a revoked grant")
	}

	wantErr(t, "DisableUser unknown", s.DisableUser(ctx, "nobody", t0), store.ErrNotFound)
	wantErr(t, "EnableUser unknown", s.EnableUser(ctx, "nobody"), store.ErrNotFound)
}

// testListUsers: every host, oldest first, with its e-mail address.
func testListUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	late := newUser("late")
	late.CreatedAt = at(time.Hour)
	check(t, "CreateUser", s.CreateUser(ctx, late))
	early := store.User{ID: "early", Issuer: "https://idp.example", Subject: "sub", Email: "a@example.com", CreatedAt: t0}
	check(t, "CreateUser", s.CreateUser(ctx, early))
	check(t, "SetUserEmail", s.SetUserEmail(ctx, "late", "late@example.com"))
	late.Email = "late@example.com"
	got, err := s.ListUsers(ctx)
	check(t, "ListUsers", err)
	same(t, "ListUsers", got, []store.User{early, late})
	wantErr(t, "SetUserEmail unknown", s.SetUserEmail(ctx, "nobody", "x@example.com"), store.ErrNotFound)
}
