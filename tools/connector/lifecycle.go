package connector

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/hostgate/hostgate/store"
)

// Lifecycle is the one owner of hosts' vendor connections. It connects them
// (an OAuth code, a pasted personal token, an API key), checks them, renews
// their credentials (near expiry, when a vendor refuses one, on demand and
// ahead of time), marks the ones only the host can repair, and disconnects
// them. Every change to a stored connection is one of its methods, written
// through the store's UpdateConnection, whose function decides from the row
// as it is at that moment; no vendor call is ever made inside one.
//
// It is also every connection's token source (source.go) and runs the
// background refresher (refresher.go). It is safe for concurrent use.
type Lifecycle struct {
	store   store.Connections
	vendors *Registry
	now     func() time.Time
	log     *slog.Logger
	// skew is how long before its expiry an access token counts as expired.
	skew   time.Duration
	tokens tokenCache
	// lease is the renewal lease among processes (lease.go).
	lease leaser
	// reads is the vendor read cache, dropped for a connection whenever its
	// credential is forgotten (see UseCache); nil when none.
	reads *Cache
	// needsHost is told of each connection marked needs_reauth (OnNeedsHost).
	needsHost atomic.Pointer[func(connectionID string)]
	// onChange hears of connects, reconnects, disconnects and connections
	// that need the host (see OnChange); nil when no one listens.
	onChange func(ctx context.Context, c Change)
}

// NewLifecycle returns the lifecycle of the connections kept in st, for the
// vendors of reg. A nil now is time.Now; a nil log is slog.Default().
func NewLifecycle(st store.Connections, vendors *Registry, now func() time.Time, log *slog.Logger) *Lifecycle {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Lifecycle{store: st, vendors: vendors, now: now, log: log.With("component", "connections"),
		skew: time.Minute, tokens: tokenCache{m: map[string]cached{}}, lease: newLeaser(st)}
}

// Connector returns the connector of one connection, over its token source.
// Building it makes no vendor call.
func (l *Lifecycle) Connector(conn store.Connection) (Connector, error) {
	return l.vendors.Connector(conn, l.Source(conn))
}

// Connect says what a host connects: connect-form Values (a pasted token,
// an account id and API key) or, for an OAuth flow, the authorization Code.
type Connect struct {
	UserID string
	// TeamID is the team a new connection is for, empty for the host's
	// own. The caller has checked that the host is an owner of the team;
	// a reconnect keeps the team of the connection it replaces.
	TeamID string
	Vendor string
	Kind   store.AuthKind
	// Values are the connect form's fields by Field.Name, when Kind is not
	// OAuth. Surrounding space is ignored.
	Values map[string]string
	// Code, Verifier and RedirectURI finish an OAuth flow (Kind OAuth).
	Code, Verifier, RedirectURI string
	// Label names the connection when not blank; otherwise a new
	// connection takes the account's name and a replaced one keeps its own.
	Label string
	// Reconnect is the id of the host's connection to this vendor that the
	// host set out to repair; empty for a plain connect.
	Reconnect string
}

// ConnectError is a credential Connect could not obtain or prove: the
// vendor refused it (or the code), the form values were malformed, or the
// vendor did not answer. Nothing was stored. Err wraps this package's
// sentinels and never holds the secret.
type ConnectError struct {
	Vendor string
	Err    error
}

func (e *ConnectError) Error() string { return e.Vendor + ": connect: " + e.Err.Error() }

// Unwrap returns the vendor's error.
func (e *ConnectError) Unwrap() error { return e.Err }

// maxLabel is the most characters a connection's label keeps.
const maxLabel = 80

