package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// newDraft is a pending draft of the grant, created at the given time.
func newDraft(id string, g store.Grant, key string, created time.Time) store.Draft {
	return store.Draft{
		ID:        id,
		UserID:    g.UserID,
		ClientID:  g.ClientID,
		GrantID:   g.ID,
		Tool:      "send_message",
		Args:      []byte(`{"conversation":"c-42","text":"Check-in is at 3pm."}`),
		Key:       key,
		Summary:   "Message to Ana: Check-in is at 3pm.",
		Status:    store.DraftPending,
		CreatedAt: created,
		UpdatedAt: created,
	}
}

func seedDraft(t *testing.T, s store.Store, d store.Draft) store.Draft {
	t.Helper()
	check(t, "CreateDraft "+d.ID, s.CreateDraft(t.Context(), d))
	return d
}

func testDrafts(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	g, _, _ := seedGrant(t, s, "g1", "u1", "c1", t0)

	full := newDraft("d1", g, "k1", t0)
	full.Status, full.Via = store.DraftSent, "chat"
	full.Result = []byte(`{"id":"m-7"}`)
	full.UpdatedAt = at(time.Minute)
	failed := newDraft("d2", g, "k2", at(time.Second))
	failed.Status, failed.Via, failed.Error = store.DraftFailed, "auto", "Hostex answered 503."
	// Empty byte slices and nil are one value.
	bare := store.Draft{ID: "d3", UserID: "u1", ClientID: "c1", GrantID: "g1",
		Args: []byte{}, Result: []byte{}, Status: store.DraftPending, CreatedAt: at(2 * time.Second)}
	noArgs := store.Draft{ID: "d4", UserID: "u1", ClientID: "c1", GrantID: "g1",
		Status: store.DraftDiscarded, CreatedAt: at(3 * time.Second)}
	for _, d := range []store.Draft{full, failed, bare, noArgs} {
		seedDraft(t, s, d)
		got, err := s.GetDraft(ctx, d.ID)
		check(t, "GetDraft "+d.ID, err)
		same(t, "GetDraft "+d.ID, got, d)
	}

	dup := newDraft("d1", g, "other", at(time.Hour))
	wantErr(t, "CreateDraft same id", s.CreateDraft(ctx, dup), store.ErrExists)
	got, err := s.GetDraft(ctx, "d1")
	check(t, "GetDraft after a duplicate", err)
	same(t, "GetDraft after a duplicate", got, full)
	_, err = s.GetDraft(ctx, "nobody")
	wantErr(t, "GetDraft unknown", err, store.ErrNotFound)

	// Drafts are the host's record: expiry leaves them, however old, and
	// so does revoking their grant.
	check(t, "RevokeGrant", s.RevokeGrant(ctx, "g1", at(time.Hour)))
	if _, err := s.DeleteExpired(ctx, at(10*365*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, d := range []store.Draft{full, failed, bare, noArgs} {
		got, err := s.GetDraft(ctx, d.ID)
		check(t, "GetDraft after DeleteExpired "+d.ID, err)
		same(t, "GetDraft after DeleteExpired "+d.ID, got, d)
	}
}

func testFindDraft(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	g1, _, _ := seedGrant(t, s, "g1", "u1", "c1", t0)
	g2, _, _ := seedGrant(t, s, "g2", "u1", "c1", t0)

	seedDraft(t, s, newDraft("d-older", g1, "k", t0))
	newer := seedDraft(t, s, newDraft("d-newer", g1, "k", at(time.Minute)))
	seedDraft(t, s, newDraft("d-other-key", g1, "k-other", at(2*time.Minute)))
	inG2 := seedDraft(t, s, newDraft("d-other-grant", g2, "k", at(3*time.Minute)))
	// The newest of a key is found whatever its status.
	newer.Status, newer.Via, newer.UpdatedAt = store.DraftDiscarded, "page", at(4*time.Minute)
	if _, err := s.UpdateDraft(ctx, newer, store.DraftPending); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name       string
		grant, key string
		since      time.Time
		want       *store.Draft // nil: ErrNotFound
	}{
		{"newest of the key", "g1", "k", t0, &newer},
		{"since long ago", "g1", "k", at(-24 * time.Hour), &newer},
		{"zero since", "g1", "k", time.Time{}, &newer},
		{"since is inclusive", "g1", "k", at(time.Minute), &newer},
		{"since between the two", "g1", "k", at(30 * time.Second), &newer},
		{"after the newest", "g1", "k", at(time.Minute + time.Nanosecond), nil},
		{"since in UTC", "g1", "k", at(time.Minute).UTC(), &newer},
		{"another grant", "g2", "k", t0, &inG2},
		{"another grant, after its draft", "g2", "k", at(4 * time.Minute), nil},
		{"unknown key", "g1", "k-unknown", time.Time{}, nil},
		{"empty key", "g1", "", time.Time{}, nil},
		{"unknown grant", "g-unknown", "k", time.Time{}, nil},
	} {
		got, err := s.FindDraft(ctx, tt.grant, tt.key, tt.since)
		if tt.want == nil {
			wantErr(t, "FindDraft "+tt.name, err, store.ErrNotFound)
			continue
		}
		check(t, "FindDraft "+tt.name, err)
		same(t, "FindDraft "+tt.name, got, *tt.want)
	}
}

func testListDrafts(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedUser(t, s, "u2")
	seedClient(t, s, "c1")
	seedClient(t, s, "c2")
	g, _, _ := seedGrant(t, s, "g1", "u1", "c1", t0)
	g2, _, _ := seedGrant(t, s, "g2", "u1", "c1", t0) // a second grant of the same pair
	other, _, _ := seedGrant(t, s, "g-c2", "u1", "c2", t0)
	otherUser, _, _ := seedGrant(t, s, "g-u2", "u2", "c1", t0)

	// Created out of order, so that insertion order is not the answer.
	d2 := seedDraft(t, s, newDraft("d2", g, "k2", at(2*time.Minute)))
	d0 := seedDraft(t, s, newDraft("d0", g, "k0", t0))
	d3 := seedDraft(t, s, newDraft("d3", g2, "k3", at(3*time.Minute)))
	d1 := seedDraft(t, s, newDraft("d1", g, "k1", at(time.Minute)))
	seedDraft(t, s, newDraft("d-c2", other, "k", at(time.Hour)))
	seedDraft(t, s, newDraft("d-u2", otherUser, "k", at(time.Hour)))

	for _, tt := range []struct {
		name         string
		user, client string
		limit        int
		want         []store.Draft
	}{
		{"all", "u1", "c1", 10, []store.Draft{d3, d2, d1, d0}},
		{"exact limit", "u1", "c1", 4, []store.Draft{d3, d2, d1, d0}},
		{"limited", "u1", "c1", 2, []store.Draft{d3, d2}},
		{"limit 1", "u1", "c1", 1, []store.Draft{d3}},
		{"limit 0", "u1", "c1", 0, nil},
		{"negative limit", "u1", "c1", -1, nil},
		{"another client", "u1", "c2", 10, []store.Draft{newDraft("d-c2", other, "k", at(time.Hour))}},
		{"another user", "u2", "c1", 10, []store.Draft{newDraft("d-u2", otherUser, "k", at(time.Hour))}},
		{"a client the user never used", "u2", "c2", 10, nil},
		{"unknown user", "nobody", "c1", 10, nil},
	} {
		got, err := s.ListDrafts(ctx, tt.user, tt.client, tt.limit)
		check(t, "ListDrafts "+tt.name, err)
		same(t, "ListDrafts "+tt.name, got, tt.want)
	}
}

func testUpdateDraft(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	g, _, _ := seedGrant(t, s, "g1", "u1", "c1", t0)
	d := seedDraft(t, s, newDraft("d1", g, "k1", t0))

	// The host edits the text and approves: only status, via, args,
	// summary, result, error and updated_at are written.
	edit := d
	edit.Status, edit.Via = store.DraftSending, "page"
	edit.Args = []byte(`{"conversation":"c-42","text":"Check-in is at 4pm."}`)
	edit.Summary = "Message to Ana: Check-in is at 4pm."
	edit.UpdatedAt = at(time.Minute)
	want := edit
	edit.UserID, edit.ClientID, edit.GrantID = "u-other", "c-other", "g-other"
	edit.Tool, edit.Key, edit.CreatedAt = "other_tool", "k-other", at(time.Hour)
	got, err := s.UpdateDraft(ctx, edit, store.DraftPending)
	check(t, "UpdateDraft pending→sending", err)
	same(t, "UpdateDraft pending→sending", got, want)
	got, err = s.GetDraft(ctx, "d1")
	check(t, "GetDraft", err)
	same(t, "GetDraft after UpdateDraft", got, want)

	// A second approval from pending loses and writes nothing.
	again := want
	again.Via, again.UpdatedAt = "chat", at(2*time.Minute)
	_, err = s.UpdateDraft(ctx, again, store.DraftPending)
	wantErr(t, "UpdateDraft from a stale status", err, store.ErrConflict)
	got, err = s.GetDraft(ctx, "d1")
	check(t, "GetDraft", err)
	same(t, "GetDraft after a lost UpdateDraft", got, want)

	// The vendor answers; Result set, Args cleared: both are written as given.
	sent := want
	sent.Status, sent.Result, sent.Args = store.DraftSent, []byte(`{"id":"m-7"}`), nil
	sent.UpdatedAt = at(3 * time.Minute)
	got, err = s.UpdateDraft(ctx, sent, store.DraftSending)
	check(t, "UpdateDraft sending→sent", err)
	same(t, "UpdateDraft sending→sent", got, sent)
	failed := sent
	failed.Status, failed.Error = store.DraftFailed, "late"
	_, err = s.UpdateDraft(ctx, failed, store.DraftSending)
	wantErr(t, "UpdateDraft of a sent draft", err, store.ErrConflict)

	// Failed keeps an error text and may clear a result.
	f := seedDraft(t, s, newDraft("d2", g, "k2", t0))
	f.Status, f.Via, f.UpdatedAt = store.DraftSending, "auto", at(time.Minute)
	_, err = s.UpdateDraft(ctx, f, store.DraftPending)
	check(t, "UpdateDraft d2 pending→sending", err)
	f.Status, f.Error, f.UpdatedAt = store.DraftFailed, "Hostex answered 503.", at(2*time.Minute)
	got, err = s.UpdateDraft(ctx, f, store.DraftSending)
	check(t, "UpdateDraft d2 sending→failed", err)
	same(t, "UpdateDraft sending→failed", got, f)

	unknown := newDraft("nobody", g, "k", t0)
	unknown.Status = store.DraftSending
	_, err = s.UpdateDraft(ctx, unknown, store.DraftPending)
	wantErr(t, "UpdateDraft unknown", err, store.ErrNotFound)
	_, err = s.GetDraft(ctx, "nobody")
	wantErr(t, "GetDraft after UpdateDraft unknown", err, store.ErrNotFound)
}

// race runs fn(i) in n goroutines released together by a barrier and
// returns their errors.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var ready, done sync.WaitGroup
	begin := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-begin
			errs[i] = fn(i)
		}()
	}
	ready.Wait()
	close(begin)
	done.Wait()
	return errs
}

