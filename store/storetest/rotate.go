package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// rot asks to rotate old for the pair "<name>-a" / "<name>-r" at now.
func rot(old, clientID, name string, now time.Time) store.Rotation {
	return store.Rotation{
		OldHash:  old,
		ClientID: clientID,
		Now:      now,
		Grace:    time.Minute,
		Access:   tok(name+"-a", store.KindAccess, now, time.Hour),
		Refresh:  tok(name+"-r", store.KindRefresh, now, 30*24*time.Hour),
	}
}

// rotate rotates and checks that it succeeded and stored the new pair.
func rotate(t *testing.T, s store.Store, r store.Rotation, want store.Grant) {
	t.Helper()
	got, err := s.RotateRefresh(t.Context(), r)
	check(t, "RotateRefresh "+r.OldHash, err)
	same(t, "RotateRefresh grant", got, want)
	for _, nt := range []store.Token{r.Access, r.Refresh} {
		nt.GrantID, nt.ParentHash = want.ID, r.OldHash
		gotT, gotG, err := s.GetToken(t.Context(), nt.Hash)
		check(t, "GetToken "+nt.Hash, err)
		if nt.Kind == store.KindAccess {
			nt.ParentHash = gotT.ParentHash // the access token may or may not carry it
		}
		same(t, "rotated token", gotT, nt)
		same(t, "rotated token's grant", gotG, want)
	}
}

func getTok(t *testing.T, s store.Store, hash string) (store.Token, store.Grant) {
	t.Helper()
	tk, g, err := s.GetToken(t.Context(), hash)
	check(t, "GetToken "+hash, err)
	return tk, g
}

func testRotateRefresh(t *testing.T, s store.Store) {
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	g, _, r0 := seedGrant(t, s, "g1", "u1", "c1", t0)

	rotate(t, s, rot(r0.Hash, "c1", "n1", at(time.Minute)), g)
	old, _ := getTok(t, s, r0.Hash)
	r0.UsedAt = at(time.Minute)
	same(t, "presented token", old, r0)

	rotate(t, s, rot("n1-r", "c1", "n2", at(2*time.Minute)), g)
	rotate(t, s, rot("n2-r", "c1", "n3", at(3*time.Minute)), g)
	// An access token may carry fewer scopes than its grant (RFC 6749 §6).
	narrow := rot("n3-r", "c1", "n4", at(4*time.Minute))
	narrow.Access.Scopes = []string{"read"}
	rotate(t, s, narrow, g)
	n1, _ := getTok(t, s, "n1-r")
	same(t, "n1 used at", n1.UsedAt, at(2*time.Minute))
	if !n1.RevokedAt.IsZero() {
		t.Fatalf("n1 revoked at %v", n1.RevokedAt)
	}
}

func testRotateRefreshRejects(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	seedClient(t, s, "c2")

	_, err := s.RotateRefresh(ctx, rot("nothing", "c1", "x", t0))
	wantErr(t, "unknown token", err, store.ErrNotFound)

	g1, a1, r1 := seedGrant(t, s, "g1", "u1", "c1", t0)
	_, err = s.RotateRefresh(ctx, rot(a1.Hash, "c1", "x", at(time.Minute)))
	wantErr(t, "access token presented", err, store.ErrNotFound)

	// Another client's token is unknown to this one, and harms nothing.
	_, err = s.RotateRefresh(ctx, rot(r1.Hash, "c2", "x", at(time.Minute)))
	wantErr(t, "another client's token", err, store.ErrNotFound)
	got, _ := getTok(t, s, r1.Hash)
	same(t, "token after another client presented it", got, r1)
	rotate(t, s, rot(r1.Hash, "c1", "ok1", at(time.Minute)), g1)

	g2, _, r2 := seedGrant(t, s, "g2", "u1", "c1", t0)
	_, err = s.RotateRefresh(ctx, rot(r2.Hash, "c1", "x", r2.ExpiresAt))
	wantErr(t, "at expiry", err, store.ErrExpired)
	_, err = s.RotateRefresh(ctx, rot(r2.Hash, "c1", "x", r2.ExpiresAt.Add(time.Hour)))
	wantErr(t, "after expiry", err, store.ErrExpired)
	gg, err := s.GetGrant(ctx, "g2")
	check(t, "GetGrant", err)
	same(t, "grant after expired token", gg, g2)
	rotate(t, s, rot(r2.Hash, "c1", "ok2", r2.ExpiresAt.Add(-time.Nanosecond)), g2)

	_, _, r3 := seedGrant(t, s, "g3", "u1", "c1", t0)
	check(t, "RevokeGrant", s.RevokeGrant(ctx, "g3", at(time.Minute)))
	_, err = s.RotateRefresh(ctx, rot(r3.Hash, "c1", "x", at(2*time.Minute)))
	wantErr(t, "revoked grant", err, store.ErrRevoked)
	for _, h := range []string{"x-a", "x-r"} {
		_, _, err := s.GetToken(ctx, h)
		wantErr(t, "token of a rejected rotation", err, store.ErrNotFound)
	}
}

