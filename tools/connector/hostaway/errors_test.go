package hostaway

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hostgate/hostgate/store"
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

// TestClientSideBudget: with Hostaway's budget on (limits), the client
// sends at most 15 requests in a window from one address, token mint
// included, refuses the next at once with the time to retry and sends
// nothing; once that time has passed it sends again.
func TestClientSideBudget(t *testing.T) {
	e := startQuiet(t) // the fake's limits off: the client alone keeps count
	b := connector.NewBudget(limits...)
	b.Now, b.MaxWait = e.Clock.Now, time.Millisecond
	e.Spec.Budget = b
	c, _ := e.conn(t) // the mint is request 1
	for i := 2; i <= 15; i++ {
		if _, err := c.Check(context.Background()); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	before := e.V.Requests("")
	_, err := c.Check(context.Background())
	var ae *connector.APIError
	if !errors.Is(err, connector.ErrRateLimited) || !errors.As(err, &ae) || ae.RetryAfter <= 0 || ae.RetryAfter > 12*time.Second {
		t.Fatalf("16th request in the window: %v, want ErrRateLimited with the time to retry", err)
	}
	if e.V.Requests("") != before {
		t.Error("a request went out over the client-side budget")
	}
	e.Clock.Advance(ae.RetryAfter)
	if _, err := c.Check(context.Background()); err != nil {
		t.Fatalf("after the time to retry: %v", err)
	}
	// A token mint carries no account, and counts against the address.
	for i := 2; i <= 15; i++ {
		if _, err := c.Check(context.Background()); err != nil {
			t.Fatalf("request %d of the second window: %v", i, err)
		}
	}
	if _, err := e.Spec.FromFields(context.Background(), e.Spec, store.AuthClientCredentials,
		map[string]string{FieldAccountID: sandbox.HostawayAccountID, FieldAPIKey: sandbox.HostawayAPIKey}); !errors.Is(err, connector.ErrRateLimited) {
		t.Errorf("a mint with the address spent: %v, want ErrRateLimited", err)
	}
	// The limits are Hostaway's published ones [C].
	if got := b.Limits(); len(got) != 2 || got[0] != (connector.Limit{N: 15, Per: 10 * time.Second, ByAddress: true}) || got[1] != (connector.Limit{N: 20, Per: 10 * time.Second}) {
		t.Errorf("limits = %+v, want Hostaway's published 15 per address and 20 per account in 10 s", got)
	}
}
