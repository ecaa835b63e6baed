package sqlstore_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore"
	"github.com/hostgate/hostgate/store/sqlstore/testdb"
)

// next returns the next change on ch, failing t if none comes within a
// bound that only a lost notification reaches.
func next(t *testing.T, ch <-chan store.Change) store.Change {
	t.Helper()
	select {
	case c, ok := <-ch:
		if !ok {
			t.Fatal("the subscription ended")
		}
		return c
	case <-time.After(30 * time.Second):
		t.Fatal("no change delivered within 30 s")
	}
	return store.Change{}
}

// mustOK returns a check that fails t on an error.
func mustOK(t *testing.T) func(error) {
	return func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// grantFixture writes through s a host u1 who granted app c1 the grant g1,
// with the access token "at" and, if refresh, the refresh token "rt".
func grantFixture(t *testing.T, s *sqlstore.Store, now time.Time, refresh bool) {
	t.Helper()
	ctx := t.Context()
	must := mustOK(t)
	must(s.CreateUser(ctx, store.User{ID: "u1", Username: "u1", CreatedAt: now}))
	must(s.CreateClient(ctx, store.Client{ID: "c1", Name: "app", RedirectURIs: []string{"http://127.0.0.1/cb"}, CreatedAt: now}))
	must(s.CreateAuthCode(ctx, store.AuthCode{Hash: "code", ClientID: "c1", UserID: "u1", RedirectURI: "http://127.0.0.1/cb",
		Challenge: "x", Scopes: []string{"read"}, CreatedAt: now, ExpiresAt: now.Add(time.Minute)}))
	rt := store.Token{}
	if refresh {
		rt = store.Token{Hash: "rt", Kind: store.KindRefresh, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	}
	must(s.RedeemAuthCode(ctx, "code", now, store.Grant{ID: "g1", UserID: "u1", ClientID: "c1", Scopes: []string{"read"}, CreatedAt: now},
		store.Token{Hash: "at", Kind: store.KindAccess, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}, rt))
}

// Writes through one store reach a subscription on another store of the
// same database, in commit order, and a write that fails sends nothing.
func TestPostgresChanges(t *testing.T) {
	db := testdb.Postgres(t)
	ctx := t.Context()
	k := ring(t, "k1")
	a, b := db.Open(t, k), db.Open(t, k)
	// The listener's idle pings come between the notifications, and
	// must neither lose one nor report a reset.
	sqlstore.SetListenIdle(a, time.Millisecond)
	ch, err := a.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	must := mustOK(t)
	grantFixture(t, b, now, true)

	// Fails: nothing is sent for it.
	if err := b.RevokeGrant(ctx, "no-such-grant", now); err == nil {
		t.Fatal("revoking an unknown grant succeeded")
	}
	if err := b.SetAppLimits(ctx, store.AppLimits{UserID: "u1", ClientID: "c1", Tools: []string{"whoami"}, UpdatedAt: now}); err == nil {
		t.Fatal("limits of an app never approved were set")
	}
	must(b.PutApproval(ctx, store.Approval{UserID: "u1", ClientID: "c1", Scopes: []string{"read"}, CreatedAt: now, UpdatedAt: now}))
	must(b.SetAppLimits(ctx, store.AppLimits{UserID: "u1", ClientID: "c1", Tools: []string{"whoami"}, UpdatedAt: now}))
	must(b.RevokeToken(ctx, "at", now))
	must(b.RevokeGrant(ctx, "g1", now))
	conn := store.Connection{ID: "conn1", UserID: "u1", Vendor: "hostex", AccountID: "acc", AuthKind: store.AuthToken,
		Secret: []byte("s"), Status: store.StatusOK, CreatedAt: now, UpdatedAt: now}
	must(b.CreateConnection(ctx, conn))
	must(b.DeleteConnection(ctx, "conn1"))
	_, err = b.RevokeClient(ctx, "u1", "c1", now)
	must(err)
	must(b.DisableUser(ctx, "u1", now))
	want := []store.Change{
		{Topic: store.TopicLimits, Key: "u1 c1"},
		{Topic: store.TopicGrants},
		{Topic: store.TopicGrants, Key: "g1"},
		{Topic: store.TopicConnections, Key: "conn1"},
		{Topic: store.TopicConnections, Key: "conn1"},
		{Topic: store.TopicGrants, Key: "c1"},
		{Topic: store.TopicGrants, Key: "u1"},
		{Topic: store.TopicConnections, Key: "u1"},
	}
	for i, w := range want {
		if got := next(t, ch); got != w {
			t.Fatalf("change %d = %+v, want %+v", i, got, w)
		}
	}
}

// The listening connection killed by the server: the subscription says
// its caches must go (TopicReset), listens again, and the next write's
// change arrives.
func TestPostgresChangesReconnect(t *testing.T) {
	db := testdb.Postgres(t)
	ctx := t.Context()
	k := ring(t, "k1")
	a, b := db.Open(t, k), db.Open(t, k)
	// The listener's idle pings come between the notifications, and
	// must neither lose one nor report a reset.
	sqlstore.SetListenIdle(a, time.Millisecond)
	ch, err := a.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	killListener(t, db)
	if c := next(t, ch); c != (store.Change{Topic: store.TopicReset, Key: store.ResetLost}) {
		t.Fatalf("after the kill: %+v, want a reset (lost)", c)
	}
	if c := next(t, ch); c != (store.Change{Topic: store.TopicReset, Key: store.ResetBack}) {
		t.Fatalf("after the reconnect: %+v, want a reset (back)", c)
	}
	// Listening again: a write now is heard.
	if err := b.CreateUser(ctx, store.User{ID: "u1", Username: "u1", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := b.DisableUser(ctx, "u1", time.Now()); err != nil {
		t.Fatal(err)
	}
	if c := next(t, ch); c != (store.Change{Topic: store.TopicGrants, Key: "u1"}) {
		t.Fatalf("after the reconnect: %+v, want the revocation", c)
	}
}

// killListener ends, from the server, the backend of the schema's
// listening connection; it fails t if there is none to end.
func killListener(t *testing.T, db testdb.DB) {
	t.Helper()
	ctx := t.Context()
	c, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var n int
	err = c.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE pid <> pg_backend_pid() AND application_name = 'hostgate_' || md5(current_schema())`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d listening connections ended, want 1", n)
	}
}

// Two stores on one database (two replicas): of the two, one gets the
// lock; once it releases, the other can.
func TestPostgresExclusive(t *testing.T) {
	db := testdb.Postgres(t)
	ctx := t.Context()
	k := ring(t, "k1")
	a, b := db.Open(t, k), db.Open(t, k)
	release, ok, err := a.TryExclusive(ctx, "sweep")
	if err != nil || !ok {
		t.Fatalf("a: %v, %v", ok, err)
	}
	if _, ok, err := b.TryExclusive(ctx, "sweep"); err != nil || ok {
		t.Fatalf("b while a holds it: %v, %v; want refused", ok, err)
	}
	// Another schema's lock of the same name is another lock.
	c := testdb.Postgres(t).Open(t, k)
	if r, ok, err := c.TryExclusive(ctx, "sweep"); err != nil || !ok {
		t.Fatalf("another schema: %v, %v; want it taken", ok, err)
	} else {
		r()
	}
	release()
	r, ok, err := b.TryExclusive(ctx, "sweep")
	if err != nil || !ok {
		t.Fatalf("b after a released: %v, %v", ok, err)
	}
	r()
}
