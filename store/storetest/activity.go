package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// listAll returns the user's events through f with a large limit, IDs
// cleared for comparison.
func listAll(t *testing.T, s store.Store, userID string, f store.ActivityFilter) []store.AuditEvent {
	t.Helper()
	f.Limit = 1000
	got, err := s.ListActivity(t.Context(), userID, f)
	check(t, "ListActivity", err)
	return got
}

func clearIDs(events []store.AuditEvent) []store.AuditEvent {
	out := append([]store.AuditEvent(nil), events...)
	for i := range out {
		out[i].ID = 0
	}
	return out
}

// testActivity: every field of an event survives the round trip; events
// come back newest first, ties in insertion order reversed; a batch is
// stored whole or not at all; the security events written through
// AddAuditEvent are in the same log.
func testActivity(t *testing.T, s store.Store) {
	ctx := t.Context()
	call := store.AuditEvent{At: at(time.Minute), UserID: "u1", ClientID: "c1", AppName: "Claude",
		Kind: store.EventToolCall, Tool: "send_message", Outcome: store.OutcomeSent, Duration: 1234567 * time.Nanosecond,
		Accounts: []store.EventAccount{{ID: "conn-1", Vendor: "hostex", Label: "Beach house"}, {ID: "conn-2", Vendor: "hostaway"}},
		Facts:    []store.EventFact{{Label: "Guest", Value: "Dana Hughes"}, {Label: "Stay", Value: "1–4 Dec 2026"}},
		Text:     "See you at 4pm.\nThe door code comes tomorrow.", Ref: "dr-1", Detail: "Send this message"}
	read := store.AuditEvent{At: at(time.Minute), UserID: "u1", ClientID: "c1", AppName: "Claude",
		Kind: store.EventToolCall, Tool: "list_properties", Outcome: store.OutcomeOK, Duration: time.Millisecond}
	check(t, "AddActivity", s.AddActivity(ctx, []store.AuditEvent{call, read}))
	check(t, "AddAuditEvent", s.AddAuditEvent(ctx, store.AuditEvent{At: at(0), UserID: "u1", Kind: "signin"}))
	check(t, "AddActivity none", s.AddActivity(ctx, nil))

	got := listAll(t, s, "u1", store.ActivityFilter{})
	if len(got) != 3 || got[0].ID <= got[1].ID {
		t.Fatalf("ListActivity = %+v, want 3 events, the later insert first at equal times", got)
	}
	same(t, "ListActivity", clearIDs(got), []store.AuditEvent{read, call, {At: at(0), UserID: "u1", Kind: "signin"}})
	legacy, err := s.ListAuditEvents(ctx, "u1", 10)
	check(t, "ListAuditEvents", err)
	same(t, "ListAuditEvents reads the same log", legacy, got)

	// One event without a time fails the whole batch.
	bad := []store.AuditEvent{{At: at(time.Hour), UserID: "u1", Kind: "x"}, {UserID: "u1", Kind: "y"}}
	if err := s.AddActivity(ctx, bad); err == nil {
		t.Fatal("AddActivity with an event without a time succeeded")
	}
	if n := len(listAll(t, s, "u1", store.ActivityFilter{})); n != 3 {
		t.Fatalf("a failed batch left %d events, want the 3 before it", n)
	}
	if got, err := s.ListActivity(ctx, "u1", store.ActivityFilter{Limit: 0}); err != nil || len(got) != 0 {
		t.Fatalf("ListActivity(limit 0) = %d events, %v; want none", len(got), err)
	}
}

