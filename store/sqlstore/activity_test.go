package sqlstore

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// Migration 0014 keeps every audit event written before it: each reads
// back as it was, with the new fields empty, in the activity log's order
// (one written without a time counts as the oldest).
func TestMigrationActivityKeepsEvents(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "hostgate.db")
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
		if _, err := old.ExecContext(ctx, q, args...); err != nil {
			old.Close()
			t.Fatal(err)
		}
	}
	exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`)
	for _, m := range ms {
		if m.version >= 14 {
			break
		}
		exec(m.sql)
		exec(`INSERT INTO schema_migrations VALUES (?, ?, 0)`, m.version, m.name)
	}
	exec(`INSERT INTO audit_events (at, user_id, client_id, kind, detail) VALUES (NULL, 'u1', '', 'user.created', '')`)
	exec(`INSERT INTO audit_events (at, user_id, client_id, kind, detail) VALUES (?, 'u1', 'c1', 'consent.approved', 'read write')`, int64(5e18))
	exec(`INSERT INTO audit_events (at, user_id, client_id, kind, detail) VALUES (?, 'u1', '', 'signin', '')`, int64(4e18))
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	s := openAt(t, path, keyring(t, "k1"), options{})
	defer s.Close()
	got, err := s.ListActivity(ctx, "u1", store.ActivityFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := []store.AuditEvent{
		{ID: 2, At: time.Unix(0, 5e18).UTC(), UserID: "u1", ClientID: "c1", Kind: "consent.approved", Detail: "read write"},
		{ID: 3, At: time.Unix(0, 4e18).UTC(), UserID: "u1", Kind: "signin"},
		{ID: 1, At: time.Unix(0, 0).UTC(), UserID: "u1", Kind: "user.created"},
	}
	if len(got) != len(want) {
		t.Fatalf("after migration: %+v, want %+v", got, want)
	}
	for i := range want {
		g := got[i]
		if g.ID != want[i].ID || !g.At.Equal(want[i].At) || g.UserID != want[i].UserID || g.ClientID != want[i].ClientID ||
			g.Kind != want[i].Kind || g.Detail != want[i].Detail || g.Tool != "" || g.Accounts != nil || g.Facts != nil || g.Duration != 0 {
			t.Errorf("event %d after migration = %+v, want %+v", i, g, want[i])
		}
	}
}
