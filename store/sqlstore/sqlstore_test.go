package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/storetest"
)

func keyring(t testing.TB, current string, ids ...string) *store.Keyring {
	t.Helper()
	keys := map[string][]byte{}
	for _, id := range append(ids, current) {
		keys[id] = testKey(id)
	}
	k, err := store.NewKeyring(current, keys)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testKey is a fixed key per id, so that two keyrings agree on it.
var testKeys sync.Map

func testKey(id string) []byte {
	fresh := make([]byte, store.KeySize)
	rand.Read(fresh)
	k, _ := testKeys.LoadOrStore(id, fresh)
	return k.([]byte)
}

func openAt(t testing.TB, path string, keys *store.Keyring, o options) *Store {
	t.Helper()
	s, err := open(context.Background(), path, keys, o)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return s
}

func openTemp(t testing.TB) *Store {
	t.Helper()
	s := openAt(t, filepath.Join(t.TempDir(), "hostgate.db"), keyring(t, "k1"), options{})
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		path := filepath.Join(t.TempDir(), "hostgate.db")
		return rawStore{openAt(t, path, keyring(t, "k1"), options{}), path}
	})
}

// rawStore gives the conformance suite the database files' bytes
// ([storetest.Raw]).
type rawStore struct {
	*Store
	path string
}

func (s rawStore) RawContents(t testing.TB) []byte { return dbFiles(t, s.path) }

func TestOpenRejects(t *testing.T) {
	ctx := t.Context()
	if _, err := Open(ctx, filepath.Join(t.TempDir(), "x.db"), nil); err == nil {
		t.Error("Open with a nil keyring succeeded")
	}
	for _, p := range []string{"", ":memory:"} {
		if _, err := Open(ctx, p, keyring(t, "k1")); err == nil {
			t.Errorf("Open(%q) succeeded", p)
		}
	}
	if _, err := Open(ctx, filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"), keyring(t, "k1")); err == nil {
		t.Error("Open in a missing directory succeeded")
	}
}

// An awkward path must reach SQLite intact, not be cut at '?' or '#'.
func TestOpenOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a b?c#d%20e")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "host gate.db")
	s := openAt(t, path, keyring(t, "k1"), options{})
	defer s.Close()
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	if err := s.CreateUser(t.Context(), store.User{ID: "u1", Username: "a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at its path: %v", err)
	}
}

func TestPragmas(t *testing.T) {
	ctx := t.Context()
	s := openTemp(t)
	type want struct{ journal, fk, busy, sync, queryOnly string }
	checkConn := func(name string, c *sql.Conn, w want) {
		t.Helper()
		for pragma, wantV := range map[string]string{
			"journal_mode": w.journal, "foreign_keys": w.fk, "busy_timeout": w.busy,
			"synchronous": w.sync, "query_only": w.queryOnly,
		} {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("%s: PRAGMA %s: %v", name, pragma, err)
			}
			if got != wantV {
				t.Errorf("%s: %s = %q, want %q", name, pragma, got, wantV)
			}
		}
	}
	w, err := s.w.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkConn("writer", w, want{"wal", "1", "5000", "2", "0"})
	w.Close()

	// Hold every reader at once, so each pooled connection is checked.
	n := s.r.Stats().MaxOpenConnections
	var held []*sql.Conn
	for range n {
		c, err := s.r.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	for i, c := range held {
		checkConn(fmt.Sprintf("reader %d", i), c, want{"wal", "1", "5000", "2", "1"})
	}
	for _, c := range held {
		c.Close()
	}
	if n < 2 {
		t.Errorf("read pool has %d connections, want several", n)
	}
	if got := s.w.Stats().MaxOpenConnections; got != 1 {
		t.Errorf("write pool has %d connections, want 1", got)
	}
	if _, err := s.r.ExecContext(ctx, `INSERT INTO users (id) VALUES ('x')`); err == nil {
		t.Error("the read pool wrote")
	}
}

func TestReopenAppliesNoMigrationTwice(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "hostgate.db")
	keys := keyring(t, "k1")
	ms, err := migrations(sqliteDialect.migrations)
	if err != nil || len(ms) == 0 {
		t.Fatalf("migrations: %v, %d", err, len(ms))
	}
	applied := func(s *Store) map[int]int64 {
		rows, err := s.r.QueryContext(ctx, `SELECT version, applied_at FROM schema_migrations`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[int]int64{}
		for rows.Next() {
			var v int
			var at int64
			if err := rows.Scan(&v, &at); err != nil {
				t.Fatal(err)
			}
			out[v] = at
		}
		return out
	}
	s := openAt(t, path, keys, options{})
	first := applied(s)
	if len(first) != len(ms) {
		t.Fatalf("%d migrations recorded, want %d", len(first), len(ms))
	}
	if err := s.CreateUser(ctx, store.User{ID: "u1", Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// Two stores opening the file at once still apply nothing again.
	var wg sync.WaitGroup
	stores := make([]*Store, 2)
	errs := make([]error, 2)
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = open(ctx, path, keys, options{}) })
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Fatalf("reopen %d: %v", i, errs[i])
		}
		defer s.Close()
		again := applied(s)
		if len(again) != len(first) {
			t.Fatalf("reopen recorded %d migrations, want %d", len(again), len(first))
		}
		for v, at := range first {
			if again[v] != at {
				t.Errorf("migration %d re-applied", v)
			}
		}
		if _, err := s.GetUser(ctx, "u1"); err != nil {
			t.Fatalf("data lost on reopen: %v", err)
		}
	}
}

