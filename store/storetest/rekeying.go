package storetest

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// Reopen opens one database, the same on every call, with the keyring
// given; several handles may be open on it at once. RunRekeying closes
// every store it opens.
type Reopen func(t *testing.T, keys *store.Keyring) store.Store

// RunRekeying runs the conformance tests of key rotation: ResealSecrets,
// and how a connection whose secret does not open is read and written.
// They need a database reopened under other keyrings, which Run's open
// cannot give: newDB returns, for each subtest, the Reopen of a fresh,
// empty database.
//
// Beyond the interfaces' documents, it pins down: the mark of an
// unopenable connection is stored and seen by a handle that can open the
// secret; an update that gives no new secret keeps the sealed value, so
// the key put back opens it; an update that gives one seals it afresh.
func RunRekeying(t *testing.T, newDB func(t *testing.T) Reopen) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(keys *store.Keyring) store.Store)
	}{
		{"ResealMovesEverySecret", testResealMovesEverySecret},
		{"ResealLeavesUnopenable", testResealLeavesUnopenable},
		{"ResealConcurrentUpdates", testResealConcurrentUpdates},
		{"UnopenableConnection", testUnopenableConnection},
		{"ResealSignInStates", testResealSignInStates},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reopen := newDB(t)
			tt.fn(t, func(keys *store.Keyring) store.Store {
				s := reopen(t, keys)
				t.Cleanup(func() { s.Close() })
				return s
			})
		})
	}
}

// ring returns a keyring sealing under the first id and opening with all;
// a key's bytes follow from its id, so two keyrings agree on it.
func ring(t *testing.T, ids ...string) *store.Keyring {
	t.Helper()
	keys := map[string][]byte{}
	for _, id := range ids {
		keys[id] = bytes.Repeat([]byte(id[:1]), store.KeySize)
	}
	k, err := store.NewKeyring(ids[0], keys)
	check(t, "NewKeyring", err)
	return k
}

// pass runs ResealSecrets from the start to the end, limit rows a call.
func pass(t *testing.T, s store.Store, limit int) store.ResealBatch {
	t.Helper()
	total, err := tryPass(t, s, limit)
	check(t, "ResealSecrets", err)
	return total
}

// tryPass is pass for a goroutine other than the test's: it returns the
// error rather than failing the test.
func tryPass(t *testing.T, s store.Store, limit int) (store.ResealBatch, error) {
	var total store.ResealBatch
	cursor := ""
	for calls := 0; ; calls++ {
		b, err := s.ResealSecrets(t.Context(), cursor, limit)
		if err != nil {
			return total, err
		}
		total.Add(b)
		if b.Next == "" {
			return total, nil
		}
		if b.Next == cursor || calls > 10000 {
			return total, fmt.Errorf("ResealSecrets does not move on from cursor %q", cursor)
		}
		cursor = b.Next
	}
}

func testResealMovesEverySecret(t *testing.T, open func(*store.Keyring) store.Store) {
	ctx := t.Context()
	old := open(ring(t, "a"))
	seedUser(t, old, "u1")
	var conns []store.Connection
	for i := range 5 {
		c := seedConn(t, old, newConn(fmt.Sprintf("k%d", i), "u1", "hostaway", fmt.Sprint(i)))
		conns = append(conns, c)
	}
	st := newState("s1", "u1")
	check(t, "CreateConnectState", old.CreateConnectState(ctx, st))

	s := open(ring(t, "b", "a"))
	if _, err := s.ResealSecrets(ctx, "", 0); err == nil {
		t.Fatal("ResealSecrets with limit 0: no error")
	}
	got := pass(t, s, 2)
	if got.Resealed != 6 || got.Skipped != 0 || got.Unopenable != 0 {
		t.Fatalf("first pass = %+v, want 6 re-sealed", got)
	}
	if again := pass(t, s, 2); again.Resealed != 0 || again.Skipped != 0 || again.Unopenable != 0 {
		t.Fatalf("second pass = %+v, want nothing left", again)
	}
	// Only the new key is needed now; nothing else changed.
	only := open(ring(t, "b"))
	for _, c := range conns {
		g, err := only.GetConnection(ctx, c.ID)
		check(t, "GetConnection "+c.ID, err)
		same(t, "re-sealed "+c.ID, g, c)
	}
	gs, err := only.ConsumeConnectState(ctx, st.Hash)
	check(t, "ConsumeConnectState", err)
	if gs.Verifier != st.Verifier {
		t.Fatalf("re-sealed verifier = %q, want %q", gs.Verifier, st.Verifier)
	}
}

