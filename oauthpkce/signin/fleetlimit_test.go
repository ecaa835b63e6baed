package signin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/metrics"
	"github.com/hostgate/hostgate/internal/metrics/metricstest"
	"github.com/hostgate/hostgate/store"
)

// replicas are n Managers on the env's one database, as n hostgate
// processes behind a load balancer, counting attempts together when
// shared.
func (e *env) replicas(t *testing.T, n int, shared bool) []*http.ServeMux {
	t.Helper()
	muxes := make([]*http.ServeMux, n)
	for i := range muxes {
		cfg := Config{Store: e.st, Key: bytes.Repeat([]byte{7}, 32), Params: fastParams, Now: e.clock.Now,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		if shared {
			cfg.SharedLimits = e.st
		}
		m, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		muxes[i] = http.NewServeMux()
		m.Mount(muxes[i])
	}
	return muxes
}

// TestSignInLimitsAcrossReplicas: a password guesser whose attempts a
// load balancer spreads over two replicas gets no more than one process
// would allow, when the replicas share the limits (PostgreSQL; here the
// same counts on SQLite): ten attempts a minute from one address, and
// twenty an hour on one account from one network however many addresses
// it uses. Without sharing, each replica would allow its own.
func TestSignInLimitsAcrossReplicas(t *testing.T) {
	for _, shared := range []bool{true, false} {
		t.Run(fmt.Sprintf("shared=%v", shared), func(t *testing.T) {
			e := newEnv(t, false)
			muxes := e.replicas(t, 2, shared)
			w := httptest.NewRecorder()
			muxes[0].ServeHTTP(w, httptest.NewRequest(http.MethodGet, PathSignIn, nil))
			browser := w.Result().Cookies()[0]
			csrf := formValue(t, w.Body.String(), "csrf")
			n := 0
			attempt := func(addr string) *httptest.ResponseRecorder {
				r := postForm(PathSignIn, url.Values{"csrf": {csrf}, "username": {testUser}, "password": {"guess"}})
				r.RemoteAddr = addr
				r.AddCookie(browser)
				w := httptest.NewRecorder()
				muxes[n%2].ServeHTTP(w, r) // the balancer takes them in turn
				n++
				return w
			}

			// One address: 10 in a burst between the two, then refused.
			tried := 0 // attempts that got to the password check
			for i := range 10 {
				if w := attempt("198.51.100.7:4000"); w.Code != http.StatusUnauthorized {
					t.Fatalf("attempt %d from one address: %d", i+1, w.Code)
				}
				tried++
			}
			w = attempt("198.51.100.7:4000")
			if shared && (w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), "Too many attempts")) {
				t.Fatalf("11th attempt from one address over two replicas: %d %v", w.Code, w.Header())
			}
			if !shared {
				if w.Code != http.StatusUnauthorized {
					t.Fatalf("11th attempt from one address, replicas counting apart: %d, want 401 (each allowed 6)", w.Code)
				}
				tried++
			}

			// One account from one network, a new address each time, a
			// few seconds apart: each replica alone has seen at most ten
			// failures, which its own backoff lets by after 2 s.
			for tried < 20 {
				e.clock.Advance(3 * time.Second)
				if w := attempt(fmt.Sprintf("198.51.100.%d:4000", 20+n)); w.Code != http.StatusUnauthorized {
					t.Fatalf("attempt %d on the account: %d %s", tried+1, w.Code, w.Body.String())
				}
				tried++
			}
			e.clock.Advance(3 * time.Second)
			w = attempt("198.51.100.99:4000")
			if shared && (w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), "Too many attempts")) {
				t.Fatalf("21st attempt on the account from one network over two replicas: %d", w.Code)
			}
			if !shared && w.Code != http.StatusUnauthorized {
				t.Fatalf("21st attempt on the account, replicas counting apart: %d, want 401", w.Code)
			}
			// The host, from elsewhere, is not locked out by it.
			r := postForm(PathSignIn, url.Values{"csrf": {csrf}, "username": {testUser}, "password": {testPassword}})
			r.RemoteAddr = "203.0.113.9:1"
			r.AddCookie(browser)
			w = httptest.NewRecorder()
			muxes[0].ServeHTTP(w, r)
			if w.Code != http.StatusSeeOther {
				t.Fatalf("the host from another network: %d", w.Code)
			}
		})
	}
}

// failingRates is shared counts that do not answer.
type failingRates struct{}

func (failingRates) TakeRate(context.Context, time.Time, []store.RateSpend) (time.Duration, error) {
	return 0, errors.New("connection refused")
}

func (failingRates) SweepRates(context.Context, time.Time) (int64, error) { return 0, nil }

// TestSignInSharedLimitsFailOpen: when the shared counts fail, a sign-in
// is judged by this process's limits alone (the host can still sign in),
// the failure is logged once and counted for the operator.
func TestSignInSharedLimitsFailOpen(t *testing.T) {
	e := newEnv(t, false)
	var logs strings.Builder
	reg := metrics.New("test")
	m, err := New(Config{Store: e.st, Key: bytes.Repeat([]byte{7}, 32), Params: fastParams, Now: e.clock.Now,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)), SharedLimits: failingRates{}, Metrics: reg})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	m.Mount(mux)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, PathSignIn, nil))
	browser := w.Result().Cookies()[0]
	csrf := formValue(t, w.Body.String(), "csrf")
	for i, password := range []string{"guess", testPassword} {
		r := postForm(PathSignIn, url.Values{"csrf": {csrf}, "username": {testUser}, "password": {password}})
		r.RemoteAddr = "198.51.100.7:4000"
		r.AddCookie(browser)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		if want := []int{http.StatusUnauthorized, http.StatusSeeOther}[i]; w.Code != want {
			t.Fatalf("attempt %d with the shared counts down: %d, want %d", i+1, w.Code, want)
		}
	}
	if n := strings.Count(logs.String(), "shared counts failed"); n != 1 {
		t.Fatalf("%d warnings for two failed asks, want 1:\n%s", n, logs.String())
	}
	if n := metricstest.Read(t, reg.Handler()).Sum("hostgate_shared_count_failures_total", "what", "signin"); n != 2 {
		t.Fatalf("hostgate_shared_count_failures_total{what=signin} = %v, want 2", n)
	}
}
