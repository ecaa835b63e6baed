package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore"
)

const rotateConns = 30

// server is a hostgate process's store on a data dir, its keys taken from
// the key file as serve takes them.
func server(t *testing.T, dir string) *sqlstore.Store {
	t.Helper()
	ks, _, err := masterKey("", dir)
	if err != nil {
		t.Fatal(err)
	}
	k, err := deriveKeys(ks)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.Open(context.Background(), filepath.Join(dir, "hostgate.db"), k.ring)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// openWith opens the data dir's database with a keyring of these master
// keys only.
func openWith(t *testing.T, dir string, masters ...[]byte) *sqlstore.Store {
	t.Helper()
	current, sealing, err := sealKeys(masters)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := store.NewKeyring(current, sealing)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.Open(context.Background(), filepath.Join(dir, "hostgate.db"), ring)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func connID(i int) string { return fmt.Sprintf("k%02d", i) }

func secretOf(i int) string { return fmt.Sprintf(`{"access_token":"at-%d"}`, i) }

// seed gives a data dir a host with rotateConns connections, a connect
// state in progress, and one connection sealed under a key the data dir
// never had.
func seed(t *testing.T, dir string, st *sqlstore.Store) {
	t.Helper()
	ctx := context.Background()
	if err := st.CreateUser(ctx, store.User{ID: "u", Username: "u"}); err != nil {
		t.Fatal(err)
	}
	for i := range rotateConns {
		c := store.Connection{ID: connID(i), UserID: "u", Vendor: "hostex", AccountID: connID(i),
			AuthKind: store.AuthToken, Secret: []byte(secretOf(i)), Status: store.StatusOK, CreatedAt: time.Now()}
		if err := st.CreateConnection(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	state := store.ConnectState{Hash: "state", UserID: "u", Vendor: "hostex", Verifier: "the-verifier",
		CreatedAt: time.Now(), ExpiresAt: time.Now().Add(10 * time.Minute)}
	if err := st.CreateConnectState(ctx, state); err != nil {
		t.Fatal(err)
	}
	stranger := openWith(t, dir, bytes.Repeat([]byte{9}, store.KeySize))
	if err := stranger.CreateConnection(ctx, store.Connection{ID: "zz-stranger", UserID: "u", Vendor: "hostex",
		AccountID: "zz", AuthKind: store.AuthToken, Secret: []byte("x"), Status: store.StatusOK}); err != nil {
		t.Fatal(err)
	}
}

// fileKeys returns the master keys in the data dir's key file.
func fileKeys(t *testing.T, dir string) [][]byte {
	t.Helper()
	ks, err := readKeyFile(filepath.Join(dir, keyFileName))
	if err != nil {
		t.Fatal(err)
	}
	return ks.masters
}

// opensAll checks that st opens every seeded connection with want(i) as
// its secret.
func opensAll(t *testing.T, st *sqlstore.Store, want func(i int) string) {
	t.Helper()
	for i := range rotateConns {
		c, err := st.GetConnection(context.Background(), connID(i))
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != store.StatusOK || string(c.Secret) != want(i) {
			t.Fatalf("%s: %s %q, want ok %q", c.ID, c.Status, c.Secret, want(i))
		}
	}
}

// noKeyIn fails if out holds any of the keys, in any base64 form.
func noKeyIn(t *testing.T, out string, masters ...[]byte) {
	t.Helper()
	for _, m := range masters {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
			if s := enc.EncodeToString(m); strings.Contains(out, s[:20]) {
				t.Fatalf("output holds a key:\n%s", out)
			}
		}
	}
}

// TestKeysRotate: a rotation on a data dir a server is using, with the
// server renewing credentials all the while. Every renewal survives, every
// secret ends up sealed under the new key alone, the old key leaves the
// file, and the server opens every secret throughout.
func TestKeysRotate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srv := server(t, dir)
	seed(t, dir, srv)
	old := fileKeys(t, dir)
	if len(old) != 1 {
		t.Fatalf("a new data dir's key file holds %d keys", len(old))
	}

	var out bytes.Buffer
	batches := 0
	r := rotation{dataDir: dir, out: &out, batch: 7, afterBatch: func() error {
		batches++
		// The server, which started before the rotation, opens every
		// secret, old key or new.
		for i := range rotateConns {
			c, err := srv.GetConnection(ctx, connID(i))
			if err != nil || c.Status != store.StatusOK {
				return fmt.Errorf("server reads %s during the rotation: %s, %v", connID(i), c.Status, err)
			}
		}
		return nil
	}}
	// The server renews every credential while the rotation runs.
	renewed := func(i int) string { return fmt.Sprintf(`{"access_token":"renewed-%d"}`, i) }
	start := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		<-start
		for i := range rotateConns {
			if _, err := srv.UpdateConnection(ctx, connID(i), func(c store.Connection) (store.Connection, error) {
				c.Secret = []byte(renewed(i))
				return c, nil
			}); err != nil {
				t.Errorf("renew %s: %v", connID(i), err)
			}
		}
	})
	var rep rotateReport
	var err error
	wg.Go(func() {
		<-start
		rep, err = r.run(ctx)
	})
	close(start)
	wg.Wait()
	if err != nil {
		t.Fatalf("rotate: %v\n%s", err, out.String())
	}
	if batches < 2 {
		t.Fatalf("%d batches, want several", batches)
	}
	now := fileKeys(t, dir)
	if len(now) != 1 || bytes.Equal(now[0], old[0]) {
		t.Fatalf("the key file holds %d keys after the rotation, want the new one only", len(now))
	}
	oldID, _, _ := sealKey(old[0])
	newID, _, _ := sealKey(now[0])
	if !rep.Added || rep.Current != newID || len(rep.Retired) != 1 || rep.Retired[0] != oldID || rep.Unopenable != 1 {
		t.Fatalf("report = %+v, want key %s added, %s retired, 1 unopenable", rep, newID, oldID)
	}
	if st, err := os.Stat(filepath.Join(dir, keyFileName)); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", st.Mode().Perm(), err)
	}

	// The new key alone opens everything, the renewals included.
	fresh := openWith(t, dir, now[0])
	opensAll(t, fresh, renewed)
	opensAll(t, srv, renewed)
	if st, err := fresh.ConsumeConnectState(ctx, "state"); err != nil || st.Verifier != "the-verifier" {
		t.Fatalf("connect state under the new key: %q, %v", st.Verifier, err)
	}
	// What the server seals from now on is under the new key too.
	if _, err := srv.UpdateConnection(ctx, connID(0), func(c store.Connection) (store.Connection, error) { return c, nil }); err != nil {
		t.Fatal(err)
	}
	opensAll(t, fresh, renewed)

	o := out.String()
	noKeyIn(t, o, old[0], now[0])
	for _, want := range []string{"Added key " + newID, "Retired 1 old key", "1 unopenable"} {
		if !strings.Contains(o, want) {
			t.Errorf("output lacks %q:\n%s", want, o)
		}
	}
}

