package connector

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/metrics"
	"github.com/hostgate/hostgate/internal/metrics/metricstest"
	"github.com/hostgate/hostgate/store"
)

// fakeCounts is a store.RateBudgets that records what it is asked and
// answers as told.
type fakeCounts struct {
	mu    sync.Mutex
	calls [][]store.RateSpend
	wait  time.Duration
	err   error
}

func (f *fakeCounts) TakeRate(_ context.Context, _ time.Time, spends []store.RateSpend) (time.Duration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, spends)
	return f.wait, f.err
}

func (f *fakeCounts) SweepRates(context.Context, time.Time) (int64, error) { return 0, nil }

func (f *fakeCounts) answer(wait time.Duration, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.wait, f.err = wait, err
}

func (f *fakeCounts) asked() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// sharedBudgetOf is a budget of one address limit (3 a minute) and one
// account limit (2 a minute) sharing its account limit in a fakeCounts,
// logging into the returned buffer.
func sharedBudgetOf(t *testing.T) (*Budget, *fakeCounts, *testClock, *bytes.Buffer) {
	t.Helper()
	clk := newTestClock()
	b := NewBudget(Limit{N: 3, Per: time.Minute, ByAddress: true}, Limit{N: 2, Per: time.Minute})
	b.Now = clk.Now
	f := &fakeCounts{}
	var logs bytes.Buffer
	b.Share(f, slog.New(slog.NewTextHandler(&logs, nil)))
	return b, f, clk, &logs
}

// TestBudgetSharedAsksForAccountLimitsOnly: the shared counts are asked
// for the per-account limits, never the address's, under a key that
// names the vendor and the limit and holds no token; an account spent in
// this process is refused without asking.
func TestBudgetSharedAsksForAccountLimitsOnly(t *testing.T) {
	b, f, _, _ := sharedBudgetOf(t)
	ctx := context.Background()
	acct := accountKey(Credential{AccessToken: "secret-token"})
	for i := range 2 {
		if w := b.takeAll(ctx, "hostex", get, acct, nil); w != 0 {
			t.Fatalf("request %d: wait %s", i+1, w)
		}
	}
	if f.asked() != 2 || len(f.calls[0]) != 1 {
		t.Fatalf("asked %d times, %v; want twice, for the one account limit", f.asked(), f.calls)
	}
	sp := f.calls[0][0]
	if sp.N != 2 || sp.Per != time.Minute || !strings.HasPrefix(sp.Key, "hostex 1m0s ") ||
		strings.Contains(sp.Key, "secret-token") || strings.Contains(sp.Key, acct) {
		t.Fatalf("spend %+v: want the account limit, keyed by vendor, window and a hash", sp)
	}
	if w := b.takeAll(ctx, "hostex", get, acct, nil); w <= 0 || f.asked() != 2 {
		t.Fatalf("the account's third request in this process: wait %s after %d asks; want refused without asking", w, f.asked())
	}
	if w := b.takeAll(ctx, "hostex", get, "", nil); w != 0 || f.asked() != 2 {
		t.Fatalf("a request without an account: wait %s after %d asks; want the address's room, not asking", w, f.asked())
	}
	other := b.spends("hospitable", get, acct)
	if len(other) != 1 || other[0].Key == sp.Key {
		t.Fatalf("another vendor's key for the same account: %+v", other)
	}
}

// TestBudgetSharedRefusalUndoes: when the fleet has no room, the request
// waits for the fleet's time and counts nowhere, not in this process's
// address or account counts either.
func TestBudgetSharedRefusalUndoes(t *testing.T) {
	b, f, _, _ := sharedBudgetOf(t)
	ctx := context.Background()
	f.answer(42*time.Second, nil)
	for range 5 {
		if w := b.takeAll(ctx, "hostex", get, "id:a", nil); w != 42*time.Second {
			t.Fatalf("the fleet full: wait %s, want the fleet's 42s", w)
		}
	}
	f.answer(0, nil)
	for i := range 2 {
		if w := b.takeAll(ctx, "hostex", get, "id:a", nil); w != 0 {
			t.Fatalf("request %d once the fleet has room: wait %s; the refusals were counted here", i+1, w)
		}
	}
	if w := b.takeAll(ctx, "hostex", get, "id:b", nil); w != 0 {
		t.Fatalf("the address's third request: wait %s", w)
	}
}