// testRotateRefreshParallel: a client refreshing twice with one token gets
// two good pairs; once one of them is used, the old token is spent.
func testRotateRefreshParallel(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	g, _, r0 := seedGrant(t, s, "g1", "u1", "c1", t0)

	rotate(t, s, rot(r0.Hash, "c1", "A", at(time.Minute)), g)
	rotate(t, s, rot(r0.Hash, "c1", "B", at(time.Minute+time.Second)), g)
	old, _ := getTok(t, s, r0.Hash)
	same(t, "first use is kept", old.UsedAt, at(time.Minute))

	// The client kept A: its first use revokes its unused sibling B.
	rotate(t, s, rot("A-r", "c1", "A2", at(2*time.Minute)), g)
	b, _ := getTok(t, s, "B-r")
	same(t, "sibling B revoked at", b.RevokedAt, at(2*time.Minute))

	// Now presenting the old token again is reuse: the grant goes.
	_, err := s.RotateRefresh(ctx, rot(r0.Hash, "c1", "X", at(3*time.Minute)))
	wantErr(t, "old token after a child was used", err, store.ErrReused)
	gg, err := s.GetGrant(ctx, g.ID)
	check(t, "GetGrant", err)
	g.RevokedAt = at(3 * time.Minute)
	same(t, "grant after reuse", gg, g)
	for _, h := range []string{"A2-r", "B-r", "A-r", r0.Hash} {
		_, err := s.RotateRefresh(ctx, rot(h, "c1", "Y", at(4*time.Minute)))
		wantErr(t, "token of the revoked grant "+h, err, store.ErrRevoked)
	}
	_, _, err = s.GetToken(ctx, "X-r")
	wantErr(t, "pair of the refused rotation", err, store.ErrNotFound)

	// The tolerance is bounded: Grace after its first use, presenting the
	// old token again is reuse even though no successor was used.
	tests := []struct {
		name  string
		grace time.Duration
		after time.Duration
		ok    bool
	}{
		{"at the end of the grace", time.Minute, time.Minute, true},
		{"just after the grace", time.Minute, time.Minute + time.Nanosecond, false},
		{"no grace, at once", 0, 0, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("grace%d", i)
			g, _, r := seedGrant(t, s, id, "u1", "c1", t0)
			first := rot(r.Hash, "c1", id+"-A", at(time.Minute))
			first.Grace = tt.grace
			rotate(t, s, first, g)
			again := rot(r.Hash, "c1", id+"-B", at(time.Minute+tt.after))
			again.Grace = tt.grace
			if tt.ok {
				rotate(t, s, again, g)
				return
			}
			_, err := s.RotateRefresh(ctx, again)
			wantErr(t, "presented after the grace", err, store.ErrReused)
			gg, err := s.GetGrant(ctx, id)
			check(t, "GetGrant", err)
			same(t, "grant revoked at", gg.RevokedAt, again.Now)
		})
	}
}

func testRotateRefreshConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	g, _, r0 := seedGrant(t, s, "g1", "u1", "c1", t0)

	const n = 8
	errs := make([]error, n)
	var ready, done sync.WaitGroup
	begin := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			r := rot(r0.Hash, "c1", fmt.Sprintf("P%d", i), at(time.Minute))
			ready.Done()
			<-begin
			_, errs[i] = s.RotateRefresh(ctx, r)
		}()
	}
	ready.Wait()
	close(begin)
	done.Wait()
	for i, err := range errs {
		check(t, fmt.Sprintf("concurrent rotation %d", i), err)
	}
	rotate(t, s, rot("P3-r", "c1", "Q", at(2*time.Minute)), g)
	for i := range n {
		tk, _ := getTok(t, s, fmt.Sprintf("P%d-r", i))
		if revoked := !tk.RevokedAt.IsZero(); revoked != (i != 3) {
			t.Errorf("P%d revoked = %v, want %v", i, revoked, i != 3)
		}
	}
}

func testRotateRefreshSibling(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	seedClient(t, s, "c1")
	g, _, r0 := seedGrant(t, s, "g1", "u1", "c1", t0)
	rotate(t, s, rot(r0.Hash, "c1", "A", at(time.Minute)), g)
	rotate(t, s, rot(r0.Hash, "c1", "B", at(time.Minute)), g)
	rotate(t, s, rot("B-r", "c1", "B2", at(2*time.Minute)), g)

	// A was revoked when B was first used; presenting it is reuse.
	_, err := s.RotateRefresh(ctx, rot("A-r", "c1", "X", at(3*time.Minute)))
	wantErr(t, "revoked sibling", err, store.ErrReused)
	gg, err := s.GetGrant(ctx, g.ID)
	check(t, "GetGrant", err)
	same(t, "grant revoked at", gg.RevokedAt, at(3*time.Minute))
	_, err = s.RotateRefresh(ctx, rot("B2-r", "c1", "Y", at(4*time.Minute)))
	wantErr(t, "the kept branch after reuse", err, store.ErrRevoked)

	// A refresh token revoked by hand is as spent as a revoked sibling.
	g2, _, r2 := seedGrant(t, s, "g2", "u1", "c1", t0)
	check(t, "RevokeToken", s.RevokeToken(ctx, r2.Hash, at(time.Minute)))
	_, err = s.RotateRefresh(ctx, rot(r2.Hash, "c1", "Z", at(2*time.Minute)))
	wantErr(t, "revoked token", err, store.ErrReused)
	gg, err = s.GetGrant(ctx, g2.ID)
	check(t, "GetGrant", err)
	same(t, "grant revoked at", gg.RevokedAt, at(2*time.Minute))
}
