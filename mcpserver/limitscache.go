package mcpserver

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hostgate/hostgate/store"
)

// limitsCache keeps the hosts' limits of their apps (store.AppLimits) in
// memory, so that a tool call and a tools/list, which each need the
// caller's, cost no database read: on PostgreSQL that read was a round
// trip on every call. The limits change only when a host edits them on
// the connections page, or approves or revokes the app: those writes empty
// the cache here, and in every other replica through the change feed
// (store.TopicLimits, store.TopicGrants; fleet.go). An entry lives at most
// limitsFor, the bound when the feed is down (as for verified tokens).
type limitsCache struct {
	get func(ctx context.Context, userID, clientID string) (store.AppLimits, error)
	now func() time.Time

	// epoch moves on every invalidation; a read that began before one is
	// not kept, so a limit changed meanwhile is never cached as it was.
	epoch atomic.Uint64
	mu    sync.RWMutex
	m     map[limitsKey]cachedLimits
}

type limitsKey struct{ user, client string }

type cachedLimits struct {
	l  store.AppLimits
	at time.Time
}

const (
	limitsFor = 15 * time.Second
	// maxLimits bounds the entries: one per app in use on this replica.
	maxLimits = 8192
)

func newLimitsCache(get func(ctx context.Context, userID, clientID string) (store.AppLimits, error), now func() time.Time) *limitsCache {
	return &limitsCache{get: get, now: now, m: map[limitsKey]cachedLimits{}}
}

// limits returns the host's limits of the app, from memory when known.
func (c *limitsCache) limits(ctx context.Context, userID, clientID string) (store.AppLimits, error) {
	k := limitsKey{userID, clientID}
	now := c.now()
	c.mu.RLock()
	e, ok := c.m[k]
	c.mu.RUnlock()
	if ok && now.Sub(e.at) < limitsFor && !now.Before(e.at) {
		return e.l, nil
	}
	epoch := c.epoch.Load()
	l, err := c.get(ctx, userID, clientID)
	if err != nil {
		return l, err
	}
	c.mu.Lock()
	if c.epoch.Load() == epoch {
		if len(c.m) >= maxLimits {
			clear(c.m)
		}
		c.m[k] = cachedLimits{l: l, at: now}
	}
	c.mu.Unlock()
	return l, nil
}

// invalidate forgets every host's limits.
func (c *limitsCache) invalidate() {
	c.mu.Lock()
	c.epoch.Add(1)
	clear(c.m)
	c.mu.Unlock()
}
