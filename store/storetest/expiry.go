package storetest

import (
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

func testDeleteExpired(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	now := at(time.Hour)

	// Codes: expired unused, expired redeemed, expiring exactly now, live.
	expired := newCode("code-expired", "c1", "u1")
	expired.ExpiresAt = now.Add(-time.Nanosecond)
	check(t, "CreateAuthCode", s.CreateAuthCode(ctx, expired))
	_, _, _ = seedGrant(t, s, "g1", "u1", "c1", at(-time.Hour)) // its code expired at t0-50m
	edge := newCode("code-edge", "c1", "u1")
	edge.ExpiresAt = now
	check(t, "CreateAuthCode", s.CreateAuthCode(ctx, edge))
	live := newCode("code-live", "c1", "u1")
	live.ExpiresAt = now.Add(time.Minute)
	check(t, "CreateAuthCode", s.CreateAuthCode(ctx, live))

	// Tokens: g1's access token expired at t0, its refresh token lives; a
	// rotated pair whose access token expires exactly now.
	g2, _, r2 := seedGrant(t, s, "g2", "u1", "c1", t0)
	r := rot(r2.Hash, "c1", "n", t0)
	r.Access.ExpiresAt = now
	if _, err := s.RotateRefresh(ctx, r); err != nil {
		t.Fatal(err)
	}

	// Sessions: one expired, one expiring exactly now, one live.
	for _, b := range []store.BrowserSession{
		{Hash: "s-expired", UserID: "u1", CreatedAt: t0, ExpiresAt: now.Add(-time.Second)},
		{Hash: "s-edge", UserID: "u1", CreatedAt: t0, ExpiresAt: now},
		{Hash: "s-live", UserID: "u1", CreatedAt: t0, ExpiresAt: now.Add(time.Second)},
	} {
		check(t, "CreateSession", s.CreateSession(ctx, b))
	}
	// g2's code expired at t0+10m; g2's own access token at t0+1h = now.

	n, err := s.DeleteExpired(ctx, now)
	check(t, "DeleteExpired", err)
	// code-expired, code-g1, code-g2, token g1-a0, session s-expired.
	if n != 5 {
		t.Errorf("DeleteExpired = %d rows, want 5", n)
	}
	gone := []error{
		func() error { _, err := s.GetAuthCode(ctx, "code-expired"); return err }(),
		func() error { _, err := s.GetAuthCode(ctx, "code-g1"); return err }(),
		func() error { _, err := s.GetAuthCode(ctx, "code-g2"); return err }(),
		func() error { _, _, err := s.GetToken(ctx, "g1-a0"); return err }(),
		func() error { _, err := s.GetSession(ctx, "s-expired"); return err }(),
	}
	for i, err := range gone {
		wantErr(t, "expired row "+string(rune('0'+i)), err, store.ErrNotFound)
	}
	for _, h := range []string{"code-edge", "code-live"} {
		_, err := s.GetAuthCode(ctx, h)
		check(t, "GetAuthCode "+h, err)
	}
	for _, h := range []string{"g1-r0", "g2-a0", "g2-r0", "n-a", "n-r"} {
		_, _, err := s.GetToken(ctx, h)
		check(t, "GetToken "+h, err)
	}
	for _, h := range []string{"s-edge", "s-live"} {
		_, err := s.GetSession(ctx, h)
		check(t, "GetSession "+h, err)
	}
	// Grants are not expiry's business.
	_, err = s.GetGrant(ctx, g2.ID)
	check(t, "GetGrant", err)

	n, err = s.DeleteExpired(ctx, now)
	check(t, "DeleteExpired again", err)
	if n != 0 {
		t.Errorf("DeleteExpired again = %d rows, want 0", n)
	}
}
