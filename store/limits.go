package store

import (
	"context"
	"slices"
	"time"
)

// AppLimits narrows what one approved app may do for one host, beyond its
// scopes and the accounts shared with it: which tools it may call, which
// properties it may see and act on, and until when. They belong to the
// approval (user, client), not to a grant: every grant of the app reads
// them at each call, so a change holds from the app's next call without
// the app asking the host again.
type AppLimits struct {
	UserID   string
	ClientID string
	// Tools are the names of the tools the app may call; empty means every
	// tool its scopes allow.
	Tools []string
	// Properties are the vendor-qualified ids (hostex:12111947) of the
	// properties the app may see and act on; empty means every property of
	// the accounts shared with it.
	Properties []string
	// Until is when the app's access ends: from then on every call is
	// refused. Zero means no end.
	Until     time.Time
	UpdatedAt time.Time
}

// None reports whether l limits nothing.
func (l AppLimits) None() bool {
	return len(l.Tools) == 0 && len(l.Properties) == 0 && l.Until.IsZero()
}

// AllowsTool reports whether the app may call the named tool.
func (l AppLimits) AllowsTool(name string) bool {
	return len(l.Tools) == 0 || slices.Contains(l.Tools, name)
}

// LimitsProperties reports whether the app may see only some properties.
func (l AppLimits) LimitsProperties() bool { return len(l.Properties) > 0 }

// AllowsProperty reports whether the app may see and act on the property
// with this vendor-qualified id. An empty id is no property, and allowed
// only when properties are not limited.
func (l AppLimits) AllowsProperty(id string) bool {
	return len(l.Properties) == 0 || id != "" && slices.Contains(l.Properties, id)
}

// Ended reports whether the app's access has ended at now.
func (l AppLimits) Ended(now time.Time) bool { return !l.Until.IsZero() && !now.Before(l.Until) }

// Limits holds the limits hosts set on the apps they approved.
type Limits interface {
	// GetAppLimits returns the limits of the host's approval of a client.
	// An app with no limits set, approved or not, gets AppLimits with only
	// UserID and ClientID, and no error.
	GetAppLimits(ctx context.Context, userID, clientID string) (AppLimits, error)
	// SetAppLimits replaces the limits of (l.UserID, l.ClientID); it fails
	// with ErrNotFound if the host has not approved the client. The limits
	// go with the approval (revoking the app deletes them); approving the
	// app again keeps them.
	SetAppLimits(ctx context.Context, l AppLimits) error
}
