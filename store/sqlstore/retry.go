package sqlstore

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// PostgreSQL error codes (SQLSTATE) the store acts on.
const (
	pgUniqueViolation      = "23505"
	pgForeignKeyViolation  = "23503"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
)

// maxAttempts bounds how often write runs one transaction.
const maxAttempts = 5

// retryable reports whether err is the database aborting a transaction
// that may well succeed when run again: a deadlock broken, or a
// serialization failure. The store's transactions lock in one order and
// run at READ COMMITTED, so neither should happen; running again is the
// answer if one does.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == pgSerializationFailure || pe.Code == pgDeadlockDetected)
}

// backoff waits before attempt+1: a few milliseconds, doubling, with
// jitter so that the transactions that collided do not collide again.
func backoff(ctx context.Context, attempt int) error {
	d := time.Duration(1<<attempt) * time.Millisecond
	d = d/2 + rand.N(d)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
