// Package testdb gives a test a fresh, empty hostgate database: a SQLite
// file in the test's temporary directory or, when HOSTGATE_TEST_POSTGRES
// holds the URL of a PostgreSQL server, a schema of its own on that
// server, dropped when the test ends. Tests on either run in parallel and
// leave nothing behind. It is test support: no production code imports it.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore"
)

// Env is the environment variable that names the PostgreSQL server the
// tests may use, as a postgres:// URL of a role that may create schemas.
const Env = "HOSTGATE_TEST_POSTGRES"

// DB is one test's database. Open it as often as the test needs: every
// store opened on it sees the same data, as processes sharing a database
// do.
type DB struct {
	// Path is the SQLite file; "" for Postgres.
	Path string
	// URL is the Postgres URL, its search_path set to the test's schema;
	// "" for SQLite.
	URL string
}

// Postgres reports whether the database is on PostgreSQL.
func (d DB) Postgres() bool { return d.URL != "" }

// New returns a fresh database for t: on PostgreSQL when Env is set, else
// a SQLite file.
func New(t testing.TB) DB {
	t.Helper()
	if os.Getenv(Env) != "" {
		return Postgres(t)
	}
	return DB{Path: filepath.Join(t.TempDir(), "hostgate.db")}
}

// Postgres returns a fresh schema on the server Env names, and skips t when
// Env is unset.
func Postgres(t testing.TB) DB {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		t.Skipf("no PostgreSQL for this test: set %s to a postgres:// URL (.ci/postgres run go test ... starts one)", Env)
	}
	u, err := url.Parse(base)
	if err != nil || !sqlstore.IsPostgresURL(base) {
		t.Fatalf("%s is not a postgres:// URL", Env)
	}
	b := make([]byte, 8)
	rand.Read(b)
	schema := "hgtest_" + hex.EncodeToString(b)
	admin(t, base, `CREATE SCHEMA `+schema)
	// Cleanups run last first: the schema goes after every store the test
	// opens on it has closed.
	t.Cleanup(func() { admin(t, base, `DROP SCHEMA `+schema+` CASCADE`) })
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return DB{URL: u.String()}
}

// admin runs one statement on the server, outside any test schema.
func admin(t testing.TB, base, stmt string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to the test PostgreSQL (%s): %v", sqlstore.RedactURL(base), err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// OpenStore opens a store on the database; the caller closes it.
func (d DB) OpenStore(ctx context.Context, keys *store.Keyring) (*sqlstore.Store, error) {
	if d.Postgres() {
		return sqlstore.OpenPostgres(ctx, d.URL, keys, sqlstore.PostgresOptions{})
	}
	return sqlstore.Open(ctx, d.Path, keys)
}

// Store opens a store on the database, failing t if it does not open; the
// caller closes it.
func (d DB) Store(t testing.TB, keys *store.Keyring) *sqlstore.Store {
	t.Helper()
	s, err := d.OpenStore(context.Background(), keys)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	return s
}

// Open is Store, closed when the test ends.
func (d DB) Open(t testing.TB, keys *store.Keyring) *sqlstore.Store {
	t.Helper()
	s := d.Store(t, keys)
	t.Cleanup(func() { s.Close() })
	return s
}

// Contents returns every byte of the database a test can look through for
// what must not be stored in the clear. SQLite: the database file and its
// WAL and shared-memory files. Postgres: every value of every row of every
// table of the test's schema, text and bytes as stored (not rendered as
// hex), so a secret kept in the clear in any column is found.
func (d DB) Contents(t testing.TB) []byte {
	t.Helper()
	if !d.Postgres() {
		var all []byte
		for _, suffix := range []string{"", "-wal", "-shm"} {
			b, err := os.ReadFile(d.Path + suffix)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		return all
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := pgx.Connect(ctx, d.URL)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer c.Close(ctx)
	rows, err := c.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	for _, table := range tables {
		rows, err := c.Query(ctx, `SELECT * FROM `+pgx.Identifier{table}.Sanitize())
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				switch v := v.(type) {
				case []byte:
					all = append(all, v...)
				case string:
					all = append(all, v...)
				default:
					all = fmt.Append(all, v)
				}
				all = append(all, 0)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return all
}