// Connect obtains a credential (from the form values, or by redeeming the
// OAuth code), proves it with the vendor's cheapest call and stores it. If
// the host already connected that vendor account, or req.Reconnect names
// one of their connections to the vendor, the credential is replaced in
// place (the connection keeps its id, and so its place in every app's
// grant), and the replaced credential is then revoked at the vendor where
// the vendor allows. Otherwise a new connection is created. A *ConnectError
// means the credential was not accepted; store.ErrExists that the account
// is already another of the host's connections.
func (l *Lifecycle) Connect(ctx context.Context, req Connect) (store.Connection, error) {
	spec, ok := l.vendors.Spec(req.Vendor)
	if !ok {
		return store.Connection{}, fmt.Errorf("connector: unknown vendor %q", req.Vendor)
	}
	var cred Credential
	var err error
	switch {
	case req.Kind == store.AuthOAuth && spec.Exchange != nil && spec.OAuth.Configured():
		if req.Code == "" {
			return store.Connection{}, &ConnectError{Vendor: spec.Name, Err: fmt.Errorf("%s: no authorization code: %w", spec.Name, ErrBadRequest)}
		}
		cred, err = spec.Exchange(ctx, spec, req.Code, req.Verifier, req.RedirectURI)
	case req.Kind != store.AuthOAuth && spec.FromFields != nil && len(spec.Fields[req.Kind]) > 0:
		values := make(map[string]string, len(spec.Fields[req.Kind]))
		for _, f := range spec.Fields[req.Kind] {
			values[f.Name] = strings.TrimSpace(req.Values[f.Name])
		}
		cred, err = spec.FromFields(ctx, spec, req.Kind, values)
	default:
		return store.Connection{}, fmt.Errorf("connector: %s cannot be connected by %q: %w", spec.Name, req.Kind, ErrUnsupported)
	}
	if err != nil {
		return store.Connection{}, &ConnectError{Vendor: spec.Name, Err: err}
	}
	acc, err := spec.New(spec, StaticSource(cred)).Check(ctx)
	if err != nil {
		return store.Connection{}, &ConnectError{Vendor: spec.Name, Err: err}
	}
	conn, replaced, err := l.save(ctx, spec, req, cred, acc)
	if err != nil {
		return store.Connection{}, err
	}
	if replaced != nil {
		l.revokeReplaced(ctx, spec, conn, replaced, cred)
	}
	return conn, nil
}

// save stores a proven credential: over the connection it replaces, or as a
// new one. For a replacement it also returns the secret it replaced.
func (l *Lifecycle) save(ctx context.Context, spec *Spec, req Connect, cred Credential, acc Account) (store.Connection, []byte, error) {
	label := truncate(strings.TrimSpace(req.Label), maxLabel)
	conns, err := l.store.ListConnections(ctx, req.UserID)
	if err != nil {
		return store.Connection{}, nil, fmt.Errorf("connector: list connections: %w", err)
	}
	// Only a connection of the same owner is replaced: a host's own
	// account never takes the place of its team's, or the other way round.
	mine := conns[:0:0]
	for _, c := range conns {
		if c.TeamID == req.TeamID && (c.TeamID != "" || c.UserID == req.UserID) {
			mine = append(mine, c)
		}
	}
	if target, ok := replaces(mine, spec.Name, acc.ID, req.Reconnect); ok {
		var replaced []byte
		saved, err := l.store.UpdateConnection(ctx, target.ID, func(c store.Connection) (store.Connection, error) {
			replaced = c.Secret
			c.AccountID, c.AuthKind, c.Secret = acc.ID, req.Kind, cred.Encode()
			if label != "" {
				c.Label = label
			}
			c.AccessExpiresAt, c.RefreshExpiresAt = cred.Expiry, cred.RefreshExpiry
			c.Status, c.LastError, c.UpdatedAt = store.StatusOK, "", l.now()
			return c, nil
		})
		// A connection disconnected meanwhile is connected anew below.
		if !errors.Is(err, store.ErrNotFound) {
			if err != nil {
				return store.Connection{}, nil, fmt.Errorf("connector: replace credential: %w", err)
			}
			l.forget(saved.ID)
			l.reads.Drop(saved.ID)
			l.log.InfoContext(ctx, "vendor reconnected", "host_id", req.UserID, "vendor", spec.Name, "connection", saved.ID)
			l.changed(ctx, Change{Kind: ChangeReconnected, Conn: saved})
			return saved, replaced, nil
		}
	}
	if label == "" {
		label = acc.Name
	}
	if label == "" {
		label = spec.Title + " " + acc.ID
	}
	now := l.now()
	c := store.Connection{ID: newConnID(), UserID: req.UserID, TeamID: req.TeamID, Vendor: spec.Name, AccountID: acc.ID,
		Label: truncate(label, maxLabel), AuthKind: req.Kind, Secret: cred.Encode(),
		AccessExpiresAt: cred.Expiry, RefreshExpiresAt: cred.RefreshExpiry,
		Status: store.StatusOK, CreatedAt: now, UpdatedAt: now}
	if err := l.store.CreateConnection(ctx, c); err != nil {
		return store.Connection{}, nil, fmt.Errorf("connector: create connection: %w", err)
	}
	l.log.InfoContext(ctx, "vendor connected", "host_id", req.UserID, "team_id", req.TeamID, "vendor", spec.Name, "connection", c.ID)
	l.changed(ctx, Change{Kind: ChangeConnected, Conn: c})
	return c, nil, nil
}

