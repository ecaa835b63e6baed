package store

import (
	"context"
	"time"
)

// MCPSession is a legacy MCP session (clients before protocol 2026-07-28
// carry its id in Mcp-Session-Id), kept in the database so that every
// process sharing it serves the session, and a restart loses none. The id
// is stored only as its hash.
type MCPSession struct {
	Hash    string // Hash of the session id
	GrantID string
	// Client is what the client declared at initialize (capabilities,
	// client info, protocol version), in a form the MCP server chooses;
	// nil until recorded. It carries no secret.
	Client     []byte
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// TopicSessions: an MCP session ended (terminated by its client, or
// evicted under its grant's cap). The key is the session's hash. A process
// keeping the session in memory must forget it.
const TopicSessions = "sessions"

// MCPSessions holds legacy MCP sessions.
type MCPSessions interface {
	// CreateMCPSession stores s and, in the same transaction, makes its
	// grant hold at most max sessions (s included) by deleting the grant's
	// sessions never used since their creation (LastUsedAt not after
	// CreatedAt) first, then the least recently used (LastUsedAt, then
	// CreatedAt, then hash), so that a flood of initializes evicts itself;
	// it returns the hashes it deleted, each announced as TopicSessions.
	// ErrExists if the hash is taken; ErrNotFound if the grant is unknown.
	CreateMCPSession(ctx context.Context, s MCPSession, max int) (evicted []string, err error)
	// GetMCPSession returns a session whatever its idleness or its
	// grant's state; the caller checks.
	GetMCPSession(ctx context.Context, hash string) (MCPSession, error)
	// SetMCPSessionClient records what the client declared at initialize.
	// ErrNotFound for an unknown hash.
	SetMCPSessionClient(ctx context.Context, hash string, client []byte) error
	// TouchMCPSession records a use at the given time; LastUsedAt never
	// moves back. ErrNotFound for an unknown hash (the session ended).
	TouchMCPSession(ctx context.Context, hash string, at time.Time) error
	// DeleteMCPSession ends a session and reports whether it existed; an
	// ended session is announced as TopicSessions.
	DeleteMCPSession(ctx context.Context, hash string) (bool, error)
	// DeleteIdleMCPSessions deletes the sessions last used before the
	// given time and those of revoked grants, and returns how many went.
	// It announces nothing: no process uses an idle session, and a
	// revoked grant's token is refused before its session is looked at.
	DeleteIdleMCPSessions(ctx context.Context, usedBefore time.Time) (int64, error)
	// CountMCPSessions returns how many sessions the grant holds.
	CountMCPSessions(ctx context.Context, grantID string) (int64, error)
}
