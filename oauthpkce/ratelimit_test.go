package oauthpkce

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestAddrLimiterBurstAndRefill(t *testing.T) {
	clock := newTestClock()
	l := newAddrLimiter(10, clock.Now) // 10 a minute, burst 20
	for i := range 20 {
		if !l.allow("192.0.2.1") {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	if l.allow("192.0.2.1") {
		t.Fatal("request past the burst allowed")
	}
	if !l.allow("192.0.2.2") {
		t.Fatal("another address is limited by the first one's bucket")
	}
	if got := l.retryAfter(); got != 6*time.Second {
		t.Fatalf("retryAfter = %v, want 6s (one token at 10 a minute)", got)
	}
	clock.Advance(5 * time.Second)
	if l.allow("192.0.2.1") {
		t.Fatal("allowed before a token was refilled")
	}
	clock.Advance(time.Second)
	if !l.allow("192.0.2.1") {
		t.Fatal("refused after a token was refilled")
	}
	if l.allow("192.0.2.1") {
		t.Fatal("one refilled token allowed two requests")
	}
}

func TestAddrLimiterKeys(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"IPv6 in one /64 share a bucket", "2001:db8:1:2::1", "2001:db8:1:2:ffff::9", true},
		{"IPv6 in different /64s do not", "2001:db8:1:2::1", "2001:db8:1:3::1", false},
		{"IPv4-mapped counts as IPv4", "::ffff:198.51.100.7", "198.51.100.7", true},
		{"different IPv4 do not", "198.51.100.7", "198.51.100.8", false},
		{"zone ignored", "fe80::1%eth0", "fe80::1", true},
		{"unparsable is its own key", "not-an-ip", "not-an-ip", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := limiterKey(tt.a) == limiterKey(tt.b); got != tt.same {
				t.Fatalf("limiterKey(%q)=%q, limiterKey(%q)=%q; same=%v, want %v",
					tt.a, limiterKey(tt.a), tt.b, limiterKey(tt.b), got, tt.same)
			}
			clock := newTestClock()
			l := newAddrLimiter(1, clock.Now) // burst 2
			l.allow(tt.a)
			l.allow(tt.a)
			if got := !l.allow(tt.b); got != tt.same {
				t.Fatalf("after exhausting %q, %q limited=%v, want %v", tt.a, tt.b, got, tt.same)
			}
		})
	}
}

func TestAddrLimiterEvictsIdleEntries(t *testing.T) {
	clock := newTestClock()
	l := newAddrLimiter(1, clock.Now)
	// An exhausted address that stays active must keep its state.
	l.allow("203.0.113.1")
	l.allow("203.0.113.1")
	for i := range limiterMaxEntries - 1 {
		l.allow(fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff))
	}
	if n := len(l.entries); n != limiterMaxEntries {
		t.Fatalf("%d entries, want %d", n, limiterMaxEntries)
	}
	clock.Advance(limiterIdle)
	if !l.allow("203.0.113.1") { // refilled by now, as a new entry would be
		t.Fatal("an address idle for limiterIdle is still limited")
	}
	l.allow("198.51.100.1") // the map is full: sweep
	if n := len(l.entries); n != 2 {
		t.Fatalf("after the sweep %d entries remain, want 2 (the two active addresses)", n)
	}
}

func TestAddrLimiterBoundedWhenAllActive(t *testing.T) {
	clock := newTestClock()
	l := newAddrLimiter(1, clock.Now)
	for i := range 3 * limiterMaxEntries {
		l.allow(fmt.Sprintf("2001:db8:%x:%x::1", i>>16, i&0xffff))
	}
	if n := len(l.entries); n > limiterMaxEntries {
		t.Fatalf("%d entries, more than the cap %d", n, limiterMaxEntries)
	}
}

func TestAddrLimiterConcurrent(t *testing.T) {
	clock := newTestClock()
	l := newAddrLimiter(5, clock.Now) // burst 10
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if l.allow("192.0.2.50") {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if got := allowed.Load(); got != 10 {
		t.Fatalf("%d of 50 concurrent requests allowed, want the burst of 10", got)
	}
}
