package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/hostgate/hostgate/store/sqlstore"
)

func runBackup(args []string) error { return backupCommand(args, os.Stdout) }

// backupCommand runs "hostgate backup --data-dir DIR --to FILE": a
// consistent copy of the SQLite database, taken while hostgate may be
// serving from it (sqlstore.Backup), reported to out. The key is not
// copied: the message says where it is and why it is kept apart.
func backupCommand(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	dataDir := "hostgate-data"
	if v, ok := os.LookupEnv("HOSTGATE_DATA_DIR"); ok {
		dataDir = v
	}
	fs.StringVar(&dataDir, "data-dir", dataDir, "folder of the SQLite database to back up (HOSTGATE_DATA_DIR)")
	to := fs.String("to", "", "the file to write the backup to; it must not exist yet")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: hostgate backup --data-dir DIR --to FILE

Writes a consistent copy of hostgate's database to FILE, while hostgate keeps
serving. FILE must not exist. The copy does not include the secret key: back
the key up apart (see the README, "Monitor it").

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("backup: unexpected %q; usage: hostgate backup --data-dir DIR --to FILE", fs.Arg(0))
	}
	if os.Getenv("HOSTGATE_DB") != "" {
		// With PostgreSQL the database is the operator's, and so are its
		// backups: pg_dump takes a consistent copy while hostgate serves.
		return errors.New("backup: hostgate backup copies the SQLite database in --data-dir, but HOSTGATE_DB says this hostgate uses PostgreSQL: back it up with pg_dump (e.g. pg_dump --format=custom --file hostgate.dump \"$HOSTGATE_DB\") or your provider's snapshots, and keep the secret key apart as for SQLite")
	}
	if *to == "" {
		return errors.New("backup: --to is required: the new file to write the backup to, e.g. --to /var/backups/hostgate-2026-05-01.db")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	db := filepath.Join(dataDir, "hostgate.db")
	if err := sqlstore.Backup(ctx, db, *to); err != nil {
		return err // sqlstore says "backup" and what to do
	}
	size := int64(0)
	if fi, err := os.Stat(*to); err == nil {
		size = fi.Size()
	}
	key := filepath.Join(dataDir, keyFileName)
	if os.Getenv("HOSTGATE_SECRET_KEY") != "" {
		key = "the value of HOSTGATE_SECRET_KEY"
	}
	fmt.Fprintf(out, `Backed up %s to %s (%d bytes, checked).

The secret key is not in the backup: it is %s.
Keep a copy of it somewhere else than the backups (a password manager, a
secret store), and again after each "hostgate keys rotate". Without it the
backup's vendor accounts cannot be decrypted and every host must reconnect
them; kept together, anyone who gets both has every host's vendor accounts.
`, db, *to, size, key)
	return nil
}
