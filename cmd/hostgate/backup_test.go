package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// TestBackupCommand: hostgate backup copies the database of a running
// hostgate into a new owner-only file and says where the key is, without
// copying or printing it; the copy, put back beside the key, is the
// whole database again; a second backup to the same file is refused and
// leaves it alone.
func TestBackupCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := open(defaults(dir), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	now := time.Now()
	secret := []byte(`{"access_token":"vendor-token-in-backup-test"}`)
	if err := a.store.CreateUser(ctx, store.User{ID: "u1", Username: "alice", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := a.store.CreateConnection(ctx, store.Connection{ID: "c1", UserID: "u1", Vendor: "hostex", AccountID: "a1",
		Label: "Beach", AuthKind: store.AuthToken, Secret: secret, Status: store.StatusOK, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, keyFileName)
	key, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}

	backups := t.TempDir()
	to := filepath.Join(backups, "hostgate-backup.db")
	var out bytes.Buffer
	if err := backupCommand([]string{"--data-dir", dir, "--to", to}, &out); err != nil {
		t.Fatalf("backup: %v", err)
	}
	if !strings.Contains(out.String(), to) || !strings.Contains(out.String(), keyPath) {
		t.Fatalf("the report does not name the backup and the key file:\n%s", out.String())
	}
	raw, err := os.ReadFile(to)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range strings.Fields(string(key)) {
		if strings.Contains(out.String(), k) || bytes.Contains(raw, []byte(k)) {
			t.Fatal("the key is in the report or the backup")
		}
	}
	if bytes.Contains(raw, []byte("vendor-token-in-backup-test")) {
		t.Fatal("the backup holds a vendor secret in the clear")
	}
	if entries, _ := os.ReadDir(backups); len(entries) != 1 {
		t.Fatalf("the backup folder holds %d files, want only the backup", len(entries))
	}
	if fi, err := os.Stat(to); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, %v", fi, err)
	}

	// Restored beside its key, the copy is the database.
	restored := t.TempDir()
	if err := os.WriteFile(filepath.Join(restored, "hostgate.db"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(restored, keyFileName), key, 0o600); err != nil {
		t.Fatal(err)
	}
	st := server(t, restored)
	if c, err := st.GetConnection(ctx, "c1"); err != nil || !bytes.Equal(c.Secret, secret) {
		t.Fatalf("restored connection: %+v, %v", c, err)
	}

	// A second backup to the same file is refused.
	err = backupCommand([]string{"--data-dir", dir, "--to", to}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("backup over an existing file: %v", err)
	}
	if again, _ := os.ReadFile(to); !bytes.Equal(again, raw) {
		t.Fatal("the refused backup changed the existing file")
	}
}

// TestBackupCommandRefuses: each bad use says what to do.
func TestBackupCommandRefuses(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no --to", []string{"--data-dir", dir}, "--to is required"},
		{"no database", []string{"--data-dir", dir, "--to", filepath.Join(dir, "b.db")}, "no database"},
		{"an extra argument", []string{"--data-dir", dir, "--to", filepath.Join(dir, "b.db"), "now"}, "unexpected"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := backupCommand(tt.args, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("backup %v: %v, want %q", tt.args, err, tt.want)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "hostgate.db")); !os.IsNotExist(err) {
		t.Fatal("a refused backup created a database")
	}
}

// TestBackupRefusesPostgres: with HOSTGATE_DB set the SQLite file in
// --data-dir is not hostgate's database, so copying it would give a
// backup of the wrong thing; the command says to use pg_dump, and never
// repeats the URL (it holds a password).
func TestBackupRefusesPostgres(t *testing.T) {
	dir := t.TempDir()
	a, err := open(defaults(dir), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	a.close()
	t.Setenv("HOSTGATE_DB", "postgres://hostgate:s3cret-pw@db.internal:5432/hostgate")
	to := filepath.Join(dir, "b.db")
	err = backupCommand([]string{"--data-dir", dir, "--to", to}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "pg_dump") || strings.Contains(err.Error(), "s3cret-pw") {
		t.Fatalf("backup with HOSTGATE_DB: %v, want a refusal naming pg_dump without the password", err)
	}
	if _, err := os.Stat(to); !os.IsNotExist(err) {
		t.Fatal("a refused backup wrote a file")
	}
}
