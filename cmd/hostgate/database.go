package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore"
)

// bindDBFlags defines --db and --db-max-conns.
func bindDBFlags(fs *flag.FlagSet, cfg *Config, def Config) {
	db := def.DB
	if v, ok := os.LookupEnv("HOSTGATE_DB"); ok {
		db = v
	}
	fs.StringVar(&cfg.DB, "db", db, "the database: empty for SQLite in --data-dir (one machine), or a PostgreSQL URL, postgres://user:password@host:5432/dbname?sslmode=verify-full, which several hostgate replicas share (HOSTGATE_DB)")
	conns := def.DBMaxConns
	if v, ok := os.LookupEnv("HOSTGATE_DB_MAX_CONNS"); ok {
		if n, err := strconv.Atoi(v); err == nil {
			conns = n
		} else {
			fmt.Fprintf(os.Stderr, "hostgate: HOSTGATE_DB_MAX_CONNS=%q is not a number; using %d\n", v, conns)
		}
	}
	fs.IntVar(&cfg.DBMaxConns, "db-max-conns", conns, "with a PostgreSQL --db: the most connections this replica opens to it; replicas × this must stay under the server's max_connections (HOSTGATE_DB_MAX_CONNS)")
}

// validateDB checks --db and --db-max-conns. Its messages never show the
// URL's password.
func (c *Config) validateDB() error {
	if c.DB != "" && !sqlstore.IsPostgresURL(c.DB) {
		return fmt.Errorf("--db %s must be a PostgreSQL URL, postgres://user:password@host:5432/dbname, or empty for SQLite in --data-dir", sqlstore.RedactURL(c.DB))
	}
	if c.DBMaxConns < 1 || c.DBMaxConns > 1000 {
		return fmt.Errorf("--db-max-conns %d must be between 1 and 1000, e.g. %d", c.DBMaxConns, sqlstore.DefaultPostgresConns)
	}
	return nil
}

// sharedKeys refuses, with a PostgreSQL --db, to make a new key file: the
// database outlives this machine's data dir and is shared by replicas, so
// a key made here would seal what the others cannot open, and a new
// machine would not open what is stored. Every replica needs the same keys.
func sharedKeys(cfg Config) error {
	if cfg.DB == "" || cfg.SecretKey != "" {
		return nil
	}
	path := filepath.Join(cfg.DataDir, keyFileName)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("with --db, every hostgate needs the same secret key and none is given: set HOSTGATE_SECRET_KEY to the same value for all (make one with: openssl rand -base64 32), or put the same key file at %s on each", path)
	}
	return nil
}

// openStore opens the store cfg names: PostgreSQL when --db is set, else
// SQLite in the data dir, a file only its owner may read.
func openStore(ctx context.Context, cfg Config, ring *store.Keyring, log *slog.Logger) (*sqlstore.Store, error) {
	if cfg.DB != "" {
		st, err := sqlstore.OpenPostgres(ctx, cfg.DB, ring, sqlstore.PostgresOptions{MaxConns: cfg.DBMaxConns})
		if err != nil {
			return nil, err // names the database, without its password
		}
		log.Info("database", "backend", "postgres", "url", sqlstore.RedactURL(cfg.DB), "max_conns", cfg.DBMaxConns)
		return st, nil
	}
	dbPath := filepath.Join(cfg.DataDir, "hostgate.db")
	st, err := sqlstore.Open(ctx, dbPath, ring)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", dbPath, err)
	}
	// The database holds sealed vendor secrets and hashes: owner-only, like
	// the key file. SQLite gives its -wal and -shm files the same mode.
	if err := os.Chmod(dbPath, 0o600); err != nil {
		st.Close()
		return nil, fmt.Errorf("restrict database permissions: %w", err)
	}
	log.Info("database", "backend", "sqlite", "path", dbPath)
	return st, nil
}
