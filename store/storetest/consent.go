package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

func newConsentTx(hash, userID string) store.ConsentTransaction {
	return store.ConsentTransaction{Hash: store.Hash(hash), UserID: userID, SessionHash: "sess-" + hash,
		Request: "digest-" + hash, CreatedAt: t0, ExpiresAt: at(15 * time.Minute)}
}

func testConsentTransactions(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	want := newConsentTx("tx1", "u1")
	check(t, "CreateConsentTransaction", s.CreateConsentTransaction(ctx, want))
	wantErr(t, "CreateConsentTransaction again", s.CreateConsentTransaction(ctx, want), store.ErrExists)
	wantErr(t, "CreateConsentTransaction unknown user",
		s.CreateConsentTransaction(ctx, newConsentTx("tx2", "nobody")), store.ErrNotFound)
	got, err := s.ConsumeConsentTransaction(ctx, want.Hash)
	check(t, "ConsumeConsentTransaction", err)
	same(t, "ConsumeConsentTransaction", got, want)
	_, err = s.ConsumeConsentTransaction(ctx, want.Hash)
	wantErr(t, "ConsumeConsentTransaction again", err, store.ErrNotFound)
	_, err = s.ConsumeConsentTransaction(ctx, store.Hash("never"))
	wantErr(t, "ConsumeConsentTransaction unknown", err, store.ErrNotFound)

	// Expired transactions are swept; live ones stay.
	old, live := newConsentTx("old", "u1"), newConsentTx("live", "u1")
	live.ExpiresAt = at(time.Hour)
	check(t, "CreateConsentTransaction old", s.CreateConsentTransaction(ctx, old))
	check(t, "CreateConsentTransaction live", s.CreateConsentTransaction(ctx, live))
	_, err = s.DeleteExpired(ctx, at(30*time.Minute))
	check(t, "DeleteExpired", err)
	_, err = s.ConsumeConsentTransaction(ctx, old.Hash)
	wantErr(t, "ConsumeConsentTransaction swept", err, store.ErrNotFound)
	_, err = s.ConsumeConsentTransaction(ctx, live.Hash)
	check(t, "ConsumeConsentTransaction live after sweep", err)
}

func testConsumeConsentTransactionConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	seedUser(t, s, "u1")
	tx := newConsentTx("tx", "u1")
	check(t, "CreateConsentTransaction", s.CreateConsentTransaction(ctx, tx))
	const n = 16
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, misses := 0, 0
	for range n {
		wg.Go(func() {
			<-start
			_, err := s.ConsumeConsentTransaction(ctx, tx.Hash)
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

func testDeleteUserSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedUser(t, s, "u2")
	for _, b := range []store.BrowserSession{
		{Hash: store.Hash("a1"), UserID: "u1", CreatedAt: t0, ExpiresAt: at(time.Hour)},
		{Hash: store.Hash("a2"), UserID: "u1", CreatedAt: t0, ExpiresAt: at(time.Hour)},
		{Hash: store.Hash("b1"), UserID: "u2", CreatedAt: t0, ExpiresAt: at(time.Hour)},
	} {
		check(t, "CreateSession", s.CreateSession(ctx, b))
	}
	n, err := s.DeleteUserSessions(ctx, "u1")
	check(t, "DeleteUserSessions", err)
	if n != 2 {
		t.Fatalf("DeleteUserSessions ended %d sessions, want 2", n)
	}
	for _, h := range []string{"a1", "a2"} {
		_, err := s.GetSession(ctx, store.Hash(h))
		wantErr(t, "GetSession after DeleteUserSessions", err, store.ErrNotFound)
	}
	_, err = s.GetSession(ctx, store.Hash("b1"))
	check(t, "GetSession of another user", err)
	n, err = s.DeleteUserSessions(ctx, "u1")
	check(t, "DeleteUserSessions again", err)
	if n != 0 {
		t.Fatalf("DeleteUserSessions again ended %d sessions, want 0", n)
	}
}
