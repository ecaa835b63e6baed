package hoxtonai

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestFailureSignals(t *testing.T) {
	connectortest.Signals(t, "hoxtonai", "list sites", "/sites", []connectortest.Signal{
		{Name: "forbidden", Fault: sandbox.Fault{Status: 403}, Want: connector.ErrForbidden, Code: "forbidden"},
		// GET /sites is not in HoxtonAI's reference: an API without it
		// (404, 405, 501) makes the read unsupported for this account.
		{Name: "no such endpoint", Fault: sandbox.Fault{Status: 404}, Want: connector.ErrUnsupported, Status: 404},
		{Name: "method not allowed", Fault: sandbox.Fault{Status: 405}, Want: connector.ErrUnsupported, Status: 405},
		{Name: "gone", Fault: sandbox.Fault{Status: 410}, Want: connector.ErrNotFound, Code: "gone"},
		{Name: "bad request", Fault: sandbox.Fault{Status: 400}, Want: connector.ErrBadRequest, Code: "bad_request"},
		{Name: "too large", Fault: sandbox.Fault{Status: 413}, Want: connector.ErrBadRequest, Code: "payload_too_large"},
		{Name: "unprocessable", Fault: sandbox.Fault{Status: 422}, Want: connector.ErrBadRequest, Code: "unprocessable_entity"},
		{Name: "rate limited, seconds", Fault: sandbox.Fault{Status: 429, RetryAfter: "7"}, Want: connector.ErrRateLimited, Code: "too_many_requests", RetryAfter: 7 * time.Second},
		{Name: "rate limited, date", Fault: sandbox.Fault{Status: 429, RetryAfter: fixedNow.Add(90 * time.Second).Format(http.TimeFormat)}, Want: connector.ErrRateLimited, RetryAfter: 90 * time.Second},
		{Name: "rate limited, no hint", Fault: sandbox.Fault{Status: 429}, Want: connector.ErrRateLimited},
		{Name: "server error", Fault: sandbox.Fault{Status: 500}, Want: connector.ErrUnavailable, Code: "internal_error"},
		{Name: "unavailable", Fault: sandbox.Fault{Status: 503}, Want: connector.ErrUnavailable, Code: "service_unavailable"},
		{Name: "not implemented", Fault: sandbox.Fault{Status: 501}, Want: connector.ErrUnsupported, Status: 501},
		{Name: "garbage JSON", Fault: sandbox.Fault{Body: `[{"id":`}, Want: connector.ErrUnavailable, Code: "malformed response"},
		{Name: "HTML from a proxy", Fault: sandbox.Fault{HTTPStatus: 502, Body: `<html>Bad gateway</html>`}, Want: connector.ErrUnavailable},
	}, func(t *testing.T) (*sandbox.Vendor, *connectortest.Source, func(context.Context) error) {
		e := start(t, fixedNow)
		c, src := e.conn(t)
		return e.V, src, func(ctx context.Context) error { _, err := c.ListSites(ctx); return err }
	}, sandbox.HoxtonAIClientSecret, sandbox.HoxtonAIM2MClientSecret)
}

func TestCancellation(t *testing.T) {
	e := start(t, fixedNow)
	c, _ := e.conn(t)
	connectortest.Cancels(t, e.V, func(ctx context.Context) error {
		_, err := c.Footfall(ctx, sandbox.HoxtonAISiteID, connector.DateRange{})
		return err
	}, map[string]func(context.Context) error{
		"sites": func(ctx context.Context) error { _, err := c.ListSites(ctx); return err },
	}, sandbox.HoxtonAIClientSecret, sandbox.HoxtonAIM2MClientSecret)
	// Exchange's token request is cancellable too.
	code, verifier := e.authorize(t)
	e.V.Fail(sandbox.Fault{Path: "/oauth/token", Delay: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := e.Spec.Exchange(ctx, e.Spec, code, verifier, redirectURI); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow token endpoint: %v", err)
	}
}
