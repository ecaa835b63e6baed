package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

func newSignInState(id string, expires time.Duration) store.SignInState {
	return store.SignInState{Hash: store.Hash(id), BrowserHash: store.Hash("browser-" + id), Provider: "google",
		NonceHash: store.Hash("nonce-" + id), Verifier: "verifier-" + id, ReturnTo: "/authorize?client_id=c",
		CreatedAt: t0, ExpiresAt: at(expires)}
}

// testSignInStates: a state round-trips (its verifier sealed and opened),
// is consumed once, and is swept once expired (strictly before now).
func testSignInStates(t *testing.T, s store.Store) {
	ctx := t.Context()
	want := newSignInState("st1", 10*time.Minute)
	check(t, "CreateSignInState", s.CreateSignInState(ctx, want))
	wantErr(t, "CreateSignInState again", s.CreateSignInState(ctx, want), store.ErrExists)
	got, err := s.ConsumeSignInState(ctx, want.Hash)
	check(t, "ConsumeSignInState", err)
	same(t, "ConsumeSignInState", got, want)
	_, err = s.ConsumeSignInState(ctx, want.Hash)
	wantErr(t, "ConsumeSignInState again", err, store.ErrNotFound)
	_, err = s.ConsumeSignInState(ctx, store.Hash("never"))
	wantErr(t, "ConsumeSignInState unknown", err, store.ErrNotFound)

	now := at(10 * time.Minute)
	old, edge, live := newSignInState("old", 5*time.Minute), newSignInState("edge", 10*time.Minute), newSignInState("live", 11*time.Minute)
	for _, st := range []store.SignInState{old, edge, live} {
		check(t, "CreateSignInState "+st.Verifier, s.CreateSignInState(ctx, st))
	}
	n, err := s.DeleteExpired(ctx, now)
	check(t, "DeleteExpired", err)
	if n != 1 {
		t.Errorf("DeleteExpired = %d rows, want 1", n)
	}
	_, err = s.ConsumeSignInState(ctx, old.Hash)
	wantErr(t, "ConsumeSignInState swept", err, store.ErrNotFound)
	for _, st := range []store.SignInState{edge, live} {
		got, err := s.ConsumeSignInState(ctx, st.Hash)
		check(t, "ConsumeSignInState kept "+st.Verifier, err)
		same(t, "kept "+st.Verifier, got, st)
	}
}

func testConsumeSignInStateConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	st := newSignInState("race", 10*time.Minute)
	check(t, "CreateSignInState", s.CreateSignInState(ctx, st))
	const n = 16
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, misses := 0, 0
	for range n {
		wg.Go(func() {
			<-start
			_, err := s.ConsumeSignInState(ctx, st.Hash)
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
		})
	}
	close(start)
	wg.Wait()
	if wins != 1 || misses != n-1 {
		t.Fatalf("%d won, %d missed; want exactly one winner", wins, misses)
	}
}

// testSetUserIdentity: an identity is set, found, replaced and removed;
// one identity belongs to one host.
func testSetUserIdentity(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice := seedUser(t, s, "u1")
	seedUser(t, s, "u2")
	const iss = "https://idp.example"
	check(t, "SetUserIdentity", s.SetUserIdentity(ctx, "u1", iss, "sub-a"))
	got, err := s.GetUserBySubject(ctx, iss, "sub-a")
	check(t, "GetUserBySubject", err)
	alice.Issuer, alice.Subject = iss, "sub-a"
	same(t, "linked host", got, alice)

	wantErr(t, "the same identity for another host", s.SetUserIdentity(ctx, "u2", iss, "sub-a"), store.ErrExists)
	wantErr(t, "an unknown host", s.SetUserIdentity(ctx, "nobody", iss, "sub-x"), store.ErrNotFound)
	// The same subject at another issuer is another identity.
	check(t, "SetUserIdentity other issuer", s.SetUserIdentity(ctx, "u2", "https://other.example", "sub-a"))

	check(t, "SetUserIdentity replace", s.SetUserIdentity(ctx, "u1", iss, "sub-b"))
	_, err = s.GetUserBySubject(ctx, iss, "sub-a")
	wantErr(t, "the replaced identity", err, store.ErrNotFound)
	got, err = s.GetUserBySubject(ctx, iss, "sub-b")
	check(t, "GetUserBySubject replaced", err)
	if got.ID != "u1" {
		t.Fatalf("sub-b is %s's, want u1's", got.ID)
	}

	check(t, "SetUserIdentity remove", s.SetUserIdentity(ctx, "u1", iss, ""))
	got, err = s.GetUser(ctx, "u1")
	check(t, "GetUser", err)
	if got.Issuer != "" || got.Subject != "" {
		t.Fatalf("after removing: issuer %q subject %q, want both empty", got.Issuer, got.Subject)
	}
	// The removed identity may go to someone else now.
	check(t, "SetUserIdentity freed", s.SetUserIdentity(ctx, "u2", iss, "sub-b"))
}

// testResealSignInStates: a sign-in state's verifier and return path move
// to the new key with the rest, and open with that key alone.
func testResealSignInStates(t *testing.T, open func(*store.Keyring) store.Store) {
	ctx := t.Context()
	old := open(ring(t, "a"))
	var states []store.SignInState
	for _, id := range []string{"o1", "o2", "o3"} {
		st := newSignInState(id, 10*time.Minute)
		st.ReturnTo = "/join/invite-of-" + id
		check(t, "CreateSignInState", old.CreateSignInState(ctx, st))
		states = append(states, st)
	}
	s := open(ring(t, "b", "a"))
	if got := pass(t, s, 2); got.Resealed != 3 || got.Skipped != 0 || got.Unopenable != 0 {
		t.Fatalf("pass = %+v, want 3 re-sealed", got)
	}
	only := open(ring(t, "b"))
	for _, st := range states {
		got, err := only.ConsumeSignInState(ctx, st.Hash)
		check(t, "ConsumeSignInState", err)
		same(t, "re-sealed "+st.Verifier, got, st)
	}
}
