package main

import (
	"context"
	"fmt"
	"github.com/jackc/pgx/v5"
	"github.com/mark3labs/mcp-go/client"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkFleetToolCalls measures tool-call throughput through the
// balancer of one hostgate process and of three on one PostgreSQL: three
// MCP sessions of one app making 32 list_properties calls at a time
// between them, answered from each process's vendor read cache, so that a
// call costs hostgate's own path (bearer check, session, limits, activity,
// cache, paging). Calls that reach the vendor are bounded by its rate
// budget for the account (Hostex: 600 a minute), not by hostgate.
//
//   - processes=1: one process serves everything;
//   - processes=3: the balancer takes the processes in turn for every
//     request, so most requests of a session reach a process that did not
//     start it;
//   - processes=3/affinity: each session's requests go to the process
//     that started it.
//
// It reports calls/s; cpu-µs/call, the CPU time of the hostgate processes
// per call, read from /proc (Linux), so that the cost of running a fleet
// rather than one process shows even on a machine with fewer cores than
// processes; and db-xacts/call, the transactions PostgreSQL counted in the
// database per call (all of hostgate's: calls, activity log batches,
// background jobs), which shows whether a warm call costs a round trip.
// Needs HOSTGATE_TEST_POSTGRES.
//
//	HOSTGATE_TEST_POSTGRES=... go test -run '^$' -bench FleetToolCalls -benchtime 300x -count 3 ./cmd/hostgate/
func BenchmarkFleetToolCalls(b *testing.B) {
	for _, tc := range []struct {
		name     string
		procs    int
		affinity bool
	}{
		{"processes=1", 1, false},
		{"processes=3", 3, false},
		{"processes=3/affinity", 3, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			f := newFleet(b)
			f.start(tc.procs)
			f.lb.mu.Lock()
			f.lb.affinity = tc.affinity
			f.lb.mu.Unlock()
			f.connectHostex()
			a := f.authorize("Bench app")
			// Three sessions, started on the processes in turn.
			sessions := []*client.Client{a.client, f.client(a.token(b).AccessToken), f.client(a.token(b).AccessToken)}
			// Warm: every process verifies the token and fills its caches.
			for range 2 * tc.procs {
				if err := firstError(burstOver(sessions, 12)); err != nil {
					b.Fatal(err)
				}
			}
			const batch = 32
			xacts := f.dbTransactions()
			cpu := f.cpu()
			start := time.Now()
			calls := 0
			for b.Loop() {
				if err := firstError(burstOver(sessions, batch)); err != nil {
					b.Fatal(err)
				}
				calls += batch
			}
			elapsed := time.Since(start)
			b.ReportMetric(float64(calls)/elapsed.Seconds(), "calls/s")
			if used := f.cpu() - cpu; cpu >= 0 && used >= 0 {
				b.ReportMetric(float64(used.Microseconds())/float64(calls), "cpu-µs/call")
			}
			b.ReportMetric(float64(f.dbTransactions()-xacts)/float64(calls), "db-xacts/call")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// burstOver makes n list_properties calls at once, call i through
// sessions[i mod len(sessions)], and returns their errors.
func burstOver(sessions []*client.Client, n int) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, errs[i] = callTool(ctx, sessions[i%len(sessions)], "list_properties", nil)
		})
	}
	wg.Wait()
	return errs
}

// dbTransactions is how many transactions the database has counted
// (PostgreSQL's statistics, flushed within a second or so of each).
func (f *fleetEnv) dbTransactions() int64 {
	f.t.Helper()
	// PostgreSQL's backends publish their transaction counts at most once
	// a second, on their own, and no event tells when: wait past that
	// interval for the counts of the transactions just made. This sleep
	// synchronizes nothing the benchmark asserts; it only lets a reported
	// figure settle, and it is outside the timed loop. (A backend that
	// has not published yet makes the figure low by its last second.)
	time.Sleep(1500 * time.Millisecond)
	conn, err := pgx.Connect(context.Background(), f.db.URL)
	if err != nil {
		f.t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int64
	if err := conn.QueryRow(context.Background(), `SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()`).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// cpu is the CPU time (user and system) the fleet's processes have used,
// from /proc/PID/stat; -1 where that cannot be read.
func (f *fleetEnv) cpu() time.Duration {
	var total time.Duration
	for _, p := range f.procs {
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
		if err != nil {
			return -1
		}
		// The fields after the command name, which is in parentheses:
		// utime and stime are the 12th and 13th, in clock ticks.
		s := string(raw)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) < 13 {
			return -1
		}
		for _, v := range fields[11:13] {
			ticks, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return -1
			}
			// USER_HZ is 100 on every Linux a Go program meets.
			total += time.Duration(ticks) * 10 * time.Millisecond
		}
	}
	return total
}
