package hospitable

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestVendorSignals(t *testing.T) {
	retryDate := time.Date(2026, 5, 21, 15, 5, 5, 0, time.UTC).Format(http.TimeFormat) // a minute after the clock
	tests := []struct {
		name       string
		fault      sandbox.Fault
		want       error
		status     int
		code       string
		retryAfter time.Duration
	}{
		{"missing scope", sandbox.Fault{Status: 403}, connector.ErrForbidden, 403, "This action is unauthorized.", 0},
		{"not found", sandbox.Fault{Status: 404}, connector.ErrNotFound, 404, "Not Found.", 0},
		{"validation", sandbox.Fault{Status: 422}, connector.ErrBadRequest, 422, "The given data was invalid.", 0},
		{"throttled, seconds", sandbox.Fault{Status: 429, RetryAfter: "12"}, connector.ErrRateLimited, 429, "Too Many Attempts.", 12 * time.Second},
		{"throttled, HTTP date", sandbox.Fault{Status: 429, RetryAfter: retryDate}, connector.ErrRateLimited, 429, "Too Many Attempts.", time.Minute},
		{"throttled, no header", sandbox.Fault{Status: 429}, connector.ErrRateLimited, 429, "Too Many Attempts.", 0},
		{"server error", sandbox.Fault{Status: 500}, connector.ErrUnavailable, 500, "Server Error", 0},
		{"upstream channel down", sandbox.Fault{Status: 503, RetryAfter: "4"}, connector.ErrUnavailable, 503, "Server Error", 4 * time.Second},
		{"HTML from a proxy", sandbox.Fault{HTTPStatus: 502, Body: "<html>Bad Gateway</html>"}, connector.ErrUnavailable, 502, "", 0},
		{"garbage JSON", sandbox.Fault{HTTPStatus: 200, Body: `{"data":{"id":`}, connector.ErrUnavailable, 200, "malformed response", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c, src := e.pat(sandbox.HospitablePAT)
			e.v.Fail(tt.fault)
			before := e.v.Requests("")
			_, err := c.Check(ctx)
			ae := wantErr(t, err, tt.want)
			if ae == nil || ae.Vendor != "hospitable" || ae.Op != "check" || ae.Status != tt.status || ae.Code != tt.code || ae.RetryAfter != tt.retryAfter {
				t.Errorf("APIError = %+v", ae)
			}
			if n := e.v.Requests("") - before; n != 1 || src.Rejections() != 0 {
				t.Errorf("%d requests, %d rejections; want 1, 0", n, src.Rejections())
			}
		})
	}
}

func TestCancellation(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HospitablePAT)
	e.v.Fail(sandbox.Fault{Delay: time.Minute, Times: -1})
	t.Cleanup(e.v.ClearFaults)

	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.ListReservations(cctx, connector.ReservationQuery{})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second {
		t.Errorf("slow vendor: %v after %v", err, time.Since(start))
	}
	noSecret(t, err)

	cctx, cancel = context.WithCancel(ctx)
	cancel()
	for name, call := range map[string]func() error{
		"properties":    func() error { _, err := c.ListProperties(cctx); return err },
		"conversations": func() error { _, err := c.ListConversations(cctx, connector.ConversationQuery{}); return err },
		"send":          func() error { _, err := c.SendMessage(cctx, sandbox.HospitablePropertyID, "hi"); return err },
		"refresh": func() error {
			_, err := e.spec.Refresh(cctx, e.spec, connector.Credential{RefreshToken: "r"})
			return err
		},
	} {
		if err := call(); !errors.Is(err, context.Canceled) || errors.Is(err, connector.ErrNeedsReauth) {
			t.Errorf("%s cancelled: %v", name, err)
		}
	}
}

// TestNoSecretInAnyError makes the vendor echo credentials in its error
// bodies and checks that no error text carries them.
func TestNoSecretInAnyError(t *testing.T) {
	e := newEnv(t)
	cred := e.oauth(t)
	e.v.Fail(sandbox.Fault{Path: "/user", HTTPStatus: 401, Body: `{"message":"Unauthenticated: ` + cred.AccessToken + `"}`, Times: 2})
	_, err := e.spec.New(e.spec, connector.StaticSource(cred)).Check(ctx)
	wantErr(t, err, connector.ErrUnauthorized, cred.AccessToken, cred.RefreshToken)

	e.v.Fail(sandbox.Fault{Path: "/oauth/token", HTTPStatus: 400,
		Body: `{"message":"bad ` + cred.RefreshToken + ` for ` + sandbox.HospitableClientSecret + `"}`})
	_, err = e.spec.Refresh(ctx, e.spec, cred)
	wantErr(t, err, connector.ErrNeedsReauth, cred.AccessToken, cred.RefreshToken)
	if !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("echoed secrets were not redacted: %v", err)
	}
}
