package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

func testUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	local := newUser("u1")
	check(t, "CreateUser local", s.CreateUser(ctx, local))
	oidc := store.User{ID: "u2", Issuer: "https://idp.example", Subject: "sub-2", CreatedAt: t0}
	check(t, "CreateUser oidc", s.CreateUser(ctx, oidc))
	// A second OIDC-only user: an empty username is nobody's.
	oidc2 := store.User{ID: "u3", Issuer: "https://idp.example", Subject: "sub-3", CreatedAt: t0}
	check(t, "CreateUser second oidc", s.CreateUser(ctx, oidc2))

	got, err := s.GetUser(ctx, "u1")
	check(t, "GetUser", err)
	same(t, "GetUser", got, local)
	got, err = s.GetUserByUsername(ctx, local.Username)
	check(t, "GetUserByUsername", err)
	same(t, "GetUserByUsername", got, local)
	got, err = s.GetUserBySubject(ctx, oidc.Issuer, oidc.Subject)
	check(t, "GetUserBySubject", err)
	same(t, "GetUserBySubject", got, oidc)

	check(t, "SetPasswordHash", s.SetPasswordHash(ctx, "u2", "$argon2id$new"))
	got, err = s.GetUser(ctx, "u2")
	check(t, "GetUser after SetPasswordHash", err)
	oidc.PasswordHash = "$argon2id$new"
	same(t, "GetUser after SetPasswordHash", got, oidc)

	missing := []struct {
		name string
		err  error
	}{
		{"GetUser unknown", func() error { _, err := s.GetUser(ctx, "nobody"); return err }()},
		{"GetUserByUsername unknown", func() error { _, err := s.GetUserByUsername(ctx, "nobody"); return err }()},
		{"GetUserByUsername empty", func() error { _, err := s.GetUserByUsername(ctx, ""); return err }()},
		{"GetUserBySubject unknown", func() error { _, err := s.GetUserBySubject(ctx, oidc.Issuer, "nobody"); return err }()},
		{"GetUserBySubject other issuer", func() error { _, err := s.GetUserBySubject(ctx, "https://other.example", oidc.Subject); return err }()},
		{"SetPasswordHash unknown", s.SetPasswordHash(ctx, "nobody", "x")},
	}
	for _, m := range missing {
		wantErr(t, m.name, m.err, store.ErrNotFound)
	}
}

func testUserConflicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	check(t, "CreateUser", s.CreateUser(ctx, store.User{ID: "u1", Username: "alice", CreatedAt: t0}))
	check(t, "CreateUser", s.CreateUser(ctx, store.User{ID: "u2", Issuer: "https://idp", Subject: "s", CreatedAt: t0}))
	for _, tt := range []struct {
		name string
		u    store.User
	}{
		{"same id", store.User{ID: "u1", Username: "bob"}},
		{"same username", store.User{ID: "u3", Username: "alice"}},
		{"same issuer and subject", store.User{ID: "u4", Issuer: "https://idp", Subject: "s"}},
	} {
		wantErr(t, tt.name, s.CreateUser(ctx, tt.u), store.ErrExists)
	}
	// The same subject at another issuer is another person.
	check(t, "CreateUser other issuer", s.CreateUser(ctx,
		store.User{ID: "u5", Issuer: "https://idp2", Subject: "s", CreatedAt: t0}))
}

func testSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	b := store.BrowserSession{Hash: store.Hash("cookie"), UserID: "u1", CreatedAt: t0, ExpiresAt: at(12 * time.Hour)}
	check(t, "CreateSession", s.CreateSession(ctx, b))
	wantErr(t, "CreateSession again", s.CreateSession(ctx, b), store.ErrExists)
	got, err := s.GetSession(ctx, b.Hash)
	check(t, "GetSession", err)
	same(t, "GetSession", got, b)

	// GetSession returns an expired session too: the caller checks.
	old := store.BrowserSession{Hash: store.Hash("old"), UserID: "u1", CreatedAt: at(-48 * time.Hour), ExpiresAt: at(-24 * time.Hour)}
	check(t, "CreateSession expired", s.CreateSession(ctx, old))
	got, err = s.GetSession(ctx, old.Hash)
	check(t, "GetSession expired", err)
	same(t, "GetSession expired", got, old)

	check(t, "DeleteSession", s.DeleteSession(ctx, b.Hash))
	_, err = s.GetSession(ctx, b.Hash)
	wantErr(t, "GetSession deleted", err, store.ErrNotFound)
	wantErr(t, "DeleteSession again", s.DeleteSession(ctx, b.Hash), store.ErrNotFound)
}

func testAudit(t *testing.T, s store.Store) {
	ctx := t.Context()
	// Events of u1 at t0+0..4 min, two of them at the same instant (the
	// later insert counts as newer), and one event of u2.
	var want []store.AuditEvent
	for i, d := range []time.Duration{0, time.Minute, 2 * time.Minute, 2 * time.Minute, 4 * time.Minute} {
		e := store.AuditEvent{At: at(d), UserID: "u1", ClientID: "c1",
			Kind: "grant.revoked", Detail: fmt.Sprintf("event %d", i)}
		check(t, "AddAuditEvent", s.AddAuditEvent(ctx, e))
		want = append([]store.AuditEvent{e}, want...)
	}
	check(t, "AddAuditEvent u2", s.AddAuditEvent(ctx,
		store.AuditEvent{At: at(time.Hour), UserID: "u2", Kind: "client.registered"}))

	got, err := s.ListAuditEvents(ctx, "u1", 3)
	check(t, "ListAuditEvents", err)
	if len(got) != 3 {
		t.Fatalf("ListAuditEvents(limit 3) = %d events, want 3", len(got))
	}
	ids := map[int64]bool{}
	for i := range got {
		if got[i].ID == 0 || ids[got[i].ID] {
			t.Fatalf("event %d: ID %d is zero or repeated", i, got[i].ID)
		}
		ids[got[i].ID] = true
		got[i].ID = 0
	}
	same(t, "ListAuditEvents newest first", got, want[:3])

	got, err = s.ListAuditEvents(ctx, "u1", 100)
	check(t, "ListAuditEvents all", err)
	if len(got) != 5 {
		t.Fatalf("ListAuditEvents(limit 100) = %d events, want 5", len(got))
	}
	got, err = s.ListAuditEvents(ctx, "u1", 0)
	check(t, "ListAuditEvents limit 0", err)
	if len(got) != 0 {
		t.Fatalf("ListAuditEvents(limit 0) = %d events, want none", len(got))
	}
	got, err = s.ListAuditEvents(ctx, "nobody", 10)
	check(t, "ListAuditEvents unknown user", err)
	if len(got) != 0 {
		t.Fatalf("ListAuditEvents(unknown user) = %d events, want none", len(got))
	}
}