func newState(hash, userID string) store.ConnectState {
	return store.ConnectState{Hash: hash, UserID: userID, SessionHash: "sess", Vendor: "hostex",
		Verifier: "verifier-" + hash, RedirectURI: "https://hostgate.example/cb", ReturnTo: "/connections",
		CreatedAt: t0, ExpiresAt: at(10 * time.Minute)}
}

func testResealLeavesUnopenable(t *testing.T, open func(*store.Keyring) store.Store) {
	ctx := t.Context()
	lost := open(ring(t, "x"))
	seedUser(t, lost, "u1")
	seedConn(t, lost, newConn("lost", "u1", "hostex", "1"))
	check(t, "CreateConnectState", lost.CreateConnectState(ctx, newState("s-lost", "u1")))
	old := open(ring(t, "a"))
	kept := seedConn(t, old, newConn("kept", "u1", "hostex", "2"))

	s := open(ring(t, "b", "a"))
	got := pass(t, s, 1)
	if got.Resealed != 1 || got.Unopenable != 2 || got.Skipped != 0 {
		t.Fatalf("pass = %+v, want 1 re-sealed and 2 unopenable", got)
	}
	if again := pass(t, s, 1); again.Resealed != 0 || again.Unopenable != 2 {
		t.Fatalf("second pass = %+v, want the 2 unopenable only", again)
	}
	g, err := open(ring(t, "b")).GetConnection(ctx, kept.ID)
	check(t, "GetConnection kept", err)
	same(t, "kept", g, kept)
	// The unopenable secret is left as it was: its own key still opens it.
	g, err = lost.GetConnection(ctx, "lost")
	check(t, "GetConnection lost", err)
	if !bytes.Equal(g.Secret, newConn("lost", "u1", "hostex", "1").Secret) {
		t.Fatalf("the unopenable secret changed: %q", g.Secret)
	}
}

// testResealConcurrentUpdates: a pass racing with updates of every
// connection loses none of them, and a second pass finishes the work.
func testResealConcurrentUpdates(t *testing.T, open func(*store.Keyring) store.Store) {
	ctx := t.Context()
	old := open(ring(t, "a"))
	seedUser(t, old, "u1")
	const n = 30
	for i := range n {
		seedConn(t, old, newConn(fmt.Sprintf("k%02d", i), "u1", "hostaway", fmt.Sprint(i)))
	}
	s := open(ring(t, "b", "a"))
	start := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		<-start
		if _, err := tryPass(t, s, 3); err != nil {
			t.Errorf("ResealSecrets: %v", err)
		}
	})
	wg.Go(func() {
		<-start
		for i := range n {
			_, err := s.UpdateConnection(ctx, fmt.Sprintf("k%02d", i), func(c store.Connection) (store.Connection, error) {
				c.Secret = fmt.Appendf(nil, "updated-%d", i)
				return c, nil
			})
			if err != nil {
				t.Errorf("UpdateConnection: %v", err)
			}
		}
	})
	close(start)
	wg.Wait()
	if got := pass(t, s, 3); got.Skipped != 0 || got.Unopenable != 0 {
		t.Fatalf("pass after the race = %+v", got)
	}
	only := open(ring(t, "b"))
	for i := range n {
		c, err := only.GetConnection(ctx, fmt.Sprintf("k%02d", i))
		check(t, "GetConnection", err)
		if want := fmt.Sprintf("updated-%d", i); string(c.Secret) != want || c.Version != 2 {
			t.Errorf("%s: secret %q version %d, want %q version 2 (an update lost to the re-seal)", c.ID, c.Secret, c.Version, want)
		}
	}
}

