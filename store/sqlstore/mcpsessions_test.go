package sqlstore_test

import (
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore/testdb"
)

// An MCP session ended through one store, by its client or by its grant's
// cap, reaches a subscription on another store of the database, keyed by
// its hash; a session that did not exist sends nothing.
func TestPostgresSessionChanges(t *testing.T) {
	db := testdb.Postgres(t)
	ctx := t.Context()
	k := ring(t, "k1")
	a, b := db.Open(t, k), db.Open(t, k)
	ch, err := a.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	must := mustOK(t)
	grantFixture(t, b, now, false)
	session := func(hash string, used time.Time) store.MCPSession {
		return store.MCPSession{Hash: hash, GrantID: "g1", CreatedAt: used, LastUsedAt: used}
	}
	_, err = b.CreateMCPSession(ctx, session("s1", now), 1)
	must(err)
	_, err = b.CreateMCPSession(ctx, session("s2", now.Add(time.Second)), 1) // evicts s1
	must(err)
	if ok, err := b.DeleteMCPSession(ctx, "s1"); err != nil || ok {
		t.Fatalf("DeleteMCPSession of an evicted session = %v, %v", ok, err)
	}
	ok, err := b.DeleteMCPSession(ctx, "s2")
	must(err)
	if !ok {
		t.Fatal("DeleteMCPSession of a live session reported none")
	}
	for i, w := range []store.Change{{Topic: store.TopicSessions, Key: "s1"}, {Topic: store.TopicSessions, Key: "s2"}} {
		if got := next(t, ch); got != w {
			t.Fatalf("change %d = %+v, want %+v", i, got, w)
		}
	}
}
