package signin

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"testing"
	"time"
)

// signInAttempt posts the sign-in form from addr (RemoteAddr) with the
// given extra headers and returns the response.
type signInAttempt func(addr string, hdr http.Header, password string) *httptest.ResponseRecorder

func newAttempter(t *testing.T, e *env) signInAttempt {
	t.Helper()
	w := httptest.NewRecorder()
	e.mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, PathSignIn, nil))
	browser := w.Result().Cookies()[0]
	csrf := formValue(t, w.Body.String(), "csrf")
	return func(addr string, hdr http.Header, password string) *httptest.ResponseRecorder {
		r := postForm(PathSignIn, url.Values{"csrf": {csrf}, "username": {testUser}, "password": {password}})
		r.RemoteAddr = addr
		for k, vs := range hdr {
			r.Header[k] = vs
		}
		r.AddCookie(browser)
		w := httptest.NewRecorder()
		e.mux.ServeHTTP(w, r)
		return w
	}
}

// newEnvTrusting is newEnv with a Manager that trusts the given proxies.
func newEnvTrusting(t *testing.T, trusted ...string) *env {
	t.Helper()
	e := newEnv(t, false)
	var ps []netip.Prefix
	for _, s := range trusted {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	m, err := New(Config{
		Store: e.st, Key: bytes.Repeat([]byte{7}, 32), Params: fastParams, Now: e.clock.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), TrustedProxies: ps,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.m = m
	e.mux = http.NewServeMux()
	m.Mount(e.mux)
	return e
}

func xff(v string) http.Header { return http.Header{"X-Forwarded-For": {v}} }

// TestSignInLimitBehindProxy (issue 10 item 1): behind a trusted proxy,
// attempts count against the client the proxy names, so an attacker's
// guesses do not lock the real host out; a client's own X-Forwarded-For
// entries (left of what the proxy appended) do not give it fresh buckets;
// and an untrusted peer's X-Forwarded-For is ignored.
func TestSignInLimitBehindProxy(t *testing.T) {
	e := newEnvTrusting(t, "127.0.0.1/32")
	attempt := newAttempter(t, e)
	const proxy = "127.0.0.1:5555"
	for i := range 10 {
		// The attacker rotates what it sends; the proxy appends its address.
		h := xff(fmt.Sprintf("10.9.8.%d, 198.51.100.7", i))
		if w := attempt(proxy, h, "guess"); w.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, w.Code)
		}
	}
	if w := attempt(proxy, xff("10.9.9.9, 198.51.100.7"), "guess"); w.Code != http.StatusTooManyRequests {
		t.Fatalf("attacker's 11th attempt through the proxy: %d, want 429", w.Code)
	}
	if w := attempt(proxy, xff("203.0.113.9"), testPassword); w.Code != http.StatusSeeOther {
		t.Fatalf("the real host through the same proxy: %d, want 303", w.Code)
	}
	// Forwarded (RFC 7239) when the proxy sets no X-Forwarded-For.
	if w := attempt(proxy, http.Header{"Forwarded": {`for="[2001:db8:5::1]:4711";proto=https`}}, testPassword); w.Code != http.StatusSeeOther {
		t.Fatalf("Forwarded: %d, want 303", w.Code)
	}

	// Not trusted: X-Forwarded-For is the client's word and ignored.
	for i := range 10 {
		if w := attempt("192.0.2.1:1", xff(fmt.Sprintf("10.0.0.%d", i)), "guess"); w.Code != http.StatusUnauthorized {
			t.Fatalf("untrusted attempt %d: %d", i+1, w.Code)
		}
	}
	if w := attempt("192.0.2.1:1", xff("10.1.1.1"), "guess"); w.Code != http.StatusTooManyRequests {
		t.Fatalf("untrusted peer escaped its limit with X-Forwarded-For: %d", w.Code)
	}
}

