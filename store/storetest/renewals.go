package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// claimRenewal claims and fails the test on an error.
func claimRenewal(t *testing.T, s store.Store, id, owner string, version int64, now time.Time) bool {
	t.Helper()
	won, err := s.ClaimRenewal(t.Context(), id, owner, version, now, now.Add(time.Minute))
	check(t, "ClaimRenewal "+owner, err)
	return won
}

// testRenewalLease: one owner at a time per credential; the lease holds up
// to and including its end, is taken over after it, ends with any write of
// the row and with its owner's release, and no one else's.
func testRenewalLease(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	c := seedConn(t, s, newConn("k1", "u1", "hostex", "a1"))

	steps := []struct {
		name  string
		owner string
		ver   int64
		now   time.Time
		want  bool
	}{
		{"a first claim wins", "p1", c.Version, t0, true},
		{"another owner waits", "p2", c.Version, t0, false},
		{"the owner may claim again", "p1", c.Version, t0, true},
		{"a claim for an older version loses", "p2", c.Version - 1, at(time.Hour), false},
		{"a claim for a newer version loses", "p2", c.Version + 1, at(time.Hour), false},
		{"the lease holds at its end", "p2", c.Version, at(time.Minute), false},
		{"and is taken over after it", "p2", c.Version, at(time.Minute + time.Nanosecond), true},
		{"the former owner now waits", "p1", c.Version, at(time.Minute + time.Nanosecond), false},
	}
	for _, st := range steps {
		if got := claimRenewal(t, s, "k1", st.owner, st.ver, st.now); got != st.want {
			t.Fatalf("%s: ClaimRenewal = %v, want %v", st.name, got, st.want)
		}
	}

	// A release by anyone but the owner changes nothing; the owner's
	// frees the credential at once.
	check(t, "ReleaseRenewal by another", s.ReleaseRenewal(ctx, "k1", "p1"))
	if claimRenewal(t, s, "k1", "p3", c.Version, at(time.Minute+time.Nanosecond)) {
		t.Fatal("claimed a lease released by someone who did not hold it")
	}
	check(t, "ReleaseRenewal", s.ReleaseRenewal(ctx, "k1", "p2"))
	check(t, "ReleaseRenewal again", s.ReleaseRenewal(ctx, "k1", "p2"))
	if !claimRenewal(t, s, "k1", "p3", c.Version, at(time.Minute+time.Nanosecond)) {
		t.Fatal("a released lease was not free")
	}

	// Saving the row (the renewed credential) ends the lease with it.
	saved, err := s.UpdateConnection(ctx, "k1", func(c store.Connection) (store.Connection, error) {
		c.Secret = []byte(`{"access_token":"at-2","refresh_token":"rt-2"}`)
		return c, nil
	})
	check(t, "UpdateConnection", err)
	if !claimRenewal(t, s, "k1", "p4", saved.Version, at(time.Minute+time.Nanosecond)) {
		t.Fatal("the lease of a credential already replaced still held")
	}

	_, err = s.ClaimRenewal(ctx, "nope", "p1", 1, t0, at(time.Minute))
	wantErr(t, "ClaimRenewal of an unknown connection", err, store.ErrNotFound)
	check(t, "ReleaseRenewal of an unknown connection", s.ReleaseRenewal(ctx, "nope", "p1"))
	// The lease goes with its connection.
	check(t, "DeleteConnection", s.DeleteConnection(ctx, "k1"))
	seedConn(t, s, newConn("k1", "u1", "hostex", "a1"))
	if !claimRenewal(t, s, "k1", "p5", 1, t0) {
		t.Fatal("a connection made again inherited its predecessor's lease")
	}
}

// testClaimRenewalConcurrent: 16 processes find the same expired
// credential at once, round after round (each round's winner saves the
// renewal); exactly one claims each time.
func testClaimRenewalConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedUser(t, s, "u1")
	c := seedConn(t, s, newConn("k1", "u1", "hostex", "a1"))
	version := c.Version
	for round := range rounds {
		type result struct {
			won bool
			err error
		}
		results := make([]result, 16)
		race(16, func(i int) error {
			won, err := s.ClaimRenewal(ctx, "k1", fmt.Sprintf("p%d", i), version, t0, at(time.Minute))
			results[i] = result{won, err}
			return err
		})
		winners := 0
		for i, r := range results {
			check(t, fmt.Sprintf("round %d: ClaimRenewal p%d", round, i), r.err)
			if r.won {
				winners++
			}
		}
		if winners != 1 {
			t.Fatalf("round %d: %d claimers won, want 1", round, winners)
		}
		saved, err := s.UpdateConnection(ctx, "k1", func(c store.Connection) (store.Connection, error) { return c, nil })
		check(t, "UpdateConnection", err)
		version = saved.Version
	}
}
