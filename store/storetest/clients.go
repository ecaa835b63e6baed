package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

func testClients(t *testing.T, s store.Store) {
	ctx := t.Context()
	full := newClient("c1")
	// A public client with empty lists, no metadata URL and no times but
	// its creation.
	bare := store.Client{ID: "c2", Name: "bare", RedirectURIs: []string{}, AuthMethod: "none", CreatedAt: t0}
	for _, c := range []store.Client{full, bare} {
		check(t, "CreateClient "+c.ID, s.CreateClient(ctx, c))
		got, err := s.GetClient(ctx, c.ID)
		check(t, "GetClient "+c.ID, err)
		same(t, "GetClient "+c.ID, got, c)
	}
	wantErr(t, "CreateClient same id", s.CreateClient(ctx, newClient("c1")), store.ErrExists)
	_, err := s.GetClient(ctx, "nobody")
	wantErr(t, "GetClient unknown", err, store.ErrNotFound)
}

func testPutClient(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := newClient("https://app.example/client.json")
	check(t, "PutClient new", s.PutClient(ctx, c))
	got, err := s.GetClient(ctx, c.ID)
	check(t, "GetClient", err)
	same(t, "GetClient after PutClient new", got, c)

	// A grant of the client must survive its replacement.
	seedUser(t, s, "u1")
	g, _, _ := seedGrant(t, s, "g1", "u1", c.ID, t0)

	c.Name = "Renamed"
	c.RedirectURIs = []string{"https://app.example/new-cb"}
	c.GrantTypes = nil
	c.MetadataExpiresAt = at(48 * time.Hour)
	c.LastUsedAt = at(time.Minute)
	check(t, "PutClient replace", s.PutClient(ctx, c))
	got, err = s.GetClient(ctx, c.ID)
	check(t, "GetClient", err)
	same(t, "GetClient after PutClient replace", got, c)

	gg, err := s.GetGrant(ctx, g.ID)
	check(t, "GetGrant after PutClient", err)
	same(t, "grant after PutClient", gg, g)
}

func testTouchClient(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := seedClient(t, s, "c1")
	check(t, "TouchClient", s.TouchClient(ctx, "c1", at(time.Minute)))
	got, err := s.GetClient(ctx, "c1")
	check(t, "GetClient", err)
	c.LastUsedAt = at(time.Minute)
	same(t, "GetClient after TouchClient", got, c)
	wantErr(t, "TouchClient unknown", s.TouchClient(ctx, "nobody", t0), store.ErrNotFound)
}

func testCountClientsFrom(t *testing.T, s store.Store) {
	ctx := t.Context()
	for i, from := range []struct {
		addr string
		d    time.Duration
	}{
		{"192.0.2.1", -2 * time.Hour},
		{"192.0.2.1", -time.Hour},
		{"192.0.2.1", 0},
		{"192.0.2.2", 0},
	} {
		c := newClient(fmt.Sprintf("c%d", i))
		c.RegisteredFrom, c.CreatedAt = from.addr, at(from.d)
		check(t, "CreateClient", s.CreateClient(ctx, c))
	}
	for _, tt := range []struct {
		addr  string
		since time.Time
		want  int64
	}{
		{"192.0.2.1", at(-time.Hour), 2}, // since is inclusive
		{"192.0.2.1", at(-3 * time.Hour), 3},
		{"192.0.2.1", time.Time{}, 3},
		{"192.0.2.1", at(time.Second), 0},
		{"192.0.2.2", at(-time.Hour), 1},
		{"198.51.100.1", time.Time{}, 0},
	} {
		n, err := s.CountClientsFrom(ctx, tt.addr, tt.since)
		check(t, "CountClientsFrom", err)
		if n != tt.want {
			t.Errorf("CountClientsFrom(%s, %v) = %d, want %d", tt.addr, tt.since, n, tt.want)
		}
	}
}

