package oauthpkce

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hostgate/hostgate/store"
)

// Access is what a valid access token grants: who, which client, what.
type Access struct {
	GrantID     string
	UserID      string
	Username    string
	ClientID    string
	ClientName  string
	Scopes      []string
	Resource    string
	Connections []string
	ExpiresAt   time.Time
}

// ErrInvalidToken means the bearer token is unknown, expired, revoked, not
// an access token, or for another audience. Callers answer 401.
var ErrInvalidToken = errors.New("oauthpkce: invalid token")

// cacheFor bounds how long a verified token is trusted without asking the
// store again. Revocations through this server take effect at once anyway
// (tokenCache.invalidate), and those by another process sharing a
// PostgreSQL database as soon as its notification arrives (ForgetVerified);
// the bound covers a change feed that is down.
const cacheFor = 15 * time.Second

// tokenCache keeps recently verified access tokens so that an MCP request
// does not cost a database round trip. Any revocation bumps the epoch, which
// empties it at once.
type tokenCache struct {
	epoch atomic.Uint64
	mu    sync.RWMutex
	m     map[string]cachedAccess
}

type cachedAccess struct {
	access   Access
	epoch    uint64
	verified time.Time
}

const cacheMax = 50000

func newTokenCache() *tokenCache { return &tokenCache{m: make(map[string]cachedAccess)} }

func (c *tokenCache) invalidate() {
	c.epoch.Add(1)
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}

// VerifyAccessToken resolves a bearer token to the access it grants. It
// checks kind, expiry, revocation of token and grant, and the audience
// (RFC 8707; MCP: a server MUST reject tokens not issued for it).
func (s *Server) VerifyAccessToken(ctx context.Context, token string) (Access, error) {
	now := s.now()
	hash := store.Hash(token)
	epoch := s.tokens.epoch.Load()
	s.tokens.mu.RLock()
	e, ok := s.tokens.m[hash]
	s.tokens.mu.RUnlock()
	if ok && e.epoch == epoch && now.Sub(e.verified) < cacheFor && now.Before(e.access.ExpiresAt) {
		return e.access, nil
	}
	t, g, err := s.cfg.Store.GetToken(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return Access{}, ErrInvalidToken
	}
	if err != nil {
		return Access{}, fmt.Errorf("oauthpkce: verify token: %w", err)
	}
	switch {
	case t.Kind != store.KindAccess, !t.RevokedAt.IsZero(), !g.Active(), !now.Before(t.ExpiresAt):
		return Access{}, ErrInvalidToken
	case !s.isOurResource(g.Resource):
		return Access{}, ErrInvalidToken
	}
	scopes := g.Scopes
	if len(t.Scopes) > 0 { // narrowed by a refresh (RFC 6749 §6)
		scopes = t.Scopes
	}
	a := Access{GrantID: g.ID, UserID: g.UserID, ClientID: g.ClientID, Scopes: scopes,
		Resource: g.Resource, Connections: g.Connections, ExpiresAt: t.ExpiresAt}
	// Names travel with the cached access, so that tools answering "who"
	// cost no store read per call.
	if u, err := s.cfg.Store.GetUser(ctx, g.UserID); err == nil {
		a.Username = u.Username
	}
	if c, err := s.cfg.Store.GetClient(ctx, g.ClientID); err == nil {
		a.ClientName = c.Name
	}
	s.tokens.mu.Lock()
	if len(s.tokens.m) >= cacheMax {
		clear(s.tokens.m)
	}
	s.tokens.m[hash] = cachedAccess{access: a, epoch: epoch, verified: now}
	s.tokens.mu.Unlock()
	return a, nil
}
