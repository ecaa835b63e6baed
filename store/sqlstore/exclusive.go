package sqlstore

import (
	"context"
	"database/sql/driver"
	"fmt"
	"sync"
	"time"
)

// TryExclusive implements [store.Fleet]. On PostgreSQL it is a session
// advisory lock (pg_try_advisory_lock) on a pool connection set aside for
// the job: the lock is the connection's, so a replica that dies mid-job
// frees it. Its key hashes the schema with the name, so that schemas of one
// database do not share locks; the one-bigint key space is apart from the
// two-int4 keys of the migrations and the seal barrier. On SQLite, whose
// file one process uses, it is a lock in this store.
func (s *Store) TryExclusive(ctx context.Context, name string) (release func(), ok bool, err error) {
	if s.d.name != "postgres" {
		return s.local.try(name)
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("sqlstore: try exclusive %s: %w", name, err)
	}
	const key = `hashtextextended(current_schema() || '/' || $1, 0)`
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(`+key+`)`, name).Scan(&ok); err != nil {
		conn.Close()
		return nil, false, fmt.Errorf("sqlstore: try exclusive %s: %w", name, err)
	}
	if !ok {
		conn.Close()
		return nil, false, nil
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			// Not the job's context: it may have ended, and the lock must
			// still go. If the unlock fails the connection is dropped from
			// the pool, which ends the lock with its session.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var unlocked bool
			err := conn.QueryRowContext(ctx, `SELECT pg_advisory_unlock(`+key+`)`, name).Scan(&unlocked)
			if err != nil || !unlocked {
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
			conn.Close()
		})
	}, true, nil
}

// localLocks are TryExclusive's locks on SQLite.
type localLocks struct {
	mu   sync.Mutex
	held map[string]bool
}

func (l *localLocks) try(name string) (func(), bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held[name] {
		return nil, false, nil
	}
	if l.held == nil {
		l.held = map[string]bool{}
	}
	l.held[name] = true
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			delete(l.held, name)
			l.mu.Unlock()
		})
	}, true, nil
}