// replaces finds the connection a new credential replaces: the one of the
// same vendor account (unique per host), else the one the host set out to
// repair, if it is of this vendor.
func replaces(conns []store.Connection, vendor, accountID, reconnect string) (store.Connection, bool) {
	var repair *store.Connection
	for i, c := range conns {
		switch {
		case c.Vendor != vendor:
		case c.AccountID == accountID:
			return c, true
		case reconnect != "" && c.ID == reconnect:
			repair = &conns[i]
		}
	}
	if repair != nil {
		return *repair, true
	}
	return store.Connection{}, false
}

// revokeReplaced tells the vendor to forget a credential a reconnect
// replaced (a Hostex OAuth grant the host pasted a token over, say), where
// the vendor allows. The new credential is already stored, so a failure is
// only logged; a replaced credential that shares a token with the new one
// is the same grant, and is left alone.
func (l *Lifecycle) revokeReplaced(ctx context.Context, spec *Spec, conn store.Connection, replaced []byte, fresh Credential) {
	if spec.Revoke == nil {
		return
	}
	old, err := DecodeCredential(replaced)
	if err != nil || old.AccessToken == fresh.AccessToken || (old.RefreshToken != "" && old.RefreshToken == fresh.RefreshToken) {
		return
	}
	if err := spec.Revoke(ctx, spec, old); err != nil {
		l.log.WarnContext(ctx, "vendor revoke of the replaced credential failed", "vendor", spec.Name, "connection", conn.ID, "err", err)
		return
	}
	l.log.InfoContext(ctx, "replaced credential revoked where the vendor allows", "vendor", spec.Name, "connection", conn.ID)
}

// Check asks the vendor whose account the connection opens, through the
// connection's token source: a credential the vendor refuses is renewed
// where it can be, and marked needs_reauth where it cannot.
func (l *Lifecycle) Check(ctx context.Context, conn store.Connection) (Account, error) {
	if conn.Status == store.StatusNeedsReauth {
		return Account{}, fmt.Errorf("%s: %w", conn.Vendor, ErrNeedsReauth)
	}
	cn, err := l.Connector(conn)
	if err != nil {
		return Account{}, err
	}
	return cn.Check(ctx)
}

// Refresh renews the connection's access now and checks it with the
// vendor: refresh_connection and the connections page's "Check now". A
// credential that can be renewed (an OAuth refresh token, or client
// credentials the vendor mints tokens from) is renewed first; one that
// cannot (a pasted personal token) is only checked. Either way a working
// connection stays working: only a credential the vendor refuses ends in
// needs_reauth, and the error then wraps ErrNeedsReauth. It returns the
// connection as stored afterwards (conn itself on an error).
func (l *Lifecycle) Refresh(ctx context.Context, conn store.Connection) (store.Connection, error) {
	if conn.Status == store.StatusNeedsReauth {
		return conn, fmt.Errorf("%s: %w", conn.Vendor, ErrNeedsReauth)
	}
	spec, ok := l.vendors.Spec(conn.Vendor)
	if !ok {
		return conn, fmt.Errorf("connector: unknown vendor %q", conn.Vendor)
	}
	cred, err := DecodeCredential(conn.Secret)
	if err != nil {
		return conn, err
	}
	renew := renewable(spec, cred)
	if renew {
		if _, err := l.renew(ctx, conn.ID, cred.AccessToken, true); err != nil {
			return conn, err
		}
	}
	if _, err := l.Check(ctx, conn); err != nil {
		return conn, err
	}
	l.log.InfoContext(ctx, "connection checked", "vendor", conn.Vendor, "connection", conn.ID, "renewed", renew)
	return l.store.GetConnection(ctx, conn.ID)
}

// renewable reports whether hostgate can get a new access token for the
// credential without the host: it holds a refresh token or the client
// credentials tokens are minted from, and the vendor renews.
func renewable(spec *Spec, c Credential) bool {
	return spec.Refresh != nil && (c.RefreshToken != "" || (c.ClientID != "" && c.ClientSecret != ""))
}

