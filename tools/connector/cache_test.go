package connector

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testClock is a settable clock for the cache's and the budget's tests.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// counted is a fetch that counts its calls and answers its call number.
type counted struct{ n atomic.Int32 }

func (f *counted) fetch(context.Context) ([]string, error) {
	return []string{fmt.Sprint(f.n.Add(1))}, nil
}

func read(t *testing.T, c *Cache, key CacheKey, fresh bool, f *counted) ([]string, Age) {
	t.Helper()
	v, age, err := Cached(context.Background(), c, key, fresh, f.fetch)
	if err != nil {
		t.Fatalf("read %+v: %v", key, err)
	}
	return v, age
}

func TestCacheFreshnessByKind(t *testing.T) {
	for _, tc := range []struct {
		kind  Kind
		fresh time.Duration
	}{
		{KindProperties, 5 * time.Minute},
		{KindReservations, time.Minute},
		{KindCalendar, time.Minute},
		{KindConversations, 10 * time.Second},
		{KindMessages, 10 * time.Second},
		{KindReviews, 5 * time.Minute},
		{KindSites, 5 * time.Minute},
		{KindFootfall, 5 * time.Minute},
	} {
		t.Run(tc.kind.String(), func(t *testing.T) {
			if tc.kind.Fresh() != tc.fresh {
				t.Fatalf("Fresh = %s, want %s", tc.kind.Fresh(), tc.fresh)
			}
			clk := newTestClock()
			c := NewCache(1<<20, clk.Now)
			var f counted
			key := CacheKey{Conn: "c1", Kind: tc.kind}
			start := clk.Now()
			read(t, c, key, false, &f)
			clk.Advance(tc.fresh - time.Second)
			v, age := read(t, c, key, false, &f)
			if f.n.Load() != 1 || v[0] != "1" || !age.At.Equal(start) {
				t.Fatalf("within its freshness: %d fetches, %v, at %s", f.n.Load(), v, age.At)
			}
			clk.Advance(time.Second)
			v, age = read(t, c, key, false, &f)
			if f.n.Load() != 2 || v[0] != "2" || !age.At.Equal(clk.Now()) {
				t.Fatalf("past its freshness: %d fetches, %v, at %s", f.n.Load(), v, age.At)
			}
		})
	}
}

func TestCacheFreshSkipsTheEntry(t *testing.T) {
	clk := newTestClock()
	c := NewCache(1<<20, clk.Now)
	var f counted
	key := CacheKey{Conn: "c1", Kind: KindProperties}
	read(t, c, key, false, &f)
	clk.Advance(time.Minute)
	if v, age := read(t, c, key, true, &f); v[0] != "2" || !age.At.Equal(clk.Now()) {
		t.Fatalf("fresh read = %v at %s, want a new fetch", v, age.At)
	}
	if v, _ := read(t, c, key, false, &f); v[0] != "2" || f.n.Load() != 2 {
		t.Fatalf("after a fresh read: %v after %d fetches, want the fresh data kept", v, f.n.Load())
	}
}

// TestCacheCoalesces: concurrent reads of one key, fresh ones among them,
// make one fetch; a different key makes its own.
func TestCacheCoalesces(t *testing.T) {
	c := NewCache(1<<20, nil)
	release := make(chan struct{})
	var calls atomic.Int32
	fetch := func(ctx context.Context) ([]string, error) {
		calls.Add(1)
		<-release
		return []string{"x"}, nil
	}
	keys := []CacheKey{{Conn: "c1", Kind: KindProperties}, {Conn: "c1", Kind: KindProperties, Args: "other"}}
	var wg sync.WaitGroup
	started := make(chan struct{}, 64)
	for i := range 64 {
		wg.Go(func() {
			started <- struct{}{}
			v, _, err := Cached(context.Background(), c, keys[i%2], i%4 == 0, fetch)
			if err != nil || len(v) != 1 {
				t.Errorf("read %d: %v %v", i, v, err)
			}
		})
	}
	for range 64 {
		<-started
	}
	close(release)
	wg.Wait()
	// A caller may arrive after its key's flight ended; it then finds the
	// entry (or, asking fresh, starts one more flight), never one per caller.
	if n := calls.Load(); n < 2 || n > 2+16 {
		t.Fatalf("%d fetches for 64 reads of 2 keys", n)
	}
}

