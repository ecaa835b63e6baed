package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store/sqlstore/testdb"
)

// Two replicas on one PostgreSQL database whose sweeps come at once: one
// runs the round, the other skips it; the one that ran keeps the job
// round after round until it stops, and then the other takes it over.
func TestSweepOncePerFleet(t *testing.T) {
	db := testdb.Postgres(t)
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32))
	replica := func() *app {
		t.Helper()
		cfg := defaults(t.TempDir())
		cfg.DB, cfg.SecretKey, cfg.DBMaxConns = db.URL, key, 2
		a, err := open(cfg, io.Discard, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(a.close)
		return a
	}
	apps := []*app{replica(), replica()}
	ctx := t.Context()

	// Both rounds start together (a barrier, then both try).
	var ran atomic.Int32
	var start, done sync.WaitGroup
	start.Add(1)
	who := make([]bool, len(apps))
	for i, a := range apps {
		done.Go(func() {
			start.Wait()
			who[i] = a.sweeper.round(ctx, func(ctx context.Context) {
				ran.Add(1)
				a.sweepOnce(ctx, time.Now())
			})
		})
	}
	start.Done()
	done.Wait()
	if n := ran.Load(); n != 1 {
		t.Fatalf("%d replicas ran the round, want exactly 1", n)
	}
	leader, other := apps[0], apps[1]
	if who[1] {
		leader, other = apps[1], apps[0]
	}
	count := func(a *app) bool { return a.sweeper.round(ctx, func(context.Context) { ran.Add(1) }) }
	for range 3 {
		if count(other) {
			t.Fatal("the other replica ran a round while the first kept the job")
		}
		if !count(leader) {
			t.Fatal("the replica that ran the job lost it to no one")
		}
	}
	leader.sweeper.stop()
	if !count(other) {
		t.Fatal("the other replica did not take the job over once the first let go")
	}
	if count(leader) {
		t.Fatal("the first replica ran a round after the other took the job over")
	}
}
