package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/hostgate/hostgate/store"
)

// PostgresOptions are the settings of a store on PostgreSQL beyond its URL.
type PostgresOptions struct {
	// MaxConns bounds the connections this process keeps open to the
	// database; 0 means DefaultPostgresConns. Every replica holds up to
	// this many, so replicas × MaxConns must stay under the server's
	// max_connections with room for other clients.
	MaxConns int
}

// DefaultPostgresConns is the pool size when PostgresOptions.MaxConns is 0:
// enough for a busy replica (a request holds a connection for one short
// query or transaction), few enough that ten replicas fit a small server.
const DefaultPostgresConns = 10

// IsPostgresURL reports whether s is a PostgreSQL connection URL, the only
// form OpenPostgres takes: postgres://… or postgresql://….
func IsPostgresURL(s string) bool {
	scheme, _, ok := strings.Cut(s, "://")
	return ok && (strings.EqualFold(scheme, "postgres") || strings.EqualFold(scheme, "postgresql"))
}

// RedactURL returns a database URL fit for a log line or an error: its
// password, in the user part or a password parameter, replaced by
// "xxxxx". Text that is not a URL (no scheme://) is replaced whole: it may
// be a key=value string holding a password.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || !strings.Contains(s, "://") {
		return "(not a URL)"
	}
	q := u.Query()
	for k := range q {
		if strings.EqualFold(k, "password") {
			q[k] = []string{"xxxxx"}
			u.RawQuery = q.Encode()
		}
	}
	return u.Redacted()
}

// OpenPostgres opens the PostgreSQL database at dbURL (postgres://… or
// postgresql://…, with any parameter libpq and pgx take: sslmode,
// search_path, …), applies any pending migrations of the PostgreSQL set and
// returns the store. keys is as for [Open]. Several processes may open one
// database at once: each migration is applied once. No error it returns
// carries the URL's password.
func OpenPostgres(ctx context.Context, dbURL string, keys *store.Keyring, o PostgresOptions) (_ *Store, err error) {
	if keys == nil {
		return nil, errors.New("sqlstore: open postgres: nil keyring")
	}
	if !IsPostgresURL(dbURL) {
		return nil, fmt.Errorf("sqlstore: open postgres: %s is not a postgres:// or postgresql:// URL", RedactURL(dbURL))
	}
	where := RedactURL(dbURL)
	fail := func(err error) error {
		return fmt.Errorf("sqlstore: open postgres %s: %s", where, scrubPassword(err.Error(), dbURL))
	}
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		return nil, fail(err)
	}
	n := o.MaxConns
	if n <= 0 {
		n = DefaultPostgresConns
	}
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(n)
	pool.SetMaxIdleConns(n)
	// Connections are renewed now and then, so that a pool follows a
	// failover or a load balancer's changes.
	pool.SetConnMaxLifetime(30 * time.Minute)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{d: postgresDialect, keys: keys, w: db{pool, postgresDialect}, pgcfg: cfg}
	s.r = s.w
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if err := pool.PingContext(ctx); err != nil {
		return nil, fail(err)
	}
	if err := s.migrate(ctx); err != nil {
		return nil, fail(err)
	}
	if err := s.prepare(ctx); err != nil {
		return nil, fail(err)
	}
	return s, nil
}

// scrubPassword removes the URL's password from text that may quote it
// (pgx's own errors do not, but an error must never depend on that).
func scrubPassword(text, dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return text
	}
	var pws []string
	if pw, ok := u.User.Password(); ok {
		pws = append(pws, pw)
	}
	for k, vs := range u.Query() {
		if strings.EqualFold(k, "password") {
			pws = append(pws, vs...)
		}
	}
	for _, pw := range pws {
		if pw == "" {
			continue
		}
		for _, form := range []string{pw, url.QueryEscape(pw), url.PathEscape(pw)} {
			text = strings.ReplaceAll(text, form, "xxxxx")
		}
	}
	return text
}

// MaxConns is the most connections the store holds open at once: on
// PostgreSQL its pool's bound; on SQLite the writer and the readers.
func (s *Store) MaxConns() int {
	n := s.w.Stats().MaxOpenConnections
	if s.r.DB != s.w.DB {
		n += s.r.Stats().MaxOpenConnections
	}
	return n
}
