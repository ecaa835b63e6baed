package connector

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/hostgate/hostgate/store"
)

// Renewal across processes. Within a process the single flight (source.go)
// lets one renewal per connection run at a time; between the processes
// that share a database (replicas on PostgreSQL), the store's renewal
// lease does. A process that finds a credential to renew claims the
// connection's lease in a short transaction, calls the vendor outside any
// transaction, and saves the renewed credential with one UpdateConnection,
// whose write of the row ends the lease in the same commit. A process that
// finds the lease held waits for the stored credential to change and uses
// the stored one: it never spends the refresh token the holder is
// spending, so a vendor that rotates refresh tokens and refuses the old one
// at once sees exactly one token request.
//
// The lease is a committed row, not a database lock held across the vendor
// call: a slow or dead vendor never holds a transaction, a connection of
// the pool or a row lock that the connection's other writers (a reconnect,
// a needs_reauth mark) would queue behind. The lease is short and its
// holder extends it while its vendor call runs (keepLease), so that a
// process that dies holding one (SIGKILL, a lost machine) holds it only a
// few seconds, within the time the others wait: one of them then takes it
// over and renews, and no call fails for it.

const (
	// leaseFor is how long a renewal lease lasts unless its holder
	// extends it, every leaseExtend while its renewal runs. It is shorter
	// than leaseWait, so that the processes waiting on a holder that died
	// take the lease over before they give up.
	leaseFor    = 6 * time.Second
	leaseExtend = 2 * time.Second
	// leaseWait bounds how long a renewal waits for another process's
	// before it gives up with ErrUnavailable; the caller may try again.
	leaseWait = 10 * time.Second
	// leasePollFirst and leasePollMax are the first and the longest pause
	// between two reads of a connection whose lease another process holds.
	leasePollFirst = 5 * time.Millisecond
	leasePollMax   = 200 * time.Millisecond
)

// leaser is the lifecycle's hold on the store's renewal leases: nil leases
// (a store without them) means no lease is taken, and the store's
// conditional save alone settles a race between processes.
type leaser struct {
	leases store.RenewalLeases
	owner  string // this lifecycle's random id in every lease it claims
}

func newLeaser(st store.Connections) leaser {
	leases, _ := st.(store.RenewalLeases)
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return leaser{leases: leases, owner: base64.RawURLEncoding.EncodeToString(b)}
}

// claim reports whether this process may renew conn's credential now: it
// holds the connection's lease for the row at conn.Version, or the store
// keeps no leases.
func (l *Lifecycle) claim(ctx context.Context, conn store.Connection) (bool, error) {
	if l.lease.leases == nil {
		return true, nil
	}
	now := l.now()
	won, err := l.lease.leases.ClaimRenewal(ctx, conn.ID, l.lease.owner, conn.Version, now, now.Add(leaseFor))
	if err != nil {
		return false, fmt.Errorf("connector: claim renewal: %w", err)
	}
	return won, nil
}

// keepLease extends this process's lease of conn every leaseExtend until
// the returned stop is called (after the save or the release). A lease it
// finds lost (a stall longer than leaseFor let another process take it
// over) is left lost: the store's conditional save settles which renewal
// is kept.
func (l *Lifecycle) keepLease(ctx context.Context, conn store.Connection) (stop func()) {
	if l.lease.leases == nil {
		return func() {}
	}
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(leaseExtend)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if won, err := l.claim(ctx, conn); err != nil || !won {
				l.log.WarnContext(ctx, "renewal lease not extended", "vendor", conn.Vendor, "connection", conn.ID, "err", err)
				return
			}
		}
	}()
	return func() {
		close(done)
		<-exited
	}
}

// release ends this process's lease after a renewal that wrote nothing,
// so that another process may try at once rather than at the lease's end.
// A failure is only logged: the lease ends by itself.
func (l *Lifecycle) release(ctx context.Context, id string) {
	if l.lease.leases == nil {
		return
	}
	if err := l.lease.leases.ReleaseRenewal(ctx, id, l.lease.owner); err != nil {
		l.log.WarnContext(ctx, "release renewal lease", "connection", id, "err", err)
	}
}

// leaseWaiter paces the reads of a connection whose lease another process
// holds: short pauses first (a renewal takes one vendor round trip),
// longer ones after, and no more than leaseWait in all.
type leaseWaiter struct {
	pause, waited time.Duration
}

// wait pauses before the next read, or reports an error when the wait is
// over or ctx is done.
func (w *leaseWaiter) wait(ctx context.Context, vendor string) error {
	if w.pause == 0 {
		w.pause = leasePollFirst
	}
	if w.waited >= leaseWait {
		return fmt.Errorf("%s: another hostgate process is still renewing the credential: %w", vendor, ErrUnavailable)
	}
	t := time.NewTimer(w.pause)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	}
	w.waited += w.pause
	w.pause = min(2*w.pause, leasePollMax)
	return nil
}
