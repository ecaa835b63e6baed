package hoxtonai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hostgate/hostgate/tools/connector"
)

// client is the one HTTP helper every HoxtonAI API call goes through.
type client struct {
	s  *connector.Spec
	ts connector.TokenSource
}

// call sends one API request and decodes a success into out (when not
// nil). A 401 — HoxtonAI's dead-token signal [C] — is reported to the
// token source once and the request retried with the credential it
// returns. body, when not nil, is sent as JSON.
func (c *client) call(ctx context.Context, op, method, path string, q url.Values, body, out any) error {
	var payload []byte
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("hoxtonai: %s: encode request: %w", op, err)
		}
		payload = b
	}
	cred, err := c.ts.Token(ctx)
	if err != nil {
		return fmt.Errorf("hoxtonai: %s: %w", op, err)
	}
	u := connector.Endpoint(c.s.BaseURL, path, q)
	for refused := false; ; refused = true {
		req, err := connector.NewRequest(ctx, method, u, payload)
		if err != nil {
			return fmt.Errorf("hoxtonai: %s: build request: %w", op, connector.ErrBadRequest)
		}
		req.Header.Set("Authorization", "Bearer "+cred.AccessToken)
		resp, err := connector.Send(ctx, c.s, Vendor, op, req)
		if err != nil {
			return err
		}
		if resp.Status == http.StatusUnauthorized && !refused {
			fresh, rerr := c.ts.Rejected(ctx, cred.AccessToken)
			if rerr != nil {
				return rejectedErr(c.s, op, resp, cred, rerr)
			}
			cred = fresh
			continue
		}
		if resp.Status/100 != 2 {
			return apiError(c.s, op, resp, cred.AccessToken, cred.RefreshToken, cred.ClientSecret)
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(resp.Body, out); err != nil {
			return &connector.APIError{Vendor: Vendor, Op: op, Status: resp.Status, Code: "malformed response", Err: connector.ErrUnavailable}
		}
		return nil
	}
}

// apiError classifies a failed response. The code is the vendor's short
// error code (Auth0 style) or message, with any of the given secrets cut.
func apiError(s *connector.Spec, op string, resp connector.Response, secrets ...string) error {
	sentinel := connector.ForStatus(resp.Status)
	switch {
	case resp.Status == http.StatusNotImplemented:
		sentinel = connector.ErrUnsupported
	case sentinel == nil:
		sentinel = connector.ErrUnavailable // 1xx/3xx: nothing a client can use
	}
	e := &connector.APIError{Vendor: Vendor, Op: op, Status: resp.Status, Code: vendorCode(resp.Body, secrets), Err: sentinel}
	if resp.Status == http.StatusTooManyRequests {
		e.RetryAfter = connector.ParseRetryAfter(resp.Header.Get("Retry-After"), s.Now())
	}
	return e
}

// rejectedErr explains a failed renewal after the vendor refused a token.
func rejectedErr(s *connector.Spec, op string, resp connector.Response, cred connector.Credential, err error) error {
	switch {
	case errors.Is(err, connector.ErrNeedsReauth), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("hoxtonai: %s: %w", op, err)
	case errors.Is(err, connector.ErrUnauthorized):
		// The source cannot renew (a fixed credential): report the refusal.
		return apiError(s, op, resp, cred.AccessToken, cred.RefreshToken, cred.ClientSecret)
	}
	return fmt.Errorf("hoxtonai: %s: renew token: %w", op, err)
}

// vendorCode reads {error, error_description} (Auth0 and, we assume, the
// API [I]) or {message}: the short code when there is one.
func vendorCode(raw []byte, secrets []string) string {
	var b struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Message     string `json:"message"`
	}
	if json.Unmarshal(raw, &b) != nil {
		return ""
	}
	msg := b.Error
	if msg == "" {
		msg = b.Message
	}
	if msg == "" {
		msg = b.Description
	}
	return connector.Excerpt(scrub(msg, secrets...))
}

// scrub removes secrets from a vendor message.
func scrub(s string, secrets ...string) string {
	for _, secret := range secrets {
		if len(secret) >= 8 {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}
