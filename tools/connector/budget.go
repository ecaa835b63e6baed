package connector

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hostgate/hostgate/internal/metrics"
	"github.com/hostgate/hostgate/store"
)

// Limit is one of a vendor's published request limits: at most N requests
// in any Per.
type Limit struct {
	N   int
	Per time.Duration
	// ByAddress: the vendor counts the requests from one IP address, so every
	// account hostgate serves from this process (one egress) spends the same
	// budget, which is never shared with other processes (each has its own
	// egress). Otherwise the limit is one account's (accountKey), shared
	// with the other processes when the budget is (Share).
	ByAddress bool
	// Method and Path, when set, narrow the limit to the requests of that
	// method whose Request.Path starts with Path (Hostex's 120 a minute on
	// POST /listings/*); others do not count against it.
	Method, Path string
}

// applies reports whether a request counts against the limit.
func (l Limit) applies(r Request) bool {
	return (l.Method == "" || l.Method == r.Method) && (l.Path == "" || strings.HasPrefix(r.Path, l.Path))
}

// Budget keeps one vendor's requests from this process within its
// published limits, before they are sent: per account, and per egress
// address where the vendor counts by address. A request that would have
// to wait longer than MaxWait for room is not sent: it fails at once with
// ErrRateLimited and the time to retry, so that a tool call never hangs on
// a limit (the read cache then serves what it has, with its age). What
// other processes or integrations send is the vendor's to count: its 429
// comes back as the vendor's own ErrRateLimited with its Retry-After.
//
// Each limit is counted in ten slots of Per/10; a request counts against
// the slot it is sent in, and the budget sums the current slot and the ten
// before it. That over-counts by up to a slot, which is the budget's margin
// for the difference between when hostgate sends and when the vendor counts.
//
// Several processes serving the same accounts (replicas on one database)
// share the per-account limits through a store.RateBudgets (Share,
// budgetshare.go); the limits the vendor counts by address stay each
// process's own, as each has its own egress.
//
// A nil *Budget spends nothing. It is safe for concurrent use; its fields
// are set, and Share called, before first use.
type Budget struct {
	// MaxWait is the longest a request waits for room; beyond it the
	// request fails with the time to retry. Zero is DefaultMaxWait.
	MaxWait time.Duration
	// Now is the budget's clock; nil is time.Now.
	Now func() time.Time

	limits     []Limit
	perAccount bool     // some limit is per account
	names      []string // each limit's name in the shared counts

	mu       sync.Mutex
	counters map[budgetKey]*window

	// shared counts the per-account limits with the other processes; nil
	// counts them here only.
	shared *sharedBudget
}

// budgetKey is one limit's count for one account ("" for the address).
type budgetKey struct {
	limit   int
	account string
}

const (
	// DefaultMaxWait is how long a request may wait for room in a budget:
	// long enough to ride out a short burst, short against a model's
	// patience.
	DefaultMaxWait = 2 * time.Second
	// maxCounters bounds the accounts counted; past it, counts that are no
	// longer in any window are swept (a token that rotated, an account gone).
	maxCounters = 4096
	slots       = store.RateSlots
)

// NewBudget returns the budget of a vendor with the given published limits;
// none means the vendor publishes none, and its 429s are the only signal.
func NewBudget(limits ...Limit) *Budget {
	b := &Budget{limits: limits, counters: map[budgetKey]*window{}}
	for _, l := range limits {
		if !l.ByAddress {
			b.perAccount = true
		}
	}
	b.names = limitNames(limits)
	return b
}

// Limits returns the budget's published limits.
func (b *Budget) Limits() []Limit {
	if b == nil {
		return nil
	}
	return append([]Limit(nil), b.limits...)
}

func (b *Budget) now() time.Time {
	if b.Now == nil {
		return time.Now()
	}
	return b.Now()
}

func (b *Budget) maxWait() time.Duration {
	if b.MaxWait <= 0 {
		return DefaultMaxWait
	}
	return b.MaxWait
}

// spend takes room for request r with cred (a zero Credential: a request
// that carries none, like a token mint, which only the address counts). It
// waits up to MaxWait in all for room, or fails with RateLimited. A
// request that had to wait, or was refused, is counted in m.
func (b *Budget) spend(ctx context.Context, vendor string, r Request, cred Credential, m *metrics.Metrics) error {
	if b == nil || len(b.limits) == 0 {
		return nil
	}
	acct := ""
	if b.perAccount {
		acct = accountKey(cred)
	}
	var waited time.Duration
	for {
		wait := b.takeAll(ctx, vendor, r, acct, m)
		if wait <= 0 {
			if waited > 0 {
				m.RateLimitWait(vendor, waited, false)
			}
			return nil
		}
		if waited+wait > b.maxWait() {
			m.RateLimitWait(vendor, waited, true)
			return RateLimited(vendor, r.Op, wait)
		}
		if err := Sleep(ctx, wait); err != nil {
			m.RateLimitWait(vendor, waited, true)
			return fmt.Errorf("%s: %s: waiting for the rate budget: %w", vendor, r.Op, err)
		}
		waited += wait
	}
}

