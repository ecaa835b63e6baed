package main

import (
	"bytes"
	"encoding/base64"
	"io"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/store/sqlstore/testdb"
	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/hostex"
)

// TestBudgetsSharedOnPostgresOnly: on SQLite a vendor's budget and the
// sign-in limits count in the process; on PostgreSQL the budget's
// per-account limits and the sign-in limits count in the database, with
// the other replicas'.
func TestBudgetsSharedOnPostgresOnly(t *testing.T) {
	spec := hostex.NewSpec()
	a, err := open(defaults(t.TempDir()), io.Discard, []*connector.Spec{spec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	if spec.Budget.Shared() {
		t.Error("on SQLite the Hostex budget counts in the database")
	}
	if sharedSignInLimits(a.store) != nil {
		t.Error("on SQLite the sign-in limits count in the database")
	}

	db := testdb.Postgres(t) // skips without a server
	spec = hostex.NewSpec()
	cfg := defaults(t.TempDir())
	cfg.DB, cfg.SecretKey = db.URL, base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32))
	p, err := open(cfg, io.Discard, []*connector.Spec{spec})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.close)
	if !spec.Budget.Shared() {
		t.Error("on PostgreSQL the Hostex budget does not count with the other replicas")
	}
	if sharedSignInLimits(p.store) == nil {
		t.Error("on PostgreSQL the sign-in limits do not count with the other replicas")
	}
}

// TestSweepDeletesEndedRateCounts: the sweep deletes the rate counts no
// window holds any more.
func TestSweepDeletesEndedRateCounts(t *testing.T) {
	a, err := open(defaults(t.TempDir()), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	ctx := t.Context()
	now := time.Now()
	if w, err := a.store.TakeRate(ctx, now.Add(-time.Hour), []store.RateSpend{{Key: "hostex 1m0s x", N: 1, Per: time.Minute}}); err != nil || w != 0 {
		t.Fatalf("take: %s, %v", w, err)
	}
	a.sweepOnce(ctx, now)
	if n, err := a.store.SweepRates(ctx, now); err != nil || n != 0 {
		t.Fatalf("after the sweep, %d ended counts were left (%v)", n, err)
	}
}
