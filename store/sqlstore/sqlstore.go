package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/hostgate/hostgate/store"
)

var _ store.Store = (*Store)(nil)

// Store is a [store.Store] on one SQLite file ([Open]) or one PostgreSQL
// database ([OpenPostgres]). It is safe for concurrent use.
type Store struct {
	d    *dialect
	path string // SQLite: the file; Postgres: ""
	keys *store.Keyring
	// SQLite: w is exactly one connection whose transactions BEGIN
	// IMMEDIATE, r several query-only connections. Postgres: both are the
	// one pool.
	w, r db

	getToken  *sql.Stmt // prepared on r: the hot path
	addEvents *sql.Stmt // prepared on w: the activity log's full batches

	// pgcfg opens the change feed's own connection (changes.go); nil on
	// SQLite. local holds TryExclusive's locks on SQLite (exclusive.go).
	pgcfg *pgx.ConnConfig
	local localLocks
	// listenIdle replaces the change feed's listenIdle when set (tests).
	listenIdle time.Duration
}

// options are the knobs tests and benchmarks turn; Open uses the defaults.
type options struct {
	synchronous string // "FULL" (default) or "NORMAL"
	readConns   int
}

// busyTimeoutMS bounds how long a connection waits on another process's
// lock (or a checkpoint) before failing with SQLITE_BUSY.
const busyTimeoutMS = 5000

// Open opens (creating if needed) the database at path, applies any pending
// migrations and returns the store. keys seals and opens connection secrets;
// it must hold every key id that sealed a stored secret.
func Open(ctx context.Context, path string, keys *store.Keyring) (*Store, error) {
	return open(ctx, path, keys, options{})
}

func open(ctx context.Context, path string, keys *store.Keyring, o options) (_ *Store, err error) {
	if keys == nil {
		return nil, errors.New("sqlstore: open: nil keyring")
	}
	if path == "" || path == ":memory:" {
		return nil, errors.New("sqlstore: open: need a file path")
	}
	if o.synchronous == "" {
		// FULL: in WAL mode NORMAL may lose the last commits on power loss,
		// and a rotated vendor refresh token cannot be recovered.
		o.synchronous = "FULL"
	}
	if o.readConns <= 0 {
		o.readConns = max(4, runtime.GOMAXPROCS(0))
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open: %w", err)
	}
	s := &Store{d: sqliteDialect, path: abs, keys: keys}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()

	w, err := sql.Open("sqlite", dsn(abs, o, false))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open: %w", err)
	}
	s.w = db{w, s.d}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	// The writer's first connection switches the file to WAL before any
	// reader opens it.
	if err := s.w.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("sqlstore: open %s: %w", abs, err)
	}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}

	r, err := sql.Open("sqlite", dsn(abs, o, true))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open: %w", err)
	}
	s.r = db{r, s.d}
	s.r.SetMaxOpenConns(o.readConns)
	s.r.SetMaxIdleConns(o.readConns)
	s.r.SetConnMaxLifetime(0)
	s.r.SetConnMaxIdleTime(0)
	if err := s.prepare(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// prepare prepares the statements the store keeps.
func (s *Store) prepare(ctx context.Context) (err error) {
	if s.getToken, err = s.r.PrepareContext(ctx, getTokenSQL); err != nil {
		return fmt.Errorf("sqlstore: open: prepare: %w", err)
	}
	if s.addEvents, err = s.w.PrepareContext(ctx, fullInsertSQL); err != nil {
		return fmt.Errorf("sqlstore: open: prepare: %w", err)
	}
	return nil
}

// dsn builds a file: URI (so that any character in the path is escaped)
// carrying the per-connection pragmas.
func dsn(abs string, o options, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous("+o.synchronous+")")
	if readOnly {
		// WAL is a property of the file, set by the writer; a reader must
		// not write at all.
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), OmitHost: true, RawQuery: q.Encode()}
	return u.String()
}

