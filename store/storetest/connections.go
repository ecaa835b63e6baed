package storetest

import (
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

func newConn(id, userID, vendor, account string) store.Connection {
	return store.Connection{
		ID:               id,
		UserID:           userID,
		Vendor:           vendor,
		AccountID:        account,
		Label:            "Label " + id,
		AuthKind:         store.AuthOAuth,
		Secret:           []byte(`{"access_token":"at-` + id + `","refresh_token":"rt-` + id + `"}`),
		AccessExpiresAt:  at(time.Hour),
		RefreshExpiresAt: at(30 * 24 * time.Hour),
		Status:           store.StatusOK,
		CreatedAt:        t0,
		UpdatedAt:        t0,
	}
}

func seedConn(t *testing.T, s store.Store, c store.Connection) store.Connection {
	t.Helper()
	check(t, "CreateConnection "+c.ID, s.CreateConnection(t.Context(), c))
	c.Version = 1
	return c
}

func testConnections(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	c := newConn("k1", "u1", "hostaway", "acct-1")
	c.Version = 7 // ignored: a new connection starts at 1
	check(t, "CreateConnection", s.CreateConnection(ctx, c))
	c.Version = 1
	got, err := s.GetConnection(ctx, "k1")
	check(t, "GetConnection", err)
	same(t, "GetConnection", got, c)

	// A token connection with no expiries and an error.
	bare := store.Connection{ID: "k2", UserID: "u1", Vendor: "hostex", AuthKind: store.AuthToken,
		Secret: []byte("pat"), Status: store.StatusError, LastError: "vendor said 503", CreatedAt: t0}
	check(t, "CreateConnection bare", s.CreateConnection(ctx, bare))
	bare.Version = 1
	got, err = s.GetConnection(ctx, "k2")
	check(t, "GetConnection bare", err)
	same(t, "GetConnection bare", got, bare)

	check(t, "DeleteConnection", s.DeleteConnection(ctx, "k1"))
	_, err = s.GetConnection(ctx, "k1")
	wantErr(t, "GetConnection deleted", err, store.ErrNotFound)
	wantErr(t, "DeleteConnection again", s.DeleteConnection(ctx, "k1"), store.ErrNotFound)
	_, err = s.GetConnection(ctx, "nothing")
	wantErr(t, "GetConnection unknown", err, store.ErrNotFound)
}

func testConnectionConflicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedUser(t, s, "u2")
	seedConn(t, s, newConn("k1", "u1", "hostaway", "acct-1"))
	for _, tt := range []struct {
		name string
		c    store.Connection
		want error
	}{
		{"same id", newConn("k1", "u1", "hostex", "acct-9"), store.ErrExists},
		{"same user, vendor and account", newConn("k2", "u1", "hostaway", "acct-1"), store.ErrExists},
		{"same account at another vendor", newConn("k3", "u1", "hostex", "acct-1"), nil},
		{"same account of another user", newConn("k4", "u2", "hostaway", "acct-1"), nil},
		{"another account", newConn("k5", "u1", "hostaway", "acct-2"), nil},
	} {
		err := s.CreateConnection(ctx, tt.c)
		if tt.want == nil {
			check(t, tt.name, err)
		} else {
			wantErr(t, tt.name, err, tt.want)
		}
	}
}

// errRefused stands for a caller's reason not to write, returned from an
// update function.
var errRefused = errors.New("storetest: the update function refused")