// TestSignInLimitIPv6Prefix (issue 10 item 2): addresses in one IPv6 /64
// share a bucket.
func TestSignInLimitIPv6Prefix(t *testing.T) {
	e := newEnv(t, false)
	attempt := newAttempter(t, e)
	for i := range 10 {
		addr := fmt.Sprintf("[2001:db8:1:2:%x::1]:443", i+1)
		if w := attempt(addr, nil, "guess"); w.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, w.Code)
		}
	}
	if w := attempt("[2001:db8:1:2:ffff::9]:443", nil, "guess"); w.Code != http.StatusTooManyRequests {
		t.Fatalf("11th attempt from the same /64: %d, want 429", w.Code)
	}
	// Another /64 (in another /48, which the per-account throttle counts
	// apart).
	if w := attempt("[2001:db8:2:3::1]:443", nil, testPassword); w.Code != http.StatusSeeOther {
		t.Fatalf("another /64: %d, want 303", w.Code)
	}
}

// TestSignInLimiterBounded (issue 10 item 2): the limiter's memory is
// capped however many addresses try.
func TestSignInLimiterBounded(t *testing.T) {
	e := newEnv(t, false)
	for i := range 3 * 16384 {
		e.m.limiter.allow(fmt.Sprintf("2001:db8:%x:%x::1", i>>16, i&0xffff))
	}
	if n := e.m.limiter.size(); n > 16384 {
		t.Fatalf("%d entries, more than the cap", n)
	}
}

// TestSignInAccountThrottle (issue 10 item 3): failures for one account
// from one network (an IPv4 /24, an IPv6 /48) back off, across addresses
// the per-address limit counts apart; the real host on another network
// signs in throughout; success clears the throttle.
func TestSignInAccountThrottle(t *testing.T) {
	e := newEnv(t, false)
	attempt := newAttempter(t, e)
	for i := range accountFreeFailures {
		if w := attempt(fmt.Sprintf("198.51.100.%d:1", i), nil, "guess"); w.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, w.Code)
		}
	}
	w := attempt("198.51.100.200:1", nil, testPassword)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Fatalf("attempt past the free failures on the account from the same /24: %d, want 429", w.Code)
	}
	if w := attempt("203.0.113.9:1", nil, testPassword); w.Code != http.StatusSeeOther {
		t.Fatalf("the host from elsewhere: %d, want 303", w.Code)
	}
	e.clock.Advance(2 * time.Second)
	if w := attempt("198.51.100.201:1", nil, "guess"); w.Code != http.StatusUnauthorized {
		t.Fatalf("after the backoff: %d, want 401", w.Code)
	}
	if w := attempt("198.51.100.202:1", nil, testPassword); w.Code != http.StatusTooManyRequests {
		t.Fatalf("backoff did not grow: %d", w.Code)
	}
	e.clock.Advance(4 * time.Second)
	if w := attempt("198.51.100.203:1", nil, testPassword); w.Code != http.StatusSeeOther {
		t.Fatalf("after the longer backoff: %d, want 303", w.Code)
	}
	// Success cleared it.
	if w := attempt("198.51.100.204:1", nil, "guess"); w.Code != http.StatusUnauthorized {
		t.Fatalf("after success: %d, want 401", w.Code)
	}
}

// TestSignInHashCap (issue 10 item 3): when every password-hash slot is
// busy, an attempt waits briefly and then gets 429 without hashing.
func TestSignInHashCap(t *testing.T) {
	e := newEnv(t, false)
	attempt := newAttempter(t, e)
	l := e.m.limiter
	l.hashWait = 0
	for range cap(l.hashSlots) {
		l.hashSlots <- struct{}{}
	}
	w := attempt("192.0.2.1:1", nil, testPassword)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Fatalf("with every hash slot busy: %d, want 429", w.Code)
	}
	<-l.hashSlots
	if w := attempt("192.0.2.1:1", nil, testPassword); w.Code != http.StatusSeeOther {
		t.Fatalf("with a free slot: %d, want 303", w.Code)
	}
}
