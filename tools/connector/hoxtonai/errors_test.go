package hoxtonai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestDeadTokenRefreshesAndRetriesOnce(t *testing.T) {
	e := start(t, fixedNow)
	c, src := e.conn(t)
	stale := src.Credential().AccessToken
	e.v.ExpireAccessTokens() // the next call meets HTTP 401
	sites, err := c.ListSites(context.Background())
	if err != nil || len(sites) != 2 {
		t.Fatalf("%d sites, %v", len(sites), err)
	}
	// One code exchange, one refresh.
	if src.Rejections() != 1 || e.v.TokenRequests() != 2 || src.Credential().AccessToken == stale {
		t.Errorf("rejected %d times, %d token requests; want one refresh", src.Rejections(), e.v.TokenRequests())
	}
	if n := e.v.Requests("/sites"); n != 2 {
		t.Errorf("%d site requests, want the refused one and one retry", n)
	}
}

func TestSecondRefusalIsUnauthorized(t *testing.T) {
	e := start(t, fixedNow)
	c, src := e.conn(t)
	e.v.Fail(sandbox.Fault{Status: 401, Times: -1})
	_, err := c.ListSites(context.Background())
	var ae *connector.APIError
	if !errors.Is(err, connector.ErrUnauthorized) || !errors.As(err, &ae) || ae.Status != 401 || ae.Code != "invalid_token" {
		t.Fatalf("error = %v, want ErrUnauthorized (401, invalid_token)", err)
	}
	if src.Rejections() != 1 || e.v.Requests("/sites") != 2 {
		t.Errorf("rejected %d times, %d requests; want exactly one retry", src.Rejections(), e.v.Requests("/sites"))
	}
	noSecret(t, err, src.Credential().AccessToken, src.Credential().RefreshToken)
}

func TestDeadRefreshTokenNeedsReauth(t *testing.T) {
	e := start(t, fixedNow)
	c, src := e.conn(t)
	e.v.ExpireAccessTokens()
	e.v.RotateRefreshTokensOutOfBand()
	_, err := c.ListSites(context.Background())
	if !errors.Is(err, connector.ErrNeedsReauth) || src.Rejections() != 1 {
		t.Fatalf("error = %v after %d rejections, want ErrNeedsReauth", err, src.Rejections())
	}
	noSecret(t, err, src.Credential().AccessToken, src.Credential().RefreshToken)
	src.Renew = func(context.Context, connector.Credential) (connector.Credential, error) {
		return connector.Credential{}, fmt.Errorf("store down: %w", connector.ErrUnavailable)
	}
	if _, err := c.ListSites(context.Background()); errors.Is(err, connector.ErrNeedsReauth) || !errors.Is(err, connector.ErrUnavailable) {
		t.Errorf("a transient renewal failure: %v", err)
	}
}

func TestFailureSignals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault sandbox.Fault
		want  error
		code  string
		retry time.Duration
	}{
		{"forbidden", sandbox.Fault{Status: 403}, connector.ErrForbidden, "forbidden", 0},
		{"not found", sandbox.Fault{Status: 404}, connector.ErrNotFound, "not_found", 0},
		{"gone", sandbox.Fault{Status: 410}, connector.ErrNotFound, "gone", 0},
		{"bad request", sandbox.Fault{Status: 400}, connector.ErrBadRequest, "bad_request", 0},
		{"too large", sandbox.Fault{Status: 413}, connector.ErrBadRequest, "payload_too_large", 0},
		{"unprocessable", sandbox.Fault{Status: 422}, connector.ErrBadRequest, "unprocessable_entity", 0},
		{"rate limited, seconds", sandbox.Fault{Status: 429, RetryAfter: "7"}, connector.ErrRateLimited, "too_many_requests", 7 * time.Second},
		{"rate limited, date", sandbox.Fault{Status: 429, RetryAfter: fixedNow.Add(90 * time.Second).Format(http.TimeFormat)}, connector.ErrRateLimited, "", 90 * time.Second},
		{"rate limited, no hint", sandbox.Fault{Status: 429}, connector.ErrRateLimited, "", 0},
		{"server error", sandbox.Fault{Status: 500}, connector.ErrUnavailable, "internal_error", 0},
		{"unavailable", sandbox.Fault{Status: 503}, connector.ErrUnavailable, "service_unavailable", 0},
		{"not implemented", sandbox.Fault{Status: 501}, connector.ErrUnsupported, "not_implemented", 0},
		{"garbage JSON", sandbox.Fault{Body: `[{"id":`}, connector.ErrUnavailable, "malformed response", 0},
		{"HTML from a proxy", sandbox.Fault{HTTPStatus: 502, Body: `<html>Bad gateway</html>`}, connector.ErrUnavailable, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, fixedNow)
			c, src := e.conn(t)
			e.v.Fail(tc.fault)
			_, err := c.ListSites(context.Background())
			var ae *connector.APIError
			if !errors.Is(err, tc.want) || !errors.As(err, &ae) || ae.Vendor != "hoxtonai" || ae.Op != "list sites" {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
			if tc.code != "" && ae.Code != tc.code {
				t.Errorf("code = %q, want %q", ae.Code, tc.code)
			}
			if ae.RetryAfter != tc.retry {
				t.Errorf("RetryAfter = %s, want %s", ae.RetryAfter, tc.retry)
			}
			if src.Rejections() != 0 || e.v.Requests("/sites") != 1 {
				t.Errorf("a %s was retried", tc.name)
			}
			noSecret(t, err, src.Credential().AccessToken, src.Credential().RefreshToken)
		})
	}
}

func TestVendorEchoOfTheTokenIsRedacted(t *testing.T) {
	e := start(t, fixedNow)
	c, src := e.conn(t)
	e.v.Fail(sandbox.Fault{HTTPStatus: 400, Body: `{"error":"bad token ` + src.Credential().AccessToken + `"}`})
	_, err := c.ListSites(context.Background())
	if !errors.Is(err, connector.ErrBadRequest) {
		t.Fatalf("error = %v", err)
	}
	noSecret(t, err, src.Credential().AccessToken)
}

func TestCancellation(t *testing.T) {
	e := start(t, fixedNow)
	c, _ := e.conn(t)
	e.v.Fail(sandbox.Fault{Delay: time.Minute, Times: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.Footfall(ctx, sandbox.HoxtonAISiteID, connector.DateRange{}); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second {
		t.Fatalf("slow vendor: %v after %s", err, time.Since(start))
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := c.ListSites(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	// Exchange's discovery is cancellable too.
	e.v.Fail(sandbox.Fault{Path: "/.well-known/openid-configuration", Delay: time.Minute})
	code, verifier := e.authorize(t)
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := e.spec.Exchange(ctx, e.spec, code, verifier, redirectURI); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow discovery: %v", err)
	}
}
