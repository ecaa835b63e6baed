package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore"
)

const keysUsage = `usage: hostgate keys rotate [--data-dir DIR] [--db URL] [--batch N]

Rotates the master key while hostgate keeps running: adds a new key first in
<data-dir>/secret.key, re-seals every stored vendor credential and connect
state under it, and retires the old key once nothing needs it. Run it again
after an interruption: it carries on where it stopped.

With HOSTGATE_SECRET_KEY set, hostgate cannot change your environment: put a
new key first in it yourself (comma-separated, newest first), restart every
hostgate with it, then run this to re-seal; it tells you when the old key can
go.

With a PostgreSQL --db (HOSTGATE_DB), the secrets re-sealed are that
database's; replicas on several machines share their keys through
HOSTGATE_SECRET_KEY, rotated as above.`

func runKeys(args []string) error {
	if len(args) < 1 || args[0] != "rotate" {
		return errors.New(keysUsage)
	}
	fs := flag.NewFlagSet("keys rotate", flag.ContinueOnError)
	dataDir := "hostgate-data"
	if v, ok := os.LookupEnv("HOSTGATE_DATA_DIR"); ok {
		dataDir = v
	}
	r := rotation{out: os.Stdout, env: os.Getenv("HOSTGATE_SECRET_KEY")}
	fs.StringVar(&r.dataDir, "data-dir", dataDir, "folder of the SQLite database and the key file (HOSTGATE_DATA_DIR)")
	fs.StringVar(&r.db, "db", os.Getenv("HOSTGATE_DB"), "the PostgreSQL URL hostgate runs on; empty for SQLite in --data-dir (HOSTGATE_DB)")
	fs.IntVar(&r.batch, "batch", 50, "secrets re-sealed per transaction")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	_, err := r.run(context.Background())
	return err
}

// rotation is one run of hostgate keys rotate.
type rotation struct {
	dataDir string
	db      string // a PostgreSQL URL; empty for SQLite in dataDir
	env     string // HOSTGATE_SECRET_KEY; empty for the key file
	out     io.Writer
	batch   int
	// afterBatch, set by tests, runs after each batch re-sealed; an error
	// stops the rotation there, as a crash would.
	afterBatch func() error
}

// rotateReport is what a rotation did. It names keys by id only.
type rotateReport struct {
	Added   bool   // a new key was made (else an unfinished rotation resumed)
	Current string // id of the key everything is sealed under now
	store.ResealBatch
	Retired []string // ids of the keys retired
}

// run rotates the key set of r.dataDir (or re-seals under the first key of
// r.env). It never prints or returns a key.
func (r rotation) run(ctx context.Context) (rotateReport, error) {
	if r.batch < 1 {
		r.batch = 50
	}
	if r.env != "" {
		return r.runEnv(ctx)
	}
	path := filepath.Join(r.dataDir, keyFileName)
	unlock, err := lockKeyFile(path + ".lock")
	if err != nil {
		return rotateReport{}, err
	}
	defer unlock()
	ks, err := readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return rotateReport{}, fmt.Errorf("there is no key file %s: hostgate makes one when it first starts with --data-dir %s (or set HOSTGATE_SECRET_KEY)", path, r.dataDir)
	}
	if err != nil {
		return rotateReport{}, err
	}
	var rep rotateReport
	if len(ks.masters) == 1 {
		if ks, err = addKey(ks); err != nil {
			return rotateReport{}, err
		}
		rep.Added = true
	}
	current, sealing, err := sealKeys(ks.masters)
	if err != nil {
		return rotateReport{}, err
	}
	rep.Current = current
	if rep.Added {
		fmt.Fprintf(r.out, "Added key %s first in %s; the old key stays until nothing is sealed under it.\n", current, path)
	} else {
		fmt.Fprintf(r.out, "Resuming the rotation to key %s (%s holds %d keys).\n", current, path, len(ks.masters))
	}
	if err := r.reseal(ctx, current, sealing, &rep); err != nil {
		return rep, err
	}
	// Retire: the file keeps only the new key.
	if _, err := writeKeyFile(path, ks.masters[:1], ks.info); err != nil {
		return rep, fmt.Errorf("retire the old keys: %w; run hostgate keys rotate again", err)
	}
	for id := range sealing {
		if id != current {
			rep.Retired = append(rep.Retired, id)
		}
	}
	fmt.Fprintf(r.out, "Retired %d old key(s): %s holds only key %s.\n", len(rep.Retired), path, current)
	fmt.Fprintln(r.out, "Running hostgate processes already seal under the new key. Restart them when convenient: they forget the old key, and the keys of forms and tool cursors move to the new one.")
	return rep, nil
}

