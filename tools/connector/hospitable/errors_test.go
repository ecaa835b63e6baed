package hospitable

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestVendorSignals(t *testing.T) {
	retryDate := time.Date(2026, 5, 21, 15, 5, 5, 0, time.UTC).Format(http.TimeFormat) // a minute after the clock
	connectortest.Signals(t, "hospitable", "check", "", []connectortest.Signal{
		{Name: "missing scope", Fault: sandbox.Fault{Status: 403}, Want: connector.ErrForbidden, Status: 403, Code: "This action is unauthorized."},
		{Name: "not found", Fault: sandbox.Fault{Status: 404}, Want: connector.ErrNotFound, Status: 404, Code: "Not Found."},
		{Name: "validation", Fault: sandbox.Fault{Status: 422}, Want: connector.ErrBadRequest, Status: 422, Code: "The given data was invalid."},
		{Name: "throttled, seconds", Fault: sandbox.Fault{Status: 429, RetryAfter: "12"}, Want: connector.ErrRateLimited, Status: 429, Code: "Too Many Attempts.", RetryAfter: 12 * time.Second},
		{Name: "throttled, HTTP date", Fault: sandbox.Fault{Status: 429, RetryAfter: retryDate}, Want: connector.ErrRateLimited, Status: 429, Code: "Too Many Attempts.", RetryAfter: time.Minute},
		{Name: "throttled, no header", Fault: sandbox.Fault{Status: 429}, Want: connector.ErrRateLimited, Status: 429, Code: "Too Many Attempts."},
		{Name: "server error", Fault: sandbox.Fault{Status: 500}, Want: connector.ErrUnavailable, Status: 500, Code: "Server Error"},
		{Name: "upstream channel down", Fault: sandbox.Fault{Status: 503, RetryAfter: "4"}, Want: connector.ErrUnavailable, Status: 503, Code: "Server Error", RetryAfter: 4 * time.Second},
		{Name: "HTML from a proxy", Fault: sandbox.Fault{HTTPStatus: 502, Body: "<html>Bad Gateway</html>"}, Want: connector.ErrUnavailable, Status: 502, NoCode: true},
		{Name: "garbage JSON", Fault: sandbox.Fault{HTTPStatus: 200, Body: `{"data":{"id":`}, Want: connector.ErrUnavailable, Status: 200, Code: "malformed response"},
	}, func(t *testing.T) (*sandbox.Vendor, *connectortest.Source, func(context.Context) error) {
		e := newEnv(t)
		c, src := e.pat(sandbox.HospitablePAT)
		return e.V, src, func(ctx context.Context) error { _, err := c.Check(ctx); return err }
	}, allSecrets...)
}

func TestCancellation(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HospitablePAT)
	connectortest.Cancels(t, e.V, func(ctx context.Context) error {
		_, err := c.ListReservations(ctx, connector.ReservationQuery{})
		return err
	}, map[string]func(context.Context) error{
		"properties": func(ctx context.Context) error { _, err := c.ListProperties(ctx); return err },
		"conversations": func(ctx context.Context) error {
			_, err := c.ListConversations(ctx, connector.ConversationQuery{})
			return err
		},
		"send": func(ctx context.Context) error {
			_, err := c.SendMessage(ctx, sandbox.HospitablePropertyID, "hi")
			return err
		},
		"payouts": func(ctx context.Context) error {
			_, err := c.ListPayouts(ctx, connector.MoneyQuery{})
			return err
		},
		"inquiries": func(ctx context.Context) error {
			_, err := c.ListInquiries(ctx, connector.InquiryQuery{})
			return err
		},
		"inquiry thread": func(ctx context.Context) error {
			_, err := c.Messages(ctx, inquiryPrefix+sandbox.HospitablePropertyID)
			return err
		},
	}, allSecrets...)
}
