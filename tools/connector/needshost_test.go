package connector_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// TestOnNeedsHostTold: the function OnNeedsHost registers hears of a
// connection once the lifecycle has stored its needs_reauth mark (so an
// alert loop it nudges finds the mark), and of nothing else.
func TestOnNeedsHostTold(t *testing.T) {
	f := newOAuthFixture(t)
	ctx := context.Background()
	var mu sync.Mutex
	var told []string
	f.lc.OnNeedsHost(func(id string) {
		c, err := f.store.GetConnection(ctx, id)
		mu.Lock()
		defer mu.Unlock()
		told = append(told, id+" "+string(c.Status))
		if err != nil {
			t.Errorf("GetConnection: %v", err)
		}
	})
	pl := f.lister(t)
	if _, err := pl.ListProperties(ctx); err != nil {
		t.Fatal(err)
	}
	f.fake.RotateRefreshTokensOutOfBand()
	f.clock.Advance(8 * 24 * time.Hour)
	for range 2 {
		if _, err := pl.ListProperties(ctx); !errors.Is(err, connector.ErrNeedsReauth) {
			t.Fatalf("dead refresh: %v, want ErrNeedsReauth", err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(told) != 1 || told[0] != f.conn.ID+" needs_reauth" {
		t.Fatalf("told %v, want [%s needs_reauth] once", told, f.conn.ID)
	}
}
