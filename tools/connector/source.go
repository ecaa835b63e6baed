package connector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hostgate/hostgate/store"
	"golang.org/x/sync/singleflight"
)

// Store is what the token source keeps connections in.
type Store interface {
	GetConnection(ctx context.Context, id string) (store.Connection, error)
	UpdateConnection(ctx context.Context, c store.Connection) (store.Connection, error)
	ListExpiringConnections(ctx context.Context, before time.Time, limit int) ([]store.Connection, error)
}

// Tokens keeps vendor credentials fresh (ARCHITECTURE flow 6). For each
// connection at most one refresh runs at a time in this process
// (single-flight), and the store's version compare-and-swap settles races
// with other processes. A refreshed credential — with the vendor's rotated
// refresh token — is committed before its access token is used, and no
// database write is held across a vendor call.
type Tokens struct {
	store  Store
	specs  map[string]*Spec
	now    func() time.Time
	log    *slog.Logger
	skew   time.Duration
	flight singleflight.Group

	mu    sync.RWMutex
	cache map[string]cached // connection id → last known credential
}

type cached struct {
	cred    Credential
	version int64
}

// NewTokens returns a token keeper over st for the given vendor specs.
func NewTokens(st Store, specs []*Spec, now func() time.Time, log *slog.Logger) *Tokens {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	m := make(map[string]*Spec, len(specs))
	for _, s := range specs {
		m[s.Name] = s
	}
	return &Tokens{store: st, specs: m, now: now, log: log.With("component", "tokens"), skew: time.Minute, cache: map[string]cached{}}
}

// Spec returns the spec of a vendor.
func (t *Tokens) Spec(vendor string) (*Spec, bool) {
	s, ok := t.specs[vendor]
	return s, ok
}

// Source returns the token source of one connection.
func (t *Tokens) Source(conn store.Connection) TokenSource {
	return &source{t: t, id: conn.ID, vendor: conn.Vendor}
}

// Connector returns the connector of one connection.
func (t *Tokens) Connector(conn store.Connection) (Connector, error) {
	s, ok := t.specs[conn.Vendor]
	if !ok {
		return nil, fmt.Errorf("connector: unknown vendor %q", conn.Vendor)
	}
	return s.New(s, t.Source(conn)), nil
}

// Forget drops a connection's cached credential (after it is replaced or
// deleted).
func (t *Tokens) Forget(id string) {
	t.mu.Lock()
	delete(t.cache, id)
	t.mu.Unlock()
}

type source struct {
	t      *Tokens
	id     string
	vendor string
}

func (s *source) Token(ctx context.Context) (Credential, error) {
	t := s.t
	t.mu.RLock()
	c, ok := t.cache[s.id]
	t.mu.RUnlock()
	if ok && c.cred.Valid(t.now(), t.skew) {
		return c.cred, nil
	}
	return t.refresh(ctx, s.id, c.cred.AccessToken, false)
}

func (s *source) Rejected(ctx context.Context, token string) (Credential, error) {
	return s.t.refresh(ctx, s.id, token, true)
}

// refreshTimeout bounds one refresh. It runs detached from the caller's
// context: a caller that gives up must not abort a refresh between the
// vendor rotating the refresh token and hostgate storing it.
const refreshTimeout = 30 * time.Second

