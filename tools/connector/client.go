package connector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"
)

// Request is one call to a vendor's API.
type Request struct {
	// Op names the operation in errors: "list properties".
	Op     string
	Method string
	// Path is below Spec.BaseURL and starts with "/"; Query is added to it.
	Path  string
	Query url.Values
	// URL, when set, is the whole address instead (an OAuth endpoint).
	URL string
	// Body, when not nil, is sent as JSON.
	Body any
	// Write marks a request that changes something at the vendor, for the
	// hooks that treat writes apart (Hostex's read-only tokens).
	Write bool
	// Secrets are cut from any vendor text of this call, besides the
	// credential's and hostgate's client secret: an authorization code, a
	// PKCE verifier, a token being revoked.
	Secrets []string
}

// Client is the one request path to a vendor's API, shaped as x/oauth2's
// Transport over a TokenSource. Do takes the credential from the token
// source, sends the request through Send, lets the vendor's API read the
// answer, and on a refused token asks the source to renew it and retries
// once. A failure becomes an *APIError whose text holds no secret (Redact).
// Vendor quirks join the path through the API's optional hooks (Preparer,
// RefusalChecker, RateRetrier), never through a loop of their own.
//
// A Client without a token source sends requests unauthorized: a token
// endpoint, a revocation. It is safe for concurrent use.
type Client struct {
	Spec *Spec
	// Source gives the credential; nil for unauthorized calls.
	Source TokenSource

	// api is found again as each optional hook when needed: a Client is
	// built per tool call, and storing the hooks would triple its size.
	api API
}

// NewClient returns the request path of one connection (ts) to the vendor
// of s, whose API reads its answers.
func NewClient(s *Spec, ts TokenSource, api API) Client {
	return Client{Spec: s, Source: ts, api: api}
}

// Do makes one call and decodes its payload into out (nil: discard). On a
// refused token (the API reads ErrUnauthorized) it tells the token source,
// which returns a renewed credential, and retries once; an API that is a
// RateRetrier also gets one retry of a rate-limited request after its
// pause. Nothing else is retried. When the source cannot renew (it fails
// with ErrUnauthorized, as a StaticSource does) the refusal is the answer;
// when it fails otherwise (ErrNeedsReauth, the caller's cancellation) its
// error is.
func (c *Client) Do(ctx context.Context, r Request, out any) error {
	vendor := c.Spec.Name
	u, body, err := c.target(r)
	if err != nil {
		return err
	}
	var cred Credential
	if c.Source != nil {
		if cred, err = c.Source.Token(ctx); err != nil {
			return fmt.Errorf("%s: %s: %w", vendor, r.Op, err)
		}
	}
	refusals, _ := c.api.(RefusalChecker)
	retrier, _ := c.api.(RateRetrier)
	refused, throttled := false, false
	for {
		resp, reply, err := c.attempt(ctx, r, u, body, cred, out)
		switch {
		case err != nil:
			return err
		case reply.Err == nil:
			return nil
		case errors.Is(reply.Err, ErrUnauthorized) && c.Source != nil && !refused:
			refused = true
			if refusals != nil {
				if err := refusals.CheckRefusal(ctx, c, r, cred); err != nil {
					return err
				}
			}
			fresh, err := c.Source.Rejected(ctx, cred.AccessToken)
			if err != nil {
				return c.renewalFailed(r, resp, reply, cred, err)
			}
			cred = fresh
		case errors.Is(reply.Err, ErrRateLimited) && retrier != nil && !throttled:
			throttled = true
			if err := Sleep(ctx, retrier.RateBackoff()); err != nil {
				return fmt.Errorf("%s: %s: %w", vendor, r.Op, err)
			}
		default:
			return c.failure(r, resp, reply, cred)
		}
	}
}

// Once makes one attempt of r with cred — no renewal, no retry — and
// decodes its payload into out. A RefusalChecker uses it to look closer.
func (c *Client) Once(ctx context.Context, r Request, cred Credential, out any) error {
	u, body, err := c.target(r)
	if err != nil {
		return err
	}
	resp, reply, err := c.attempt(ctx, r, u, body, cred, out)
	if err != nil || reply.Err == nil {
		return err
	}
	return c.failure(r, resp, reply, cred)
}

