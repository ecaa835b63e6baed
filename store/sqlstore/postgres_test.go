package sqlstore_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore"
	"github.com/hostgate/hostgate/store/sqlstore/testdb"
	"github.com/hostgate/hostgate/store/storetest"
)

// ring is a keyring whose key follows from its id.
func ring(t testing.TB, current string, ids ...string) *store.Keyring {
	t.Helper()
	keys := map[string][]byte{}
	for _, id := range append(ids, current) {
		keys[id] = bytes.Repeat([]byte(id[:1]), store.KeySize)
	}
	k, err := store.NewKeyring(current, keys)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// The conformance suite on PostgreSQL: each subtest in a schema of its own.
func TestPostgresConformance(t *testing.T) {
	testdb.Postgres(t) // skips without a server
	storetest.Run(t, func(t *testing.T) store.Store {
		db := testdb.Postgres(t)
		return rawPostgres{db.Store(t, ring(t, "k1")), db}
	})
}

// rawPostgres gives the conformance suite every value the schema holds
// ([storetest.Raw]).
type rawPostgres struct {
	*sqlstore.Store
	db testdb.DB
}

func (s rawPostgres) RawContents(t testing.TB) []byte { return s.db.Contents(t) }

func TestPostgresRekeyingConformance(t *testing.T) {
	testdb.Postgres(t)
	storetest.RunRekeying(t, func(t *testing.T) storetest.Reopen {
		db := testdb.Postgres(t)
		return func(t *testing.T, keys *store.Keyring) store.Store {
			return db.Store(t, keys)
		}
	})
}

// Replicas starting at once on a new database apply each migration once.
func TestPostgresOpenTogether(t *testing.T) {
	db := testdb.Postgres(t)
	ctx := t.Context()
	const n = 4
	stores := make([]*sqlstore.Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = db.OpenStore(ctx, ring(t, "k1")) })
	}
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Fatalf("open %d: %v", i, errs[i])
		}
		defer s.Close()
	}
	c, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var rows, versions int
	if err := c.QueryRow(ctx, `SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&rows, &versions); err != nil {
		t.Fatal(err)
	}
	files, _ := fs.Glob(os.DirFS("migrations/postgres"), "*.sql")
	if rows != len(files) || versions != len(files) {
		t.Fatalf("schema_migrations holds %d rows of %d versions; want one row for each of %d migrations", rows, versions, len(files))
	}
	// Every store works on the result.
	for i, s := range stores {
		if err := s.CreateUser(ctx, store.User{ID: fmt.Sprintf("u%d", i), Username: fmt.Sprintf("n%d", i)}); err != nil {
			t.Fatalf("store %d: %v", i, err)
		}
	}
	if s := stores[0]; s.Backend() != "postgres" || s.Path() != "" {
		t.Errorf("Backend() = %q, Path() = %q; want postgres and none", s.Backend(), s.Path())
	}
}

// No error from opening carries the URL's password, whatever went wrong.
func TestPostgresOpenErrorsHidePassword(t *testing.T) {
	ctx := t.Context()
	const secret = "Sup3r-s3cret-pa55w0rd"
	if _, err := sqlstore.OpenPostgres(ctx, "postgres://u:p@localhost/db", nil, sqlstore.PostgresOptions{}); err == nil {
		t.Error("OpenPostgres with no keyring succeeded")
	}
	for _, u := range []string{
		"mysql://u:" + secret + "@localhost/db",
		"postgres://u:" + secret + "@localhost:1/db?connect_timeout=2",
		"postgres://u:" + secret + "@localhost/db?sslmode=nonsense",
		"postgres://u:" + secret + "@[::1/db",
		"postgres://u@localhost:1/db?connect_timeout=2&password=" + secret,
	} {
		_, err := sqlstore.OpenPostgres(ctx, u, ring(t, "k1"), sqlstore.PostgresOptions{})
		if err == nil {
			t.Errorf("OpenPostgres(%s) succeeded", sqlstore.RedactURL(u))
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("the error carries the password: %v", err)
		}
	}
	// A real server refusing the password.
	db := testdb.Postgres(t)
	u, err := url.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), secret)
	_, err = sqlstore.OpenPostgres(ctx, u.String(), ring(t, "k1"), sqlstore.PostgresOptions{})
	if err == nil {
		t.Fatal("OpenPostgres with a wrong password succeeded (does the server check passwords?)")
	}
	if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "xxxxx") {
		t.Errorf("error = %v; want the URL shown with its password redacted", err)
	}
}

// The pool is as large as asked, and shared by reads and writes.
func TestPostgresPoolSize(t *testing.T) {
	db := testdb.Postgres(t)
	s, err := sqlstore.OpenPostgres(t.Context(), db.URL, ring(t, "k1"), sqlstore.PostgresOptions{MaxConns: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.MaxConns(); got != 3 {
		t.Errorf("MaxConns() = %d, want 3", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); err == nil {
		t.Error("Ping on a closed store succeeded")
	}
}

// A row that references a missing user or client is refused as not found,
// as on SQLite.
func TestPostgresMissingReference(t *testing.T) {
	ctx := t.Context()
	s := testdb.Postgres(t).Open(t, ring(t, "k1"))
	if err := s.CreateUser(ctx, store.User{ID: "u1", Username: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateClient(ctx, store.Client{ID: "c1"}); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"connection of a missing user": s.CreateConnection(ctx, store.Connection{ID: "k1", UserID: "nobody", Vendor: "hostex",
			Secret: []byte("x"), Status: store.StatusOK}),
		"code of a missing client":     s.CreateAuthCode(ctx, store.AuthCode{Hash: "h", ClientID: "nobody", UserID: "u1"}),
		"session of a missing user":    s.CreateSession(ctx, store.BrowserSession{Hash: "s", UserID: "nobody"}),
		"approval of a missing client": s.PutApproval(ctx, store.Approval{UserID: "u1", ClientID: "nobody"}),
		"draft of a missing user": s.CreateDraft(ctx, store.Draft{ID: "d1", UserID: "nobody", ClientID: "c1",
			GrantID: "g1", Status: store.DraftPending}),
	} {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"postgres://db.example/hostgate", "postgres://db.example/hostgate"},
		{"postgres://h:pw@db.example:5432/hostgate?sslmode=verify-full", "postgres://h:xxxxx@db.example:5432/hostgate?sslmode=verify-full"},
		{"postgres://h@db.example/hostgate?password=pw&sslmode=disable", "postgres://h@db.example/hostgate?password=xxxxx&sslmode=disable"},
		{"host=db password=pw", "(not a URL)"},
		{"/var/lib/hostgate.db", "(not a URL)"},
		{"postgres://h:pw@[::1/x", "(not a URL)"},
	} {
		if got := sqlstore.RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// BenchmarkPostgresRotateRefresh: refresh-token rotations per second at 16
// concurrent apps on PostgreSQL (skipped without HOSTGATE_TEST_POSTGRES).
//
//	.ci/postgres run go test -run '^$' -bench PostgresRotateRefresh -benchtime 4000x ./store/sqlstore/
func BenchmarkPostgresRotateRefresh(b *testing.B) {
	storetest.BenchRotateRefresh(b, testdb.Postgres(b).Store(b, ring(b, "k1")), 16)
}
