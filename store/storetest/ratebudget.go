package storetest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
)

// spend is a RateSpend of n a minute under key.
func spend(key string, n int) store.RateSpend {
	return store.RateSpend{Key: key, N: n, Per: time.Minute}
}

// take is TakeRate, failing t on an error.
func take(t testing.TB, s store.Store, now time.Time, spends ...store.RateSpend) time.Duration {
	t.Helper()
	w, err := s.TakeRate(t.Context(), now, spends)
	check(t, "TakeRate", err)
	return w
}

// testRateBudgets: a limit admits N in its window and then tells how long
// until room, to the nanosecond; keys count apart; a take over two limits
// counts in both or neither; bad spends are refused; the sweep deletes
// only what no window holds.
func testRateBudgets(t *testing.T, s store.Store) {
	slot := time.Minute / store.RateSlots
	for i := range 3 {
		if w := take(t, s, at(time.Duration(i)), spend("acct", 3)); w != 0 {
			t.Fatalf("take %d of 3: wait %s, want room", i+1, w)
		}
	}
	now := at(time.Second)
	w := take(t, s, now, spend("acct", 3))
	// Counted in the slot holding t0, the requests leave the window when
	// the eleventh slot after it starts: between a minute and a minute and
	// a slot after t0.
	if w <= 0 || now.Add(w).Sub(t0) <= time.Minute || now.Add(w).Sub(t0) > time.Minute+slot {
		t.Fatalf("the fourth take: wait %s, want until a minute and up to a slot after the first", w)
	}
	if w := take(t, s, now.Add(w-1), spend("acct", 3)); w != 1 {
		t.Fatalf("a nanosecond early: wait %s, want 1ns", w)
	}
	if w := take(t, s, now, spend("other", 1)); w != 0 {
		t.Fatalf("another key: wait %s, want room", w)
	}
	if w := take(t, s, now.Add(w), spend("acct", 3)); w != 0 {
		t.Fatalf("once the window moved on: wait %s, want room", w)
	}

	// All or nothing: b is full, so a take of a and b counts in neither.
	a, b := spend("a", 2), spend("b", 1)
	if w := take(t, s, t0, a, b); w != 0 {
		t.Fatalf("first take of a and b: wait %s", w)
	}
	if w := take(t, s, t0, a, b); w <= 0 {
		t.Fatal("a take of a and b passed b's limit of 1")
	}
	if w := take(t, s, t0, a); w != 0 {
		t.Fatalf("a's second request: wait %s; the refused take counted in a", w)
	}
	if w := take(t, s, t0, a); w <= 0 {
		t.Fatal("a's third request passed its limit of 2")
	}

	for name, bad := range map[string][]store.RateSpend{
		"no room at all":     {spend("x", 0)},
		"a window too short": {{Key: "x", N: 1, Per: store.RateSlots - 1}},
		"a repeated key":     {spend("x", 1), spend("x", 2)},
		"no key":             {spend("", 1)},
	} {
		if _, err := s.TakeRate(t.Context(), t0, bad); err == nil {
			t.Errorf("%s: taken, want an error", name)
		}
	}
	if w := take(t, s, t0); w != 0 {
		t.Fatalf("a take of no limit: wait %s", w)
	}

	n, err := s.SweepRates(t.Context(), now)
	check(t, "SweepRates", err)
	if n != 0 {
		t.Fatalf("a sweep while every count is in its window deleted %d", n)
	}
	if w := take(t, s, now, spend("other", 1)); w <= 0 {
		t.Fatal("after a sweep at now a full key has room")
	}
	n, err = s.SweepRates(t.Context(), at(time.Minute+2*slot))
	check(t, "SweepRates", err)
	if n != 4 {
		t.Fatalf("a sweep past the first minute deleted %d counts, want the 4 that ended", n)
	}
}

// testRateBudgetsSliding replays a flood on a simulated clock: no span of
// Per ever holds more than N admitted requests, and the count's margin of
// a slot costs at most a tenth of what the limit allows.
func testRateBudgetsSliding(t *testing.T, s store.Store) {
	const n, per = 4, 10 * time.Second
	sp := store.RateSpend{Key: "flood", N: n, Per: per}
	var sent []time.Time
	for now := t0; now.Sub(t0) < 5*per; {
		if take(t, s, now, sp) == 0 {
			sent = append(sent, now)
		} else {
			now = now.Add(per / 40)
		}
	}
	for i := range sent {
		k := 0
		for j := i; j < len(sent) && sent[j].Sub(sent[i]) <= per; j++ {
			k++
		}
		if k > n {
			t.Fatalf("%d requests in the window from %s", k, sent[i].Sub(t0))
		}
	}
	if want := 5 * n * 9 / 10; len(sent) < want {
		t.Errorf("%d requests in five windows, want at least %d", len(sent), want)
	}
}

