package connector

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hostgate/hostgate/internal/metrics"
	"github.com/hostgate/hostgate/store"
	"golang.org/x/sync/singleflight"
)

// tokenCache holds the last credential known for each connection, so that a
// vendor call costs no database read, and the single flight that renews a
// connection's credential at most once at a time in this process.
type tokenCache struct {
	flight singleflight.Group
	mu     sync.RWMutex
	m      map[string]cached // connection id → credential
}

type cached struct {
	cred    Credential
	version int64 // of the row it was read from or written to
}

// Source returns the token source of one connection. Its credential is
// renewed when it nears expiry and when the vendor refuses it; a renewed
// credential, with the vendor's rotated refresh token, is committed before
// its access token is used, no database write is held across the vendor
// call, another process renewing the same credential is waited for rather
// than raced (lease.go), and the store settles any race left (see
// saveRenewal). A refused credential that cannot be renewed marks the
// connection needs_reauth.
func (l *Lifecycle) Source(conn store.Connection) TokenSource {
	return &source{l: l, id: conn.ID}
}

type source struct {
	l  *Lifecycle
	id string
}

func (s *source) Token(ctx context.Context) (Credential, error) {
	c, ok := s.l.cached(s.id)
	if ok && c.Valid(s.l.now(), s.l.skew) {
		return c, nil
	}
	return s.l.renew(ctx, s.id, c.AccessToken, false)
}

func (s *source) Rejected(ctx context.Context, token string) (Credential, error) {
	return s.l.renew(ctx, s.id, token, true)
}

// renewTimeout bounds one renewal. It runs detached from the caller's
// context: a caller that gives up must not abort a renewal between the
// vendor rotating the refresh token and hostgate storing it.
const renewTimeout = 30 * time.Second

// renew returns a credential to use for the connection, renewing it unless
// the stored one is already newer than stale. refused says the vendor
// refused stale, or the caller wants it renewed whatever its expiry.
func (l *Lifecycle) renew(ctx context.Context, id, stale string, refused bool) (Credential, error) {
	ch := l.tokens.flight.DoChan(id, func() (any, error) {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), renewTimeout)
		defer cancel()
		return l.renewOnce(rctx, id, stale, refused)
	})
	select {
	case <-ctx.Done():
		return Credential{}, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return Credential{}, r.Err
		}
		return r.Val.(Credential), nil
	}
}

func (l *Lifecycle) renewOnce(ctx context.Context, id, stale string, refused bool) (Credential, error) {
	var wait leaseWaiter
	for {
		conn, cred, err := l.stored(ctx, id)
		if err != nil {
			return Credential{}, err
		}
		// Still good, or already renewed by someone else (an earlier
		// flight, another process): use it.
		if cred.Valid(l.now(), l.skew) && (!refused || cred.AccessToken != stale) {
			return cred, nil
		}
		spec, ok := l.vendors.Spec(conn.Vendor)
		if !ok {
			return Credential{}, fmt.Errorf("connector: unknown vendor %q", conn.Vendor)
		}
		if !renewable(spec, cred) {
			if !refused {
				// Past its expiry by our clock, with nothing to renew it
				// by: the vendor is the judge of whether it still works.
				return cred, nil
			}
			// A personal token the vendor refused: only the host can
			// replace it.
			return l.refused(ctx, conn, "the vendor refused the saved token")
		}
		won, err := l.claim(ctx, conn)
		if err != nil {
			return Credential{}, err
		}
		if won {
			return l.renewLeased(ctx, spec, conn, cred)
		}
		// Another process is renewing this credential (or has just saved
		// its renewal): read the row again after a pause.
		if err := wait.wait(ctx, conn.Vendor); err != nil {
			return Credential{}, err
		}
	}
}