// target is where r goes and the JSON body it carries.
func (c *Client) target(r Request) (u string, body []byte, err error) {
	if r.Body != nil {
		if body, err = json.Marshal(r.Body); err != nil {
			return "", nil, fmt.Errorf("%s: %s: encode request: %w", c.Spec.Name, r.Op, err)
		}
	}
	if u = r.URL; u == "" {
		u = Endpoint(c.Spec.BaseURL, r.Path, r.Query)
	}
	return u, body, nil
}

// attempt sends the request once with cred and lets the API read the
// answer. err is a failure before any answer (a hook's, the transport's).
func (c *Client) attempt(ctx context.Context, r Request, u string, body []byte, cred Credential, out any) (Response, Reply, error) {
	if p, ok := c.api.(Preparer); ok {
		if err := p.Prepare(ctx, r, cred); err != nil {
			return Response{}, Reply{}, err
		}
	}
	// The vendor's published limits, before anything is sent (budget.go).
	if err := c.Spec.Budget.spend(ctx, c.Spec.Name, r, cred, c.Spec.Metrics); err != nil {
		return Response{}, Reply{}, err
	}
	req, err := NewRequest(ctx, r.Method, u, body)
	if err != nil {
		return Response{}, Reply{}, Invalid(c.Spec.Name, r.Op, "bad request URL")
	}
	if c.Source != nil {
		c.api.Authorize(req, cred.AccessToken)
	}
	start := time.Now()
	resp, err := Send(ctx, c.Spec, c.Spec.Name, r.Op, req)
	d := time.Since(start)
	if c.Spec.Log != nil && c.Spec.Log.Enabled(ctx, slog.LevelDebug) {
		c.Spec.Log.DebugContext(ctx, "vendor call", "vendor", c.Spec.Name, "op", r.Op, "method", r.Method,
			"path", req.URL.Path, "status", resp.Status, "duration", d)
	}
	if err != nil {
		c.Spec.Metrics.VendorRequestFailed(c.Spec.Name, ctx.Err() != nil, d)
		return Response{}, Reply{}, err
	}
	reply := c.api.Read(resp, out)
	// Counted by the status the API read: a vendor that hides its errors
	// in an HTTP 200 (Hostex) is counted by its error code.
	code := resp.Status
	if reply.Err != nil && reply.Status != 0 {
		code = reply.Status
	}
	c.Spec.Metrics.VendorRequest(c.Spec.Name, code, d)
	return resp, reply, nil
}

// failure turns a failed reply into its *APIError: the vendor's message
// with every secret the call knows cut out, and the retry hint of a caller
// that may try again (the Retry-After header, else the API's default).
func (c *Client) failure(r Request, resp Response, reply Reply, cred Credential) error {
	return failure(c.Spec, r.Op, resp, reply, append(cred.secrets(), r.Secrets...))
}

func failure(s *Spec, op string, resp Response, reply Reply, secrets []string) *APIError {
	if s.OAuth != nil {
		secrets = append(secrets, s.OAuth.ClientSecret)
	}
	e := NewError(s.Name, op, reply.Status, reply.Err, Redact(reply.Message, secrets...))
	if errors.Is(reply.Err, ErrRateLimited) || errors.Is(reply.Err, ErrUnavailable) {
		if e.RetryAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), s.Now()); e.RetryAfter == 0 {
			e.RetryAfter = reply.RetryAfter
		}
	}
	return e
}

// renewalFailed explains a token source that could not renew a refused
// token: the host's or the caller's verdict (ErrNeedsReauth, a
// cancellation) is passed on as it is; a source that cannot renew at all
// (ErrUnauthorized) leaves the refusal as the answer; anything else failed
// the renewal.
func (c *Client) renewalFailed(r Request, resp Response, reply Reply, cred Credential, err error) error {
	switch {
	case errors.Is(err, ErrNeedsReauth), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: %s: %w", c.Spec.Name, r.Op, err)
	case errors.Is(err, ErrUnauthorized):
		return c.failure(r, resp, reply, cred)
	}
	return fmt.Errorf("%s: %s: renew token: %w", c.Spec.Name, r.Op, err)
}

// Sleep waits d, or until ctx ends and returns its error.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