// TestCacheCoalescesExactly holds the flight open until every caller has
// joined it, so the count is exact.
func TestCacheCoalescesExactly(t *testing.T) {
	c := NewCache(1<<20, nil)
	key := CacheKey{Conn: "c1", Kind: KindReservations, Args: "2026-12-01|2026-12-31"}
	release := make(chan struct{})
	var calls atomic.Int32
	fetch := func(ctx context.Context) ([]string, error) {
		calls.Add(1)
		<-release
		return []string{"x"}, nil
	}
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			if _, _, err := Cached(context.Background(), c, key, false, fetch); err != nil {
				t.Error(err)
			}
		})
	}
	for !c.waiting(key, 64) {
		waitABit()
	}
	close(release)
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d fetches for 64 concurrent reads of one key, want 1", n)
	}
}

func TestCacheCallerCancelDoesNotCancelTheRead(t *testing.T) {
	c := NewCache(1<<20, nil)
	key := CacheKey{Conn: "c1", Kind: KindProperties}
	release := make(chan struct{})
	var sawCancel atomic.Bool
	fetch := func(ctx context.Context) ([]string, error) {
		<-release
		sawCancel.Store(ctx.Err() != nil)
		return []string{"x"}, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, _, err := Cached(ctx, c, key, false, fetch)
		done <- err
	}()
	for !c.waiting(key, 1) {
		waitABit()
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled caller got %v", err)
	}
	close(release)
	// The read finishes for the cache: the next caller finds its answer.
	v, _, err := Cached(context.Background(), c, key, false, func(context.Context) ([]string, error) {
		t.Error("a second fetch: the detached read's answer was not kept")
		return nil, nil
	})
	if err != nil || len(v) != 1 || sawCancel.Load() {
		t.Fatalf("after the cancelled caller: %v %v (read cancelled: %v)", v, err, sawCancel.Load())
	}
}

func TestCacheErrorsAreNotKept(t *testing.T) {
	c := NewCache(1<<20, nil)
	key := CacheKey{Conn: "c1", Kind: KindProperties}
	boom := errors.New("vendor down")
	if _, _, err := Cached(context.Background(), c, key, false, func(context.Context) ([]string, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	var f counted
	if v, _ := read(t, c, key, false, &f); v[0] != "1" {
		t.Fatalf("after an error: %v, want a new fetch", v)
	}
	if _, _, err := Cached(context.Background(), c, CacheKey{Conn: "c1", Kind: KindSites}, false, func(context.Context) ([]string, error) { panic("bug") }); err == nil {
		t.Fatal("a panicking read gave no error")
	}
}

// TestCacheStaleOnRateLimit: a read that meets a spent rate limit is
// answered with the last data, marked stale; without any, the error stands.
func TestCacheStaleOnRateLimit(t *testing.T) {
	clk := newTestClock()
	c := NewCache(1<<20, clk.Now)
	key := CacheKey{Conn: "c1", Kind: KindMessages, Subject: "t1"}
	spent := func(context.Context) ([]string, error) {
		return nil, RateLimited("hostaway", "list messages", 8*time.Second)
	}
	if _, _, err := Cached(context.Background(), c, key, false, spent); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("nothing kept: %v, want the rate limit", err)
	}
	var f counted
	start := clk.Now()
	read(t, c, key, false, &f)
	clk.Advance(3 * time.Minute)
	v, age, err := Cached(context.Background(), c, key, false, spent)
	var ae *APIError
	if err != nil || v[0] != "1" || !age.At.Equal(start) || !errors.As(age.Stale, &ae) || ae.RetryAfter != 8*time.Second {
		t.Fatalf("stale read = %v, %+v, %v; want the kept data, its time and the retry", v, age, err)
	}
	clk.Advance(maxStale)
	if _, _, err := Cached(context.Background(), c, key, false, spent); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("past maxStale: %v, want the rate limit", err)
	}
	other := errors.New("vendor down")
	read(t, c, key, false, &f)
	clk.Advance(time.Minute)
	if _, _, err := Cached(context.Background(), c, key, false, func(context.Context) ([]string, error) { return nil, other }); !errors.Is(err, other) {
		t.Fatalf("another failure: %v; only a rate limit is answered from stale data", err)
	}
}