func testUnopenableConnection(t *testing.T, open func(*store.Keyring) store.Store) {
	ctx := t.Context()
	lost := open(ring(t, "x"))
	seedUser(t, lost, "u1")
	c := seedConn(t, lost, newConn("lost", "u1", "hostex", "1"))
	refused := newConn("refused", "u1", "hostex", "2")
	refused.Status, refused.LastError = store.StatusNeedsReauth, "the vendor refused the saved token"
	refused = seedConn(t, lost, refused)
	s := open(ring(t, "a"))
	ok := seedConn(t, s, newConn("ok", "u1", "hostaway", "3"))

	list, err := s.ListConnections(ctx, "u1")
	check(t, "ListConnections", err)
	byID := map[string]store.Connection{}
	for _, c := range list {
		byID[c.ID] = c
	}
	if len(list) != 3 {
		t.Fatalf("ListConnections = %d connections, want 3", len(list))
	}
	same(t, "the connection that opens", byID["ok"], ok)
	g := byID["lost"]
	if g.Status != store.StatusNeedsReauth || g.LastError != store.UnopenableSecret || len(g.Secret) != 0 {
		t.Fatalf("unopenable connection = %s %q, %d secret bytes", g.Status, g.LastError, len(g.Secret))
	}
	if r := byID["refused"]; r.Status != store.StatusNeedsReauth || r.LastError != refused.LastError {
		t.Fatalf("a connection already needing the host = %s %q, want its own reason kept", r.Status, r.LastError)
	}
	// The mark is stored: the refresher does not meet the row.
	expiring := func(s store.Store) []string {
		t.Helper()
		l, err := s.ListExpiringConnections(ctx, at(2*time.Hour), 10)
		check(t, "ListExpiringConnections", err)
		var ids []string
		for _, c := range l {
			ids = append(ids, c.ID)
		}
		return ids
	}
	same(t, "expiring with the mark stored", expiring(s), []string{"ok"})

	// An update that gives no new secret keeps the sealed one.
	_, err = s.UpdateConnection(ctx, "lost", func(c store.Connection) (store.Connection, error) {
		if len(c.Secret) != 0 || c.Status != store.StatusNeedsReauth {
			t.Errorf("UpdateConnection's fn got %s with %d secret bytes", c.Status, len(c.Secret))
		}
		c.Label = "renamed"
		return c, nil
	})
	check(t, "UpdateConnection without a secret", err)
	// Its key back, it opens and is ok again.
	g, err = lost.GetConnection(ctx, "lost")
	check(t, "GetConnection after the update", err)
	if g.Status != store.StatusOK || g.LastError != "" || g.Label != "renamed" || !bytes.Equal(g.Secret, c.Secret) {
		t.Fatalf("with its key back = %s %q %q, secret kept %v", g.Status, g.LastError, g.Label, bytes.Equal(g.Secret, c.Secret))
	}
	same(t, "expiring with the mark cleared", expiring(open(ring(t, "a", "x"))), []string{"lost", "ok"})

	// A reconnect gives a new secret: sealed under the current key.
	_, err = s.UpdateConnection(ctx, "refused", func(c store.Connection) (store.Connection, error) {
		c.Secret, c.Status, c.LastError = []byte("fresh"), store.StatusOK, ""
		return c, nil
	})
	check(t, "UpdateConnection with a secret", err)
	g, err = s.GetConnection(ctx, "refused")
	check(t, "GetConnection reconnected", err)
	if string(g.Secret) != "fresh" || g.Status != store.StatusOK {
		t.Fatalf("reconnected = %s %q", g.Status, g.Secret)
	}
}
