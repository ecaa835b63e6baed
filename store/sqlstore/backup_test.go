package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// TestBackupWhileWriting: a backup taken while another connection keeps
// writing is one consistent snapshot: it opens, passes the integrity
// check, holds every row written before it began and no more than were
// written by its end, keeps the vendor secret sealed (it opens with the
// key, and its bytes are not in the file), and is owner-only.
func TestBackupWhileWriting(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	keys := keyring(t, "k1")
	s := openAt(t, filepath.Join(dir, "hostgate.db"), keys, options{})
	defer s.Close()
	now := time.Now()
	secret := []byte(`{"access_token":"backup-test-vendor-token"}`)
	if err := s.CreateUser(ctx, store.User{ID: "u0", Username: "host0", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateConnection(ctx, store.Connection{ID: "c1", UserID: "u0", Vendor: "hostex", AccountID: "a1",
		Label: "Beach", AuthKind: store.AuthToken, Secret: secret, Status: store.StatusOK, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}

	// The writer adds hosts one by one until told to stop; written is how
	// many exist, u0 included.
	var written atomic.Int64
	written.Store(1)
	stop, done := make(chan struct{}), make(chan error, 1)
	firstWrites := make(chan struct{})
	go func() {
		for i := 1; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			if err := s.CreateUser(context.Background(), store.User{ID: fmt.Sprintf("u%d", i), Username: fmt.Sprintf("host%d", i), CreatedAt: now}); err != nil {
				done <- err
				return
			}
			written.Add(1)
			if i == 20 {
				close(firstWrites)
			}
		}
	}()
	<-firstWrites
	before := written.Load()
	to := filepath.Join(dir, "backup.db")
	err := Backup(ctx, s.Path(), to)
	after := written.Load()
	close(stop)
	if werr := <-done; werr != nil {
		t.Fatalf("writer: %v", werr)
	}
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	t.Logf("hosts written: %d before the backup began, %d when it returned", before, after)

	fi, err := os.Stat(to)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", fi.Mode().Perm())
	}
	raw, err := os.ReadFile(to)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("backup-test-vendor-token")) {
		t.Error("the backup holds the vendor secret in the clear")
	}

	db, err := sql.Open("sqlite", readOnlyDSN(to))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var verdict string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&verdict); err != nil || verdict != "ok" {
		t.Fatalf("integrity_check = %q, %v", verdict, err)
	}
	var hosts int64
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&hosts); err != nil {
		t.Fatal(err)
	}
	if hosts < before || hosts > after {
		t.Fatalf("the backup holds %d hosts; %d existed when it began and %d when it returned", hosts, before, after)
	}
	db.Close()

	// The copy is a whole hostgate database: it opens as a store, with
	// the same key, and its connection's secret opens.
	restored := openAt(t, to, keys, options{})
	defer restored.Close()
	c, err := restored.GetConnection(ctx, "c1")
	if err != nil || !bytes.Equal(c.Secret, secret) {
		t.Fatalf("restored connection: %+v, %v", c, err)
	}
	if current, err := restored.SchemaCurrent(ctx); err != nil || !current {
		t.Fatalf("restored schema current: %v, %v", current, err)
	}
}

// TestBackupRefuses: a backup never overwrites a file, never creates a
// database where there is none, and copies only a hostgate database;
// each refusal leaves no file behind and says what to do.
func TestBackupRefuses(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, filepath.Join(dir, "hostgate.db"), keyring(t, "k1"), options{})
	defer s.Close()
	existing := filepath.Join(dir, "existing.db")
	if err := os.WriteFile(existing, []byte("an earlier backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyDB := filepath.Join(dir, "other.db")
	if db, err := sql.Open("sqlite", "file:"+emptyDB); err != nil {
		t.Fatal(err)
	} else {
		if _, err := db.Exec(`CREATE TABLE t (x INTEGER)`); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	for _, tt := range []struct {
		name, from, to, want string
	}{
		{"target exists", s.Path(), existing, "already exists"},
		{"target is the database", s.Path(), s.Path(), "already exists"},
		{"no database", filepath.Join(dir, "missing.db"), filepath.Join(dir, "b1.db"), "no database"},
		{"not a database", notDB, filepath.Join(dir, "b2.db"), "not a hostgate database"},
		{"another SQLite database", emptyDB, filepath.Join(dir, "b3.db"), "not a hostgate database"},
		{"no such folder", s.Path(), filepath.Join(dir, "nope", "b4.db"), "create"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := Backup(t.Context(), tt.from, tt.to)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Backup: %v, want an error saying %q", err, tt.want)
			}
			if tt.to != existing && tt.to != s.Path() {
				if _, err := os.Stat(tt.to); !os.IsNotExist(err) {
					t.Fatalf("a refused backup left %s (%v)", tt.to, err)
				}
			}
		})
	}
	if b, err := os.ReadFile(existing); err != nil || string(b) != "an earlier backup" {
		t.Fatalf("the existing file changed: %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !os.IsNotExist(err) {
		t.Fatal("a backup of a missing database created one")
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("the database after the refusals: %v", err)
	}
}

// TestBackupStopped: a database no process has open (its WAL checkpointed
// and gone) backs up too, and the backup leaves it as it was.
func TestBackupStopped(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	keys := keyring(t, "k1")
	path := filepath.Join(dir, "hostgate.db")
	s := openAt(t, path, keys, options{})
	if err := s.CreateUser(ctx, store.User{ID: "u1", Username: "alice", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(dir, "backup.db")
	if err := Backup(ctx, path, to); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if after, err := os.ReadFile(path); err != nil || !bytes.Equal(before, after) {
		t.Fatalf("the backup changed the database (%v)", err)
	}
	restored := openAt(t, to, keys, options{})
	defer restored.Close()
	if u, err := restored.GetUser(ctx, "u1"); err != nil || u.Username != "alice" {
		t.Fatalf("restored host: %+v, %v", u, err)
	}
}
