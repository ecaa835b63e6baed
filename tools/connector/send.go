package connector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Endpoint joins an API base URL (with or without a trailing slash), a path
// that starts with "/", and a query (omitted when empty).
func Endpoint(base, path string, q url.Values) string {
	u := strings.TrimRight(base, "/") + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// NewRequest builds a request whose body, when not nil, is the given JSON
// with Content-Type application/json; a nil body sends none. (It never
// hands net/http a typed-nil reader, which would count as a body.)
func NewRequest(ctx context.Context, method, u string, jsonBody []byte) (*http.Request, error) {
	if jsonBody == nil {
		return http.NewRequestWithContext(ctx, method, u, nil)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(jsonBody))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// Response is a vendor's HTTP answer, its body read in full.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Send makes one HTTP exchange with a vendor for the operation op: it sets
// User-Agent (UserAgent) and Accept (application/json), sends req with
// s.HTTP, and reads the body through ReadBody. Any status is a Response;
// classifying it is the vendor's business.
//
// Only a failed exchange is an error. When ctx is done the error wraps
// ctx.Err(), so errors.Is(err, context.Canceled) holds for a caller that
// gave up. Otherwise it is an *APIError wrapping ErrUnavailable whose Code
// says "timeout", "connection failed" or, when the body could not be read,
// "unreadable response". The transport's own error text is never kept: a
// *url.Error repeats the whole URL, and a URL can hold a token.
func Send(ctx context.Context, s *Spec, vendor, op string, req *http.Request) (Response, error) {
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", "application/json")
	resp, err := s.HTTP.Do(req)
	if err != nil {
		return Response{}, transportError(ctx, vendor, op, 0, "connection failed", err)
	}
	defer resp.Body.Close()
	body, err := ReadBody(resp)
	if err != nil {
		return Response{}, transportError(ctx, vendor, op, resp.StatusCode, "unreadable response", err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// transportError reports an exchange that produced no usable answer. The
// caller's own cancellation or deadline wins; err is only looked at for
// whether it was a timeout, never quoted.
func transportError(ctx context.Context, vendor, op string, status int, code string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%s: %s: %w", vendor, op, cerr)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		code = "timeout"
	}
	return NewError(vendor, op, status, ErrUnavailable, code)
}
