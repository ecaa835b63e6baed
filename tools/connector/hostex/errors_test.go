package hostex

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestVendorSignals(t *testing.T) {
	// None of these is retried inside the client, 420 above all.
	connectortest.Signals(t, "hostex", "list properties", "", []connectortest.Signal{
		{Name: "subscription expired", Fault: sandbox.Fault{Status: 420}, Want: connector.ErrAccount, Status: 420},
		{Name: "throttled with Retry-After", Fault: sandbox.Fault{Status: 429, RetryAfter: "7"}, Want: connector.ErrRateLimited, Status: 429, RetryAfter: 7 * time.Second},
		{Name: "throttled without Retry-After", Fault: sandbox.Fault{Status: 429}, Want: connector.ErrRateLimited, Status: 429},
		{Name: "another operator's resource", Fault: sandbox.Fault{Status: 403}, Want: connector.ErrForbidden, Status: 403},
		{Name: "not found", Fault: sandbox.Fault{Status: 404}, Want: connector.ErrNotFound, Status: 404},
		{Name: "validation", Fault: sandbox.Fault{Status: 422}, Want: connector.ErrBadRequest, Status: 422},
		{Name: "server error in the envelope", Fault: sandbox.Fault{Status: 500}, Want: connector.ErrUnavailable, Status: 500},
		{Name: "endpoint disabled", Fault: sandbox.Fault{Status: 501}, Want: connector.ErrUnavailable, Status: 501},
		{Name: "proxy 502", Fault: sandbox.Fault{HTTPStatus: 502, Body: "<html>Bad Gateway</html>"}, Want: connector.ErrUnavailable, Status: 502},
		{Name: "HTTP 503 with Retry-After", Fault: sandbox.Fault{HTTPStatus: 503, Status: 503, RetryAfter: "3"}, Want: connector.ErrUnavailable, Status: 503, RetryAfter: 3 * time.Second},
		{Name: "garbage JSON", Fault: sandbox.Fault{Body: `{"error_code":0,"data":{"properties":[{`}, Want: connector.ErrUnavailable, Status: 200},
		{Name: "not an envelope", Fault: sandbox.Fault{Body: `[1,2,3]`}, Want: connector.ErrUnavailable, Status: 200},
		{Name: "envelope without error_code", Fault: sandbox.Fault{Body: `{"data":{}}`}, Want: connector.ErrUnavailable, Status: 200},
	}, func(t *testing.T) (*sandbox.Vendor, *connectortest.Source, func(context.Context) error) {
		e := newEnv(t)
		c, src := e.pat(sandbox.HostexWritableToken)
		return e.V, src, func(ctx context.Context) error { _, err := c.ListProperties(ctx); return err }
	}, allSecrets...)
}

func TestLapsedSubscription(t *testing.T) {
	e := newEnv(t)
	c, src := e.pat(sandbox.HostexLapsedToken)
	_, err := c.Check(ctx)
	ae := wantErr(t, err, connector.ErrAccount)
	if ae.Status != 420 || !strings.Contains(err.Error(), "Subscription expired") || src.Rejections() != 0 {
		t.Errorf("420: %v", err)
	}
}

func TestRealRateLimitCarriesRetryAfter(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HostexWritableToken)
	convs, err := c.ListConversations(ctx, connector.ConversationQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, id, _ := connector.SplitID(convs[0].ID)
	// Five messages per thread per five seconds [C].
	for i := range 5 {
		if _, err := c.SendMessage(ctx, id, "ping"); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	_, err = c.SendMessage(ctx, id, "one too many")
	ae := wantErr(t, err, connector.ErrRateLimited)
	if ae.RetryAfter <= 0 || ae.RetryAfter > 5*time.Second {
		t.Errorf("Retry-After %v", ae.RetryAfter)
	}
	e.Clock.Advance(6 * time.Second)
	if _, err := c.SendMessage(ctx, id, "later"); err != nil {
		t.Errorf("after the window: %v", err)
	}
}

func TestCancellation(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HostexWritableToken)
	connectortest.Cancels(t, e.V, func(ctx context.Context) error {
		_, err := c.ListReservations(ctx, connector.ReservationQuery{})
		return err
	}, map[string]func(context.Context) error{
		"properties": func(ctx context.Context) error { _, err := c.ListProperties(ctx); return err },
		"calendar": func(ctx context.Context) error {
			_, err := c.Calendar(ctx, "12111947", connector.DateRange{})
			return err
		},
	}, allSecrets...)
}