func testUpdateConnection(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedUser(t, s, "u2")
	c := seedConn(t, s, newConn("k1", "u1", "hostaway", "acct-1"))

	want := c
	want.Secret = []byte(`{"access_token":"at-2","refresh_token":"rt-2"}`)
	want.AccessExpiresAt = at(2 * time.Hour)
	want.RefreshExpiresAt = time.Time{}
	want.Status = store.StatusNeedsReauth
	want.LastError = "invalid_grant"
	want.Label = "Renamed"
	want.AuthKind = store.AuthToken
	want.UpdatedAt = at(time.Minute)
	calls := 0
	got, err := s.UpdateConnection(ctx, "k1", func(cur store.Connection) (store.Connection, error) {
		calls++
		same(t, "the row the update function sees", cur, c)
		next := want
		// What the function may not change: it is ignored.
		next.ID, next.UserID, next.CreatedAt, next.Version = "other", "u2", at(time.Hour), 99
		return next, nil
	})
	check(t, "UpdateConnection", err)
	if calls != 1 {
		t.Fatalf("the update function ran %d times, want once", calls)
	}
	want.Version = 2
	same(t, "UpdateConnection result", got, want)
	read, err := s.GetConnection(ctx, "k1")
	check(t, "GetConnection", err)
	same(t, "GetConnection after update", read, want)

	// A function that refuses writes nothing, and its error comes back as is.
	_, err = s.UpdateConnection(ctx, "k1", func(cur store.Connection) (store.Connection, error) {
		cur.Label = "lost"
		return cur, fmt.Errorf("wrapped: %w", errRefused)
	})
	wantErr(t, "UpdateConnection refused", err, errRefused)
	read, err = s.GetConnection(ctx, "k1")
	check(t, "GetConnection", err)
	same(t, "GetConnection after a refused update", read, want)

	_, err = s.UpdateConnection(ctx, "nothing", func(cur store.Connection) (store.Connection, error) {
		t.Error("the update function ran for an unknown connection")
		return cur, nil
	})
	wantErr(t, "UpdateConnection unknown", err, store.ErrNotFound)
}

// testUpdateConnectionConcurrent: 16 writers each add one to a counter kept
// in LastError, by one UpdateConnection each and no retry of their own; no
// increment may be lost.
func testUpdateConnectionConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	c := newConn("k1", "u1", "hostaway", "acct-1")
	c.LastError = "0"
	seedConn(t, s, c)

	const n = 16
	errs := race(n, func(int) error {
		_, err := s.UpdateConnection(ctx, "k1", func(c store.Connection) (store.Connection, error) {
			v, err := strconv.Atoi(c.LastError)
			if err != nil {
				return c, err
			}
			c.LastError = strconv.Itoa(v + 1)
			c.Secret = append(c.Secret, '.')
			return c, nil
		})
		return err
	})
	for i, err := range errs {
		check(t, fmt.Sprintf("writer %d", i), err)
	}
	got, err := s.GetConnection(ctx, "k1")
	check(t, "GetConnection", err)
	if got.LastError != strconv.Itoa(n) || got.Version != n+1 || len(got.Secret) != len(c.Secret)+n {
		t.Fatalf("counter %q at version %d, secret %d bytes; want %d at version %d, %d bytes",
			got.LastError, got.Version, len(got.Secret), n, n+1, len(c.Secret)+n)
	}
}

// testUpdateConnectionOneWinner is how a renewed vendor credential is
// saved: 16 writers each replace the secret only if the row still holds the
// one they all read. Exactly one wins; every other function sees the
// winner's secret and refuses, and nothing of theirs is written.
func testUpdateConnectionOneWinner(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	c := seedConn(t, s, newConn("k1", "u1", "hostaway", "acct-1"))
	stale := string(c.Secret)

	const n = 16
	errs := race(n, func(i int) error {
		_, err := s.UpdateConnection(ctx, "k1", func(cur store.Connection) (store.Connection, error) {
			if string(cur.Secret) != stale {
				return cur, errRefused
			}
			cur.Secret = []byte(fmt.Sprintf(`{"access_token":"at-%d"}`, i))
			return cur, nil
		})
		return err
	})
	winner := oneWinner(t, "renewal", errs, errRefused)
	got, err := s.GetConnection(ctx, "k1")
	check(t, "GetConnection", err)
	if want := fmt.Sprintf(`{"access_token":"at-%d"}`, winner); string(got.Secret) != want || got.Version != 2 {
		t.Fatalf("stored secret %q at version %d, want the winner's %q at version 2", got.Secret, got.Version, want)
	}
}