// Path returns the absolute path of the SQLite database file, or "" for a
// store on PostgreSQL.
func (s *Store) Path() string { return s.path }

// Backend names the database the store runs on: "sqlite" or "postgres".
func (s *Store) Backend() string { return s.d.name }

// Ping implements [store.Store]: it reads through the reader pool, which
// proves the database answers, without queuing behind a write transaction
// on SQLite's single writer.
func (s *Store) Ping(ctx context.Context) error {
	var n int
	if err := s.r.QueryRowContext(ctx, s.d.ping).Scan(&n); err != nil {
		return fmt.Errorf("sqlstore: ping: %w", err)
	}
	return nil
}

// Close closes both pools. The writer closes last, so that the last
// connection checkpoints the WAL into the main file.
func (s *Store) Close() error {
	var errs []error
	if s.getToken != nil {
		errs = append(errs, s.getToken.Close())
	}
	if s.addEvents != nil {
		errs = append(errs, s.addEvents.Close())
	}
	if s.r.DB != nil && s.r.DB != s.w.DB {
		errs = append(errs, s.r.Close())
	}
	if s.w.DB != nil {
		errs = append(errs, s.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlstore: close: %w", err)
	}
	return nil
}

// commitErr, returned from a write function, asks write to commit what the
// function did and then return err: a reuse detection must persist its
// revocation although the call fails.
type commitErr struct{ err error }

func (e commitErr) Error() string { return e.err.Error() }
func (e commitErr) Unwrap() error { return e.err }

// write runs fn in one write transaction: on SQLite an IMMEDIATE one on
// the single writer, on Postgres a READ COMMITTED one in which fn locks
// what its decision rests on (txn.lock). It commits when fn returns nil or
// a commitErr, and rolls back otherwise. A transaction the database
// aborted to break a deadlock, or as not serializable, runs again, a few
// times at most: fn must be safe to run again (its effects outside the
// transaction start afresh each time).
func (s *Store) write(ctx context.Context, fn func(tx *txn) error) error {
	for attempt := 1; ; attempt++ {
		err := s.writeOnce(ctx, fn)
		if attempt >= maxAttempts || !retryable(err) {
			return err
		}
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

func (s *Store) writeOnce(ctx context.Context, fn func(tx *txn) error) error {
	t, err := s.w.BeginTx(ctx, s.d.begin)
	if err != nil {
		return fmt.Errorf("sqlstore: begin: %w", err)
	}
	tx := &txn{t, s.d}
	ferr := fn(tx)
	var ce commitErr
	if ferr != nil && !errors.As(ferr, &ce) {
		_ = tx.Rollback()
		return ferr
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	if ferr != nil {
		return ce.err
	}
	return nil
}

// exec runs one statement on the writer and reports whether it changed a row;
// a statement needs no explicit transaction.
func (s *Store) exec(ctx context.Context, what, query string, args ...any) (int64, error) {
	res, err := s.w.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, wrap(what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	return n, nil
}

// mustChange is exec for statements on one row: no row is ErrNotFound.
func (s *Store) mustChange(ctx context.Context, what, query string, args ...any) error {
	n, err := s.exec(ctx, what, query, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("sqlstore: %s: %w", what, store.ErrNotFound)
	}
	return nil
}

// wrap adds context to a database error and maps constraint violations and
// missing rows to the store's sentinels. A nil err stays nil.
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlstore: %s: %w", what, store.ErrNotFound)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("sqlstore: %s: %w", what, store.ErrExists)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("sqlstore: %s: references a missing row: %w", what, store.ErrNotFound)
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case pgUniqueViolation:
			return fmt.Errorf("sqlstore: %s: %w", what, store.ErrExists)
		case pgForeignKeyViolation:
			return fmt.Errorf("sqlstore: %s: references a missing row: %w", what, store.ErrNotFound)
		}
	}
	return fmt.Errorf("sqlstore: %s: %w", what, err)
}
