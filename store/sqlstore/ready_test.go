package sqlstore

import (
	"testing"
)

// TestSchemaCurrent: a migration missing from schema_migrations (a
// database an older hostgate left, or restored from an old copy, while
// this one serves) makes the schema not current; a migration this version
// does not know (a newer hostgate sharing the database) does not.
func TestSchemaCurrent(t *testing.T) {
	ms, err := migrations(sqliteDialect.migrations)
	if err != nil {
		t.Fatal(err)
	}
	newest := ms[len(ms)-1].version
	for _, tt := range []struct {
		name string
		sql  string
		args []any
		want bool
	}{
		{"as opened", "", nil, true},
		{"newest migration missing", `DELETE FROM schema_migrations WHERE version = ?`, []any{newest}, false},
		{"first migration missing", `DELETE FROM schema_migrations WHERE version = ?`, []any{ms[0].version}, false},
		{"a newer version's migration too", `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future.sql', 0)`, []any{newest + 1}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := openTemp(t)
			if tt.sql != "" {
				if _, err := s.w.ExecContext(t.Context(), tt.sql, tt.args...); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.SchemaCurrent(t.Context())
			if err != nil || got != tt.want {
				t.Fatalf("SchemaCurrent = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// TestSchemaCurrentClosed: a closed database is an error, not "behind".
func TestSchemaCurrentClosed(t *testing.T) {
	s := openTemp(t)
	s.Close()
	if _, err := s.SchemaCurrent(t.Context()); err == nil {
		t.Fatal("SchemaCurrent on a closed store succeeded")
	}
}
