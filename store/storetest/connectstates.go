package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

func newConnectState(hash, userID string, created time.Time) store.ConnectState {
	return store.ConnectState{Hash: hash, UserID: userID, SessionHash: "sess-" + hash, Vendor: "hostex",
		Verifier: "verifier-" + hash, RedirectURI: "https://h.example/connections/oauth/callback",
		ReturnTo: "/authorize?client_id=c", ConnectionID: "", CreatedAt: created, ExpiresAt: created.Add(10 * time.Minute)}
}

func testConnectStates(t *testing.T, s store.Store) {
	ctx := context.Background()
	seedUser(t, s, "u1")
	created := time.Date(2026, 5, 1, 10, 0, 0, 0, zone)
	want := newConnectState("st1", "u1", created)
	want.ConnectionID, want.TeamID = "conn-9", "team-1"
	if err := s.CreateConnectState(ctx, want); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateConnectState(ctx, want); !errors.Is(err, store.ErrExists) {
		t.Fatalf("duplicate: %v, want ErrExists", err)
	}
	if err := s.CreateConnectState(ctx, newConnectState("st2", "nobody", created)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown user: %v, want ErrNotFound", err)
	}
	got, err := s.ConsumeConnectState(ctx, "st1")
	if err != nil {
		t.Fatal(err)
	}
	if got.UserID != want.UserID || got.SessionHash != want.SessionHash || got.Vendor != want.Vendor ||
		got.Verifier != want.Verifier || got.RedirectURI != want.RedirectURI || got.ReturnTo != want.ReturnTo ||
		got.ConnectionID != want.ConnectionID || got.TeamID != want.TeamID || !got.CreatedAt.Equal(created) || !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if got.CreatedAt.Location() != time.UTC || got.ExpiresAt.Location() != time.UTC {
		t.Fatal("times not in UTC")
	}
	if _, err := s.ConsumeConnectState(ctx, "st1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second consume: %v, want ErrNotFound", err)
	}
	// Expired states are swept.
	if err := s.CreateConnectState(ctx, newConnectState("st3", "u1", created)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteExpired(ctx, created.Add(11*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConsumeConnectState(ctx, "st3"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired state survived the sweep: %v", err)
	}
}

func testConsumeConnectStateConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	seedUser(t, s, "u1")
	if err := s.CreateConnectState(ctx, newConnectState("st", "u1", time.Now())); err != nil {
		t.Fatal(err)
	}
	const n = 16
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, misses := 0, 0
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := s.ConsumeConnectState(ctx, "st")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, store.ErrNotFound):
				misses++
			default:
				t.Errorf("consume: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if wins != 1 || misses != n-1 {
		t.Fatalf("%d won, %d missed; want exactly one winner", wins, misses)
	}
}
