package hostaway

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Hostaway counts 15 requests per 10 s per IP address and 20 per 10 s per
// account, in a sliding window [C]. A token bucket lets through at most
// burst + rate×10 s in any 10 s, so each rate is chosen to keep that sum at
// the vendor's limit while still letting a short burst (one tool call's
// few requests) go at once.
const (
	window       = 10 * time.Second
	addressLimit = 15 // per window [C]
	accountLimit = 20 // per window [C]
	limitBurst   = 5
)

var (
	addressRate = rate.Every(window / (addressLimit - limitBurst)) // 1 per second
	accountRate = rate.Every(window / (accountLimit - limitBurst)) // 1.5 per second
)

// limiters are package-level because the limits belong to this process's
// address and to Hostaway accounts, not to one Connector value: tool calls
// build a new Connector each time.
var limiters = struct {
	mu      sync.Mutex
	address *rate.Limiter
	account map[string]*rate.Limiter
}{
	address: rate.NewLimiter(addressRate, limitBurst),
	account: map[string]*rate.Limiter{},
}

// accountLimiter returns the limiter of one Hostaway account.
func accountLimiter(accountID string) *rate.Limiter {
	limiters.mu.Lock()
	defer limiters.mu.Unlock()
	l, ok := limiters.account[accountID]
	if !ok {
		l = rate.NewLimiter(accountRate, limitBurst)
		limiters.account[accountID] = l
	}
	return l
}

// waitTurn blocks until both the address and (when known) the account have
// room, or ctx ends. The address limiter also covers token mints, which
// Hostaway counts against the address.
func waitTurn(ctx context.Context, accountID string) error {
	limiters.mu.Lock()
	addr := limiters.address
	limiters.mu.Unlock()
	if err := addr.Wait(ctx); err != nil {
		return err
	}
	if accountID == "" {
		return nil
	}
	return accountLimiter(accountID).Wait(ctx)
}

// backoff429 is how long the client waits after a 429 before its one retry:
// Hostaway sends no Retry-After, and its window is 10 s [C]. Tests shorten it.
var backoff429 = window

// jittered adds up to 20% to d so that callers who were refused together do
// not come back together.
func jittered(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails (package docs)
	return d + time.Duration(binary.LittleEndian.Uint64(b[:])%uint64(d/5+1))
}
