package main

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// TestSetPasswordEndsSessions: setting a host's password from the command
// line (user add on an existing host, or user passwd) signs that host out
// of every browser; other hosts stay signed in.
func TestSetPasswordEndsSessions(t *testing.T) {
	dir := t.TempDir()
	run := func(password string, args ...string) {
		t.Helper()
		t.Setenv("HOSTGATE_PASSWORD", password)
		if err := runUser(append(args, "--data-dir", dir)); err != nil {
			t.Fatalf("hostgate user %v: %v", args, err)
		}
	}
	withStore := func(fn func(st store.Store)) {
		t.Helper()
		a, err := open(defaults(dir), io.Discard, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer a.close()
		fn(a.store)
	}
	sessions := func(st store.Store, names ...string) {
		t.Helper()
		ctx := context.Background()
		for _, name := range names {
			u, err := st.GetUserByUsername(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			if err := st.CreateSession(ctx, store.BrowserSession{Hash: store.Hash(name + "-session"), UserID: u.ID,
				CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	signedIn := func(st store.Store, name string) bool {
		t.Helper()
		_, err := st.GetSession(context.Background(), store.Hash(name+"-session"))
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}

	run("first password", "add", "alice")
	run("bob's password", "add", "bob")
	withStore(func(st store.Store) { sessions(st, "alice", "bob") })
	run("second password", "add", "alice")
	withStore(func(st store.Store) {
		if signedIn(st, "alice") {
			t.Error("user add with a new password left alice signed in")
		}
		if !signedIn(st, "bob") {
			t.Error("alice's new password signed bob out")
		}
		sessions(st, "alice")
	})
	run("third password", "passwd", "alice")
	withStore(func(st store.Store) {
		if signedIn(st, "alice") {
			t.Error("user passwd left alice signed in")
		}
	})
}