func testDeleteStaleClients(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	old, recent := at(-48*time.Hour), at(-time.Hour)
	mk := func(id string, created time.Time) {
		c := newClient(id)
		c.CreatedAt = created
		check(t, "CreateClient "+id, s.CreateClient(ctx, c))
	}
	mk("stale", old)
	mk("stale-approved", old) // an approval alone does not keep a client
	check(t, "PutApproval", s.PutApproval(ctx, store.Approval{UserID: "u1", ClientID: "stale-approved", CreatedAt: old}))
	mk("recent", recent)
	mk("used", old)
	check(t, "TouchClient", s.TouchClient(ctx, "used", old))
	mk("with-code", old)
	check(t, "CreateAuthCode", s.CreateAuthCode(ctx, newCode("code-x", "with-code", "u1")))
	mk("with-grant", old)
	seedGrant(t, s, "g1", "u1", "with-grant", old)
	// Let seedGrant's code expire and go: the grant alone must keep it.
	if _, err := s.DeleteExpired(ctx, old.Add(11*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetAuthCode(ctx, "code-g1"); err == nil {
		t.Fatal("DeleteExpired kept an expired code")
	}

	n, err := s.DeleteStaleClients(ctx, at(-24*time.Hour))
	check(t, "DeleteStaleClients", err)
	if n != 2 {
		t.Errorf("DeleteStaleClients = %d, want 2", n)
	}
	for id, kept := range map[string]bool{"stale": false, "stale-approved": false, "recent": true,
		"used": true, "with-code": true, "with-grant": true} {
		_, err := s.GetClient(ctx, id)
		if kept {
			check(t, "GetClient "+id, err)
		} else {
			wantErr(t, "GetClient "+id, err, store.ErrNotFound)
		}
	}
	_, err = s.GetApproval(ctx, "u1", "stale-approved")
	wantErr(t, "approval of a deleted client", err, store.ErrNotFound)
}

func testApprovals(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedUser(t, s, "u2")
	seedClient(t, s, "c1")
	seedClient(t, s, "c2")
	// a1 comes with no write policy and gets the default; the others name one.
	a1 := store.Approval{UserID: "u1", ClientID: "c1", Scopes: []string{"read"},
		Connections: []string{"conn-1"}, CreatedAt: t0, UpdatedAt: t0}
	a2 := store.Approval{UserID: "u1", ClientID: "c2", Scopes: []string{}, WritePolicy: store.WriteDrafts,
		CreatedAt: at(time.Minute), UpdatedAt: at(time.Minute)}
	other := store.Approval{UserID: "u2", ClientID: "c1", Scopes: []string{"read", "write"},
		WritePolicy: store.WriteAct, CreatedAt: t0, UpdatedAt: t0}
	for _, a := range []store.Approval{a1, a2, other} {
		check(t, "PutApproval", s.PutApproval(ctx, a))
	}
	a1.WritePolicy = store.WriteAsk
	got, err := s.GetApproval(ctx, "u1", "c1")
	check(t, "GetApproval", err)
	same(t, "GetApproval", got, a1)

	a1.Scopes = []string{"read", "write"}
	a1.Connections = nil
	a1.UpdatedAt = at(time.Hour)
	check(t, "PutApproval replace", s.PutApproval(ctx, a1))
	got, err = s.GetApproval(ctx, "u1", "c1")
	check(t, "GetApproval", err)
	same(t, "GetApproval after replace", got, a1)

	list, err := s.ListApprovals(ctx, "u1")
	check(t, "ListApprovals", err)
	slices.SortFunc(list, func(a, b store.Approval) int { return strings.Compare(a.ClientID, b.ClientID) })
	same(t, "ListApprovals", list, []store.Approval{a1, a2})

	check(t, "DeleteApproval", s.DeleteApproval(ctx, "u1", "c1"))
	_, err = s.GetApproval(ctx, "u1", "c1")
	wantErr(t, "GetApproval deleted", err, store.ErrNotFound)
	wantErr(t, "DeleteApproval again", s.DeleteApproval(ctx, "u1", "c1"), store.ErrNotFound)
	got, err = s.GetApproval(ctx, "u2", "c1")
	check(t, "GetApproval of another user", err)
	same(t, "GetApproval of another user", got, other)
	list, err = s.ListApprovals(ctx, "nobody")
	check(t, "ListApprovals unknown user", err)
	if len(list) != 0 {
		t.Fatalf("ListApprovals(unknown user) = %v, want none", list)
	}
}

func testWritePolicy(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedUser(t, s, "u2")
	seedClient(t, s, "c1")
	seedClient(t, s, "c2")
	policy := func(what, userID, clientID string, want store.WritePolicy) {
		t.Helper()
		a, err := s.GetApproval(ctx, userID, clientID)
		check(t, what, err)
		if a.WritePolicy != want {
			t.Fatalf("%s: write policy %q, want %q", what, a.WritePolicy, want)
		}
	}
	a := store.Approval{UserID: "u1", ClientID: "c1", Scopes: []string{"read"}, CreatedAt: t0, UpdatedAt: t0}
	check(t, "PutApproval", s.PutApproval(ctx, a))
	policy("new approval", "u1", "c1", store.WriteAsk)
	check(t, "PutApproval other user", s.PutApproval(ctx,
		store.Approval{UserID: "u2", ClientID: "c1", CreatedAt: t0, UpdatedAt: t0}))

	check(t, "SetWritePolicy", s.SetWritePolicy(ctx, "u1", "c1", store.WriteAct, at(time.Hour)))
	got, err := s.GetApproval(ctx, "u1", "c1")
	check(t, "GetApproval", err)
	want := a
	want.WritePolicy, want.UpdatedAt = store.WriteAct, at(time.Hour)
	same(t, "GetApproval after SetWritePolicy", got, want)
	policy("another user's approval", "u2", "c1", store.WriteAsk)

	// Re-approving keeps the host's choice, whatever the approval says.
	for _, p := range []store.WritePolicy{"", store.WriteAsk, store.WriteDrafts} {
		a.WritePolicy = p
		a.Scopes = []string{"read", "write"}
		a.UpdatedAt = at(2 * time.Hour)
		check(t, "PutApproval again", s.PutApproval(ctx, a))
		got, err := s.GetApproval(ctx, "u1", "c1")
		check(t, "GetApproval", err)
		want := a
		want.WritePolicy = store.WriteAct
		same(t, fmt.Sprintf("GetApproval after PutApproval with policy %q", p), got, want)
	}
	list, err := s.ListApprovals(ctx, "u1")
	check(t, "ListApprovals", err)
	if len(list) != 1 || list[0].WritePolicy != store.WriteAct {
		t.Fatalf("ListApprovals = %+v, want one with policy act", list)
	}

	for _, p := range []store.WritePolicy{store.WriteDrafts, store.WriteAsk} {
		check(t, "SetWritePolicy "+string(p), s.SetWritePolicy(ctx, "u1", "c1", p, at(3*time.Hour)))
		policy("after SetWritePolicy "+string(p), "u1", "c1", p)
	}

	// Unknown approvals and policies.
	wantErr(t, "SetWritePolicy unapproved client",
		s.SetWritePolicy(ctx, "u1", "c2", store.WriteAct, t0), store.ErrNotFound)
	wantErr(t, "SetWritePolicy unknown user",
		s.SetWritePolicy(ctx, "nobody", "c1", store.WriteAct, t0), store.ErrNotFound)
	for _, p := range []store.WritePolicy{"", "yolo", "ACT", " ask"} {
		if err := s.SetWritePolicy(ctx, "u1", "c1", p, t0); err == nil {
			t.Fatalf("SetWritePolicy(%q) succeeded", p)
		}
		policy(fmt.Sprintf("after SetWritePolicy(%q)", p), "u1", "c1", store.WriteAsk)
		if p == "" {
			continue // PutApproval takes no policy as the default
		}
		if err := s.PutApproval(ctx, store.Approval{UserID: "u1", ClientID: "c2", WritePolicy: p}); err == nil {
			t.Fatalf("PutApproval with policy %q succeeded", p)
		}
		_, err := s.GetApproval(ctx, "u1", "c2")
		wantErr(t, fmt.Sprintf("GetApproval after PutApproval with policy %q", p), err, store.ErrNotFound)
	}

	// An approval deleted (the app revoked) and made again starts afresh.
	check(t, "SetWritePolicy", s.SetWritePolicy(ctx, "u1", "c1", store.WriteAct, t0))
	check(t, "DeleteApproval", s.DeleteApproval(ctx, "u1", "c1"))
	wantErr(t, "SetWritePolicy deleted approval",
		s.SetWritePolicy(ctx, "u1", "c1", store.WriteAct, t0), store.ErrNotFound)
	a.WritePolicy = ""
	check(t, "PutApproval after delete", s.PutApproval(ctx, a))
	policy("approval made again", "u1", "c1", store.WriteAsk)
}
