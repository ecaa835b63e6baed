package store

import (
	"context"
	"time"
)

// DeadConnection is a connection that needs its host, as an alert about it
// is written: whose it is, which account, and why. It holds no secret.
type DeadConnection struct {
	ConnectionID string
	UserID       string
	Username     string
	Email        string // the host's address; empty when hostgate has none
	Vendor       string
	Label        string
	// Reason is the connection's LastError: short, and never a secret.
	Reason string
	// Since is when the connection was last written: when it was marked.
	Since time.Time
	// TeamID is the team that owns the connection, empty for a host's
	// own. A team's account is its owners' to repair: OwnerEmails are the
	// addresses of the team's owners who are not disabled (set by
	// ClaimConnectionAlert), and the alert goes to them. UserID, Username
	// and Email are still the host who connected it.
	TeamID      string
	OwnerEmails []string
}

// AlertClaim is one process's right to tell a host about one episode of a
// connection needing them (from being marked StatusNeedsReauth until it is
// written with another status).
type AlertClaim struct {
	DeadConnection
	// Episode identifies the episode's alert; a process that takes over an
	// abandoned claim keeps it, so a receiver can tell a repeat.
	Episode    string
	Owner      string
	ClaimedAt  time.Time
	LeaseUntil time.Time
	// Claims counts the claims of this episode: 1 for the first, more when
	// a claim was taken over after its lease ended.
	Claims int
}

// AlertOutcome is how an alert's delivery ended.
type AlertOutcome string

// The outcomes of a finished claim.
const (
	AlertSent   AlertOutcome = "sent"   // every channel took it
	AlertFailed AlertOutcome = "failed" // a channel gave up after its retries
)

// ConnectionAlerts records which episodes of connections needing their host
// have been, or are being, alerted, so that among any number of processes
// sharing the store exactly one tells the host, once per episode.
//
// A connection is alertable when its status is StatusNeedsReauth, for a
// reason other than UnopenableSecret (a missing key is the operator's to
// fix, and during a key rotation one process may mark what another opens),
// its host is not disabled, and its current episode holds no claim, or only
// an unfinished claim whose lease ended before now (its process stopped). Whenever the
// connection is written with any other status, in the same write, its claim
// is cleared and the next episode starts unalerted; deleting the
// connection deletes its claim.
type ConnectionAlerts interface {
	// ListAlertableConnections returns up to limit connections alertable at
	// now, those marked longest ago first; none for a limit below 1.
	ListAlertableConnections(ctx context.Context, now time.Time, limit int) ([]DeadConnection, error)
	// ClaimConnectionAlert claims the alert of the connection's current
	// episode for owner until leaseUntil, if the connection is alertable
	// at now; the claim stores episode, or keeps the episode of the claim
	// it takes over. Of any number of concurrent claimers exactly one gets
	// the claim; the others, and every claimer of a connection that is
	// not alertable, get ErrConflict. An unknown connection is ErrNotFound.
	ClaimConnectionAlert(ctx context.Context, connectionID, owner, episode string, now, leaseUntil time.Time) (AlertClaim, error)
	// FinishConnectionAlert records the outcome of owner's unfinished claim
	// of the episode. A finished claim is kept, whatever the outcome, until the
	// episode ends: no process alerts that episode again. ErrConflict if
	// the connection holds no such claim of owner's (the connection
	// recovered, or another process took the claim over).
	FinishConnectionAlert(ctx context.Context, connectionID, episode, owner string, outcome AlertOutcome, at time.Time) error
	// ReleaseConnectionAlert drops owner's unfinished claim of the episode,
	// so that the episode is alertable again at once; ErrConflict as for
	// FinishConnectionAlert.
	ReleaseConnectionAlert(ctx context.Context, connectionID, episode, owner string) error
}
