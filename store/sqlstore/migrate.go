package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded migrations of one set (a directory) in
// version order. File names are NNNN_name.sql; versions must be unique and
// positive. The SQLite set is migrations/, the PostgreSQL set
// migrations/postgres/: the same numbers and names, each file the same
// change in its database's SQL.
func migrations(dir string) ([]migration, error) {
	names, err := fs.Glob(migrationFS, dir+"/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	seen := map[int]string{}
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", base)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", prev, base, v)
		}
		seen[v] = base
		body, err := migrationFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrate applies every migration of the store's set not yet recorded in
// schema_migrations, each in its own transaction. The check is made inside
// the transaction, under a lock that a second process migrating the same
// database waits for (SQLite's write lock; on Postgres an advisory lock
// taken first in each transaction), so several processes starting at once
// apply each migration once.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations(s.d.migrations)
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	err = s.migrateTx(ctx, func(tx *txn) error {
		// BIGINT: nanoseconds need 64 bits; SQLite reads it as INTEGER.
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT NOT NULL,
			applied_at BIGINT NOT NULL
		)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	for _, m := range ms {
		err := s.migrateTx(ctx, func(tx *txn) error {
			var n int
			if err := tx.QueryRowContext(ctx,
				`SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			// As written: a migration has no parameters, and its comments
			// may hold any character.
			if _, err := tx.Tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx,
				`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, time.Now().UnixNano())
			return err
		})
		if err != nil {
			return fmt.Errorf("sqlstore: migrate %s: %w", m.name, err)
		}
	}
	return nil
}

// migrateTx runs fn in a write transaction that first takes the migration
// lock.
func (s *Store) migrateTx(ctx context.Context, fn func(tx *txn) error) error {
	return s.write(ctx, func(tx *txn) error {
		if s.d.migrateLock != "" {
			if _, err := tx.ExecContext(ctx, s.d.migrateLock); err != nil {
				return err
			}
		}
		return fn(tx)
	})
}