// TestBudgetSharedFailsOpen: when the shared counts fail, requests are
// counted in this process only (its limits still hold), the failure is
// logged once, the counts are not asked again for a while, and their
// return is logged.
func TestBudgetSharedFailsOpen(t *testing.T) {
	b, f, clk, logs := sharedBudgetOf(t)
	ctx := context.Background()
	m := metrics.New("test")
	f.answer(0, errors.New("connection refused"))
	if w := b.takeAll(ctx, "hostex", get, "id:a", m); w != 0 {
		t.Fatalf("the counts failing: wait %s, want the request counted here", w)
	}
	if w := b.takeAll(ctx, "hostex", get, "id:a", m); w != 0 || f.asked() != 1 {
		t.Fatalf("the second request: wait %s after %d asks; want it sent without asking again", w, f.asked())
	}
	if w := b.takeAll(ctx, "hostex", get, "id:a", m); w <= 0 {
		t.Fatal("the account's limit in this process did not hold while the counts failed")
	}
	clk.Advance(sharedPause)
	if w := b.takeAll(ctx, "hostex", get, "id:b", m); w != 0 || f.asked() != 2 {
		t.Fatalf("after the pause: wait %s after %d asks; want asked again, and sent", w, f.asked())
	}
	if n := strings.Count(logs.String(), "level=WARN"); n != 1 || !strings.Contains(logs.String(), "vendor=hostex") {
		t.Fatalf("%d warnings for two failures, want 1:\n%s", n, logs)
	}
	f.answer(0, nil)
	clk.Advance(time.Minute)
	if w := b.takeAll(ctx, "hostex", get, "id:a", m); w != 0 || !strings.Contains(logs.String(), "answer again") {
		t.Fatalf("the counts back: wait %s, log:\n%s", w, logs)
	}

	// A caller who gave up is no failure of the counts.
	f.answer(0, context.Canceled)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	b.takeAll(cctx, "hostex", get, "id:c", m)
	if strings.Count(logs.String(), "level=WARN") != 1 || b.shared.paused(clk.Now()) {
		t.Fatalf("a cancelled request was taken for a failure of the counts:\n%s", logs)
	}
	// Each ask that failed is counted for the operator: two here.
	if n := metricstest.Read(t, m.Handler()).Sum("hostgate_shared_count_failures_total", "what", "vendor_budget"); n != 2 {
		t.Fatalf("hostgate_shared_count_failures_total = %v, want 2", n)
	}
}

// TestBudgetShareNeedsAccountLimits: a budget whose limits are all the
// address's has nothing to share, and a nil budget ignores Share.
func TestBudgetShareNeedsAccountLimits(t *testing.T) {
	b := NewBudget(Limit{N: 15, Per: 10 * time.Second, ByAddress: true})
	b.Share(&fakeCounts{}, nil)
	if b.Shared() {
		t.Fatal("a budget of address limits only was shared")
	}
	var none *Budget
	none.Share(&fakeCounts{}, nil)
	if none.Shared() {
		t.Fatal("a nil budget was shared")
	}
	post := Request{Op: "calendar", Method: http.MethodPost, Path: "/listings/calendar"}
	hx := NewBudget(Limit{N: 600, Per: time.Minute}, Limit{N: 120, Per: time.Minute, Method: http.MethodPost, Path: "/listings/"},
		Limit{N: 100, Per: time.Minute})
	keys := map[string]bool{}
	for _, sp := range hx.spends("hostex", post, "id:a") {
		keys[sp.Key] = true
	}
	if len(keys) != 3 {
		t.Fatalf("three limits of a request gave %d distinct keys", len(keys))
	}
}
