package sqlstore

import (
	"context"
	"fmt"
	"sync"
)

// knownMigrations is the versions of the embedded migrations of each set,
// read once: a load balancer asks every few seconds.
var knownMigrations = map[*dialect]func() ([]int, error){
	sqliteDialect:   versionsOf(sqliteDialect.migrations),
	postgresDialect: versionsOf(postgresDialect.migrations),
}

func versionsOf(dir string) func() ([]int, error) {
	return sync.OnceValues(func() ([]int, error) {
		ms, err := migrations(dir)
		if err != nil {
			return nil, err
		}
		vs := make([]int, len(ms))
		for i, m := range ms {
			vs[i] = m.version
		}
		return vs, nil
	})
}

// SchemaCurrent implements [store.Readiness]: every embedded migration is
// recorded in schema_migrations. It reads through the reader pool, as Ping
// does, so a long write does not fail the check.
func (s *Store) SchemaCurrent(ctx context.Context) (bool, error) {
	known, err := knownMigrations[s.d]()
	if err != nil {
		return false, fmt.Errorf("sqlstore: schema current: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return false, fmt.Errorf("sqlstore: schema current: %w", err)
	}
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return false, fmt.Errorf("sqlstore: schema current: %w", err)
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("sqlstore: schema current: %w", err)
	}
	for _, v := range known {
		if !applied[v] {
			return false, nil
		}
	}
	return true, nil
}
