package sqlstore

import (
	"testing"
)

func TestDollarParams(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = $1 AND c = $2`},
		{`VALUES (?, ?), (?, ?)`, `VALUES ($1, $2), ($3, $4)`},
		{`WHERE s = 'what?' AND x = ?`, `WHERE s = 'what?' AND x = $1`},
		{`WHERE s = 'it''s?' AND x = ?`, `WHERE s = 'it''s?' AND x = $1`},
		{`SELECT "odd?name" FROM t WHERE x = ?`, `SELECT "odd?name" FROM t WHERE x = $1`},
		{"-- why?\nSELECT ? -- and?\n, ?", "-- why?\nSELECT $1 -- and?\n, $2"},
		{`/* a? */ SELECT ? /* b? */`, `/* a? */ SELECT $1 /* b? */`},
		{`SELECT 'unterminated?`, `SELECT 'unterminated?`},
		{`SELECT ? /* unterminated?`, `SELECT $1 /* unterminated?`},
		{`SELECT ?-- end`, `SELECT $1-- end`},
	} {
		if got := dollarParams(tt.in); got != tt.want {
			t.Errorf("dollarParams(%q) = %q, want %q", tt.in, got, tt.want)
		}
		// Cached: the same answer again.
		if got := dollarParams(tt.in); got != tt.want {
			t.Errorf("dollarParams(%q) again = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// The two migration sets are the same changes: the same numbers and names,
// so that a database migrated by either is at the same version.
func TestMigrationSetsMatch(t *testing.T) {
	lite, err := migrations(sqliteDialect.migrations)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := migrations(postgresDialect.migrations)
	if err != nil {
		t.Fatal(err)
	}
	names := func(ms []migration) map[string]bool {
		out := map[string]bool{}
		for _, m := range ms {
			out[m.name] = true
		}
		return out
	}
	l, p := names(lite), names(pg)
	for n := range l {
		if !p[n] {
			t.Errorf("%s has no PostgreSQL twin: add migrations/postgres/%s", n, n)
		}
	}
	for n := range p {
		if !l[n] {
			t.Errorf("migrations/postgres/%s has no SQLite twin in migrations/", n)
		}
	}
	for i, m := range pg {
		if m.version != i+1 {
			t.Errorf("migrations/postgres/%s has version %d, want %d (no gaps)", m.name, m.version, i+1)
		}
	}
}
