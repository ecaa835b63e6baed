package connector

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// RefreshExpiring refreshes, ahead of time, connections whose access token
// expires within the given window (ARCHITECTURE flow 7), at most
// concurrency at once, and returns how many it refreshed. Failures are
// logged and left for the next round or the next call.
func (t *Tokens) RefreshExpiring(ctx context.Context, within time.Duration, concurrency int) int {
	conns, err := t.store.ListExpiringConnections(ctx, t.now().Add(within), 100)
	if err != nil {
		t.log.ErrorContext(ctx, "list expiring connections", "err", err)
		return 0
	}
	if concurrency < 1 {
		concurrency = 1
	}
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	var mu sync.Mutex
	n := 0
	for _, c := range conns {
		if _, ok := t.specs[c.Vendor]; !ok || t.specs[c.Vendor].Refresh == nil {
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return n
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			cred, err := DecodeCredential(c.Secret)
			if err != nil {
				return
			}
			// Passing the current token as stale makes refreshOnce renew
			// it even though it is still (briefly) valid.
			if _, err := t.refresh(ctx, c.ID, cred.AccessToken, true); err == nil {
				mu.Lock()
				n++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return n
}

// RunRefresher calls RefreshExpiring every interval, with ±20% jitter so
// that several hostgate processes do not refresh in lockstep, until ctx ends.
func (t *Tokens) RunRefresher(ctx context.Context, interval, within time.Duration, concurrency int) {
	for {
		t.RefreshExpiring(ctx, within, concurrency)
		d := time.Duration(float64(interval) * (0.8 + 0.4*rand.Float64()))
		timer := time.NewTimer(d)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
	}
}
