package hospitable

import (
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/hostgate/hostgate/tools/connector"
)

// scoped is a relation Hospitable includes in an answer only for a token
// holding a scope [C: public.json, each endpoint's "Available includes":
// financials needs financials:read, listings needs listing:read]. A
// connection may lack it: an OAuth token carries the scopes set in the
// Partner Portal, a personal token those its host chose, and neither
// answer names them. The reference does not say how Hospitable refuses
// such an include; a missing scope is a 403 [T]. So hostgate asks for the
// relation, and when a request that asked is refused with 403 it asks once
// more without it; if that succeeds, the token is remembered as one
// without the scope and is not asked again. A read never fails for a
// relation it can do without: reservations come without totals,
// properties without their channels.
type scoped struct {
	include, scope string
	// refused remembers, across the connectors built for each call, the
	// tokens Hospitable refused the relation to.
	refused *tokenSet
}

var (
	financials = &scoped{include: "financials", scope: "financials:read", refused: newTokenSet()}
	listings   = &scoped{include: "listings", scope: "listing:read", refused: newTokenSet()}
)

// asks reports whether a read should ask for s: not when this connection
// was refused it, when its granted scope is known and lacks s.scope, or
// when its token is one Hospitable already refused.
func (c *conn) asks(ctx context.Context, s *scoped) bool {
	if _, no := c.refused.Load(s); no {
		return false
	}
	if c.Source == nil {
		return true
	}
	cred, err := c.Source.Token(ctx)
	if err != nil {
		return true // the read itself reports the token's trouble
	}
	granted := strings.FieldsFunc(cred.Scope, func(r rune) bool { return r == ' ' || r == ',' })
	if len(granted) > 0 && !slices.Contains(granted, s.scope) {
		return false
	}
	if s.refused.has(cred.AccessToken) {
		c.refused.Store(s, true)
		return false
	}
	return true
}

// withScoped runs read asking for s when asks says so, and once more
// without it when Hospitable refuses the read that asked with a 403 (see
// scoped).
func withScoped[T any](ctx context.Context, c *conn, s *scoped, read func(with bool) (T, error)) (T, error) {
	with := c.asks(ctx, s)
	out, err := read(with)
	if err == nil || !with || !errors.Is(err, connector.ErrForbidden) {
		return out, err
	}
	out, err = read(false)
	if err == nil {
		c.refused.Store(s, true)
		if cred, terr := c.Source.Token(ctx); terr == nil {
			s.refused.add(cred.AccessToken)
		}
	}
	return out, err
}

// tokenSet holds access tokens by their digest (a token is never kept).
// A token is one host's, so nothing is shared between hosts; a renewed
// token is learnt again, with one refused request. Bounded: when full it
// starts over.
type tokenSet struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]struct{}
}

const tokenSetMax = 4096

func newTokenSet() *tokenSet { return &tokenSet{m: map[[sha256.Size]byte]struct{}{}} }

func (s *tokenSet) has(token string) bool {
	if token == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[sha256.Sum256([]byte(token))]
	return ok
}

func (s *tokenSet) add(token string) {
	if token == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= tokenSetMax {
		clear(s.m)
	}
	s.m[sha256.Sum256([]byte(token))] = struct{}{}
}
