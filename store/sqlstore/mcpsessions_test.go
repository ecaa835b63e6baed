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
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(b.CreateUser(ctx, store.User{ID: "u1", Username: "u1", CreatedAt: now}))
	must(b.CreateClient(ctx, store.Client{ID: "c1", Name: "app", RedirectURIs: []string{"http://127.0.0.1/cb"}, CreatedAt: now}))
	must(b.CreateAuthCode(ctx, store.AuthCode{Hash: "code", ClientID: "c1", UserID: "u1", RedirectURI: "http://127.0.0.1/cb",
		Challenge: "x", Scopes: []string{"read"}, CreatedAt: now, ExpiresAt: now.Add(time.Minute)}))
	must(b.RedeemAuthCode(ctx, "code", now, store.Grant{ID: "g1", UserID: "u1", ClientID: "c1", Scopes: []string{"read"}, CreatedAt: now},
		store.Token{Hash: "at", Kind: store.KindAccess, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}, store.Token{}))
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