// refresh returns a valid credential for the connection, refreshing it
// unless the stored one is already newer than stale. rejected says the
// vendor refused stale outright (rather than it nearing expiry).
func (t *Tokens) refresh(ctx context.Context, id, stale string, rejected bool) (Credential, error) {
	ch := t.flight.DoChan(id, func() (any, error) {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
		defer cancel()
		return t.refreshOnce(rctx, id, stale, rejected)
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

func (t *Tokens) refreshOnce(ctx context.Context, id, stale string, rejected bool) (Credential, error) {
	conn, err := t.store.GetConnection(ctx, id)
	if err != nil {
		return Credential{}, fmt.Errorf("connector: get connection: %w", err)
	}
	if conn.Status == store.StatusNeedsReauth {
		return Credential{}, fmt.Errorf("%s: %w", conn.Vendor, ErrNeedsReauth)
	}
	cred, err := DecodeCredential(conn.Secret)
	if err != nil {
		return Credential{}, err
	}
	now := t.now()
	// Someone (another request in a past flight, another process) already
	// stored a newer credential: use it.
	if cred.AccessToken != stale && cred.Valid(now, t.skew) {
		t.remember(id, cred, conn.Version)
		return cred, nil
	}
	if !rejected && cred.Valid(now, t.skew) {
		t.remember(id, cred, conn.Version)
		return cred, nil
	}
	spec, ok := t.specs[conn.Vendor]
	if !ok {
		return Credential{}, fmt.Errorf("connector: unknown vendor %q", conn.Vendor)
	}
	if spec.Refresh == nil || (cred.RefreshToken == "" && cred.ClientSecret == "") {
		// A personal token the vendor refused cannot be renewed by us.
		return Credential{}, t.markReauth(ctx, conn, "the vendor refused the saved token")
	}
	fresh, err := spec.Refresh(ctx, spec, cred)
	if errors.Is(err, ErrNeedsReauth) {
		return Credential{}, t.markReauth(ctx, conn, "the vendor refused to renew access")
	}
	if err != nil {
		t.log.WarnContext(ctx, "vendor refresh failed", "vendor", conn.Vendor, "connection", id, "err", err)
		return Credential{}, err
	}
	// Persist before use. On a version conflict (a host edit, another
	// process) apply the new credential to the newer row: the vendor has
	// already rotated, so ours is the one that works.
	for attempt := 0; ; attempt++ {
		conn.Secret = fresh.Encode()
		conn.AccessExpiresAt, conn.RefreshExpiresAt = fresh.Expiry, fresh.RefreshExpiry
		conn.Status, conn.LastError, conn.UpdatedAt = store.StatusOK, "", t.now()
		saved, err := t.store.UpdateConnection(ctx, conn)
		if err == nil {
			t.remember(id, fresh, saved.Version)
			t.log.InfoContext(ctx, "vendor token refreshed", "vendor", conn.Vendor, "connection", id)
			return fresh, nil
		}
		if !errors.Is(err, store.ErrConflict) || attempt >= 5 {
			return Credential{}, fmt.Errorf("connector: save refreshed credential: %w", err)
		}
		if conn, err = t.store.GetConnection(ctx, id); err != nil {
			return Credential{}, fmt.Errorf("connector: get connection: %w", err)
		}
	}
}

// markReauth records that only the host can repair the connection.
func (t *Tokens) markReauth(ctx context.Context, conn store.Connection, why string) error {
	t.Forget(conn.ID)
	for attempt := 0; attempt < 5; attempt++ {
		conn.Status, conn.LastError, conn.UpdatedAt = store.StatusNeedsReauth, why, t.now()
		_, err := t.store.UpdateConnection(ctx, conn)
		if err == nil || !errors.Is(err, store.ErrConflict) {
			if err != nil {
				t.log.ErrorContext(ctx, "mark needs_reauth", "connection", conn.ID, "err", err)
			}
			break
		}
		c, gerr := t.store.GetConnection(ctx, conn.ID)
		if gerr != nil {
			break
		}
		conn = c
	}
	t.log.WarnContext(ctx, "connection needs the host to reconnect", "vendor", conn.Vendor, "connection", conn.ID, "reason", why)
	return fmt.Errorf("%s: %w", conn.Vendor, ErrNeedsReauth)
}

func (t *Tokens) remember(id string, c Credential, version int64) {
	t.mu.Lock()
	if old, ok := t.cache[id]; !ok || old.version <= version {
		t.cache[id] = cached{cred: c, version: version}
	}
	t.mu.Unlock()
}

// Refresh renews a connection's credential now, whatever its expiry, and
// returns the connection as stored afterwards.
func (t *Tokens) Refresh(ctx context.Context, conn store.Connection) (store.Connection, error) {
	cred, err := DecodeCredential(conn.Secret)
	if err != nil {
		return conn, err
	}
	if spec, ok := t.specs[conn.Vendor]; ok && spec.Refresh != nil {
		if _, err := t.refresh(ctx, conn.ID, cred.AccessToken, true); err != nil {
			return conn, err
		}
	}
	return t.store.GetConnection(ctx, conn.ID)
}
