package sqlstore_test

import (
	"path/filepath"
	"testing"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore"
	"github.com/hostgate/hostgate/store/sqlstore/testdb"
	"github.com/hostgate/hostgate/store/storetest"
)

// The conformance tests of several handles on one SQLite file.
func TestReplicasConformance(t *testing.T) {
	storetest.RunReplicas(t, func(t *testing.T) storetest.Reopen {
		path := filepath.Join(t.TempDir(), "hostgate.db")
		return func(t *testing.T, keys *store.Keyring) store.Store {
			s, err := sqlstore.Open(t.Context(), path, keys)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	})
}

// The same on PostgreSQL: three pools on one schema, as three replicas.
func TestPostgresReplicasConformance(t *testing.T) {
	testdb.Postgres(t) // skips without a server
	storetest.RunReplicas(t, func(t *testing.T) storetest.Reopen {
		db := testdb.Postgres(t)
		return func(t *testing.T, keys *store.Keyring) store.Store {
			return db.Store(t, keys)
		}
	})
}

// BenchmarkPostgresTakeRate: one shared rate-budget take (Hostex's three
// per-account limits) on PostgreSQL, one round trip: what a replica adds
// to each vendor request (skipped without HOSTGATE_TEST_POSTGRES).
//
//	.ci/postgres run go test -run '^$' -bench PostgresTakeRate -benchtime 5000x ./store/sqlstore/
func BenchmarkPostgresTakeRate(b *testing.B) {
	storetest.BenchTakeRate(b, testdb.Postgres(b).Open(b, ring(b, "k1")))
}

// BenchmarkTakeRate: the same on a SQLite file, for comparison only:
// hostgate on SQLite counts its budgets in memory.
func BenchmarkTakeRate(b *testing.B) {
	s, err := sqlstore.Open(b.Context(), filepath.Join(b.TempDir(), "hostgate.db"), ring(b, "k1"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	storetest.BenchTakeRate(b, s)
}
