package mcpserver

import (
	"context"
	"sync/atomic"

	"github.com/hostgate/hostgate/store"
)

// fleet applies what other processes sharing the database change to this
// one's caches (store.Fleet's change feed), so that a revocation or a
// membership change made through any replica holds on the next call to
// every other: the verified access tokens, the hosts' connection lists,
// the connections' credentials and vendor reads, and the MCP sessions.
type fleet struct {
	stop context.CancelFunc
	done chan struct{}
	// applied, when set, hears each change after it was applied (tests).
	applied atomic.Pointer[func(store.Change)]
}

// follow subscribes to the store's changes; it returns once the
// subscription is in place, so that every change committed after New
// returns reaches this server.
func (s *Server) follow(conns *connCache) error {
	ctx, stop := context.WithCancel(context.Background())
	ch, err := s.cfg.Store.Subscribe(ctx)
	if err != nil {
		stop()
		return err
	}
	s.fleet = &fleet{stop: stop, done: make(chan struct{})}
	counted := s.metrics.FleetChanges()
	go func() {
		defer close(s.fleet.done)
		for c := range ch {
			s.apply(conns, c)
			counted(c.Topic)
			if f := s.fleet.applied.Load(); f != nil {
				(*f)(c)
			}
		}
	}()
	return nil
}

// apply drops what c makes stale. Every cache here is refilled from the
// store on its next use, so dropping too much costs a read, never
// correctness; dropping too little would keep a revoked grant alive.
func (s *Server) apply(conns *connCache, c store.Change) {
	switch c.Topic {
	case store.TopicGrants:
		s.oauth.ForgetVerified()
		s.limits.invalidate()
	case store.TopicLimits:
		s.limits.invalidate()
	case store.TopicConnections:
		conns.invalidate()
		s.lifecycle.Forget(c.Key)
	case store.TopicSessions:
		s.sessions.ended(c.Key)
	default: // TopicReset, or a topic newer than this build
		switch c.Key {
		case store.ResetLost:
			s.log.Warn("lost the database's change feed: caches dropped; reconnecting")
		case store.ResetBack:
			s.log.Info("the database's change feed is back: caches dropped")
		}
		s.oauth.ForgetVerified()
		s.limits.invalidate()
		conns.invalidate()
		s.lifecycle.ForgetAll()
		s.sessions.distrust()
	}
}

// stopFollowing ends the subscription and waits for its goroutine.
func (s *Server) stopFollowing() {
	if s.fleet == nil {
		return
	}
	s.fleet.stop()
	<-s.fleet.done
}
