package storetest

import (
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// testDeleteIdleDocumentClients: a client known by its metadata document
// goes once idle (used last before the bound, or never used and older than
// the other bound) unless something live holds it; registered clients are
// not this sweep's business.
func testDeleteIdleDocumentClients(t *testing.T, s store.Store) {
	ctx := t.Context()
	const day = 24 * time.Hour
	seedUser(t, s, "u1")
	now := t0
	usedBefore, unusedBefore := at(-30*day), at(-day)
	mk := func(id string, document bool, created, used time.Time) {
		t.Helper()
		c := newClient(id)
		c.MetadataURL = ""
		if document {
			c.MetadataURL = id
		}
		c.CreatedAt, c.LastUsedAt = created, used
		check(t, "CreateClient "+id, s.CreateClient(ctx, c))
	}
	old, idle := at(-60*day), at(-31*day)

	mk("https://idle.example/c", true, old, idle)
	mk("https://idle-approved.example/c", true, old, idle) // an approval alone does not keep it
	check(t, "PutApproval", s.PutApproval(ctx, store.Approval{UserID: "u1", ClientID: "https://idle-approved.example/c", CreatedAt: old}))
	mk("https://unused.example/c", true, at(-25*time.Hour), time.Time{})
	mk("https://fresh.example/c", true, at(-23*time.Hour), time.Time{})
	mk("https://recent.example/c", true, old, at(-29*day))
	mk("https://edge.example/c", true, old, usedBefore) // "before" is strict

	// Grants: live, revoked, past their tokens, with revoked tokens, and
	// with a refresh token expiring exactly now (not live: it cannot be used).
	mk("https://live.example/c", true, old, idle)
	seedGrant(t, s, "g-live", "u1", "https://live.example/c", at(-20*day))
	mk("https://revoked.example/c", true, old, idle)
	seedGrant(t, s, "g-revoked", "u1", "https://revoked.example/c", at(-20*day))
	check(t, "RevokeGrant", s.RevokeGrant(ctx, "g-revoked", at(-19*day)))
	mk("https://expired.example/c", true, old, idle)
	seedGrant(t, s, "g-expired", "u1", "https://expired.example/c", at(-40*day))
	mk("https://tokens-revoked.example/c", true, old, idle)
	_, a, r := seedGrant(t, s, "g-tokens", "u1", "https://tokens-revoked.example/c", at(-20*day))
	check(t, "RevokeToken", s.RevokeToken(ctx, a.Hash, at(-19*day)))
	check(t, "RevokeToken", s.RevokeToken(ctx, r.Hash, at(-19*day)))
	mk("https://token-edge.example/c", true, old, idle)
	seedGrant(t, s, "g-edge", "u1", "https://token-edge.example/c", at(-30*day))

	// A flow under way, and the host's record of drafts.
	mk("https://with-code.example/c", true, old, idle)
	check(t, "CreateAuthCode", s.CreateAuthCode(ctx, newCode("code-live", "https://with-code.example/c", "u1")))
	mk("https://old-code.example/c", true, old, idle)
	expired := newCode("code-old", "https://old-code.example/c", "u1")
	expired.CreatedAt, expired.ExpiresAt = at(-time.Hour), at(-59*time.Minute)
	check(t, "CreateAuthCode", s.CreateAuthCode(ctx, expired))
	mk("https://with-draft.example/c", true, old, idle)
	g, _, _ := seedGrant(t, s, "g-draft", "u1", "https://with-draft.example/c", at(-40*day))
	seedDraft(t, s, newDraft("d1", g, "k1", at(-40*day)))

	// Registered clients, however idle.
	mk("reg-idle", false, old, idle)
	mk("reg-unused", false, at(-25*time.Hour), time.Time{})

	n, err := s.DeleteIdleDocumentClients(ctx, usedBefore, unusedBefore, now)
	check(t, "DeleteIdleDocumentClients", err)
	gone := []string{"https://idle.example/c", "https://idle-approved.example/c", "https://unused.example/c",
		"https://revoked.example/c", "https://expired.example/c", "https://tokens-revoked.example/c",
		"https://token-edge.example/c", "https://old-code.example/c"}
	kept := []string{"https://fresh.example/c", "https://recent.example/c", "https://edge.example/c",
		"https://live.example/c", "https://with-code.example/c", "https://with-draft.example/c",
		"reg-idle", "reg-unused"}
	if n != int64(len(gone)) {
		t.Errorf("DeleteIdleDocumentClients = %d, want %d", n, len(gone))
	}
	for _, id := range gone {
		_, err := s.GetClient(ctx, id)
		wantErr(t, "GetClient "+id, err, store.ErrNotFound)
	}
	for _, id := range kept {
		_, err := s.GetClient(ctx, id)
		check(t, "GetClient "+id, err)
	}
	_, err = s.GetApproval(ctx, "u1", "https://idle-approved.example/c")
	wantErr(t, "approval of a deleted client", err, store.ErrNotFound)
	_, err = s.GetGrant(ctx, "g-revoked")
	wantErr(t, "grant of a deleted client", err, store.ErrNotFound)
	for _, id := range []string{"g-live", "g-draft"} {
		_, err = s.GetGrant(ctx, id)
		check(t, "GetGrant "+id, err)
	}
	_, err = s.GetDraft(ctx, "d1")
	check(t, "GetDraft", err)

	n, err = s.DeleteIdleDocumentClients(ctx, usedBefore, unusedBefore, now)
	check(t, "DeleteIdleDocumentClients again", err)
	if n != 0 {
		t.Errorf("DeleteIdleDocumentClients again = %d, want 0", n)
	}
}
