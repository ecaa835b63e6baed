package oauthpkce

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/hostgate/hostgate/oauthpkce/clientaddr"
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

// limiterKey is the bucket an address counts against: see clientaddr.Key
// (IPv6 by /64, IPv4-mapped as IPv4).
func limiterKey(addr string) string { return clientaddr.Key(addr) }

// exhausted reports whether addr's bucket is empty now, without taking a
// token or making an entry.
func (l *addrLimiter) exhausted(addr string) bool {
	key := limiterKey(addr)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.entries[key]
	return ok && e.lim.TokensAt(now) < 1
}

// Token endpoint limits. Every request counts against its address (an
// IPv4 address or IPv6 /64, behind trusted proxies the client's); only
// failed grants (invalid_grant, invalid_client) count against the client,
// because a public client's id is public: counting every request would let
// anyone starve a real client, while a client that is working rarely
// fails. Codes and refresh tokens are 256-bit random, so the limits bound
// load and log noise more than they protect the tokens.
const (
	tokenPerMinutePerAddr        = 30 // burst 60
	tokenFailuresPerMinPerClient = 10 // burst 20
	// maxLimitedClientID is the longest client id kept as a limiter key;
	// longer ones share one bucket (none is valid: see the registration
	// and metadata-document limits).
	maxLimitedClientID = 512
)

// tokenLimits limits the token endpoint.
type tokenLimits struct {
	addr   *addrLimiter
	client *addrLimiter
}

func newTokenLimits(now func() time.Time) *tokenLimits {
	return &tokenLimits{
		addr:   newAddrLimiter(tokenPerMinutePerAddr, now),
		client: newAddrLimiter(tokenFailuresPerMinPerClient, now),
	}
}

// limitToken wraps the token endpoint: a request from an address over its
// limit, or naming a client whose failures are over theirs, is answered
// 429 temporarily_unavailable with Retry-After before anything is looked
// up; a request that fails with invalid_grant or invalid_client is
// charged to its client.
func (s *Server) limitToken(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		addr := s.clientIP(r)
		if !s.tokenLimits.addr.allow(addr) {
			s.log.WarnContext(r.Context(), "token requests rate limited", "from", addr)
			e := errorf(http.StatusTooManyRequests, codeTemporarilyUnavailable, "too many token requests from this address; retry later")
			e.retryAfter = s.tokenLimits.addr.retryAfter()
			return e
		}
		// Read the form as clientRequest does (it then finds it read), to
		// know the client before the request is handled.
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
		if isForm(r) {
			if err := r.ParseForm(); err != nil {
				return badRequest(codeInvalidRequest, "the body could not be parsed")
			}
		}
		key := tokenClientKey(r)
		if key != "" && s.tokenLimits.client.exhausted(key) {
			s.log.WarnContext(r.Context(), "token requests rate limited", "client_id", key)
			e := errorf(http.StatusTooManyRequests, codeTemporarilyUnavailable, "too many failed token requests for this client; retry later")
			e.retryAfter = s.tokenLimits.client.retryAfter()
			return e
		}
		r = r.WithContext(context.WithValue(r.Context(), clientAddrKey{}, addr))
		err := h(w, r)
		if e, ok := errors.AsType[*Error](err); ok && key != "" && (e.Code == codeInvalidGrant || e.Code == codeInvalidClient) {
			s.tokenLimits.client.allow(key)
		}
		return err
	}
}

// tokenClientKey is the client a token request names, by HTTP Basic or
// the form, as the limiter's key; "" if it names none.
func tokenClientKey(r *http.Request) string {
	id := r.PostForm.Get("client_id")
	if u, _, ok := r.BasicAuth(); ok {
		if v, err := url.QueryUnescape(u); err == nil {
			id = v
		}
	}
	if len(id) > maxLimitedClientID {
		id = id[:maxLimitedClientID]
	}
	if id == "" {
		return ""
	}
	return "client " + id
}
