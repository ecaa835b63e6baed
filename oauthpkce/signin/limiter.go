package signin

import (
	"container/list"
	"context"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/hostgate/hostgate/oauthpkce/clientaddr"
	"golang.org/x/time/rate"
)

// Sign-in limits per client address (an IPv4 address or an IPv6 /64):
// a burst of signinBurst attempts, then one every signinEvery.
const (
	signinEvery = 6 * time.Second
	signinBurst = 10
	// limiterMaxEntries bounds the limiter's memory (about 200 bytes an
	// entry). Past it the least recently seen address is forgotten; its
	// bucket was probably full by then, and if not, only an attacker who
	// holds more than this many /64s or IPv4 addresses gains a reset.
	limiterMaxEntries = 16384

	// Per account and network: accountFreeFailures-1 failed attempts on
	// one username from one network (IPv4 /24, IPv6 /48) go unthrottled;
	// after that each attempt waits twice as long as the last, from 2 s
	// up to accountMaxBackoff, until one succeeds or accountForget passes.
	// Keyed by network as well as account, so failures from an attacker
	// elsewhere never delay the host; a host sharing the attacker's
	// network waits at most accountMaxBackoff.
	accountFreeFailures = 10
	accountMaxBackoff   = 15 * time.Minute
	accountForget       = time.Hour
	maxUsernameKey      = 256

	// maxConcurrentHashes caps simultaneous password checks, about
	// 4 × 19 MiB of argon2id memory; hashWaitMax is how long an attempt
	// waits for a slot before it is answered 429.
	maxConcurrentHashes = 4
	hashWaitMax         = 2 * time.Second
)

// limiter throttles sign-in attempts per client address, so a password
// cannot be guessed at speed. It is a token bucket per address
// (clientaddr.Key: IPv6 by /64) in a least-recently-used list of bounded
// length, so a check costs O(1) and memory is capped.
type limiter struct {
	every   rate.Limit
	burst   int
	max     int
	trusted []netip.Prefix
	now     func() time.Time

	// hashSlots caps concurrent password checks (each argon2id
	// verification takes DefaultParams.Memory, 19 MiB, and a CPU for tens
	// of milliseconds); an attempt waits up to hashWait for a slot.
	hashSlots chan struct{}
	hashWait  time.Duration

	mu  sync.Mutex
	m   map[string]*list.Element // of *limitEntry
	lru *list.List               // front: most recently seen
	// accounts: failures per account and network, same bounds.
	accounts    map[string]*list.Element // of *accountEntry
	accountsLRU *list.List
}

type accountEntry struct {
	key      string
	failures int
	last     time.Time
}

type limitEntry struct {
	key string
	l   *rate.Limiter
}

func newLimiter(trusted []netip.Prefix, now func() time.Time) *limiter {
	return &limiter{
		every: rate.Every(signinEvery), burst: signinBurst, max: limiterMaxEntries,
		trusted: trusted, now: now, m: map[string]*list.Element{}, lru: list.New(),
		hashSlots: make(chan struct{}, maxConcurrentHashes), hashWait: hashWaitMax,
		accounts: map[string]*list.Element{}, accountsLRU: list.New(),
	}
}

// addr is the address r counts against: the client behind any trusted
// proxy.
func (l *limiter) addr(r *http.Request) string { return clientaddr.Of(r, l.trusted) }

// allow reports whether addr may attempt a sign-in now and, if so, takes
// one token from its bucket.
func (l *limiter) allow(addr string) bool {
	key := clientaddr.Key(addr)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	el, ok := l.m[key]
	if ok {
		l.lru.MoveToFront(el)
	} else {
		el = l.lru.PushFront(&limitEntry{key: key, l: rate.NewLimiter(l.every, l.burst)})
		l.m[key] = el
		for l.lru.Len() > l.max {
			old := l.lru.Back()
			l.lru.Remove(old)
			delete(l.m, old.Value.(*limitEntry).key)
		}
	}
	return el.Value.(*limitEntry).l.AllowN(now, 1)
}

// accountBegin starts an attempt on username from addr: it returns how
// long the attempt must wait if the account is throttled for addr's
// network, else 0, counting the attempt as a failure until accountSucceeded
// says otherwise (so concurrent attempts cannot slip past the count).
func (l *limiter) accountBegin(username, addr string) time.Duration {
	key := accountKey(username, addr)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	el, ok := l.accounts[key]
	if !ok {
		el = l.accountsLRU.PushFront(&accountEntry{key: key})
		l.accounts[key] = el
		for l.accountsLRU.Len() > l.max {
			old := l.accountsLRU.Back()
			l.accountsLRU.Remove(old)
			delete(l.accounts, old.Value.(*accountEntry).key)
		}
	} else {
		l.accountsLRU.MoveToFront(el)
	}
	e := el.Value.(*accountEntry)
	if e.failures > 0 && now.Sub(e.last) >= accountForget {
		e.failures = 0
	}
	if wait := accountBackoff(e.failures) - now.Sub(e.last); e.failures > 0 && wait > 0 {
		return wait
	}
	e.failures++
	e.last = now
	return 0
}

// accountSucceeded clears the throttle of username from addr's network.
func (l *limiter) accountSucceeded(username, addr string) {
	key := accountKey(username, addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.accounts[key]; ok {
		l.accountsLRU.Remove(el)
		delete(l.accounts, key)
	}
}

// accountBackoff is the wait after the given number of failures.
func accountBackoff(failures int) time.Duration {
	if failures < accountFreeFailures {
		return 0
	}
	n := failures - accountFreeFailures + 1
	if n > 20 {
		return accountMaxBackoff
	}
	return min(time.Second<<n, accountMaxBackoff)
}

// accountKey is username at addr's network: IPv4 /24, IPv6 /48.
func accountKey(username, addr string) string {
	if len(username) > maxUsernameKey {
		username = username[:maxUsernameKey]
	}
	net := addr
	if ip, err := netip.ParseAddr(addr); err == nil {
		ip = ip.Unmap().WithZone("")
		bits := 24
		if ip.Is6() {
			bits = 48
		}
		p, _ := ip.Prefix(bits)
		net = p.String()
	}
	return net + " " + username
}

// acquireHash takes a password-check slot, waiting up to hashWait; false
// if none freed in time or the request ended.
func (l *limiter) acquireHash(ctx context.Context) bool {
	select {
	case l.hashSlots <- struct{}{}:
		return true
	default:
	}
	if l.hashWait <= 0 {
		return false
	}
	t := time.NewTimer(l.hashWait)
	defer t.Stop()
	select {
	case l.hashSlots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

func (l *limiter) releaseHash() { <-l.hashSlots }

func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}