// Disconnect revokes the connection's credential at its vendor where the
// vendor allows, deletes the connection and forgets its cached token. A
// failed revocation does not keep the connection (the host asked for it
// gone); revoked reports whether the vendor confirmed one. A connection
// already gone is not an error, and is not revoked again.
func (l *Lifecycle) Disconnect(ctx context.Context, conn store.Connection) (revoked bool, err error) {
	// The stored credential may be newer than the caller's copy.
	switch cur, err := l.store.GetConnection(ctx, conn.ID); {
	case errors.Is(err, store.ErrNotFound):
		l.forget(conn.ID)
		l.reads.Drop(conn.ID)
		return false, nil
	case err == nil:
		conn = cur
	}
	if spec, ok := l.vendors.Spec(conn.Vendor); ok && spec.Revoke != nil {
		if cred, derr := DecodeCredential(conn.Secret); derr == nil {
			if rerr := spec.Revoke(ctx, spec, cred); rerr != nil {
				l.log.WarnContext(ctx, "vendor revoke failed", "vendor", conn.Vendor, "connection", conn.ID, "err", rerr)
			} else {
				revoked = true
			}
		}
	}
	if err := l.store.DeleteConnection(ctx, conn.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return revoked, fmt.Errorf("connector: delete connection: %w", err)
	}
	l.forget(conn.ID)
	l.reads.Drop(conn.ID)
	l.log.InfoContext(ctx, "vendor disconnected", "host_id", conn.UserID, "vendor", conn.Vendor, "connection", conn.ID, "revoked", revoked)
	l.changed(ctx, Change{Kind: ChangeDisconnected, Conn: conn, Revoked: revoked})
	return revoked, nil
}

// errSuperseded, from an update function, says the row no longer holds the
// credential the caller acted on: another process renewed it, or the host
// reconnected. The stored one is the one to use.
var errSuperseded = errors.New("connector: the stored credential changed")

// saveRenewal stores a renewed credential (with the vendor's rotated
// refresh token) if the row still holds the one it was renewed from.
func (l *Lifecycle) saveRenewal(ctx context.Context, id string, from []byte, fresh Credential) (store.Connection, error) {
	return l.store.UpdateConnection(ctx, id, func(c store.Connection) (store.Connection, error) {
		if !bytes.Equal(c.Secret, from) {
			return c, errSuperseded
		}
		c.Secret = fresh.Encode()
		c.AccessExpiresAt, c.RefreshExpiresAt = fresh.Expiry, fresh.RefreshExpiry
		c.Status, c.LastError, c.UpdatedAt = store.StatusOK, "", l.now()
		return c, nil
	})
}

// markNeedsReauth records that the vendor refused the credential refused
// and only the host can repair the connection, if the row still holds that
// credential; otherwise it returns errSuperseded and writes nothing.
func (l *Lifecycle) markNeedsReauth(ctx context.Context, conn store.Connection, refused []byte, why string) error {
	l.forget(conn.ID)
	l.reads.Drop(conn.ID)
	var was store.ConnStatus
	marked, err := l.store.UpdateConnection(ctx, conn.ID, func(c store.Connection) (store.Connection, error) {
		if !bytes.Equal(c.Secret, refused) {
			return c, errSuperseded
		}
		was = c.Status
		c.Status, c.LastError, c.UpdatedAt = store.StatusNeedsReauth, why, l.now()
		return c, nil
	})
	if errors.Is(err, errSuperseded) {
		return err
	}
	if err != nil {
		l.log.ErrorContext(ctx, "mark needs_reauth", "connection", conn.ID, "err", err)
	} else {
		l.toldNeedsHost(conn.ID)
		if was != store.StatusNeedsReauth {
			l.changed(ctx, Change{Kind: ChangeNeedsReauth, Conn: marked, Reason: why})
		}
	}
	l.log.WarnContext(ctx, "connection needs the host to reconnect", "vendor", conn.Vendor, "connection", conn.ID, "reason", why)
	return fmt.Errorf("%s: %w", conn.Vendor, ErrNeedsReauth)
}

// newConnID returns a 128-bit random connection id.
func newConnID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// truncate cuts s to at most n characters, never inside one.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}
