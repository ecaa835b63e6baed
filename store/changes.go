package store

import "context"

// Change tells the processes sharing a database that something they may
// keep in memory changed. It carries no secret: only what changed and an
// id.
type Change struct {
	// Topic is one of the Topic constants.
	Topic string
	// Key names what changed: a grant, token hash, client, user,
	// connection or team id, as the topic's writes know it. A subscriber
	// that cannot use it drops everything under the topic.
	Key string
}

// The topics of a Change.
const (
	// TopicGrants: a grant or token was revoked (RevokeGrant, RevokeClient,
	// RevokeToken, a refresh token's reuse, DisableUser). Verified access
	// tokens kept in memory must be checked again.
	TopicGrants = "grants"
	// TopicConnections: which connections a host may use, or a
	// connection's credential, changed (a connection created, updated or
	// deleted, a team member added or removed, a host disabled).
	TopicConnections = "connections"
	// TopicLimits: a host changed the limits of an app (SetAppLimits).
	// The key is the host's id and the app's, separated by a space.
	TopicLimits = "limits"
	// TopicReset is no write: the subscription may have missed changes
	// (its database connection was lost and is back), so everything kept
	// in memory must go.
	TopicReset = "reset"
)

// The keys of a TopicReset change: the subscription was lost, or is in
// place again.
const (
	ResetLost = "lost"
	ResetBack = "back"
)

// Fleet is what lets several processes sharing one database act as one:
// the changes each makes reach the others, and a background job runs in
// one of them at a time. A backend with a single process (SQLite) keeps
// both within it.
type Fleet interface {
	// Subscribe returns the changes committed from now on by any process
	// on the database, in commit order, until ctx ends (the channel is
	// then closed). It returns once the subscription is in place: a
	// change committed after it returns is delivered. A TopicReset change
	// says some may have been missed. The receiver must keep reading.
	// A backend whose processes never share a database may deliver
	// nothing: each process's own writes already drop its caches.
	Subscribe(ctx context.Context) (<-chan Change, error)
	// TryExclusive takes the lock named name if no holder in any process
	// sharing the database has it, and reports whether it did. The caller
	// runs its job and then calls release (once). ok false means another
	// holder runs the job now. The lock also ends with the database
	// connection behind it, so a job must stay correct, if wasteful, when
	// two runs meet.
	TryExclusive(ctx context.Context, name string) (release func(), ok bool, err error)
}
