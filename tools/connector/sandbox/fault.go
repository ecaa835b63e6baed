package sandbox

import (
	"strings"
	"time"
)

// Fault scripts a failure for upcoming requests. The zero Status with a Delay makes a slow but
// otherwise normal response.
type Fault struct {
	// Method matches the HTTP method; "" matches any.
	Method string
	// Path is a prefix of the request path, with or without the API base ("/reservations" or
	// "/v3/reservations"). "" matches every API call but NOT the auth endpoints (authorize,
	// token, revoke, discovery, JWKS); name those explicitly, e.g. "/oauth/token".
	Path string
	// Status is the HTTP status to return — or, for Hostex, the error_code inside an HTTP 200
	// envelope (401, 420, 429, 500, ...). The body is the vendor's own error format.
	Status int
	// HTTPStatus, when set, overrides the HTTP status line (e.g. a Hostex 502 from a proxy).
	HTTPStatus int
	// RetryAfter is sent as the Retry-After header; "" sends none.
	RetryAfter string
	// Body replaces the response body verbatim (e.g. garbage JSON), sent as application/json.
	Body string
	// Delay holds the response this long before answering; a cancelled request ends the wait.
	Delay time.Duration
	// Times is how many matching requests the fault applies to: 0 means once, <0 means until
	// ClearFaults.
	Times int
}

type faultState struct {
	f    Fault
	left int // <0 = unlimited
}

// Fail queues a fault. Faults are matched in the order they were queued; each request takes at
// most one.
func (v *Vendor) Fail(f Fault) {
	left := f.Times
	if left == 0 {
		left = 1
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.faults = append(v.faults, &faultState{f: f, left: left})
}

// ClearFaults drops every queued fault.
func (v *Vendor) ClearFaults() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.faults = nil
}

// takeFault returns the first fault matching the request and consumes one use of it.
// The caller holds v.mu.
func (v *Vendor) takeFault(method, path, rel string, isAuth bool) *Fault {
	for i, fs := range v.faults {
		if fs.f.Method != "" && !strings.EqualFold(fs.f.Method, method) {
			continue
		}
		if fs.f.Path == "" {
			if isAuth {
				continue
			}
		} else if !strings.HasPrefix(path, fs.f.Path) && !strings.HasPrefix(rel, fs.f.Path) {
			continue
		}
		f := fs.f
		if fs.left > 0 {
			fs.left--
			if fs.left == 0 {
				v.faults = append(v.faults[:i:i], v.faults[i+1:]...)
			}
		}
		return &f
	}
	return nil
}