// testActivityFilters: each filter alone and together, always within one
// user: no filter reaches another user's events.
func testActivityFilters(t *testing.T, s store.Store) {
	ctx := t.Context()
	ev := func(d time.Duration, user, client, kind, tool, outcome string) store.AuditEvent {
		return store.AuditEvent{At: at(d), UserID: user, ClientID: client, Kind: kind, Tool: tool, Outcome: outcome}
	}
	events := []store.AuditEvent{
		ev(0, "u1", "", "signin", "", ""),
		ev(1*time.Minute, "u1", "c1", store.EventToolCall, "list_properties", store.OutcomeOK),
		ev(2*time.Minute, "u1", "c2", store.EventToolCall, "send_message", store.OutcomeDrafted),
		ev(3*time.Minute, "u1", "c1", store.EventToolCall, "send_message", store.OutcomeSent),
		ev(4*time.Minute, "u1", "c1", store.EventWriteApproved, "send_message", store.OutcomeSent),
		ev(5*time.Minute, "u1", "c2", "grant.revoked", "", ""),
		// Another host, with the same client, tool and outcomes.
		ev(2*time.Minute, "u2", "c1", store.EventToolCall, "send_message", store.OutcomeSent),
		ev(3*time.Minute, "u2", "c1", store.EventToolCall, "list_properties", store.OutcomeOK),
	}
	check(t, "AddActivity", s.AddActivity(ctx, events))
	u1 := func(i ...int) []store.AuditEvent {
		var out []store.AuditEvent
		for _, j := range i {
			out = append(out, events[j])
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    store.ActivityFilter
		want []store.AuditEvent
	}{
		{"none", store.ActivityFilter{}, u1(5, 4, 3, 2, 1, 0)},
		{"one kind", store.ActivityFilter{Kinds: []string{store.EventToolCall}}, u1(3, 2, 1)},
		{"two kinds", store.ActivityFilter{Kinds: []string{"signin", "grant.revoked"}}, u1(5, 0)},
		{"client", store.ActivityFilter{ClientID: "c1"}, u1(4, 3, 1)},
		{"tool", store.ActivityFilter{Tool: "send_message"}, u1(4, 3, 2)},
		{"outcome", store.ActivityFilter{Outcome: store.OutcomeSent}, u1(4, 3)},
		{"since is inclusive", store.ActivityFilter{Since: at(3 * time.Minute)}, u1(5, 4, 3)},
		{"until is exclusive", store.ActivityFilter{Until: at(2 * time.Minute)}, u1(1, 0)},
		{"all at once", store.ActivityFilter{Kinds: []string{store.EventToolCall}, ClientID: "c1", Tool: "send_message",
			Outcome: store.OutcomeSent, Since: at(time.Minute), Until: at(4 * time.Minute)}, u1(3)},
		{"unknown client", store.ActivityFilter{ClientID: "c9"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			same(t, tc.name, clearIDs(listAll(t, s, "u1", tc.f)), tc.want)
		})
	}
	if got := listAll(t, s, "u3", store.ActivityFilter{ClientID: "c1"}); len(got) != 0 {
		t.Fatalf("an unknown user's log = %+v, want none", got)
	}
	if got := listAll(t, s, "", store.ActivityFilter{}); len(got) != 0 {
		t.Fatalf("the log of user \"\" = %+v, want none", got)
	}
}

// testActivityPaging: a cursor at the last event of a page continues with
// the next older one; walking every page gives every event once, in
// order, also across events at one instant and while newer events arrive.
func testActivityPaging(t *testing.T, s store.Store) {
	ctx := t.Context()
	var events []store.AuditEvent
	for i := range 11 {
		// Pairs at one instant: the cursor must order them by id.
		events = append(events, store.AuditEvent{At: at(time.Duration(i/2) * time.Minute), UserID: "u1",
			Kind: store.EventToolCall, Tool: fmt.Sprintf("t%d", i)})
	}
	check(t, "AddActivity", s.AddActivity(ctx, events))
	var walked []store.AuditEvent
	f := store.ActivityFilter{Limit: 3}
	for page := 0; ; page++ {
		if page > 10 {
			t.Fatal("paging does not end")
		}
		got, err := s.ListActivity(ctx, "u1", f)
		check(t, "ListActivity page", err)
		if len(got) > 3 {
			t.Fatalf("page of %d events, limit 3", len(got))
		}
		walked = append(walked, got...)
		if len(got) < 3 {
			break
		}
		last := got[len(got)-1]
		f.Before = &store.EventCursor{At: last.At, ID: last.ID}
		if page == 1 {
			// A newer event arriving between pages does not appear on the
			// pages after the cursor.
			check(t, "AddActivity newer", s.AddActivity(ctx, []store.AuditEvent{{At: at(time.Hour), UserID: "u1", Kind: "signin"}}))
		}
	}
	want := make([]store.AuditEvent, len(events))
	for i, e := range events {
		want[len(events)-1-i] = e
	}
	same(t, "every page, in order", clearIDs(walked), want)
	// A cursor with filters: only what passes them, after the cursor.
	mid := walked[4]
	got := listAll(t, s, "u1", store.ActivityFilter{Before: &store.EventCursor{At: mid.At, ID: mid.ID}, Tool: "t1"})
	same(t, "cursor and filter", clearIDs(got), []store.AuditEvent{events[1]})
	// Another user's cursor position reveals nothing of theirs.
	if got := listAll(t, s, "u2", store.ActivityFilter{Before: &store.EventCursor{At: at(time.Hour), ID: 1 << 40}}); len(got) != 0 {
		t.Fatalf("u2's log = %+v", got)
	}
}

// testActivityRetention: every user's events strictly older than the
// bound go, in as many batches as it takes; the rest stay.
func testActivityRetention(t *testing.T, s store.Store) {
	ctx := t.Context()
	// More old events than a backend is likely to delete at once.
	old := make([]store.AuditEvent, 4500)
	for i := range old {
		old[i] = store.AuditEvent{At: at(-time.Duration(i+1) * time.Second), UserID: fmt.Sprintf("u%d", i%3), Kind: store.EventToolCall}
	}
	check(t, "AddActivity old", s.AddActivity(ctx, old))
	kept := []store.AuditEvent{
		{At: at(0), UserID: "u1", Kind: "signin"}, // exactly at the bound: kept
		{At: at(time.Hour), UserID: "u2", Kind: "signin"},
	}
	check(t, "AddActivity kept", s.AddActivity(ctx, kept))
	n, err := s.DeleteActivityBefore(ctx, at(0))
	check(t, "DeleteActivityBefore", err)
	if n != int64(len(old)) {
		t.Fatalf("DeleteActivityBefore = %d, want %d", n, len(old))
	}
	same(t, "u1 after retention", clearIDs(listAll(t, s, "u1", store.ActivityFilter{})), kept[:1])
	same(t, "u2 after retention", clearIDs(listAll(t, s, "u2", store.ActivityFilter{})), kept[1:])
	if n, err := s.DeleteActivityBefore(ctx, at(0)); err != nil || n != 0 {
		t.Fatalf("DeleteActivityBefore again = %d, %v; want 0", n, err)
	}
}

// testTeamActivity: an event that touched a team's accounts is listed for
// that team, whoever's app made it, in the log's order, with the filters;
// nothing of another team, nor a host's own accounts' events; it goes with
// its event at retention.
func testTeamActivity(t *testing.T, s store.Store) {
	ctx := t.Context()
	teamA := store.EventAccount{ID: "conn-a", Vendor: "hostex", Label: "Alpha", Team: "ta"}
	teamB := store.EventAccount{ID: "conn-b", Vendor: "hostaway", Label: "Beta", Team: "tb"}
	own := store.EventAccount{ID: "conn-own", Vendor: "hospitable", Label: "Mine"}
	ev := func(min int, user, tool string, accounts ...store.EventAccount) store.AuditEvent {
		return store.AuditEvent{At: at(time.Duration(min) * time.Minute), UserID: user, ClientID: "c-" + user,
			Kind: store.EventToolCall, Tool: tool, Outcome: store.OutcomeOK, Accounts: accounts}
	}
	batch := []store.AuditEvent{
		ev(1, "ann", "list_properties", teamA, own),
		ev(1, "ben", "list_properties", own),
		ev(2, "ben", "send_message", teamA),
		ev(2, "cat", "list_properties", teamB),
		ev(3, "ben", "list_reservations", teamA, teamB),
	}
	check(t, "AddActivity", s.AddActivity(ctx, batch))
	check(t, "AddAuditEvent", s.AddAuditEvent(ctx, store.AuditEvent{At: at(4 * time.Minute), UserID: "ann",
		Kind: "connection.disconnected", Accounts: []store.EventAccount{teamA}}))

	// Within a batch the order given is kept, team events or not.
	ben := listAll(t, s, "ben", store.ActivityFilter{})
	if len(ben) != 3 || ben[0].Tool != "list_reservations" || ben[1].Tool != "send_message" || ben[2].Tool != "list_properties" {
		t.Fatalf("ben's activity = %+v", ben)
	}
	list := func(team string, f store.ActivityFilter) []store.AuditEvent {
		t.Helper()
		if f.Limit == 0 {
			f.Limit = 100
		}
		got, err := s.ListTeamActivity(ctx, team, f)
		check(t, "ListTeamActivity", err)
		return got
	}
	a := list("ta", store.ActivityFilter{})
	var got []string
	for _, e := range a {
		got = append(got, e.UserID+" "+e.Tool+e.Kind)
	}
	same(t, "team A's activity", got, []string{"ann connection.disconnected", "ben list_reservationstool.call",
		"ben send_messagetool.call", "ann list_propertiestool.call"})
	same(t, "an event keeps its accounts whole", len(a[1].Accounts), 2)
	if b := list("tb", store.ActivityFilter{}); len(b) != 2 {
		t.Fatalf("team B's activity = %+v, want cat's call and ben's call over both teams", b)
	}
	if none := list("tc", store.ActivityFilter{}); len(none) != 0 {
		t.Fatalf("a team with no events lists %+v", none)
	}
	sent := list("ta", store.ActivityFilter{Tool: "send_message"})
	if len(sent) != 1 || sent[0].UserID != "ben" {
		t.Fatalf("team A's send_message events = %+v", sent)
	}
	page := list("ta", store.ActivityFilter{Limit: 2})
	rest := list("ta", store.ActivityFilter{Before: &store.EventCursor{At: page[1].At, ID: page[1].ID}})
	if len(page) != 2 || len(rest) != 2 || rest[0].ID != a[2].ID {
		t.Fatalf("paging team A: %+v then %+v", page, rest)
	}

	_, err := s.DeleteActivityBefore(ctx, at(10*time.Minute))
	check(t, "DeleteActivityBefore", err)
	if left := list("ta", store.ActivityFilter{}); len(left) != 0 {
		t.Fatalf("after retention team A lists %+v", left)
	}
}
