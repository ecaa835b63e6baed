package hostaway

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

// client is the one HTTP helper every Hostaway call goes through.
type client struct {
	s  *connector.Spec
	ts connector.TokenSource
}

// envelope is Hostaway's response wrapper [C].
type envelope struct {
	Status     string          `json:"status"`
	Result     json.RawMessage `json:"result"`
	Message    string          `json:"message"`
	TotalPages intval          `json:"totalPages"`
}

// call sends one API request and returns the envelope of a success. A
// refused token (403, or 401) is reported to the token source once and the
// request retried with the credential it returns; a 429 is retried once
// after a pause. body, when not nil, is sent as JSON.
func (c *client) call(ctx context.Context, op, method, path string, q url.Values, body any) (*envelope, error) {
	var payload []byte
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("hostaway: %s: encode request: %w", op, err)
		}
		payload = b
	}
	cred, err := c.ts.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("hostaway: %s: %w", op, err)
	}
	u := connector.Endpoint(c.s.BaseURL, path, q)
	refused, throttled := false, false
	for {
		resp, err := c.send(ctx, op, method, u, cred, payload)
		if err != nil {
			return nil, err
		}
		switch status := resp.Status; {
		case (status == http.StatusForbidden || status == http.StatusUnauthorized) && !refused:
			// Hostaway's dead-token signal is 403 [C]; one re-mint, one retry.
			refused = true
			fresh, rerr := c.ts.Rejected(ctx, cred.AccessToken)
			if rerr != nil {
				return nil, rejectedErr(op, resp, cred, rerr)
			}
			cred = fresh
			continue
		case status == http.StatusTooManyRequests && !throttled:
			throttled = true
			if err := pause(ctx, jittered(backoff429)); err != nil {
				return nil, fmt.Errorf("hostaway: %s: %w", op, err)
			}
			continue
		}
		return decode(c.s, op, resp, cred)
	}
}

// send waits for the rate limiters and makes one HTTP exchange.
func (c *client) send(ctx context.Context, op, method, u string, cred connector.Credential, payload []byte) (connector.Response, error) {
	if err := waitTurn(ctx, cred.ClientID); err != nil {
		return connector.Response{}, fmt.Errorf("hostaway: %s: waiting for the rate limit: %w", op, ctxOr(ctx, err))
	}
	req, err := connector.NewRequest(ctx, method, u, payload)
	if err != nil {
		return connector.Response{}, fmt.Errorf("hostaway: %s: build request: %w", op, connector.ErrBadRequest)
	}
	req.Header.Set("Authorization", "Bearer "+cred.AccessToken)
	return connector.Send(ctx, c.s, Vendor, op, req)
}

// decode turns a final response into the envelope or an *APIError.
func decode(s *connector.Spec, op string, resp connector.Response, cred connector.Credential) (*envelope, error) {
	status, raw := resp.Status, resp.Body
	if status >= 200 && status < 300 {
		var env envelope
		if err := json.Unmarshal(raw, &env); err != nil {
			return nil, &connector.APIError{Vendor: Vendor, Op: op, Status: status, Code: "malformed response", Err: connector.ErrUnavailable}
		}
		if env.Status == "fail" {
			return nil, &connector.APIError{Vendor: Vendor, Op: op, Status: status, Code: vendorMessage(raw, cred), Err: connector.ErrBadRequest}
		}
		return &env, nil
	}
	sentinel := connector.ForStatus(status)
	switch {
	case status == http.StatusForbidden || status == http.StatusUnauthorized:
		sentinel = connector.ErrUnauthorized // refused again after a fresh token
	case sentinel == nil:
		sentinel = connector.ErrUnavailable // 1xx/3xx: nothing a client can use
	}
	e := &connector.APIError{Vendor: Vendor, Op: op, Status: status, Code: vendorMessage(raw, cred), Err: sentinel}
	if status == http.StatusTooManyRequests {
		// Hostaway documents no Retry-After [C]; honour one if it appears,
		// else its 10 s window is the honest hint.
		if e.RetryAfter = connector.ParseRetryAfter(resp.Header.Get("Retry-After"), s.Now()); e.RetryAfter == 0 {
			e.RetryAfter = window
		}
	}
	return nil, e
}

// rejectedErr explains a failed re-mint after the vendor refused a token.
func rejectedErr(op string, resp connector.Response, cred connector.Credential, err error) error {
	switch {
	case errors.Is(err, connector.ErrNeedsReauth), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("hostaway: %s: %w", op, err)
	case errors.Is(err, connector.ErrUnauthorized):
		// The source cannot renew (a fixed credential): report the refusal.
		return &connector.APIError{Vendor: Vendor, Op: op, Status: resp.Status, Code: vendorMessage(resp.Body, cred), Err: connector.ErrUnauthorized}
	}
	return fmt.Errorf("hostaway: %s: renew token: %w", op, err)
}

// vendorMessage is the short error text of a Hostaway body: result (a
// string on errors [C]), else message (429 [C]), else an OAuth error code.
// Anything that equals a credential is cut out first.
func vendorMessage(raw []byte, cred connector.Credential) string {
	var b struct {
		Result  json.RawMessage `json:"result"`
		Message string          `json:"message"`
		Error   string          `json:"error"`
	}
	if json.Unmarshal(raw, &b) != nil {
		return ""
	}
	var msg string
	if json.Unmarshal(b.Result, &msg) != nil || msg == "" {
		msg = b.Message
	}
	if msg == "" {
		msg = b.Error
	}
	return connector.Excerpt(scrub(msg, cred))
}

// scrub removes the credential's secrets from a vendor message.
func scrub(s string, cred connector.Credential) string {
	for _, secret := range []string{cred.AccessToken, cred.RefreshToken, cred.ClientSecret} {
		if len(secret) >= 8 {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}
