package hostaway

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestRateLimitBacksOffOnce(t *testing.T) {
	e := startQuiet(t)
	c, _ := e.conn(t)
	e.V.Fail(sandbox.Fault{Status: 429})
	if _, err := c.ListProperties(context.Background()); err != nil {
		t.Fatalf("one 429 then success: %v", err)
	}
	if n := e.V.Requests("/listings"); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	e.V.Fail(sandbox.Fault{Status: 429, Times: -1})
	_, err := c.ListProperties(context.Background())
	var ae *connector.APIError
	if !errors.Is(err, connector.ErrRateLimited) || !errors.As(err, &ae) || ae.RetryAfter != 10*time.Second {
		t.Fatalf("error = %v, want ErrRateLimited with the 10 s window as hint", err)
	}
	if n := e.V.Requests("/listings"); n != 4 {
		t.Errorf("%d requests, want one retry only", n)
	}
}

// TestVendorRateLimit runs into the fake's own limit: 15 requests per 10 s
// from one address, counted on the injected clock.
func TestVendorRateLimit(t *testing.T) {
	e := start(t, fixedNow)
	c, _ := e.conn(t) // the mint is request 1
	for i := 2; i <= 15; i++ {
		if _, err := c.Check(context.Background()); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	_, err := c.Check(context.Background())
	if !errors.Is(err, connector.ErrRateLimited) {
		t.Fatalf("16th request in 10 s: %v, want ErrRateLimited", err)
	}
	e.Clock.Advance(10 * time.Second)
	if _, err := c.Check(context.Background()); err != nil {
		t.Errorf("after the window: %v", err)
	}
}

func TestFailureSignals(t *testing.T) {
	connectortest.Signals(t, "hostaway", "list listings", "/listings", []connectortest.Signal{
		{Name: "server error", Fault: sandbox.Fault{Status: 500}, Want: connector.ErrUnavailable, Code: "Internal server error"},
		{Name: "bad gateway", Fault: sandbox.Fault{Status: 502}, Want: connector.ErrUnavailable},
		{Name: "garbage JSON", Fault: sandbox.Fault{Body: `{"status":"success","result":[{`}, Want: connector.ErrUnavailable, Code: "malformed response"},
		{Name: "not JSON at all", Fault: sandbox.Fault{Body: `<html>oops</html>`}, Want: connector.ErrUnavailable, Code: "malformed response"},
		{Name: "fail envelope in a 200", Fault: sandbox.Fault{Body: `{"status":"fail","result":"Listing is archived"}`}, Want: connector.ErrBadRequest, Code: "Listing is archived"},
		{Name: "bad request", Fault: sandbox.Fault{Status: 400}, Want: connector.ErrBadRequest, Code: "Bad Request"},
		{Name: "not found", Fault: sandbox.Fault{Status: 404}, Want: connector.ErrNotFound, Code: "Not Found"},
		{Name: "result of the wrong shape", Fault: sandbox.Fault{Body: `{"status":"success","result":{"id":1}}`}, Want: connector.ErrUnavailable, Code: "unexpected result shape"},
	}, func(t *testing.T) (*sandbox.Vendor, *connectortest.Source, func(context.Context) error) {
		e := startQuiet(t)
		c, src := e.conn(t)
		return e.V, src, func(ctx context.Context) error { _, err := c.ListProperties(ctx); return err }
	}, sandbox.HostawayAPIKey)
}

func TestCancellation(t *testing.T) {
	e := startQuiet(t)
	c, _ := e.conn(t)
	connectortest.Cancels(t, e.V, func(ctx context.Context) error { _, err := c.ListProperties(ctx); return err },
		map[string]func(context.Context) error{
			"reservations": func(ctx context.Context) error {
				_, err := c.ListReservations(ctx, connector.ReservationQuery{})
				return err
			},
		}, sandbox.HostawayAPIKey)
}

func TestBackoffHonoursCancel(t *testing.T) {
	e := startQuiet(t)
	c, _ := e.conn(t)
	backoff429 = time.Hour
	defer func() { backoff429 = time.Millisecond }()
	e.V.Fail(sandbox.Fault{Status: 429})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.ListProperties(ctx); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second {
		t.Fatalf("backoff: %v after %s", err, time.Since(start))
	}
}

func TestClientSideLimiter(t *testing.T) {
	e := startQuiet(t)
	c, _ := e.conn(t)
	setLimits(rate.Every(time.Hour), rate.Inf)
	defer setLimits(rate.Inf, rate.Inf)
	// Drain the burst, then the next call must wait an hour.
	for limiters.address.Tokens() >= 1 {
		limiters.address.Allow()
	}
	before := e.V.Requests("")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Check(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("over the limit with a deadline: %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := c.Check(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("over the limit, cancelled: %v", err)
	}
	if e.V.Requests("") != before {
		t.Error("a request went out over the client-side limit")
	}
	if accountLimiter("81234") != accountLimiter("81234") || accountLimiter("81234") == accountLimiter("99") {
		t.Error("want one limiter per account")
	}
}

// TestLimiterRates replays a flood against fresh limiters on a simulated
// clock and checks every 10 s window stays within Hostaway's limits.
func TestLimiterRates(t *testing.T) {
	for _, tc := range []struct {
		name  string
		r     rate.Limit
		limit int
	}{
		{"per address", rate.Every(window / (addressLimit - limitBurst)), 15},
		{"per account", rate.Every(window / (accountLimit - limitBurst)), 20},
	} {
		l := rate.NewLimiter(tc.r, limitBurst)
		t0 := time.Unix(0, 0)
		var hits []time.Time
		for d := time.Duration(0); d < time.Minute; d += 10 * time.Millisecond {
			if l.AllowN(t0.Add(d), 1) {
				hits = append(hits, t0.Add(d))
			}
		}
		for i := range hits {
			n := 0
			for j := i; j < len(hits) && hits[j].Sub(hits[i]) < window; j++ {
				n++
			}
			if n > tc.limit {
				t.Fatalf("%s: %d requests in the 10 s from %s", tc.name, n, hits[i].Sub(t0))
			}
		}
		// The burst costs some steady rate; it must not cost much.
		if len(hits) < tc.limit*4 {
			t.Errorf("%s: only %d requests in a minute; the limiter is needlessly slow", tc.name, len(hits))
		}
	}
}
