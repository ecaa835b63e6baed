package connector_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// hostexTokenPath is the sandbox Hostex's token endpoint: every renewal is
// one request to it.
const hostexTokenPath = "/v3/oauth/authorizations"

// replicas are n hostgate processes over the world's database: each its
// own store handle (its own pool), lifecycle, token cache and single
// flight. The first uses the world's store.
func (w *world) replicas(t *testing.T, n int) []*connector.Lifecycle {
	t.Helper()
	lcs := []*connector.Lifecycle{w.lc}
	for range n - 1 {
		lcs = append(lcs, connector.NewLifecycle(w.db.Open(t, ring()), w.reg, w.clock.Now, quiet))
	}
	return lcs
}

// burst makes n vendor calls at once on the connection, call i through
// process i mod len(lcs), and returns their errors.
func burst(ctx context.Context, lcs []*connector.Lifecycle, conn store.Connection, n int) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = lcs[i%len(lcs)].Check(ctx, conn)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// TestReplicasRenewOnce: 50 calls at once after the Hostex access token
// expired, spread over three processes sharing one database, make exactly
// one request to the vendor's token endpoint: Hostex rotates the refresh
// token and refuses the old one at once, so a second request would fail
// and could mark the connection needs_reauth. Every call succeeds, and the
// connection stays ok with the renewed credential — 20 rounds over.
func TestReplicasRenewOnce(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	conn := w.connect(t, ways[1])
	hx := w.fake(t, "hostex")
	lcs := w.replicas(t, 3)
	for round := range 20 {
		// Past the 7-day lifetime: expired for hostgate and the vendor.
		w.clock.Advance(7*24*time.Hour + time.Minute)
		before := hx.Requests(hostexTokenPath)
		for i, err := range burst(ctx, lcs, conn, 50) {
			if err != nil {
				t.Fatalf("round %d: call %d (process %d): %v", round, i, i%len(lcs), err)
			}
		}
		if n := hx.Requests(hostexTokenPath) - before; n != 1 {
			t.Fatalf("round %d: %d token requests across 3 processes, want exactly 1", round, n)
		}
		stored := w.get(t, conn.ID)
		if stored.Status != store.StatusOK {
			t.Fatalf("round %d: status %s %q, want ok", round, stored.Status, stored.LastError)
		}
		if err := w.works(t, stored); err != nil {
			t.Fatalf("round %d: the stored credential does not work: %v", round, err)
		}
	}
}

// TestReplicaRenewalLeaseEnds: a lease whose process died blocks renewal
// only until its end, after which one process takes it over and renews
// once; a process whose renewal failed at the vendor releases its lease,
// so another renews at once rather than waiting for the lease's end (the
// injected clock does not move: a lease left held would make the second
// process wait, then give up with ErrUnavailable).
func TestReplicaRenewalLeaseEnds(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	conn := w.connect(t, ways[1])
	hx := w.fake(t, "hostex")
	lcs := w.replicas(t, 2)

	t.Run("taken over after a dead process's lease ends", func(t *testing.T) {
		w.clock.Advance(7*24*time.Hour + time.Minute)
		cur := w.get(t, conn.ID)
		now := w.clock.Now()
		won, err := w.store.ClaimRenewal(ctx, conn.ID, "dead process", cur.Version, now, now.Add(time.Second))
		if err != nil || !won {
			t.Fatalf("the dead process's claim: %v, %v", won, err)
		}
		w.clock.Advance(time.Second + time.Nanosecond)
		before := hx.Requests(hostexTokenPath)
		for i, err := range burst(ctx, lcs, conn, 10) {
			if err != nil {
				t.Fatalf("call %d: %v", i, err)
			}
		}
		if n := hx.Requests(hostexTokenPath) - before; n != 1 {
			t.Fatalf("%d token requests, want exactly 1", n)
		}
	})

	t.Run("released after a failed renewal", func(t *testing.T) {
		w.clock.Advance(7*24*time.Hour + time.Minute)
		before := hx.Requests(hostexTokenPath)
		hx.Fail(sandbox.Fault{Path: hostexTokenPath, Status: 500})
		if _, err := lcs[0].Check(ctx, conn); err == nil {
			t.Fatal("a renewal the vendor failed succeeded")
		}
		if _, err := lcs[1].Check(ctx, conn); err != nil {
			t.Fatalf("the other process, after the failed renewal: %v", err)
		}
		if n := hx.Requests(hostexTokenPath) - before; n != 2 {
			t.Fatalf("%d token requests, want 2 (the failed one, then one renewal)", n)
		}
		if c := w.get(t, conn.ID); c.Status != store.StatusOK {
			t.Fatalf("status %s %q, want ok", c.Status, c.LastError)
		}
	})

	t.Run("a live lease is waited for", func(t *testing.T) {
		// Another process holds the lease and saves its renewal while this
		// one waits (or before it reads: either way it must not spend the
		// refresh token itself): it then uses the stored credential, with
		// no token request of its own.
		w.clock.Advance(7*24*time.Hour + time.Minute)
		cur := w.get(t, conn.ID)
		now := w.clock.Now()
		if won, err := w.store.ClaimRenewal(ctx, conn.ID, "other process", cur.Version, now, now.Add(time.Minute)); err != nil || !won {
			t.Fatalf("the other process's claim: %v, %v", won, err)
		}
		before := hx.Requests(hostexTokenPath)
		done := make(chan error, 1)
		go func() { _, err := lcs[1].Check(ctx, conn); done <- err }()
		// The other process renews through the vendor and saves, as the
		// lifecycle does (the spec's Refresh, then one conditional write).
		spec := w.spec(t, "hostex")
		fresh, err := spec.Refresh(ctx, spec, credOf(t, cur))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.store.UpdateConnection(ctx, conn.ID, func(c store.Connection) (store.Connection, error) {
			c.Secret, c.AccessExpiresAt, c.RefreshExpiresAt = fresh.Encode(), fresh.Expiry, fresh.RefreshExpiry
			return c, nil
		}); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("the waiting process: %v", err)
		}
		if n := hx.Requests(hostexTokenPath) - before; n != 1 {
			t.Fatalf("%d token requests, want 1 (the other process's)", n)
		}
	})
}