// takeAll takes room for request r of acct in this process's counts and,
// where the budget is shared, in the fleet's: 0 when it was taken in both,
// else how long until there is room. The local counts go first, and hold
// the request while the fleet's are asked: they count only what this
// process sent, which the fleet counted too, so an account this process
// alone has spent is refused without a database trip. If the fleet has no
// room, the local take is undone.
func (b *Budget) takeAll(ctx context.Context, vendor string, r Request, acct string, m *metrics.Metrics) time.Duration {
	now := b.now()
	if wait := b.takeAt(r, acct, now); wait > 0 || b.shared == nil || acct == "" {
		return wait
	}
	wait := b.shared.take(ctx, vendor, b.spends(vendor, r, acct), now, m)
	if wait > 0 {
		b.undo(r, acct, now)
	}
	return wait
}

// take counts request r of acct in this process's counts if every limit
// it falls under has room now and returns 0; otherwise it counts nothing
// and returns how long until all have room.
func (b *Budget) take(r Request, acct string) time.Duration {
	return b.takeAt(r, acct, b.now())
}

func (b *Budget) takeAt(r Request, acct string, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	var wait time.Duration
	for i, l := range b.limits {
		if !l.applies(r) {
			continue
		}
		if w := b.counter(i, l, acct, now); w != nil {
			wait = max(wait, w.wait(now, l))
		}
	}
	if wait > 0 {
		return wait
	}
	for i, l := range b.limits {
		if !l.applies(r) {
			continue
		}
		if w := b.counter(i, l, acct, now); w != nil {
			w.add(now, l)
		}
	}
	return 0
}

// undo takes back what takeAt counted for request r of acct at now.
func (b *Budget) undo(r Request, acct string, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, l := range b.limits {
		if !l.applies(r) {
			continue
		}
		if w := b.counter(i, l, acct, now); w != nil {
			w.remove(now, l)
		}
	}
}

// counter returns the count of limit i for acct, nil when the limit does
// not apply (a per-account limit of a request without an account).
func (b *Budget) counter(i int, l Limit, acct string, now time.Time) *window {
	k := budgetKey{limit: i}
	if !l.ByAddress {
		if acct == "" {
			return nil
		}
		k.account = acct
	}
	w := b.counters[k]
	if w == nil {
		if len(b.counters) >= maxCounters {
			b.sweep(now)
		}
		w = &window{}
		b.counters[k] = w
	}
	return w
}

// sweep drops the counts that no longer hold a request in their window.
func (b *Budget) sweep(now time.Time) {
	for k, w := range b.counters {
		if w.idle(now, b.limits[k.limit]) {
			delete(b.counters, k)
		}
	}
}

// accountKey names the account a credential spends: the account or client
// id where the credential has one (Hostaway's account id, which its limit
// is counted by [C]), else the access token's hash (Hostex counts per token
// [C]). Hashed, a token kept as a key reveals nothing.
func accountKey(c Credential) string {
	switch {
	case c.ClientID != "":
		return "id:" + c.ClientID
	case c.AccessToken != "":
		h := sha256.Sum256([]byte(c.AccessToken))
		return "token:" + string(h[:16])
	}
	return ""
}

// window counts one limit's requests in slots of Per/slots. It sums the
// current slot and the slots before it, slots+1 in all, so a request that
// leaves the true window still counts up to one slot longer.
type window struct {
	slot  [slots + 1]int64 // the slot number each count belongs to
	count [slots + 1]int
}

func slotLen(l Limit) int64 { return max(int64(l.Per)/slots, 1) }

// used is the count of the window ending in slot s.
func (w *window) used(s int64) int {
	n := 0
	for i := range w.slot {
		if w.count[i] > 0 && w.slot[i] <= s && w.slot[i] > s-slots-1 {
			n += w.count[i]
		}
	}
	return n
}

// wait is how long from now until the window has room for one more
// request, 0 when it has room now.
func (w *window) wait(now time.Time, l Limit) time.Duration {
	if l.N <= 0 {
		return 0
	}
	sl := slotLen(l)
	s := now.UnixNano() / sl
	n := w.used(s)
	if n < l.N {
		return 0
	}
	// Slots leave the window one by one, oldest first.
	for k := int64(1); k <= slots+1; k++ {
		old := s - slots - 1 + k // the slot leaving when the window ends at s+k
		for i := range w.slot {
			if w.slot[i] == old {
				n -= w.count[i]
			}
		}
		if n < l.N {
			return time.Duration((s+k)*sl - now.UnixNano())
		}
	}
	return l.Per
}

// add counts one request at now.
func (w *window) add(now time.Time, l Limit) {
	s := now.UnixNano() / slotLen(l)
	i := int(s % (slots + 1))
	if w.slot[i] != s {
		w.slot[i], w.count[i] = s, 0
	}
	w.count[i]++
}

// remove takes back one request counted at now, if its slot is still
// counted.
func (w *window) remove(now time.Time, l Limit) {
	s := now.UnixNano() / slotLen(l)
	i := int(s % (slots + 1))
	if w.slot[i] == s && w.count[i] > 0 {
		w.count[i]--
	}
}

// idle reports whether no counted request is in the window any more.
func (w *window) idle(now time.Time, l Limit) bool {
	return w.used(now.UnixNano()/slotLen(l)) == 0
}