// runEnv re-seals under the first key of HOSTGATE_SECRET_KEY. hostgate
// cannot change the environment of the processes that use it, so it neither
// adds a key (which would mean printing it) nor retires one: it says what
// to do.
func (r rotation) runEnv(ctx context.Context) (rotateReport, error) {
	ks, err := parseKeys(strings.Split(r.env, ","))
	if err != nil {
		return rotateReport{}, fmt.Errorf("HOSTGATE_SECRET_KEY: %w", err)
	}
	if len(ks) == 1 {
		return rotateReport{}, errors.New("HOSTGATE_SECRET_KEY holds one key, and hostgate cannot change your environment. To rotate it:\n" +
			"  1. make a new key: openssl rand -base64 32\n" +
			"  2. set HOSTGATE_SECRET_KEY=<new key>,<current key> for every hostgate process and restart them all\n" +
			"  3. run hostgate keys rotate again with that environment: it re-seals everything under the new key\n" +
			"  4. when it says so, set HOSTGATE_SECRET_KEY=<new key> and restart")
	}
	current, sealing, err := sealKeys(ks)
	if err != nil {
		return rotateReport{}, fmt.Errorf("HOSTGATE_SECRET_KEY: %w", err)
	}
	rep := rotateReport{Current: current}
	fmt.Fprintf(r.out, "Re-sealing under key %s, the first of HOSTGATE_SECRET_KEY. Every hostgate must already run with this HOSTGATE_SECRET_KEY.\n", current)
	if err := r.reseal(ctx, current, sealing, &rep); err != nil {
		return rep, err
	}
	fmt.Fprintln(r.out, "Nothing is sealed under the older keys any more: set HOSTGATE_SECRET_KEY to its first key only and restart hostgate.")
	return rep, nil
}

// maxPasses bounds the passes a rotation makes before it gives up on
// finding nothing left under an old key.
const maxPasses = 4

// reseal re-seals the database's secrets under current until a whole pass
// finds nothing left to move: only then may the old keys go. A pass starts
// by waiting for writes in progress, so after the first, a secret still
// under an old key was written by a process that does not seal under the
// new key.
func (r rotation) reseal(ctx context.Context, current string, sealing map[string][]byte, rep *rotateReport) error {
	ring, err := store.NewKeyring(current, sealing)
	if err != nil {
		return err
	}
	var st *sqlstore.Store
	if r.db != "" {
		if !sqlstore.IsPostgresURL(r.db) {
			return fmt.Errorf("--db %s must be a postgres:// URL, or empty for SQLite in --data-dir", sqlstore.RedactURL(r.db))
		}
		if st, err = sqlstore.OpenPostgres(ctx, r.db, ring, sqlstore.PostgresOptions{MaxConns: 2}); err != nil {
			return err // names the database, without its password
		}
	} else {
		dbPath := filepath.Join(r.dataDir, "hostgate.db")
		if _, err := os.Stat(dbPath); errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(r.out, "No database at %s yet: nothing to re-seal.\n", dbPath)
			return nil
		}
		if st, err = sqlstore.Open(ctx, dbPath, ring); err != nil {
			return fmt.Errorf("open database %s: %w", dbPath, err)
		}
	}
	defer st.Close()
	for n := 1; ; n++ {
		p, err := r.pass(ctx, st)
		rep.Resealed += p.Resealed
		rep.Skipped += p.Skipped
		rep.Unopenable = p.Unopenable // the same rows each pass
		if err != nil {
			fmt.Fprintf(r.out, "Stopped after re-sealing %d secrets.\n", rep.Resealed)
			return fmt.Errorf("re-seal: %w; nothing is lost: run hostgate keys rotate again to carry on", err)
		}
		if n > 1 && p.Resealed == 0 && p.Skipped == 0 {
			break
		}
		if n == maxPasses {
			return fmt.Errorf("after %d passes, secrets are still being sealed under an old key: a hostgate process does not follow the key file (does it run with HOSTGATE_SECRET_KEY, or another data dir?). Restart every hostgate, then run hostgate keys rotate again; the old key stays until then", n)
		}
	}
	fmt.Fprintf(r.out, "Re-sealed %d secrets under key %s; skipped %d that a running hostgate changed meanwhile (it sealed them under the new key itself); %d unopenable.\n",
		rep.Resealed, current, rep.Skipped, rep.Unopenable)
	if rep.Unopenable > 0 {
		fmt.Fprintf(r.out, "The %d unopenable secrets open with no key of the key set (a key lost earlier, or altered data): their connections show needs_reauth until the host reconnects them.\n", rep.Unopenable)
	}
	return nil
}

