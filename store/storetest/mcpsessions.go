package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

func newMCPSession(hash, grantID string, used time.Time) store.MCPSession {
	return store.MCPSession{Hash: hash, GrantID: grantID, CreatedAt: used, LastUsedAt: used}
}

// createMCPSession creates m under the cap and fails the test on an error.
func createMCPSession(t *testing.T, s store.Store, m store.MCPSession, max int) []string {
	t.Helper()
	evicted, err := s.CreateMCPSession(t.Context(), m, max)
	check(t, "CreateMCPSession "+m.Hash, err)
	return evicted
}

// testMCPSessions: a session is stored by hash with its grant and client
// blob, is touched forward only, ends once, and refuses a taken hash or an
// unknown grant.
func testMCPSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	seedGrant(t, s, "g1", "u1", "c1", t0)

	m := newMCPSession("h1", "g1", t0)
	if ev := createMCPSession(t, s, m, 64); len(ev) != 0 {
		t.Fatalf("evicted %v under the cap", ev)
	}
	got, err := s.GetMCPSession(ctx, "h1")
	check(t, "GetMCPSession", err)
	same(t, "GetMCPSession", got, m)

	_, err = s.CreateMCPSession(ctx, m, 64)
	wantErr(t, "CreateMCPSession of a taken hash", err, store.ErrExists)
	_, err = s.CreateMCPSession(ctx, newMCPSession("h2", "nope", t0), 64)
	wantErr(t, "CreateMCPSession for an unknown grant", err, store.ErrNotFound)
	_, err = s.GetMCPSession(ctx, "nope")
	wantErr(t, "GetMCPSession unknown", err, store.ErrNotFound)

	client := []byte(`{"capabilities":{"elicitation":{}}}`)
	check(t, "SetMCPSessionClient", s.SetMCPSessionClient(ctx, "h1", client))
	wantErr(t, "SetMCPSessionClient unknown", s.SetMCPSessionClient(ctx, "nope", client), store.ErrNotFound)

	check(t, "TouchMCPSession", s.TouchMCPSession(ctx, "h1", at(time.Minute)))
	check(t, "TouchMCPSession back in time", s.TouchMCPSession(ctx, "h1", at(time.Second)))
	wantErr(t, "TouchMCPSession unknown", s.TouchMCPSession(ctx, "nope", t0), store.ErrNotFound)
	got, err = s.GetMCPSession(ctx, "h1")
	check(t, "GetMCPSession", err)
	m.Client, m.LastUsedAt = client, at(time.Minute)
	same(t, "GetMCPSession after touches", got, m)

	n, err := s.CountMCPSessions(ctx, "g1")
	check(t, "CountMCPSessions", err)
	if n != 1 {
		t.Fatalf("CountMCPSessions = %d, want 1", n)
	}
	ok, err := s.DeleteMCPSession(ctx, "h1")
	check(t, "DeleteMCPSession", err)
	if !ok {
		t.Fatal("DeleteMCPSession of a live session reported none")
	}
	ok, err = s.DeleteMCPSession(ctx, "h1")
	check(t, "DeleteMCPSession again", err)
	if ok {
		t.Fatal("DeleteMCPSession of an ended session reported one")
	}
	_, err = s.GetMCPSession(ctx, "h1")
	wantErr(t, "GetMCPSession after delete", err, store.ErrNotFound)
	wantErr(t, "TouchMCPSession after delete", s.TouchMCPSession(ctx, "h1", at(time.Hour)), store.ErrNotFound)
}

