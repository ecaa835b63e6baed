package hostaway

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestDeadTokenRemintsAndRetriesOnce(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	stale := src.Credential().AccessToken
	e.v.ExpireAccessTokens() // the next call meets HTTP 403
	props, err := c.ListProperties(context.Background())
	if err != nil || len(props) != 4 {
		t.Fatalf("%d properties, %v", len(props), err)
	}
	if src.Rejections() != 1 || e.v.TokenRequests() != 2 || src.Credential().AccessToken == stale {
		t.Errorf("rejected %d times, %d token requests; want one re-mint", src.Rejections(), e.v.TokenRequests())
	}
	if n := e.v.Requests("/listings"); n != 2 {
		t.Errorf("%d listing requests, want the refused one and one retry", n)
	}
}

func TestSecondRefusalIsUnauthorized(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	e.v.Fail(sandbox.Fault{Status: 403, Times: -1})
	_, err := c.ListProperties(context.Background())
	var ae *connector.APIError
	if !errors.Is(err, connector.ErrUnauthorized) || !errors.As(err, &ae) || ae.Status != 403 || ae.Code == "" {
		t.Fatalf("error = %v, want ErrUnauthorized with status 403 and the vendor's message", err)
	}
	if src.Rejections() != 1 || e.v.Requests("/listings") != 2 {
		t.Errorf("rejected %d times, %d requests; want exactly one retry", src.Rejections(), e.v.Requests("/listings"))
	}
	noSecret(t, err, src.Credential().AccessToken)
}

func TestRejectedNeedsReauth(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	src.Renew = func(context.Context, connector.Credential) (connector.Credential, error) {
		return connector.Credential{}, fmt.Errorf("hostaway: %w", connector.ErrNeedsReauth)
	}
	e.v.ExpireAccessTokens()
	if _, err := c.ListProperties(context.Background()); !errors.Is(err, connector.ErrNeedsReauth) {
		t.Fatalf("error = %v, want ErrNeedsReauth", err)
	}
}

func TestRateLimitBacksOffOnce(t *testing.T) {
	e := startQuiet(t)
	c, _ := e.conn(t)
	e.v.Fail(sandbox.Fault{Status: 429})
	if _, err := c.ListProperties(context.Background()); err != nil {
		t.Fatalf("one 429 then success: %v", err)
	}
	if n := e.v.Requests("/listings"); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	e.v.Fail(sandbox.Fault{Status: 429, Times: -1})
	_, err := c.ListProperties(context.Background())
	var ae *connector.APIError
	if !errors.Is(err, connector.ErrRateLimited) || !errors.As(err, &ae) || ae.RetryAfter != 10*time.Second {
		t.Fatalf("error = %v, want ErrRateLimited with the 10 s window as hint", err)
	}
	if n := e.v.Requests("/listings"); n != 4 {
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
	e.clk.Advance(10 * time.Second)
	if _, err := c.Check(context.Background()); err != nil {
		t.Errorf("after the window: %v", err)
	}
}

func TestFailureSignals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault sandbox.Fault
		want  error
		code  string
	}{
		{"server error", sandbox.Fault{Status: 500}, connector.ErrUnavailable, "Internal server error"},
		{"bad gateway", sandbox.Fault{Status: 502}, connector.ErrUnavailable, ""},
		{"garbage JSON", sandbox.Fault{Body: `{"status":"success","result":[{`}, connector.ErrUnavailable, "malformed response"},
		{"not JSON at all", sandbox.Fault{Body: `<html>oops</html>`}, connector.ErrUnavailable, "malformed response"},
		{"fail envelope in a 200", sandbox.Fault{Body: `{"status":"fail","result":"Listing is archived"}`}, connector.ErrBadRequest, "Listing is archived"},
		{"bad request", sandbox.Fault{Status: 400}, connector.ErrBadRequest, "Bad Request"},
		{"not found", sandbox.Fault{Status: 404}, connector.ErrNotFound, "Not Found"},
		{"result of the wrong shape", sandbox.Fault{Body: `{"status":"success","result":{"id":1}}`}, connector.ErrUnavailable, "unexpected result shape"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := startQuiet(t)
			c, src := e.conn(t)
			e.v.Fail(tc.fault)
			_, err := c.ListProperties(context.Background())
			var ae *connector.APIError
			if !errors.Is(err, tc.want) || !errors.As(err, &ae) || ae.Vendor != "hostaway" || ae.Op != "list listings" {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
			if tc.code != "" && ae.Code != tc.code {
				t.Errorf("code = %q, want %q", ae.Code, tc.code)
			}
			if src.Rejections() != 0 || e.v.Requests("/listings") != 1 {
				t.Errorf("a %s was retried", tc.name)
			}
			noSecret(t, err, src.Credential().AccessToken)
		})
	}
}

func TestVendorEchoOfTheTokenIsRedacted(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	e.v.Fail(sandbox.Fault{HTTPStatus: 400, Body: `{"status":"fail","result":"token ` + src.Credential().AccessToken + ` is malformed"}`})
	_, err := c.ListProperties(context.Background())
	if !errors.Is(err, connector.ErrBadRequest) {
		t.Fatalf("error = %v", err)
	}
	noSecret(t, err, src.Credential().AccessToken)
}

func TestCancellation(t *testing.T) {
	e := startQuiet(t)
	c, _ := e.conn(t)
	e.v.Fail(sandbox.Fault{Delay: time.Minute, Times: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.ListProperties(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second {
		t.Fatalf("slow vendor: %v after %s", err, time.Since(start))
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := c.ListReservations(ctx, connector.ReservationQuery{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestBackoffHonoursCancel(t *testing.T) {
	e := startQuiet(t)
	c, _ := e.conn(t)
	backoff429 = time.Hour
	defer func() { backoff429 = time.Millisecond }()
	e.v.Fail(sandbox.Fault{Status: 429})
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
	before := e.v.Requests("")
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
	if e.v.Requests("") != before {
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
