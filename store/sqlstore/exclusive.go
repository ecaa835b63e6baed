package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// TryExclusive implements [store.Fleet]. On PostgreSQL it is a session
// advisory lock (pg_try_advisory_lock) on a connection of its own, outside
// the pool, so that a job holding it never starves the requests of
// connections: the lock is the session's, and release closes the session,
// and a replica dying ends it too. Its key hashes the schema with
// the name, so that schemas of one database do not share locks; the
// one-bigint key space is apart from the two-int4 keys of the migrations
// and the seal barrier. On SQLite, whose file one process uses, it is a
// lock in this store.
func (s *Store) TryExclusive(ctx context.Context, name string) (release func(), ok bool, err error) {
	if s.pgcfg == nil {
		return s.local.try(name)
	}
	conn, err := pgx.ConnectConfig(ctx, s.pgcfg.Copy())
	if err != nil {
		return nil, false, fmt.Errorf("sqlstore: try exclusive %s: %s", name, scrubPassword(err.Error(), s.pgcfg.ConnString()))
	}
	const key = `hashtextextended(current_schema() || '/' || $1, 0)`
	err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(`+key+`)`, name).Scan(&ok)
	if err != nil || !ok {
		conn.Close(context.Background())
		if err != nil {
			return nil, false, fmt.Errorf("sqlstore: try exclusive %s: %w", name, err)
		}
		return nil, false, nil
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			// Unlocked first: the session's end frees the lock too, but
			// only once the server has noticed it, and a release must be
			// over when it returns.
			_, _ = conn.Exec(ctx, `SELECT pg_advisory_unlock(`+key+`)`, name)
			conn.Close(ctx)
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
