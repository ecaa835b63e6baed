package connector

import (
	"context"

	"github.com/hostgate/hostgate/store"
)

// Kinds of Change.
const (
	ChangeConnected    = "connected"
	ChangeReconnected  = "reconnected"
	ChangeDisconnected = "disconnected"
	ChangeNeedsReauth  = "needs_reauth"
)

// Change is something that happened to one of a host's connections that
// the host should hear of: it was connected, reconnected (its credential
// replaced), disconnected, or it now needs the host to reconnect it.
type Change struct {
	Kind string
	// Conn is the connection as stored after the change (as it was, for a
	// disconnect). Its Secret is not for the listener.
	Conn store.Connection
	// Reason says why a connection needs the host; never a secret.
	Reason string
	// Revoked says whether the vendor confirmed revoking a disconnected
	// connection's access.
	Revoked bool
}

// OnChange has fn told of every Change, once it is stored, with the
// context of the request that made it (a tool call's caller, a page's
// host) or of the background refresher. fn runs on the caller's
// goroutine and must return quickly. Set it before the lifecycle is used.
func (l *Lifecycle) OnChange(fn func(ctx context.Context, c Change)) { l.onChange = fn }

func (l *Lifecycle) changed(ctx context.Context, c Change) {
	if l.onChange == nil {
		return
	}
	c.Conn.Secret = nil
	l.onChange(ctx, c)
}
