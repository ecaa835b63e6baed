package connector_test

import (
	"context"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// TestRefreshExpiring: the background refresher (flow 7) renews a token
// that expires within the window before anyone meets it expired, and leaves
// others alone.
func TestRefreshExpiring(t *testing.T) {
	f := newOAuthFixture(t)
	ctx := context.Background()
	before := f.fake.TokenRequests()
	// Seven days left: outside a 15-minute window.
	if n := f.lc.RefreshExpiring(ctx, 15*time.Minute, 4); n != 0 {
		t.Fatalf("refreshed %d fresh connections", n)
	}
	f.clock.Advance(7*24*time.Hour - 10*time.Minute)
	c0, _ := f.store.GetConnection(ctx, f.conn.ID)
	if n := f.lc.RefreshExpiring(ctx, 15*time.Minute, 4); n != 1 {
		t.Fatalf("refreshed %d, want 1", n)
	}
	if got := f.fake.TokenRequests() - before; got != 1 {
		t.Fatalf("%d token requests, want 1", got)
	}
	c1, _ := f.store.GetConnection(ctx, f.conn.ID)
	if c1.Version != c0.Version+1 || !c1.AccessExpiresAt.After(c0.AccessExpiresAt) || c1.Status != store.StatusOK {
		t.Fatalf("connection after refresh: version %d→%d, expiry %s→%s, %s", c0.Version, c1.Version, c0.AccessExpiresAt, c1.AccessExpiresAt, c1.Status)
	}
	// The renewed token works without another refresh.
	if _, err := f.lister(t).ListProperties(ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.fake.TokenRequests() - before; got != 1 {
		t.Fatalf("%d token requests after a call, want still 1", got)
	}
}