// oneWinner checks that exactly one error is nil and all others are lost,
// and returns the winner.
func oneWinner(t *testing.T, what string, errs []error, lost error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Fatalf("%s: %d and %d both succeeded", what, winner, i)
			}
			winner = i
		case !errors.Is(err, lost):
			t.Fatalf("%s %d: err = %v, want %v", what, i, err, lost)
		}
	}
	if winner < 0 {
		t.Fatalf("%s: none succeeded", what)
	}
	return winner
}

func testUpdateDraftConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	g, _, _ := seedGrant(t, s, "g1", "u1", "c1", t0)
	d := seedDraft(t, s, newDraft("d1", g, "k1", t0))

	const n = 16
	results := make([]store.Draft, n)
	errs := race(n, func(i int) error {
		u := d
		u.Status, u.Via = store.DraftSending, fmt.Sprintf("approver-%d", i)
		u.UpdatedAt = at(time.Duration(i+1) * time.Second)
		var err error
		results[i], err = s.UpdateDraft(ctx, u, store.DraftPending)
		return err
	})
	winner := oneWinner(t, "approval", errs, store.ErrConflict)
	want := d
	want.Status, want.Via = store.DraftSending, fmt.Sprintf("approver-%d", winner)
	want.UpdatedAt = at(time.Duration(winner+1) * time.Second)
	same(t, "the winner's UpdateDraft", results[winner], want)
	got, err := s.GetDraft(ctx, "d1")
	check(t, "GetDraft", err)
	same(t, "GetDraft after the race", got, want)
}

func testCreateDraftConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	g, _, _ := seedGrant(t, s, "g1", "u1", "c1", t0)

	const n = 16
	mk := func(i int) store.Draft {
		d := newDraft("d1", g, fmt.Sprintf("k%d", i), t0)
		d.Summary = fmt.Sprintf("draft %d", i)
		return d
	}
	errs := race(n, func(i int) error { return s.CreateDraft(ctx, mk(i)) })
	winner := oneWinner(t, "creation", errs, store.ErrExists)
	got, err := s.GetDraft(ctx, "d1")
	check(t, "GetDraft", err)
	same(t, "GetDraft after the race", got, mk(winner))
	list, err := s.ListDrafts(ctx, "u1", "c1", 2*n)
	check(t, "ListDrafts", err)
	if len(list) != 1 {
		t.Fatalf("%d drafts exist, want 1", len(list))
	}
}
