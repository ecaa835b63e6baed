package sandbox

import "time"

// limitRule is one sliding-window limit: at most limit hits per window for key.
type limitRule struct {
	key    string
	limit  int
	window time.Duration
	label  string // what the vendor reports, e.g. Hostex X-RateLimit-Window "1m"
	scope  string // Hostex X-RateLimit-Scope: "user" or "endpoint"
}

// logKey keeps one log per key and window, so rules of different windows never prune each
// other's hits.
func (rl *limitRule) logKey() string { return rl.key + "|" + rl.window.String() }

// limiter is a sliding-log rate limiter driven by the injected clock; guarded by Vendor.mu.
type limiter struct {
	hits map[string][]time.Time
	// refused counts the requests any rule refused, for RateLimited.
	refused int
}

// RateLimited counts the requests the vendor refused for a rate limit (a 429, or Hostex's
// error_code 429 in an HTTP 200) since it started: a client that keeps within the vendor's
// published limits leaves it at 0. Scripted faults are not counted.
func (v *Vendor) RateLimited() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.limits.refused
}

// allow records one hit against every rule if all of them have room. Otherwise it records
// nothing and returns the first rule that is full and how long until it has room again.
func (l *limiter) allow(now time.Time, rules ...limitRule) (*limitRule, time.Duration) {
	for i := range rules {
		rl := &rules[i]
		log := l.prune(rl.logKey(), now.Add(-rl.window))
		if len(log) >= rl.limit {
			l.refused++
			return rl, log[len(log)-rl.limit].Add(rl.window).Sub(now)
		}
	}
	for _, rl := range rules {
		k := rl.logKey()
		l.hits[k] = append(l.hits[k], now)
	}
	return nil, 0
}

// prune drops hits at or before cutoff and returns what remains.
func (l *limiter) prune(key string, cutoff time.Time) []time.Time {
	log := l.hits[key]
	i := 0
	for i < len(log) && !log[i].After(cutoff) {
		i++
	}
	log = log[i:]
	if len(log) == 0 {
		delete(l.hits, key)
		return nil
	}
	l.hits[key] = log
	return log
}

// retrySeconds rounds a wait up to whole seconds, at least 1, for Retry-After.
func retrySeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return s
}
