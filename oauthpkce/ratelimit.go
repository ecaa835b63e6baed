package oauthpkce

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits of the per-address limiter's memory.
const (
	// limiterIdle is how long an address may stay unseen before its entry
	// may be dropped. A limiter refills from empty to its burst in
	// burst/rate = 2 minutes, so an entry idle this long is full and
	// dropping it loses nothing: a new one starts full too.
	limiterIdle = 10 * time.Minute
	// limiterMaxEntries bounds the map. Past it, idle entries are swept;
	// if every address is active, arbitrary entries are dropped until the
	// map is back under limiterSweepTo, which only lets an attacker who
	// already controls that many addresses reset some limits.
	limiterMaxEntries = 16384
	limiterSweepTo    = limiterMaxEntries * 9 / 10
)

// addrLimiter limits how often one network address may do something
// (dynamic client registration): a token bucket per address refilled at
// perMinute a minute with a burst of twice that. It is safe for concurrent
// use and its memory is bounded.
type addrLimiter struct {
	limit rate.Limit
	burst int
	now   func() time.Time

	mu      sync.Mutex
	entries map[string]*limiterEntry
}

type limiterEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

// newAddrLimiter returns a limiter allowing perMinute events a minute per
// address (at least 1), with a burst of 2×perMinute, on the clock now.
func newAddrLimiter(perMinute int, now func() time.Time) *addrLimiter {
	if perMinute < 1 {
		perMinute = 1
	}
	if now == nil {
		now = time.Now
	}
	return &addrLimiter{
		limit:   rate.Every(time.Minute / time.Duration(perMinute)),
		burst:   2 * perMinute,
		now:     now,
		entries: make(map[string]*limiterEntry),
	}
}

// allow reports whether addr (an IP address, as the host part of
// RemoteAddr) may act now, and if so takes one token from its bucket.
func (l *addrLimiter) allow(addr string) bool {
	key := limiterKey(addr)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.entries[key]
	if !ok {
		if len(l.entries) >= limiterMaxEntries {
			l.sweep(now)
		}
		e = &limiterEntry{lim: rate.NewLimiter(l.limit, l.burst)}
		l.entries[key] = e
	}
	e.seen = now
	return e.lim.AllowN(now, 1)
}

// retryAfter is how long a refused address waits for its next token at
// most: one refill interval.
func (l *addrLimiter) retryAfter() time.Duration {
	return time.Duration(float64(time.Second) / float64(l.limit))
}

// sweep drops idle entries, then arbitrary ones if the map is still too
// large. The caller holds l.mu. Sweeping happens only when the map is full
// and leaves it at most 90% full, so its cost is amortized over at least
// limiterMaxEntries/10 new addresses.
func (l *addrLimiter) sweep(now time.Time) {
	for k, e := range l.entries {
		if now.Sub(e.seen) >= limiterIdle {
			delete(l.entries, k)
		}
	}
	for k := range l.entries {
		if len(l.entries) <= limiterSweepTo {
			break
		}
		delete(l.entries, k)
	}
}

// limiterKey is the bucket an address counts against. An IPv6 subscriber is
// usually given a whole /64, so IPv6 addresses share their /64's bucket;
// otherwise one machine could cycle through 2^64 addresses. IPv4-mapped IPv6
// addresses count as their IPv4 address. Anything unparsable is its own key.
func limiterKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