// TestKeysRotateResumes: a rotation stopped half way (a crash, a ^C)
// leaves both keys in the file and every secret opening; run again, it
// carries on with the same new key and finishes.
func TestKeysRotateResumes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srv := server(t, dir)
	seed(t, dir, srv)
	old := fileKeys(t, dir)

	crash := errors.New("power cut")
	batches := 0
	var out bytes.Buffer
	r := rotation{dataDir: dir, out: &out, batch: 5, afterBatch: func() error {
		if batches++; batches == 2 {
			return crash
		}
		return nil
	}}
	if _, err := r.run(ctx); !errors.Is(err, crash) || !strings.Contains(err.Error(), "run hostgate keys rotate again") {
		t.Fatalf("interrupted rotation: %v", err)
	}
	mid := fileKeys(t, dir)
	if len(mid) != 2 || !bytes.Equal(mid[1], old[0]) {
		t.Fatalf("after the interruption the key file holds %d keys, want the new then the old", len(mid))
	}
	// Half re-sealed: the old key alone no longer opens everything, the
	// server does, and so do both keys.
	opensAll(t, srv, secretOf)
	opensAll(t, openWith(t, dir, mid...), secretOf)

	r.afterBatch = nil
	rep, err := r.run(ctx)
	if err != nil {
		t.Fatalf("resumed rotation: %v\n%s", err, out.String())
	}
	newID, _, _ := sealKey(mid[0])
	if rep.Added || rep.Current != newID {
		t.Fatalf("resumed report = %+v, want the rotation to %s carried on", rep, newID)
	}
	if rep.Resealed == 0 || rep.Resealed >= rotateConns {
		t.Fatalf("the resumed run re-sealed %d secrets, want only what was left", rep.Resealed)
	}
	end := fileKeys(t, dir)
	if len(end) != 1 || !bytes.Equal(end[0], mid[0]) {
		t.Fatal("the finished rotation did not leave the new key alone in the file")
	}
	opensAll(t, openWith(t, dir, end[0]), secretOf)
	if !strings.Contains(out.String(), "Resuming the rotation to key "+newID) {
		t.Errorf("output does not say it resumed:\n%s", out.String())
	}

	// Run once more: a new rotation, which also finishes.
	if rep, err := r.run(ctx); err != nil || !rep.Added || rep.Current == newID {
		t.Fatalf("next rotation = %+v, %v", rep, err)
	}
}

// TestKeysRotateEnv: with HOSTGATE_SECRET_KEY, hostgate will not invent a
// key it would have to print; given a new key first, it re-seals under it
// and says the old one can go.
func TestKeysRotateEnv(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	oldKey, newKey := bytes.Repeat([]byte{1}, store.KeySize), bytes.Repeat([]byte{2}, store.KeySize)
	enc := base64.StdEncoding.EncodeToString
	st := openWith(t, dir, oldKey)
	seed(t, dir, st)

	var out bytes.Buffer
	_, err := rotation{dataDir: dir, env: enc(oldKey), out: &out}.run(ctx)
	if err == nil || !strings.Contains(err.Error(), "openssl rand -base64 32") {
		t.Fatalf("one key in HOSTGATE_SECRET_KEY: %v", err)
	}
	noKeyIn(t, err.Error()+out.String(), oldKey)
	if _, err := os.Stat(filepath.Join(dir, keyFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a key file appeared: %v", err)
	}

	rep, err := rotation{dataDir: dir, env: enc(newKey) + ", " + enc(oldKey), out: &out}.run(ctx)
	if err != nil {
		t.Fatalf("rotate: %v", err)
	}
	if rep.Resealed != rotateConns+1 || rep.Unopenable != 1 {
		t.Fatalf("report = %+v", rep)
	}
	opensAll(t, openWith(t, dir, newKey), secretOf)
	if !strings.Contains(out.String(), "set HOSTGATE_SECRET_KEY to its first key only") {
		t.Errorf("output does not say the old key can go:\n%s", out.String())
	}
	noKeyIn(t, out.String(), oldKey, newKey)
}

func TestKeysRotateWithoutKeyFile(t *testing.T) {
	dir := t.TempDir()
	_, err := rotation{dataDir: dir, out: &bytes.Buffer{}}.run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no key file") {
		t.Fatalf("rotate without a key file: %v", err)
	}
}
