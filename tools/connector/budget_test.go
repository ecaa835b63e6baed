package connector

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hostgate/hostgate/internal/metrics"
	"github.com/hostgate/hostgate/internal/metrics/metricstest"
)

var get = Request{Op: "list", Method: http.MethodGet, Path: "/listings"}

// TestBudgetKeepsEveryWindow replays a flood on a simulated clock and
// checks that no window of each published limit ever holds more than it
// allows, while the budget still lets through most of what it could.
func TestBudgetKeepsEveryWindow(t *testing.T) {
	for _, l := range []Limit{
		{N: 15, Per: 10 * time.Second, ByAddress: true}, // Hostaway's address
		{N: 20, Per: 10 * time.Second},                  // Hostaway's account
		{N: 600, Per: time.Minute},                      // Hostex's path
	} {
		clk := newTestClock()
		b := NewBudget(l)
		b.Now = clk.Now
		var sent []time.Time
		start := clk.Now()
		for clk.Now().Sub(start) < 10*l.Per {
			if b.take(get, "id:1") == 0 {
				sent = append(sent, clk.Now())
			} else {
				clk.Advance(l.Per / 500)
			}
		}
		for i := range sent {
			n := 0
			for j := i; j < len(sent) && sent[j].Sub(sent[i]) < l.Per; j++ {
				n++
			}
			if n > l.N {
				t.Fatalf("%+v: %d requests in the window from %s", l, n, sent[i].Sub(start))
			}
		}
		// Counting a slot more than the window costs a tenth at most.
		if min := 10 * l.N * 9 / 10; len(sent) < min {
			t.Errorf("%+v: %d requests in ten windows, want at least %d", l, len(sent), min)
		}
	}
}

func TestBudgetCountsAccountsApart(t *testing.T) {
	clk := newTestClock()
	b := NewBudget(Limit{N: 3, Per: time.Minute, ByAddress: true}, Limit{N: 2, Per: time.Minute})
	b.Now = clk.Now
	if b.take(get, "id:a") != 0 || b.take(get, "id:a") != 0 {
		t.Fatal("an account's first two requests were refused")
	}
	if b.take(get, "id:a") == 0 {
		t.Fatal("the account's third request passed its limit of 2")
	}
	if b.take(get, "id:b") != 0 {
		t.Fatal("another account was refused for the first's count")
	}
	if w := b.take(get, "id:c"); w <= 0 || w > time.Minute+time.Minute/10 {
		t.Fatalf("with the address spent a third account waits %s, want up to a window and a slot", w)
	}
	if b.take(get, "") == 0 {
		t.Fatal("a request without an account passed the spent address")
	}
}

func TestBudgetLimitOfAPath(t *testing.T) {
	clk := newTestClock()
	b := NewBudget(Limit{N: 100, Per: time.Minute}, Limit{N: 1, Per: time.Minute, Method: http.MethodPost, Path: "/listings/"})
	b.Now = clk.Now
	post := Request{Op: "calendar", Method: http.MethodPost, Path: "/listings/calendar"}
	if b.take(post, "id:a") != 0 || b.take(post, "id:a") == 0 {
		t.Fatal("the path's limit of 1 a minute was not kept")
	}
	if b.take(get, "id:a") != 0 {
		t.Fatal("a request to another path was counted against the path's limit")
	}
}

// TestBudgetSpend: a short wait is waited out; a long one fails at once
// with the time to retry; a caller who gives up while waiting stops. The
// metrics count the wait and the two refusals, and nothing for a request
// that found room.
func TestBudgetSpend(t *testing.T) {
	ctx := context.Background()
	cred := Credential{ClientID: "81234"}
	m := metrics.New("test")
	frozen := newTestClock()
	b := NewBudget(Limit{N: 1, Per: time.Hour})
	b.Now, b.MaxWait = frozen.Now, time.Hour/2
	if err := b.spend(ctx, "hostaway", get, cred, m); err != nil {
		t.Fatal(err)
	}
	err := b.spend(ctx, "hostaway", get, cred, m)
	var ae *APIError
	if !errors.Is(err, ErrRateLimited) || !errors.As(err, &ae) || ae.RetryAfter < time.Hour || ae.Vendor != "hostaway" || ae.Op != "list" {
		t.Fatalf("a wait past MaxWait: %v, want ErrRateLimited with the time to retry", err)
	}

	// On the wall clock, a wait of a slot (20 ms) is waited out.
	b = NewBudget(Limit{N: 1, Per: 200 * time.Millisecond})
	if err := b.spend(ctx, "hostaway", get, cred, m); err != nil {
		t.Fatal(err)
	}
	if err := b.spend(ctx, "hostaway", get, cred, m); err != nil {
		t.Fatalf("a wait within MaxWait: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := b.spend(cctx, "hostaway", get, cred, m); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled wait: %v", err)
	}
	got := metricstest.Read(t, m.Handler())
	if w, r := got.Sum("hostgate_rate_limit_waits_total", "vendor", "hostaway", "outcome", "waited"),
		got.Sum("hostgate_rate_limit_waits_total", "vendor", "hostaway", "outcome", "refused"); w != 1 || r != 2 {
		t.Errorf("rate-limit waits: %v waited, %v refused; want 1 and 2", w, r)
	}
	if s := got.Sum("hostgate_rate_limit_wait_seconds_total", "vendor", "hostaway"); s <= 0 || s > DefaultMaxWait.Seconds() {
		t.Errorf("rate-limit wait seconds = %v, want the one wait, within MaxWait", s)
	}
	var none *Budget
	if err := none.spend(ctx, "x", get, cred, nil); err != nil {
		t.Fatal(err)
	}
}

func TestAccountKey(t *testing.T) {
	a, b := accountKey(Credential{AccessToken: "tok-1"}), accountKey(Credential{AccessToken: "tok-2"})
	if a == b || a == "" || accountKey(Credential{}) != "" {
		t.Fatalf("keys %q %q", a, b)
	}
	if k := accountKey(Credential{AccessToken: "secret-token"}); k == "" || strings.Contains(k, "secret-token") {
		t.Fatalf("a token's key holds the token: %q", k)
	}
	if accountKey(Credential{ClientID: "81234", AccessToken: "t1"}) != accountKey(Credential{ClientID: "81234", AccessToken: "t2"}) {
		t.Fatal("an account's new token started a new count")
	}
}

// TestClientSpendsTheBudget: every request of Client spends the Spec's
// budget before it is sent; a spent budget sends nothing.
func TestClientSpendsTheBudget(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	clk := newTestClock()
	s := &Spec{Name: "acme", BaseURL: srv.URL, HTTP: srv.Client(), Now: clk.Now, Budget: NewBudget(Limit{N: 2, Per: time.Minute})}
	s.Budget.Now = clk.Now
	c := NewClient(s, StaticSource(Credential{AccessToken: "t"}), jsonAPI{})
	for range 2 {
		if err := c.Do(context.Background(), get, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Do(context.Background(), get, nil); !errors.Is(err, ErrRateLimited) || hits.Load() != 2 {
		t.Fatalf("third request: %v after %d sent", err, hits.Load())
	}
	clk.Advance(2 * time.Minute)
	if err := c.Do(context.Background(), get, nil); err != nil || hits.Load() != 3 {
		t.Fatalf("after the window: %v after %d sent", err, hits.Load())
	}
}

// jsonAPI is a plain bearer API answering JSON.
type jsonAPI struct{ Bearer }

func (jsonAPI) Read(resp Response, out any) Reply {
	if !resp.OK() {
		return StatusReply(resp.Status, "")
	}
	return JSONReply(resp.Status, resp.Body, out)
}
