package oauthpkce

import (
	"context"
	"fmt"
	"time"
)

// How long a client known by its metadata document is kept once nothing
// holds it. Anyone can make hostgate fetch and store a document by sending
// a URL to /authorize, so these rows must not live for ever; a live grant,
// a code or a draft always keeps one (see store.Clients).
const (
	// documentClientIdle: a client that got tokens goes this long after
	// the last one was issued, once it holds no live grant. A month, the
	// default refresh lifetime: a client idle that long has usually lost
	// its refresh token anyway and must ask the host again.
	documentClientIdle = 30 * 24 * time.Hour
	// documentClientUnused: a client that never got a token goes this long
	// after its document was first fetched. A real flow takes minutes (a
	// consent page lasts 15); a day leaves room for a host who comes back
	// to it, and bounds what URLs sent to /authorize can pile up to one
	// day's worth of the per-address fetch limit.
	documentClientUnused = 24 * time.Hour
)

// SweepDocumentClients deletes the clients known by a metadata document
// that are idle: never given a token a day after their document was first
// fetched, or given none for 30 days, and holding no live grant, code or
// draft. It returns how many it deleted. Such a client that comes back has
// its document fetched again and asks the host again, as a new one would.
func (s *Server) SweepDocumentClients(ctx context.Context) (int64, error) {
	now := s.now()
	n, err := s.cfg.Store.DeleteIdleDocumentClients(ctx, now.Add(-documentClientIdle), now.Add(-documentClientUnused), now)
	if err != nil {
		return 0, fmt.Errorf("oauthpkce: sweep document clients: %w", err)
	}
	return n, nil
}
