package connector

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Sentinel errors. Vendor clients wrap them (usually inside an *APIError);
// tools test them with errors.Is and tell the model what to do.
var (
	// ErrUnauthorized: the vendor refused the credential. The token source
	// refreshes once and retries; if that fails the host must reconnect.
	ErrUnauthorized = errors.New("vendor refused the credential")
	// ErrNeedsReauth: only the host can fix the connection, by reconnecting.
	ErrNeedsReauth = errors.New("the connection needs the host to reconnect")
	// ErrForbidden: the credential works but may not do this (a read-only
	// token asked to write, a resource of another account).
	ErrForbidden = errors.New("vendor forbids this action")
	// ErrAccount: the vendor account itself has a problem (Hostex 420:
	// subscription expired). Retrying does not help; tell the host.
	ErrAccount = errors.New("vendor account problem")
	// ErrRateLimited: too many requests; APIError.RetryAfter says how long
	// to wait when the vendor said.
	ErrRateLimited = errors.New("vendor rate limit reached")
	// ErrUnavailable: the vendor failed (5xx, garbage, timeout).
	ErrUnavailable = errors.New("vendor unavailable")
	// ErrNotFound: no such object at the vendor.
	ErrNotFound = errors.New("not found at the vendor")
	// ErrBadRequest: the vendor (or we, before calling) rejected the input.
	ErrBadRequest = errors.New("invalid request")
	// ErrUnsupported: the vendor has no such capability.
	ErrUnsupported = errors.New("not supported by this vendor")
)

// APIError is a failed vendor call. Its text names the vendor, the
// operation, the status and the vendor's error code, never a credential
// and never more than a short excerpt of a response body.
type APIError struct {
	Vendor     string
	Op         string        // e.g. "list properties"
	Status     int           // HTTP status, or the vendor's error code when it hides errors in a 200
	Code       string        // the vendor's own error code or message, shortened
	RetryAfter time.Duration // from Retry-After, when the vendor sent one
	Err        error         // one of the sentinels
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("%s: %s: %v", e.Vendor, e.Op, e.Err)
	if e.Status != 0 {
		s += " (status " + strconv.Itoa(e.Status)
		if e.Code != "" {
			s += ", " + e.Code
		}
		s += ")"
	}
	if e.RetryAfter > 0 {
		s += fmt.Sprintf("; retry after %s", e.RetryAfter.Round(time.Second))
	}
	return s
}

func (e *APIError) Unwrap() error { return e.Err }

// NewError returns the error of a failed vendor call: the operation, the
// status it reports (the HTTP status, a vendor's own code inside a 200, or
// 0 when hostgate refused the input before calling), the sentinel it wraps
// and a short code. Every *APIError is built here or by the constructors
// below; a vendor's own words reach code only through Redact.
func NewError(vendor, op string, status int, sentinel error, code string) *APIError {
	return &APIError{Vendor: vendor, Op: op, Status: status, Code: code, Err: sentinel}
}

// Invalid reports input refused before any call (ErrBadRequest); problem
// says what to fix.
func Invalid(vendor, op, problem string) *APIError {
	return NewError(vendor, op, 0, ErrBadRequest, problem)
}

// NotFound reports that the vendor has no such object (ErrNotFound),
// found out without an error status (a filtered list without it).
func NotFound(vendor, op, what string) *APIError {
	return NewError(vendor, op, 0, ErrNotFound, what)
}

// RateLimited reports a request hostgate did not send because the vendor's
// rate budget (Budget) has no room for it within the wait a call may
// spend: ErrRateLimited, with the time until there is room.
func RateLimited(vendor, op string, retryAfter time.Duration) *APIError {
	e := NewError(vendor, op, 0, ErrRateLimited, "the vendor's published rate limit is spent")
	e.RetryAfter = retryAfter
	return e
}

// Malformed reports an answer with the given status that is not what the
// vendor documents (ErrUnavailable): what says how.
func Malformed(vendor, op string, status int, what string) *APIError {
	return NewError(vendor, op, status, ErrUnavailable, what)
}

// ForStatus maps an HTTP status to a sentinel.
func ForStatus(status int) error {
	switch {
	case status == 401:
		return ErrUnauthorized
	case status == 403:
		return ErrForbidden
	case status == 404 || status == 410:
		return ErrNotFound
	case status == 420:
		return ErrAccount
	case status == 429:
		return ErrRateLimited
	case status == 408:
		// Request Timeout: the server gave up waiting; trying again may work.
		return ErrUnavailable
	case status >= 500:
		return ErrUnavailable
	case status >= 400:
		return ErrBadRequest
	}
	return nil
}

// ParseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date
// (RFC 9110 §10.2.3). It returns 0 when absent or unreadable.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := time.Parse(time.RFC1123, v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// Excerpt shortens a vendor message for an error text: at most 120 bytes,
// on one line.
func Excerpt(s string) string {
	b := []rune(s)
	out := make([]rune, 0, 120)
	for _, r := range b {
		if r == '\n' || r == '\r' || r == '\t' {
			r = ' '
		}
		if r < 0x20 {
			continue
		}
		out = append(out, r)
		if len(out) >= 120 {
			out = append(out, '…')
			break
		}
	}
	return string(out)
}
