package signin

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter throttles sign-in attempts per client address, so a password
// cannot be guessed at speed. Idle entries are swept to bound memory.
type limiter struct {
	mu    sync.Mutex
	every rate.Limit
	burst int
	now   func() time.Time
	m     map[string]*limitEntry
}

type limitEntry struct {
	l    *rate.Limiter
	seen time.Time
}

func newLimiter(every rate.Limit, burst int, now func() time.Time) *limiter {
	return &limiter{every: every, burst: burst, now: now, m: map[string]*limitEntry{}}
}

func (l *limiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.m) > 10000 {
		for k, e := range l.m {
			if now.Sub(e.seen) > 10*time.Minute {
				delete(l.m, k)
			}
		}
	}
	e, ok := l.m[key]
	if !ok {
		e = &limitEntry{l: rate.NewLimiter(l.every, l.burst)}
		l.m[key] = e
	}
	e.seen = now
	return e.l.AllowN(now, 1)
}