func TestMigrationsNumbered(t *testing.T) {
	ms, err := migrations(sqliteDialect.migrations)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if m.version != i+1 {
			t.Errorf("migration %s has version %d, want %d (no gaps)", m.name, m.version, i+1)
		}
	}
}

// Deleting a user takes everything of theirs with it, but not the clients
// they approved nor the audit trail.
func TestDeleteUserCascades(t *testing.T) {
	ctx := t.Context()
	s := openTemp(t)
	now := time.Now()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateUser(ctx, store.User{ID: "u1", Username: "alice", CreatedAt: now}))
	must(s.CreateClient(ctx, store.Client{ID: "c1", CreatedAt: now}))
	must(s.PutApproval(ctx, store.Approval{UserID: "u1", ClientID: "c1"}))
	must(s.CreateAuthCode(ctx, store.AuthCode{Hash: "code", ClientID: "c1", UserID: "u1", ExpiresAt: now}))
	must(s.CreateAuthCode(ctx, store.AuthCode{Hash: "code2", ClientID: "c1", UserID: "u1", ExpiresAt: now}))
	must(s.RedeemAuthCode(ctx, "code", now, store.Grant{ID: "g1", UserID: "u1", ClientID: "c1"},
		store.Token{Hash: "a", Kind: store.KindAccess}, store.Token{Hash: "r", Kind: store.KindRefresh}))
	must(s.CreateConnection(ctx, conn("k1", "u1", "secret")))
	must(s.CreateSession(ctx, store.BrowserSession{Hash: "s", UserID: "u1"}))
	must(s.AddAuditEvent(ctx, store.AuditEvent{UserID: "u1", Kind: "user.created"}))
	must(s.CreateDraft(ctx, store.Draft{ID: "d1", UserID: "u1", ClientID: "c1", GrantID: "g1", Status: store.DraftPending}))

	if _, err := s.w.ExecContext(ctx, `DELETE FROM users WHERE id = 'u1'`); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"users", "approvals", "auth_codes", "grants", "tokens", "connections", "browser_sessions", "drafts"} {
		var n int
		must(s.r.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n))
		if n != 0 {
			t.Errorf("%s: %d rows left after deleting their user", table, n)
		}
	}
	if _, err := s.GetClient(ctx, "c1"); err != nil {
		t.Errorf("client deleted with the user: %v", err)
	}
	if ev, err := s.ListAuditEvents(ctx, "u1", 10); err != nil || len(ev) != 1 {
		t.Errorf("audit events after deleting the user: %v, %v", ev, err)
	}
}