// testRateBudgetsConcurrent: takes at once on one store handle admit
// exactly N.
func testRateBudgetsConcurrent(t *testing.T, s store.Store) {
	got := raceTakes(t, []store.Store{s}, 40, spend("acct", 25))
	if got != 25 {
		t.Fatalf("%d of 40 concurrent takes admitted, want exactly 25", got)
	}
}

// raceTakes makes n takes of spends at once, spread over the handles, all
// at t0, and returns how many were admitted; a refused one must get a
// wait.
func raceTakes(t *testing.T, handles []store.Store, n int, spends ...store.RateSpend) int {
	t.Helper()
	var admitted atomic.Int64
	var failed atomic.Value
	begin := make(chan struct{})
	var ready, done sync.WaitGroup
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-begin
			w, err := handles[i%len(handles)].TakeRate(t.Context(), t0, spends)
			switch {
			case err != nil:
				failed.Store(err.Error())
			case w == 0:
				admitted.Add(1)
			case w < 0:
				failed.Store("a refusal with a negative wait")
			}
		}()
	}
	ready.Wait()
	close(begin)
	done.Wait()
	if f := failed.Load(); f != nil {
		t.Fatalf("a concurrent take: %v", f)
	}
	return int(admitted.Load())
}

// RunReplicas runs the conformance tests that need several store handles
// on one database, as replicas sharing it have: newDB returns, for each
// subtest, the Reopen of a fresh, empty database. Every store it opens is
// closed when its subtest ends.
func RunReplicas(t *testing.T, newDB func(t *testing.T) Reopen) {
	tests := []struct {
		name string
		fn   func(t *testing.T, handles []store.Store)
	}{
		{"RateBudgetsAcrossHandles", testRateBudgetsAcrossHandles},
		{"RateBudgetsAllOrNothing", testRateBudgetsAllOrNothing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reopen := newDB(t)
			handles := make([]store.Store, 3)
			for i := range handles {
				handles[i] = reopen(t, ring(t, "k1"))
				t.Cleanup(func() { handles[i].Close() })
			}
			tt.fn(t, handles)
		})
	}
}

// testRateBudgetsAcrossHandles: many takes at once over three handles
// admit exactly N in the window, and two keys raced together count apart.
func testRateBudgetsAcrossHandles(t *testing.T, handles []store.Store) {
	var acct, other int
	var wg sync.WaitGroup
	wg.Go(func() { acct = raceTakes(t, handles, 90, spend("acct", 40)) })
	wg.Go(func() { other = raceTakes(t, handles, 30, spend("other", 10)) })
	wg.Wait()
	if acct != 40 || other != 10 {
		t.Fatalf("admitted %d of 90 under a limit of 40 and %d of 30 under 10, want exactly 40 and 10", acct, other)
	}
	for i, h := range handles {
		if w := take(t, h, t0.Add(time.Second), spend("acct", 40)); w <= 0 {
			t.Fatalf("handle %d: the full key has room", i)
		}
	}
}

// testRateBudgetsAllOrNothing: takes over two limits (a of 30, b of 20)
// race takes over a alone: a ends exactly full, b never over, and the
// takes b refused counted nothing in a, nor those a refused in b.
func testRateBudgetsAllOrNothing(t *testing.T, handles []store.Store) {
	a, b := spend("a", 30), spend("b", 20)
	var both, alone int
	var wg sync.WaitGroup
	wg.Go(func() { both = raceTakes(t, handles, 50, a, b) })
	wg.Go(func() { alone = raceTakes(t, handles, 50, a) })
	wg.Wait()
	if both+alone != 30 || both > 20 {
		t.Fatalf("admitted %d over a and b, %d over a alone; want 30 in all, at most 20 over b", both, alone)
	}
	// b holds exactly what was admitted over it.
	left := 0
	for take(t, handles[left%3], t0, b) == 0 {
		if left++; left > 20 {
			break
		}
	}
	if both+left != 20 {
		t.Fatalf("b admitted %d more after %d; want %d (the refused takes counted in b)", left, both, 20-both)
	}
}

// BenchTakeRate measures one take of Hostex's three per-account limits
// (a minute, an hour, a day) on a backend, one after another, as one
// vendor request spends them: ns/op is what the shared budget adds to a
// vendor request. st must be a new, empty store.
func BenchTakeRate(b *testing.B, st store.Store) {
	spends := []store.RateSpend{
		{Key: "bench 1m0s acct", N: 1 << 30, Per: time.Minute},
		{Key: "bench 1h0m0s acct", N: 1 << 30, Per: time.Hour},
		{Key: "bench 24h0m0s acct", N: 1 << 30, Per: 24 * time.Hour},
	}
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if w, err := st.TakeRate(ctx, time.Now(), spends); err != nil || w != 0 {
			b.Fatalf("take: %s, %v", w, err)
		}
	}
}