func TestCacheInvalidate(t *testing.T) {
	c := NewCache(1<<20, nil)
	var f counted
	msgsA := CacheKey{Conn: "c1", Kind: KindMessages, Subject: "a"}
	msgsB := CacheKey{Conn: "c1", Kind: KindMessages, Subject: "b"}
	convs := CacheKey{Conn: "c1", Kind: KindConversations}
	otherConn := CacheKey{Conn: "c2", Kind: KindMessages, Subject: "a"}
	for _, k := range []CacheKey{msgsA, msgsB, convs, otherConn} {
		read(t, c, k, false, &f)
	}
	c.Invalidate("c1", KindMessages, "a")
	before := f.n.Load()
	read(t, c, msgsA, false, &f)
	read(t, c, msgsB, false, &f)
	read(t, c, otherConn, false, &f)
	read(t, c, convs, false, &f)
	if n := f.n.Load() - before; n != 1 {
		t.Fatalf("%d fetches after invalidating one subject of one connection, want 1", n)
	}
	c.Invalidate("c1", KindMessages, "")
	before = f.n.Load()
	read(t, c, msgsA, false, &f)
	read(t, c, msgsB, false, &f)
	read(t, c, convs, false, &f)
	if n := f.n.Load() - before; n != 2 {
		t.Fatalf("%d fetches after invalidating a kind, want 2", n)
	}
}

// TestCacheInvalidateDuringRead: a read under way when its key is
// invalidated answers its callers but keeps nothing, so the next read
// after a write goes to the vendor.
func TestCacheInvalidateDuringRead(t *testing.T) {
	c := NewCache(1<<20, nil)
	key := CacheKey{Conn: "c1", Kind: KindMessages, Subject: "a"}
	release := make(chan struct{})
	done := make(chan []string)
	go func() {
		v, _, _ := Cached(context.Background(), c, key, false, func(context.Context) ([]string, error) {
			<-release
			return []string{"before the write"}, nil
		})
		done <- v
	}()
	for !c.waiting(key, 1) {
		waitABit()
	}
	c.Invalidate("c1", KindMessages, "a")
	close(release)
	if v := <-done; v[0] != "before the write" {
		t.Fatalf("the caller under way got %v", v)
	}
	var f counted
	if v, _ := read(t, c, key, false, &f); v[0] != "1" {
		t.Fatalf("after the write: %v, want a new read", v)
	}
}

// TestCacheDropAndHosts: two connections to the same vendor account (two
// hosts) never share an entry, and dropping one leaves the other.
func TestCacheDropAndHosts(t *testing.T) {
	c := NewCache(1<<20, nil)
	hostA := CacheKey{Conn: "conn-of-alice", Kind: KindProperties}
	hostB := CacheKey{Conn: "conn-of-bob", Kind: KindProperties}
	if v, _, _ := Cached(context.Background(), c, hostA, false, func(context.Context) ([]string, error) { return []string{"alice's"}, nil }); v[0] != "alice's" {
		t.Fatal(v)
	}
	if v, _, _ := Cached(context.Background(), c, hostB, false, func(context.Context) ([]string, error) { return []string{"bob's"}, nil }); v[0] != "bob's" {
		t.Fatalf("bob got %v", v)
	}
	c.Drop("conn-of-alice")
	if n, _ := c.Stats(); n != 1 {
		t.Fatalf("%d entries after dropping one of two connections", n)
	}
	var f counted
	if v, _ := read(t, c, hostA, false, &f); v[0] != "1" {
		t.Fatalf("alice after the drop: %v", v)
	}
	if v, _, _ := Cached(context.Background(), c, hostB, false, f.fetch); v[0] != "bob's" {
		t.Fatalf("bob after alice's drop: %v", v)
	}
}

// waiting reports whether at least n callers joined the read under way for
// key.
func (c *Cache) waiting(key CacheKey, n int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := c.flights[key]
	return f != nil && f.callers >= n
}

// waitABit yields to the goroutines a test waits on.
func waitABit() { runtime.Gosched() }