// pass re-seals from the start to the end of the database, a batch at a time.
func (r rotation) pass(ctx context.Context, st store.Rekeying) (store.ResealBatch, error) {
	var p store.ResealBatch
	for cursor := ""; ; cursor = p.Next {
		b, err := st.ResealSecrets(ctx, cursor, r.batch)
		if err != nil {
			return p, err
		}
		p.Add(b)
		if r.afterBatch != nil {
			if err := r.afterBatch(); err != nil {
				return p, err
			}
		}
		if p.Next == "" {
			return p, nil
		}
	}
}

// addKey makes a new master key and writes it first in the key file, the
// old ones after it. Its sealing key id must differ from theirs.
func addKey(ks keySet) (keySet, error) {
	_, old, err := sealKeys(ks.masters)
	if err != nil {
		return keySet{}, err
	}
	for range 3 {
		k := make([]byte, store.KeySize)
		if _, err := rand.Read(k); err != nil {
			return keySet{}, err
		}
		id, _, err := sealKey(k)
		if err != nil {
			return keySet{}, err
		}
		if _, taken := old[id]; taken {
			continue
		}
		masters := append([][]byte{k}, ks.masters...)
		info, err := writeKeyFile(ks.path, masters, ks.info)
		if err != nil {
			return keySet{}, fmt.Errorf("add the new key: %w", err)
		}
		return keySet{masters: masters, path: ks.path, info: info}, nil
	}
	return keySet{}, errors.New("could not make a key with an id of its own")
}

// writeKeyFile replaces the key file atomically: the keys go to a new file
// (mode 0600) that is synced and then renamed over the old one, so a reader
// or a crash sees the old file or the new one, whole. It refuses if the
// file changed since it was read (as was).
func writeKeyFile(path string, masters [][]byte, was os.FileInfo) (os.FileInfo, error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".secret.key-*") // mode 0600
	if err != nil {
		return nil, err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	var b strings.Builder
	for _, m := range masters {
		b.WriteString(base64.StdEncoding.EncodeToString(m))
		b.WriteByte('\n')
	}
	_, err = f.WriteString(b.String())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	now, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !sameFile(was, now) {
		return nil, fmt.Errorf("%s changed while the rotation ran; run hostgate keys rotate again", path)
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, err
	}
	// The rename is durable once the folder is synced; not every system
	// can sync a folder, and the rename happened either way.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return os.Stat(path)
}

// sameFile reports whether two file informations describe the same file
// in the same state.
func sameFile(a, b os.FileInfo) bool {
	return a != nil && b != nil && os.SameFile(a, b) && a.ModTime().Equal(b.ModTime()) && a.Size() == b.Size()
}
