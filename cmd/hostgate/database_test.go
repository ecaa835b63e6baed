package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"flag"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore/testdb"
)

func TestDBFlags(t *testing.T) {
	const pw = "s3cret-Passw0rd"
	for _, tt := range []struct {
		name  string
		env   string // HOSTGATE_DB
		args  []string
		db    string
		conns int
		err   string
	}{
		{name: "default: SQLite", conns: 10},
		{name: "postgres URL", args: []string{"--db", "postgres://h:" + pw + "@db.example:5432/hostgate?sslmode=verify-full"},
			db: "postgres://h:" + pw + "@db.example:5432/hostgate?sslmode=verify-full", conns: 10},
		{name: "postgresql URL and pool", args: []string{"--db", "postgresql://db.example/hostgate", "--db-max-conns", "25"},
			db: "postgresql://db.example/hostgate", conns: 25},
		{name: "from the environment", env: "postgres://db.example/hostgate", db: "postgres://db.example/hostgate", conns: 10},
		{name: "the flag wins", env: "postgres://env.example/x", args: []string{"--db", "postgres://flag.example/x"},
			db: "postgres://flag.example/x", conns: 10},
		{name: "another database", args: []string{"--db", "mysql://h:" + pw + "@db.example/hostgate"}, err: "--db mysql://h:xxxxx@db.example/hostgate must be a PostgreSQL URL"},
		{name: "a file path", args: []string{"--db", "/var/lib/hostgate/hostgate.db"}, err: "or empty for SQLite in --data-dir"},
		{name: "a key=value string", args: []string{"--db", "host=db password=" + pw}, err: "must be a PostgreSQL URL"},
		{name: "no pool", args: []string{"--db-max-conns", "0"}, err: "--db-max-conns 0 must be between 1 and 1000"},
		{name: "a huge pool", args: []string{"--db-max-conns", "5000"}, err: "--db-max-conns 5000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv("HOSTGATE_DB", tt.env)
			}
			var c Config
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			bindFlags(fs, &c, defaults(t.TempDir()))
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			err := c.validate()
			if err != nil && strings.Contains(err.Error(), pw) {
				t.Fatalf("the error shows the password: %v", err)
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("validate: %v, want an error containing %q", err, tt.err)
				}
				return
			}
			if err != nil || c.DB != tt.db || c.DBMaxConns != tt.conns {
				t.Fatalf("db %q, %d conns (%v); want %q, %d", c.DB, c.DBMaxConns, err, tt.db, tt.conns)
			}
		})
	}
}

// With a PostgreSQL --db, hostgate does not make up a key of its own: the
// replicas sharing the database must share their keys.
func TestPostgresNeedsSharedKeys(t *testing.T) {
	dir := t.TempDir()
	cfg := defaults(dir)
	cfg.DB = "postgres://hostgate@127.0.0.1:1/hostgate"
	_, err := open(cfg, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "HOSTGATE_SECRET_KEY") {
		t.Fatalf("open: %v, want a refusal naming HOSTGATE_SECRET_KEY", err)
	}
	if _, err := os.Stat(filepath.Join(dir, keyFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a key file was made: %v", err)
	}
}

// Two hostgate processes on one PostgreSQL database, each with its own
// data dir and the same key, see one another's hosts; the log names the
// database without its password.
func TestServeOnPostgres(t *testing.T) {
	db := testdb.Postgres(t)
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32))
	replica := func() (*app, *bytes.Buffer) {
		t.Helper()
		cfg := defaults(t.TempDir())
		cfg.DB, cfg.SecretKey, cfg.DBMaxConns = db.URL, key, 4
		var logs bytes.Buffer
		a, err := open(cfg, &logs, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(a.close)
		return a, &logs
	}
	a, logs := replica()
	b, _ := replica()
	ctx := t.Context()
	if a.store.Backend() != "postgres" || a.store.MaxConns() != 4 {
		t.Fatalf("store on %s with %d connections; want postgres with 4", a.store.Backend(), a.store.MaxConns())
	}
	if err := a.store.CreateUser(ctx, store.User{ID: "u1", Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.GetUserByUsername(ctx, "alice"); err != nil {
		t.Fatalf("the other replica does not see the host: %v", err)
	}
	if _, err := os.Stat(filepath.Join(a.cfg.DataDir, "hostgate.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a SQLite file was made beside the PostgreSQL database: %v", err)
	}
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	if pw == "" {
		t.Logf("the test server's URL has no password: the log cannot be checked for one")
	}
	if !strings.Contains(logs.String(), "backend=postgres") || (pw != "" && strings.Contains(logs.String(), pw)) {
		t.Errorf("log lines:\n%s\nwant the postgres backend named, without the URL's password", logs.String())
	}
}
