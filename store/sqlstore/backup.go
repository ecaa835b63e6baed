package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database at path into the new
// file to, while hostgate may be serving from it. SQLite's VACUUM INTO
// reads one snapshot of the database (a read transaction: in WAL mode the
// server's writes go on meanwhile, and none of them is half in the copy)
// and writes it out compacted.
//
// to must not exist: Backup never overwrites a file, and it creates to
// owner-only (0600) before anything is written into it, since the copy
// holds what the database holds (hashes, sealed vendor secrets). The copy
// is synced to disk and passes SQLite's integrity check before Backup
// returns; on any failure the partial file is removed.
//
// Backup opens the database itself, read-only: it needs no key, since the
// copy keeps the vendor secrets sealed as the database does (restoring it
// needs the key, which is backed up apart), and it applies no migration,
// so a newer hostgate can back up an older one's data without changing it.
func Backup(ctx context.Context, path, to string) (err error) {
	src, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("sqlstore: backup: %w", err)
	}
	dst, err := filepath.Abs(to)
	if err != nil {
		return fmt.Errorf("sqlstore: backup: %w", err)
	}
	if fi, err := os.Stat(src); err != nil {
		return fmt.Errorf("sqlstore: backup: no database at %s: %w", src, err)
	} else if !fi.Mode().IsRegular() {
		return fmt.Errorf("sqlstore: backup: %s is not a database file", src)
	}
	db, err := sql.Open("sqlite", readOnlyDSN(src))
	if err != nil {
		return fmt.Errorf("sqlstore: backup: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		return fmt.Errorf("sqlstore: backup: %s is not a hostgate database: %w", src, err)
	}

	// O_EXCL: the refusal to overwrite is atomic, and the file is
	// owner-only from its first byte. VACUUM INTO accepts an empty file.
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("sqlstore: backup: %s already exists; choose a new file name (a backup never overwrites one)", dst)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: backup: create %s: %w", dst, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sqlstore: backup: create %s: %w", dst, err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(dst)
			// The check may have left these beside a copy that failed it.
			_ = os.Remove(dst + "-wal")
			_ = os.Remove(dst + "-shm")
		}
	}()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return fmt.Errorf("sqlstore: backup: copy: %w", err)
	}
	if err := syncFile(dst); err != nil {
		return fmt.Errorf("sqlstore: backup: sync %s: %w", dst, err)
	}
	if err := checkIntegrity(ctx, dst); err != nil {
		return fmt.Errorf("sqlstore: backup: the copy %s: %w", dst, err)
	}
	return nil
}

// readOnlyDSN opens an existing database read-only (mode=ro: SQLite
// neither creates the file nor writes it). VACUUM INTO still writes its
// copy from such a connection; query_only would refuse it.
func readOnlyDSN(abs string) string {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), OmitHost: true, RawQuery: q.Encode()}
	return u.String()
}

// checkIntegrity runs PRAGMA integrity_check on the database file at abs.
func checkIntegrity(ctx context.Context, abs string) error {
	db, err := sql.Open("sqlite", readOnlyDSN(abs))
	if err != nil {
		return err
	}
	defer db.Close()
	var verdict string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check(1)`).Scan(&verdict); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if verdict != "ok" {
		return fmt.Errorf("integrity check failed: %s", verdict)
	}
	return nil
}

// syncFile flushes the file at path, and its directory's entry for it, to
// disk: a backup that a power cut can lose is no backup.
func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync() // not every platform syncs a directory; the file is what matters
		d.Close()
	}
	return nil
}