func testListConnections(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedUser(t, s, "u2")
	mk := func(id, user, vendor, label string) store.Connection {
		c := newConn(id, user, vendor, "acct-"+id)
		c.Label = label
		return seedConn(t, s, c)
	}
	c1 := mk("k1", "u1", "hostex", "b")
	c2 := mk("k2", "u1", "hospitable", "z")
	c3 := mk("k3", "u1", "hostex", "a")
	c4 := mk("k4", "u1", "hostaway", "m")
	mk("k5", "u2", "hostaway", "a")

	got, err := s.ListConnections(ctx, "u1")
	check(t, "ListConnections", err)
	same(t, "ListConnections by vendor, then label", got, []store.Connection{c2, c4, c3, c1})
	got, err = s.ListConnections(ctx, "nobody")
	check(t, "ListConnections unknown user", err)
	if len(got) != 0 {
		t.Fatalf("ListConnections(unknown user) = %d, want none", len(got))
	}
}

func testListExpiringConnections(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedUser(t, s, "u2")
	mk := func(id, user string, expires time.Time, status store.ConnStatus) store.Connection {
		c := newConn(id, user, "hostaway", "acct-"+id)
		c.AccessExpiresAt, c.Status = expires, status
		return seedConn(t, s, c)
	}
	soon := mk("soon", "u1", at(5*time.Minute), store.StatusOK)
	sooner := mk("sooner", "u2", at(time.Minute), store.StatusOK)
	past := mk("past", "u1", at(-time.Minute), store.StatusOK)
	mk("later", "u1", at(time.Hour), store.StatusOK)
	mk("edge", "u1", at(10*time.Minute), store.StatusOK) // before is exclusive
	mk("reauth", "u1", at(time.Minute), store.StatusNeedsReauth)
	mk("error", "u1", at(time.Minute), store.StatusError)
	mk("never", "u1", time.Time{}, store.StatusOK)

	for _, tt := range []struct {
		limit int
		want  []store.Connection
	}{
		{10, []store.Connection{past, sooner, soon}},
		{2, []store.Connection{past, sooner}},
		{0, nil},
	} {
		got, err := s.ListExpiringConnections(ctx, at(10*time.Minute), tt.limit)
		check(t, "ListExpiringConnections", err)
		same(t, fmt.Sprintf("ListExpiringConnections(limit %d)", tt.limit), got, tt.want)
	}
}

func testConnectionSecrets(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	for i, secret := range [][]byte{
		nil,
		{},
		{0, 1, 2, 0xff, 0},
		[]byte("plain text with \x00 inside"),
		make([]byte, 64<<10),
	} {
		c := newConn(fmt.Sprintf("k%d", i), "u1", "hostaway", fmt.Sprintf("acct-%d", i))
		c.Secret = secret
		c = seedConn(t, s, c)
		got, err := s.GetConnection(ctx, c.ID)
		check(t, "GetConnection", err)
		same(t, fmt.Sprintf("secret %d", i), got.Secret, c.Secret)

		c.Secret = append(append([]byte(nil), secret...), "more"...)
		upd, err := s.UpdateConnection(ctx, c.ID, func(cur store.Connection) (store.Connection, error) {
			same(t, fmt.Sprintf("secret %d as the update function sees it", i), cur.Secret, secret)
			cur.Secret = c.Secret
			return cur, nil
		})
		check(t, "UpdateConnection", err)
		same(t, fmt.Sprintf("updated secret %d", i), upd.Secret, c.Secret)
		got, err = s.GetConnection(ctx, c.ID)
		check(t, "GetConnection", err)
		same(t, fmt.Sprintf("updated secret %d read", i), got.Secret, c.Secret)
	}
}