// A row that references a missing user or client is refused as not found.
func TestMissingReference(t *testing.T) {
	ctx := t.Context()
	s := openTemp(t)
	if err := s.CreateUser(ctx, store.User{ID: "u1", Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateClient(ctx, store.Client{ID: "c1"}); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"connection of a missing user": s.CreateConnection(ctx, conn("k1", "nobody", "x")),
		"code of a missing client":     s.CreateAuthCode(ctx, store.AuthCode{Hash: "h", ClientID: "nobody", UserID: "u1"}),
		"session of a missing user":    s.CreateSession(ctx, store.BrowserSession{Hash: "s", UserID: "nobody"}),
		"approval of a missing client": s.PutApproval(ctx, store.Approval{UserID: "u1", ClientID: "nobody"}),
		"draft of a missing user": s.CreateDraft(ctx, store.Draft{ID: "d1", UserID: "nobody", ClientID: "c1",
			GrantID: "g1", Status: store.DraftPending}),
		"draft of a missing client": s.CreateDraft(ctx, store.Draft{ID: "d2", UserID: "u1", ClientID: "nobody",
			GrantID: "g1", Status: store.DraftPending}),
	} {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
}

// A write transaction takes the write lock when it begins, not at its first
// write: another writer is refused at once instead of deadlocking later.
func TestWriteTransactionsBeginImmediate(t *testing.T) {
	ctx := t.Context()
	s := openTemp(t)
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	other, err := sql.Open("sqlite", s.Path()+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.ExecContext(ctx, `BEGIN IMMEDIATE`); err == nil {
		other.ExecContext(ctx, `ROLLBACK`)
		t.Fatal("a second writer began while a write transaction was open: it did not begin IMMEDIATE")
	}
}

// A draft's grant is not a foreign key (see migration 0004): a draft names
// a grant that is gone, and outlives its grant.
func TestDraftOutlivesItsGrant(t *testing.T) {
	ctx := t.Context()
	s := openTemp(t)
	now := time.Now()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateUser(ctx, store.User{ID: "u1", Username: "alice", CreatedAt: now}))
	must(s.CreateClient(ctx, store.Client{ID: "c1", CreatedAt: now}))
	must(s.CreateDraft(ctx, store.Draft{ID: "d0", UserID: "u1", ClientID: "c1", GrantID: "no-such-grant",
		Status: store.DraftPending, CreatedAt: now}))
	must(s.CreateAuthCode(ctx, store.AuthCode{Hash: "code", ClientID: "c1", UserID: "u1", ExpiresAt: now}))
	must(s.RedeemAuthCode(ctx, "code", now, store.Grant{ID: "g1", UserID: "u1", ClientID: "c1"},
		store.Token{Hash: "a", Kind: store.KindAccess}, store.Token{Hash: "r", Kind: store.KindRefresh}))
	must(s.CreateDraft(ctx, store.Draft{ID: "d1", UserID: "u1", ClientID: "c1", GrantID: "g1",
		Status: store.DraftSent, Via: "chat", CreatedAt: now}))
	if _, err := s.w.ExecContext(ctx, `DELETE FROM grants WHERE id = 'g1'`); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"d0", "d1"} {
		if _, err := s.GetDraft(ctx, id); err != nil {
			t.Errorf("GetDraft %s: %v", id, err)
		}
	}
}

// The schema refuses what the Go code would never write: an unknown draft
// status or write policy.
func TestDraftChecks(t *testing.T) {
	ctx := t.Context()
	s := openTemp(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateUser(ctx, store.User{ID: "u1", Username: "alice"}))
	must(s.CreateClient(ctx, store.Client{ID: "c1"}))
	must(s.PutApproval(ctx, store.Approval{UserID: "u1", ClientID: "c1"}))
	for _, st := range []store.DraftStatus{"", "approved", "PENDING"} {
		if err := s.CreateDraft(ctx, store.Draft{ID: "d-" + string(st), UserID: "u1", ClientID: "c1",
			GrantID: "g1", Status: st}); err == nil {
			t.Errorf("CreateDraft with status %q succeeded", st)
		}
	}
	must(s.CreateDraft(ctx, store.Draft{ID: "d1", UserID: "u1", ClientID: "c1", GrantID: "g1", Status: store.DraftPending}))
	if _, err := s.UpdateDraft(ctx, store.Draft{ID: "d1", Status: "approved"}, store.DraftPending); err == nil ||
		errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateDraft to an unknown status: err = %v, want a constraint failure", err)
	}
	if d, err := s.GetDraft(ctx, "d1"); err != nil || d.Status != store.DraftPending {
		t.Errorf("draft after a refused update: %+v, %v", d, err)
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE approvals SET write_policy = 'yolo'`); err == nil {
		t.Error("the schema took an unknown write policy")
	}
}

// Approvals made before migration 0004 get the default write policy.
func TestMigrationDraftsKeepsApprovals(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "hostgate.db")
	schemaBefore(t, path, 4,
		`INSERT INTO users (id, username) VALUES ('u1', 'alice')`,
		`INSERT INTO clients (id) VALUES ('c1')`,
		`INSERT INTO approvals (user_id, client_id, scopes, created_at, updated_at) VALUES ('u1', 'c1', '["read"]', 1, 2)`,
	)

	s := openAt(t, path, keyring(t, "k1"), options{})
	defer s.Close()
	a, err := s.GetApproval(ctx, "u1", "c1")
	if err != nil {
		t.Fatal(err)
	}
	if a.WritePolicy != store.WriteAsk || len(a.Scopes) != 1 || a.UpdatedAt.UnixNano() != 2 {
		t.Errorf("approval after migration = %+v, want its old values and policy ask", a)
	}
}

// TestPingAfterClose: the health check fails once the database is gone.
func TestPingAfterClose(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "hostgate.db"), keyring(t, "k1"), options{})
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping on an open store: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); err == nil {
		t.Fatal("Ping on a closed store succeeded")
	}
}

// BenchmarkRotateRefresh: refresh-token rotations per second at 16
// concurrent apps on a SQLite file (storetest.BenchRotateRefresh).
//
//	go test -run '^$' -bench RotateRefresh -benchtime 4000x ./store/sqlstore/
func BenchmarkRotateRefresh(b *testing.B) {
	storetest.BenchRotateRefresh(b, openTemp(b), 16)
}

// schemaBefore makes a SQLite file at path holding the schema as migrations
// before version left it, runs the statements (the rows an older hostgate
// wrote) on it and closes it, for a test to open with the newer migrations.
func schemaBefore(t *testing.T, path string, version int, stmts ...string) {
	t.Helper()
	ms, err := migrations(sqliteDialect.migrations)
	if err != nil {
		t.Fatal(err)
	}
	old, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := old.ExecContext(t.Context(), q, args...); err != nil {
			old.Close()
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`)
	for _, m := range ms {
		if m.version >= version {
			break
		}
		exec(m.sql)
		exec(`INSERT INTO schema_migrations VALUES (?, ?, 0)`, m.version, m.name)
	}
	for _, q := range stmts {
		exec(q)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
}
