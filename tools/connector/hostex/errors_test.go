package hostex

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestVendorSignals(t *testing.T) {
	tests := []struct {
		name       string
		fault      sandbox.Fault
		want       error
		status     int
		retryAfter time.Duration
	}{
		{"subscription expired", sandbox.Fault{Status: 420}, connector.ErrAccount, 420, 0},
		{"throttled with Retry-After", sandbox.Fault{Status: 429, RetryAfter: "7"}, connector.ErrRateLimited, 429, 7 * time.Second},
		{"throttled without Retry-After", sandbox.Fault{Status: 429}, connector.ErrRateLimited, 429, 0},
		{"another operator's resource", sandbox.Fault{Status: 403}, connector.ErrForbidden, 403, 0},
		{"not found", sandbox.Fault{Status: 404}, connector.ErrNotFound, 404, 0},
		{"validation", sandbox.Fault{Status: 422}, connector.ErrBadRequest, 422, 0},
		{"server error in the envelope", sandbox.Fault{Status: 500}, connector.ErrUnavailable, 500, 0},
		{"endpoint disabled", sandbox.Fault{Status: 501}, connector.ErrUnavailable, 501, 0},
		{"proxy 502", sandbox.Fault{HTTPStatus: 502, Body: "<html>Bad Gateway</html>"}, connector.ErrUnavailable, 502, 0},
		{"HTTP 503 with Retry-After", sandbox.Fault{HTTPStatus: 503, Status: 503, RetryAfter: "3"}, connector.ErrUnavailable, 503, 3 * time.Second},
		{"garbage JSON", sandbox.Fault{Body: `{"error_code":0,"data":{"properties":[{`}, connector.ErrUnavailable, 200, 0},
		{"not an envelope", sandbox.Fault{Body: `[1,2,3]`}, connector.ErrUnavailable, 200, 0},
		{"envelope without error_code", sandbox.Fault{Body: `{"data":{}}`}, connector.ErrUnavailable, 200, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c, src := e.pat(sandbox.HostexWritableToken)
			e.v.Fail(tt.fault)
			before := e.v.Requests("")
			_, err := c.ListProperties(ctx)
			ae := wantErr(t, err, tt.want)
			if ae == nil || ae.Vendor != "hostex" || ae.Op != "list properties" || ae.Status != tt.status || ae.RetryAfter != tt.retryAfter {
				t.Errorf("APIError = %+v", ae)
			}
			// None of these is retried inside the client, 420 above all.
			if n := e.v.Requests("") - before; n != 1 || src.Rejections() != 0 {
				t.Errorf("%d requests, %d rejections; want 1, 0", n, src.Rejections())
			}
		})
	}
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
	e.clk.Advance(6 * time.Second)
	if _, err := c.SendMessage(ctx, id, "later"); err != nil {
		t.Errorf("after the window: %v", err)
	}
}

func TestCancellation(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HostexWritableToken)
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
	_, err = c.ListProperties(cctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	_, err = c.Calendar(cctx, "12111947", connector.DateRange{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled calendar: %v", err)
	}
	_, err = e.spec.Refresh(cctx, e.spec, connector.Credential{RefreshToken: "x"})
	if !errors.Is(err, context.Canceled) || errors.Is(err, connector.ErrNeedsReauth) {
		t.Errorf("cancelled refresh: %v", err)
	}
}

// TestNoSecretInAnyError drives every failure the client can meet with a
// credential the vendor might echo, and checks no error text carries one.
func TestNoSecretInAnyError(t *testing.T) {
	e := newEnv(t)
	cred := e.oauth(t)
	// A vendor that echoes the token in its message.
	echo := `{"request_id":"x","error_code":401,"error_msg":"Invalid access token ` + cred.AccessToken + `"}`
	e.v.Fail(sandbox.Fault{Body: echo, Times: 2})
	c := e.spec.New(e.spec, connector.StaticSource(cred))
	_, err := c.Check(ctx)
	wantErr(t, err, connector.ErrUnauthorized, cred.AccessToken, cred.RefreshToken)
	echo = `{"request_id":"x","error_code":401,"error_msg":"bad refresh token ` + cred.RefreshToken + ` for ` + sandbox.HostexClientSecret + `"}`
	e.v.Fail(sandbox.Fault{Path: "/v3/oauth/authorizations", Body: echo})
	_, err = e.spec.Refresh(ctx, e.spec, cred)
	wantErr(t, err, connector.ErrNeedsReauth, cred.AccessToken, cred.RefreshToken)
	if !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("echoed secrets were not redacted: %v", err)
	}
}
