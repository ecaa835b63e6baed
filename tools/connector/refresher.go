package connector

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hostgate/hostgate/store"
)

// RefreshExpiring renews, ahead of time, the credentials of connections
// whose access token expires within the given window, at most concurrency
// at once, and returns how many it renewed. Only credentials hostgate can
// renew by itself are touched. Failures are logged and left for the next
// round or the next call.
func (l *Lifecycle) RefreshExpiring(ctx context.Context, within time.Duration, concurrency int) int {
	conns, err := l.store.ListExpiringConnections(ctx, l.now().Add(within), 100)
	if err != nil {
		l.log.ErrorContext(ctx, "list expiring connections", "err", err)
		return 0
	}
	sem := make(chan struct{}, max(concurrency, 1))
	var wg sync.WaitGroup
	var n atomic.Int64
	for _, c := range conns {
		if c.Status != store.StatusOK {
			// The store found the credential does not open and marked the
			// connection: only the host can repair it, and the others
			// carry on.
			if c.LastError == store.UnopenableSecret {
				l.log.WarnContext(ctx, "a connection's saved credential could not be decrypted; the host must reconnect it (was a key removed from the key set?)",
					"host_id", c.UserID, "vendor", c.Vendor, "connection", c.ID)
			}
			continue
		}
		spec, ok := l.vendors.Spec(c.Vendor)
		if !ok {
			continue
		}
		cred, err := DecodeCredential(c.Secret)
		if err != nil || !renewable(spec, cred) {
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return int(n.Load())
		}
		wg.Go(func() {
			defer func() { <-sem }()
			// Passing the current token as refused renews it even though
			// it is still (briefly) valid.
			if _, err := l.renew(ctx, c.ID, cred.AccessToken, true); err == nil {
				n.Add(1)
			}
		})
	}
	wg.Wait()
	return int(n.Load())
}
