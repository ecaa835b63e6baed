package signin

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// TestSignInLoad (issue 10, "done when"): 10,000 guesses, half from
// rotating IPv6 addresses in one /64 and half through a trusted proxy from
// one client address, while the real host (elsewhere, through the same
// proxy) signs in throughout; the limiters' memory stays flat.
func TestSignInLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	e := newEnvTrusting(t, "127.0.0.1/32")
	attempt := newAttempter(t, e)
	const proxy = "127.0.0.1:443"
	hostSignIns := 0
	for i := range 10000 {
		if i%100 == 0 {
			e.clock.Advance(time.Second)
		}
		var w interface{ Result() *http.Response }
		if i%2 == 0 {
			w = attempt(fmt.Sprintf("[2001:db8:aa:bb:%x:%x::1]:443", i>>16, i&0xffff), nil, "guess")
		} else {
			w = attempt(proxy, xff("198.51.100.66"), "guess")
		}
		if c := w.Result().StatusCode; c != http.StatusUnauthorized && c != http.StatusTooManyRequests {
			t.Fatalf("guess %d: %d", i, c)
		}
		if i%500 == 250 {
			if w := attempt(proxy, xff("203.0.113.9"), testPassword); w.Code != http.StatusSeeOther {
				t.Fatalf("the host at guess %d: %d, want 303", i, w.Code)
			}
			hostSignIns++
		}
		if n := e.m.limiter.size(); n > 3 {
			t.Fatalf("guess %d: %d limiter entries, want at most 3 (one /64, two clients)", i, n)
		}
		if n := e.m.limiter.accountsLen(); n > 3 {
			t.Fatalf("guess %d: %d account entries, want at most 3", i, n)
		}
	}
	if hostSignIns != 20 {
		t.Fatalf("%d host sign-ins", hostSignIns)
	}
}

func (l *limiter) accountsLen() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.accounts)
}

// BenchmarkSignInLimiterRotating measures a limiter check from addresses
// that never repeat (each a new /64): O(1), memory capped.
func BenchmarkSignInLimiterRotating(b *testing.B) {
	l := newLimiter(nil, func() time.Time { return time.Unix(0, 0) })
	addrs := make([]string, 1<<16)
	for i := range addrs {
		addrs[i] = fmt.Sprintf("2001:db8:%x:%x::1", i>>8, i&0xff)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		l.allow(addrs[i&(len(addrs)-1)])
		i++
	}
	if l.size() > limiterMaxEntries {
		b.Fatalf("%d entries", l.size())
	}
}
