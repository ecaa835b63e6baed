package mcpserver

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hostgate/hostgate/store"
)

// connCacheFor bounds how long a host's connection list is served from
// memory. Every write through this process invalidates it at once, and one
// by another process sharing a PostgreSQL database when its notification
// arrives (fleet.go); the bound covers a change feed that is down.
const connCacheFor = 5 * time.Second

// connCache keeps each host's connection list in memory so that a tool call
// does not cost a database read (and a decryption per connection). It wraps
// the store: connection writes go through it and drop the cached lists.
type connCache struct {
	store.Store
	now   func() time.Time
	epoch atomic.Uint64
	mu    sync.RWMutex
	lists map[string]cachedConns
}

type cachedConns struct {
	conns   []store.Connection
	epoch   uint64
	fetched time.Time
}

func newConnCache(st store.Store, now func() time.Time) *connCache {
	return &connCache{Store: st, now: now, lists: map[string]cachedConns{}}
}

// ListConnections returns the host's connections, from memory when fresh.
// Callers must not modify the returned slice's elements' byte slices.
func (c *connCache) ListConnections(ctx context.Context, userID string) ([]store.Connection, error) {
	epoch := c.epoch.Load()
	c.mu.RLock()
	e, ok := c.lists[userID]
	c.mu.RUnlock()
	if ok && e.epoch == epoch && c.now().Sub(e.fetched) < connCacheFor {
		return e.conns, nil
	}
	conns, err := c.Store.ListConnections(ctx, userID)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.lists) > 10000 {
		clear(c.lists)
	}
	c.lists[userID] = cachedConns{conns: conns, epoch: epoch, fetched: c.now()}
	c.mu.Unlock()
	return conns, nil
}

func (c *connCache) invalidate() {
	c.epoch.Add(1)
	c.mu.Lock()
	clear(c.lists)
	c.mu.Unlock()
}

// CreateConnection implements store.Connections and drops cached lists.
func (c *connCache) CreateConnection(ctx context.Context, conn store.Connection) error {
	defer c.invalidate()
	return c.Store.CreateConnection(ctx, conn)
}

// UpdateConnection implements store.Connections and drops cached lists.
func (c *connCache) UpdateConnection(ctx context.Context, id string, fn func(store.Connection) (store.Connection, error)) (store.Connection, error) {
	defer c.invalidate()
	return c.Store.UpdateConnection(ctx, id, fn)
}

// DeleteConnection implements store.Connections and drops cached lists.
func (c *connCache) DeleteConnection(ctx context.Context, id string) error {
	defer c.invalidate()
	return c.Store.DeleteConnection(ctx, id)
}

// RemoveMember implements store.Teams and drops cached lists: the removed
// host's list must lose the team's connections on its next call.
func (c *connCache) RemoveMember(ctx context.Context, teamID, userID string) error {
	defer c.invalidate()
	return c.Store.RemoveMember(ctx, teamID, userID)
}

// AcceptInvite implements store.Teams and drops cached lists.
func (c *connCache) AcceptInvite(ctx context.Context, hash, userID string, now time.Time) (store.Membership, error) {
	defer c.invalidate()
	return c.Store.AcceptInvite(ctx, hash, userID, now)
}

// DisableUser implements store.Users and drops cached lists.
func (c *connCache) DisableUser(ctx context.Context, userID string, at time.Time) error {
	defer c.invalidate()
	return c.Store.DisableUser(ctx, userID, at)
}
