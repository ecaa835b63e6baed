package tools

import (
	"context"
	"slices"

	"github.com/hostgate/hostgate/store"
)

// Caller is who calls a tool: the host, the MCP client acting for them, and
// what the host granted that client.
type Caller struct {
	UserID     string
	Username   string
	ClientID   string
	ClientName string
	GrantID    string
	Scopes     []string
	// Connections are the ids of the vendor connections the host shared
	// with this client.
	Connections []string
	// Limits are what the host narrowed the app to (tools, properties, an
	// end), as read for this call; the zero value limits nothing.
	Limits store.AppLimits
}

// HasScope reports whether the caller's grant includes scope.
func (c Caller) HasScope(scope string) bool { return slices.Contains(c.Scopes, scope) }

type callerKey struct{}

// WithCaller returns a context carrying c.
func WithCaller(ctx context.Context, c *Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller in ctx, if any.
func CallerFrom(ctx context.Context) (*Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(*Caller)
	return c, ok && c != nil
}