// testMCPSessionCap: a grant over its cap loses the sessions never used
// since their creation first, then its least recently used ones (by last
// use, then creation), and only its own.
func testMCPSessionCap(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	seedGrant(t, s, "g1", "u1", "c1", t0)
	seedGrant(t, s, "g2", "u1", "c1", t0)
	createMCPSession(t, s, newMCPSession("other", "g2", t0), 3)
	createMCPSession(t, s, newMCPSession("a", "g1", at(1*time.Second)), 3)
	createMCPSession(t, s, newMCPSession("b", "g1", at(2*time.Second)), 3)
	createMCPSession(t, s, newMCPSession("c", "g1", at(3*time.Second)), 3)
	// a is the oldest by creation, but used last.
	check(t, "TouchMCPSession", s.TouchMCPSession(ctx, "a", at(10*time.Second)))
	if ev := createMCPSession(t, s, newMCPSession("d", "g1", at(11*time.Second)), 3); len(ev) != 1 || ev[0] != "b" {
		t.Fatalf("evicted %v, want [b]", ev)
	}
	// A lower cap evicts as many as it takes: the unused c and d before a,
	// though a was used before d was created.
	if ev := createMCPSession(t, s, newMCPSession("e", "g1", at(12*time.Second)), 2); len(ev) != 2 || ev[0] != "c" || ev[1] != "d" {
		t.Fatalf("evicted %v, want [c d]", ev)
	}
	// Among used sessions, the least recently used goes.
	check(t, "TouchMCPSession", s.TouchMCPSession(ctx, "e", at(13*time.Second)))
	check(t, "TouchMCPSession", s.TouchMCPSession(ctx, "a", at(14*time.Second)))
	if ev := createMCPSession(t, s, newMCPSession("f", "g1", at(15*time.Second)), 2); len(ev) != 1 || ev[0] != "e" {
		t.Fatalf("evicted %v, want [e]", ev)
	}
	for hash, want := range map[string]bool{"a": true, "b": false, "c": false, "d": false, "e": false, "f": true, "other": true} {
		_, err := s.GetMCPSession(ctx, hash)
		if (err == nil) != want {
			t.Errorf("session %s: err = %v, want present %v", hash, err, want)
		}
	}
	_, err := s.CreateMCPSession(ctx, newMCPSession("g", "g1", t0), 0)
	if err == nil {
		t.Fatal("CreateMCPSession with a cap of 0 succeeded")
	}
}

// testMCPSessionCapConcurrent: creators racing for one grant's sessions
// never leave it over its cap.
func testMCPSessionCapConcurrent(t *testing.T, s store.Store) {
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	seedGrant(t, s, "g1", "u1", "c1", t0)
	const n, max = 12, 4
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := s.CreateMCPSession(t.Context(), newMCPSession(string(rune('a'+i)), "g1", at(time.Duration(i)*time.Second)), max)
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		check(t, "CreateMCPSession", err)
	}
	got, err := s.CountMCPSessions(t.Context(), "g1")
	check(t, "CountMCPSessions", err)
	if got != max {
		t.Fatalf("the grant holds %d sessions, want %d", got, max)
	}
}

// testDeleteIdleMCPSessions: the sweep takes sessions last used strictly
// before the time and every session of a revoked grant; a deleted grant's
// sessions went with it.
func testDeleteIdleMCPSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	seedGrant(t, s, "g1", "u1", "c1", t0)
	seedGrant(t, s, "g2", "u1", "c1", t0)
	createMCPSession(t, s, newMCPSession("idle", "g1", t0), 64)
	createMCPSession(t, s, newMCPSession("edge", "g1", at(time.Hour)), 64)
	createMCPSession(t, s, newMCPSession("live", "g1", at(2*time.Hour)), 64)
	createMCPSession(t, s, newMCPSession("revoked", "g2", at(2*time.Hour)), 64)
	check(t, "RevokeGrant", s.RevokeGrant(ctx, "g2", at(2*time.Hour)))
	n, err := s.DeleteIdleMCPSessions(ctx, at(time.Hour))
	check(t, "DeleteIdleMCPSessions", err)
	if n != 2 {
		t.Fatalf("DeleteIdleMCPSessions = %d, want 2", n)
	}
	for hash, want := range map[string]bool{"idle": false, "edge": true, "live": true, "revoked": false} {
		_, err := s.GetMCPSession(ctx, hash)
		if (err == nil) != want {
			t.Errorf("session %s: err = %v, want present %v", hash, err, want)
		}
	}
	// Sessions are not swept by DeleteExpired: their idleness is the
	// caller's to decide.
	if _, err := s.DeleteExpired(ctx, at(1000*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetMCPSession(ctx, "live"); err != nil {
		t.Fatalf("DeleteExpired took a session: %v", err)
	}
}
