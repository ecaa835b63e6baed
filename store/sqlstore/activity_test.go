package sqlstore

import (
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
	schemaBefore(t, path, 14,
		`INSERT INTO audit_events (at, user_id, client_id, kind, detail) VALUES (NULL, 'u1', '', 'user.created', '')`,
		`INSERT INTO audit_events (at, user_id, client_id, kind, detail) VALUES (5000000000000000000, 'u1', 'c1', 'consent.approved', 'read write')`,
		`INSERT INTO audit_events (at, user_id, client_id, kind, detail) VALUES (4000000000000000000, 'u1', '', 'signin', '')`,
	)

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
