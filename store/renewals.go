package store

import (
	"context"
	"time"
)

// RenewalLeases lets the processes sharing a store agree which one of them
// renews a connection's vendor credential, so that a vendor that rotates
// refresh tokens (and refuses the old one at once) is asked exactly once.
//
// A lease is held by an owner (a process's random id) for the connection's
// row at one Version, until a time. It is live while the row is still at
// that version and the time is not before now: any write of the row, the save
// of the renewed credential first among them, ends it in the same commit.
// A lease is never held across the vendor call as a database lock is: it
// is a row claimed and committed in a short transaction.
type RenewalLeases interface {
	// ClaimRenewal gives owner the lease of the connection at version
	// until the given time, and reports true, if the row is at version and
	// no other owner holds a live lease (one at that version whose until is
	// not before now); an owner may claim its own lease again. Otherwise it
	// changes nothing and reports false. An unknown connection is
	// ErrNotFound. Claimers in any number of processes at once: at most one
	// gets true.
	ClaimRenewal(ctx context.Context, connectionID, owner string, version int64, now, until time.Time) (bool, error)
	// ReleaseRenewal ends owner's lease of the connection, after a renewal
	// that failed without writing the row, so that another process may try
	// at once. Another owner's lease, or none, is left as it is, without
	// error.
	ReleaseRenewal(ctx context.Context, connectionID, owner string) error
}
