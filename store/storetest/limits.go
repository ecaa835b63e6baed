package storetest

import (
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// testAppLimits: an app's limits round-trip whole, belong to one host's
// approval of one client, need that approval, survive re-approval and go
// with the approval.
func testAppLimits(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedUser(t, s, "u2")
	seedClient(t, s, "c1")
	seedClient(t, s, "c2")
	approve := func(userID, clientID string) {
		t.Helper()
		check(t, "PutApproval", s.PutApproval(ctx, store.Approval{UserID: userID, ClientID: clientID,
			Scopes: []string{"read"}, CreatedAt: t0, UpdatedAt: t0}))
	}
	get := func(what, userID, clientID string) store.AppLimits {
		t.Helper()
		l, err := s.GetAppLimits(ctx, userID, clientID)
		check(t, what, err)
		return l
	}
	approve("u1", "c1")
	approve("u2", "c1")
	approve("u1", "c2")

	// None set, approved or not: only the names, and no error.
	for _, k := range []struct{ user, client string }{{"u1", "c1"}, {"u1", "nobody"}, {"nobody", "c1"}} {
		l := get("GetAppLimits unset", k.user, k.client)
		same(t, "GetAppLimits unset", l, store.AppLimits{UserID: k.user, ClientID: k.client})
		if !l.None() {
			t.Fatalf("unset limits %+v do not report None", l)
		}
	}

	want := store.AppLimits{UserID: "u1", ClientID: "c1", Tools: []string{"list_properties", "get_reservation"},
		Properties: []string{"hostex:12111947"}, Until: at(48 * time.Hour), UpdatedAt: at(time.Minute)}
	check(t, "SetAppLimits", s.SetAppLimits(ctx, want))
	same(t, "GetAppLimits", get("GetAppLimits", "u1", "c1"), want)
	// Another host's approval of the client, and the host's approval of
	// another client, are not limited by it.
	same(t, "another host", get("GetAppLimits u2", "u2", "c1"), store.AppLimits{UserID: "u2", ClientID: "c1"})
	same(t, "another client", get("GetAppLimits c2", "u1", "c2"), store.AppLimits{UserID: "u1", ClientID: "c2"})

	// Replacing writes every field, an empty list and a zero end included.
	repl := store.AppLimits{UserID: "u1", ClientID: "c1", Properties: []string{"hostaway:7", "hospitable:ab-12"}, UpdatedAt: at(time.Hour)}
	check(t, "SetAppLimits again", s.SetAppLimits(ctx, repl))
	same(t, "GetAppLimits replaced", get("GetAppLimits replaced", "u1", "c1"), repl)

	// Re-approving the app keeps its limits.
	approve("u1", "c1")
	same(t, "GetAppLimits after re-approval", get("GetAppLimits after re-approval", "u1", "c1"), repl)

	// Limits need an approval.
	wantErr(t, "SetAppLimits unapproved client", s.SetAppLimits(ctx,
		store.AppLimits{UserID: "u2", ClientID: "c2", Tools: []string{"whoami"}}), store.ErrNotFound)
	wantErr(t, "SetAppLimits unknown user", s.SetAppLimits(ctx,
		store.AppLimits{UserID: "nobody", ClientID: "c1", Tools: []string{"whoami"}}), store.ErrNotFound)

	// Revoking the app deletes its approval and so its limits: approved
	// again, it starts unlimited.
	_, err := s.RevokeClient(ctx, "u1", "c1", at(2*time.Hour))
	check(t, "RevokeClient", err)
	same(t, "GetAppLimits after revocation", get("GetAppLimits after revocation", "u1", "c1"),
		store.AppLimits{UserID: "u1", ClientID: "c1"})
	approve("u1", "c1")
	same(t, "GetAppLimits after approving again", get("GetAppLimits after approving again", "u1", "c1"),
		store.AppLimits{UserID: "u1", ClientID: "c1"})

	// Deleting the approval directly does the same.
	check(t, "SetAppLimits on c2", s.SetAppLimits(ctx, store.AppLimits{UserID: "u1", ClientID: "c2", Until: t0}))
	check(t, "DeleteApproval", s.DeleteApproval(ctx, "u1", "c2"))
	same(t, "GetAppLimits after DeleteApproval", get("GetAppLimits after DeleteApproval", "u1", "c2"),
		store.AppLimits{UserID: "u1", ClientID: "c2"})
}

// testAppLimitsRules: what the limits allow, as every consumer reads them.
func testAppLimitsRules(t *testing.T, _ store.Store) {
	none := store.AppLimits{}
	l := store.AppLimits{Tools: []string{"list_properties"}, Properties: []string{"hostex:1"}, Until: t0}
	for _, tc := range []struct {
		name string
		got  bool
		want bool
	}{
		{"no limits allow every tool", none.AllowsTool("send_message"), true},
		{"no limits allow every property", none.AllowsProperty("hostex:2"), true},
		{"no limits allow an item of no known property", none.AllowsProperty(""), true},
		{"no limits never end", none.Ended(t0.AddDate(100, 0, 0)), false},
		{"a listed tool", l.AllowsTool("list_properties"), true},
		{"a tool not listed", l.AllowsTool("send_message"), false},
		{"a listed property", l.AllowsProperty("hostex:1"), true},
		{"a property not listed", l.AllowsProperty("hostex:2"), false},
		{"a property of another vendor with the same id", l.AllowsProperty("hostaway:1"), false},
		{"no property under a property limit", l.AllowsProperty(""), false},
		{"before the end", l.Ended(t0.Add(-time.Nanosecond)), false},
		{"at the end", l.Ended(t0), true},
		{"after the end", l.Ended(t0.Add(time.Hour)), true},
		{"limits are not none", l.None(), false},
		{"a property limit limits properties", l.LimitsProperties(), true},
		{"no limit limits no property", none.LimitsProperties(), false},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}