// renewLeased renews the credential cred of conn, whose lease this process
// holds: one vendor call, outside any transaction, then the save, which
// ends the lease. A renewal that saved nothing releases it.
func (l *Lifecycle) renewLeased(ctx context.Context, spec *Spec, conn store.Connection, cred Credential) (Credential, error) {
	id := conn.ID
	saved := false
	defer func() {
		if !saved {
			l.release(ctx, id)
		}
	}()
	keeping := l.keepLease(ctx, conn)
	fresh, err := spec.Refresh(ctx, spec, cred)
	keeping()
	if errors.Is(err, ErrNeedsReauth) {
		spec.Metrics.VendorRefresh(conn.Vendor, metrics.RefreshNeedsReauth)
		return l.refused(ctx, conn, "the vendor refused to renew access")
	}
	if err != nil {
		spec.Metrics.VendorRefresh(conn.Vendor, metrics.RefreshFailed)
		l.log.WarnContext(ctx, "vendor refresh failed", "vendor", conn.Vendor, "connection", id, "err", err)
		return Credential{}, err
	}
	row, err := l.saveRenewal(ctx, id, conn.Secret, fresh)
	if errors.Is(err, errSuperseded) {
		// The host reconnected, or another process renewed first: the
		// stored credential is the newer one.
		spec.Metrics.VendorRefresh(conn.Vendor, metrics.RefreshSuperseded)
		_, cred, err := l.stored(ctx, id)
		return cred, err
	}
	if err != nil {
		spec.Metrics.VendorRefresh(conn.Vendor, metrics.RefreshFailed)
		return Credential{}, fmt.Errorf("connector: save renewed credential: %w", err)
	}
	saved = true
	spec.Metrics.VendorRefresh(conn.Vendor, metrics.RefreshOK)
	l.remember(id, fresh, row.Version)
	l.log.InfoContext(ctx, "vendor token refreshed", "vendor", conn.Vendor, "connection", id)
	return fresh, nil
}

// refused marks the connection needs_reauth for a credential the vendor
// refused, unless the stored credential changed meanwhile: then that one
// is returned to try.
func (l *Lifecycle) refused(ctx context.Context, conn store.Connection, why string) (Credential, error) {
	err := l.markNeedsReauth(ctx, conn, conn.Secret, why)
	if errors.Is(err, errSuperseded) {
		_, cred, err := l.stored(ctx, conn.ID)
		return cred, err
	}
	return Credential{}, err
}

// stored reads the connection and its credential, and caches the credential.
// A connection that needs the host gives ErrNeedsReauth.
func (l *Lifecycle) stored(ctx context.Context, id string) (store.Connection, Credential, error) {
	conn, err := l.store.GetConnection(ctx, id)
	if err != nil {
		return store.Connection{}, Credential{}, fmt.Errorf("connector: get connection: %w", err)
	}
	if conn.Status == store.StatusNeedsReauth {
		return conn, Credential{}, fmt.Errorf("%s: %w", conn.Vendor, ErrNeedsReauth)
	}
	cred, err := DecodeCredential(conn.Secret)
	if err != nil {
		return conn, Credential{}, err
	}
	l.remember(id, cred, conn.Version)
	return conn, cred, nil
}

func (l *Lifecycle) cached(id string) (Credential, bool) {
	l.tokens.mu.RLock()
	defer l.tokens.mu.RUnlock()
	c, ok := l.tokens.m[id]
	return c.cred, ok
}

// remember caches a credential unless a newer one is cached.
func (l *Lifecycle) remember(id string, c Credential, version int64) {
	l.tokens.mu.Lock()
	if old, ok := l.tokens.m[id]; !ok || old.version <= version {
		l.tokens.m[id] = cached{cred: c, version: version}
	}
	l.tokens.mu.Unlock()
}

// forget drops a connection's cached credential, after it is replaced,
// refused or deleted.
func (l *Lifecycle) forget(id string) {
	l.tokens.mu.Lock()
	delete(l.tokens.m, id)
	l.tokens.mu.Unlock()
}
