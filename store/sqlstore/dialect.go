package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
)

// dialect is what differs between the two databases the store runs on.
// The queries are written once, in the SQL both accept, with ? for their
// parameters; everything else that differs is here.
type dialect struct {
	name string // "sqlite" or "postgres"
	// rebind turns a query's ? placeholders into the database's own.
	rebind func(string) string
	// forUpdate is appended to a SELECT inside a write transaction to lock
	// the rows it reads until the transaction ends. SQLite has no row
	// locks and needs none: its one writer holds the whole database.
	forUpdate string
	// migrations is the directory of this database's migration set, and
	// migrateLock what a migration's transaction runs first so that two
	// processes migrating one database take turns (SQLite's IMMEDIATE
	// transactions already do).
	migrations, migrateLock string
	// ping is the health check's query.
	ping string
	// begin are the options write transactions begin with.
	begin *sql.TxOptions
	// sealShared, run inside a transaction before it seals a secret, and
	// sealBarrier, run alone, make the barrier wait until every
	// transaction sealing under the old key has ended (ResealSecrets).
	// Empty in SQLite, whose write lock already does it.
	sealShared, sealBarrier string
}

var sqliteDialect = &dialect{
	name:       "sqlite",
	rebind:     func(q string) string { return q },
	migrations: "migrations",
	ping:       `SELECT count(*) FROM sqlite_schema`,
	// The DSN's _txlock=immediate makes every transaction begin
	// IMMEDIATE.
}

// Advisory lock keys (pg_advisory_lock's first int4). The second is the
// hash of the schema, so that stores in different schemas of one database
// do not wait for each other.
const (
	lockClassMigrate = 0x68670001 // "hg" 1: applying migrations
	lockClassSeal    = 0x68670002 // "hg" 2: sealing, and the re-seal's barrier
	// "hg" 3: a shared rate budget's keys, taken inside rate_take
	// (migration 0018), whose SQL holds the number; listed here so that no
	// other lock takes it.
	lockClassRate = 0x68670003
)

var postgresDialect = &dialect{
	name:        "postgres",
	rebind:      dollarParams,
	forUpdate:   ` FOR UPDATE`,
	migrations:  "migrations/postgres",
	migrateLock: `SELECT pg_advisory_xact_lock(` + strconv.Itoa(lockClassMigrate) + `, hashtext(current_schema()))`,
	ping:        `SELECT 1`,
	// READ COMMITTED with explicit row locks: see the package comment.
	begin:       &sql.TxOptions{Isolation: sql.LevelReadCommitted},
	sealShared:  `SELECT pg_advisory_xact_lock_shared(` + strconv.Itoa(lockClassSeal) + `, hashtext(current_schema()))`,
	sealBarrier: `SELECT pg_advisory_xact_lock(` + strconv.Itoa(lockClassSeal) + `, hashtext(current_schema()))`,
}

// rebound caches dollarParams' work: the store has a few hundred distinct
// query strings, and each is rewritten once.
var rebound sync.Map // string → string

// dollarParams rewrites the ? placeholders of a query as $1, $2, … in
// order, leaving alone any ? inside a string literal, a quoted identifier
// or a comment.
func dollarParams(q string) string {
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	if !strings.Contains(q, "?") {
		rebound.Store(q, q)
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			// A quoted run; a doubled quote inside it is an escaped one and
			// simply starts the next run.
			j := strings.IndexByte(q[i+1:], c)
			end := len(q)
			if j >= 0 {
				end = i + 1 + j + 1
			}
			b.WriteString(q[i:end])
			i = end - 1
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j - 1
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			j := strings.Index(q[i+2:], "*/")
			end := len(q)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(q[i:end])
			i = end - 1
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	rebound.Store(q, out)
	return out
}

// db is a pool that takes the store's queries in their portable form.
// Only the context methods are rebound; the store uses no others.
type db struct {
	*sql.DB
	d *dialect
}

func (p db) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return p.DB.ExecContext(ctx, p.d.rebind(q), args...)
}

func (p db) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return p.DB.QueryContext(ctx, p.d.rebind(q), args...)
}

func (p db) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return p.DB.QueryRowContext(ctx, p.d.rebind(q), args...)
}

func (p db) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return p.DB.PrepareContext(ctx, p.d.rebind(q))
}

// txn is a write transaction that takes the store's queries in their
// portable form.
type txn struct {
	*sql.Tx
	d *dialect
}

func (tx *txn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return tx.Tx.ExecContext(ctx, tx.d.rebind(q), args...)
}

func (tx *txn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return tx.Tx.QueryContext(ctx, tx.d.rebind(q), args...)
}

func (tx *txn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return tx.Tx.QueryRowContext(ctx, tx.d.rebind(q), args...)
}

// lock locks, until the transaction ends, the rows the SELECT query reads,
// so that what the transaction reads next cannot change under it and a
// second transaction locking them waits for this one. In SQLite it does
// nothing: the transaction holds the only write lock there is.
func (tx *txn) lock(ctx context.Context, query string, args ...any) error {
	if tx.d.forUpdate == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, query+tx.d.forUpdate, args...)
	return err
}

// sealing is called before a transaction seals a secret; see
// dialect.sealShared.
func (tx *txn) sealing(ctx context.Context) error {
	if tx.d.sealShared == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, tx.d.sealShared)
	return err
}
