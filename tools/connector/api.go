package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// API is what one vendor's HTTP API does its own way; Client does the rest
// (the token, the exchange, the retry after a refusal, the error). A vendor
// package implements it with a small stateless value.
type API interface {
	// Authorize puts an access token on an outgoing request.
	Authorize(req *http.Request, token string)
	// Read interprets one response. On success it decodes the payload (the
	// body, or what the vendor's envelope carries) into out, unless out is
	// nil, and returns the zero Reply; otherwise it says what failed. A
	// Reply whose Err is ErrUnauthorized is a refused token: Client renews
	// it once and retries.
	Read(resp Response, out any) Reply
}

// Bearer is the Authorize of an API that takes RFC 6750's bearer token in
// the Authorization header; an API embeds it.
type Bearer struct{}

// Authorize sets Authorization: Bearer <token>.
func (Bearer) Authorize(req *http.Request, token string) {
	req.Header.Set("Authorization", "Bearer "+token)
}

// Reply is an API's reading of one response. The zero Reply is a success.
type Reply struct {
	// Err is the sentinel of a failure; nil on success.
	Err error
	// Status is the status the failure reports: the HTTP status, or the
	// vendor's own error code where it hides errors in a 200 (Hostex).
	Status int
	// Message is the vendor's own words about the failure, as sent: Client
	// cuts every secret from it and shortens it (Redact).
	Message string
	// RetryAfter is the hint to give a rate-limited or unavailable caller
	// when the response carries no Retry-After header (Hostaway's window).
	RetryAfter time.Duration
}

// OK reports whether the response has a 2xx status.
func (r Response) OK() bool { return r.Status >= 200 && r.Status < 300 }

// StatusReply is the failure an HTTP status (or a vendor's code that
// follows HTTP's meanings) stands for, with the vendor's message: the
// sentinel ForStatus gives, or ErrUnavailable for a status no client can
// use (1xx, 3xx: the client never follows a redirect).
func StatusReply(status int, message string) Reply {
	err := ForStatus(status)
	if err == nil {
		err = ErrUnavailable
	}
	return Reply{Err: err, Status: status, Message: message}
}

// JSONReply decodes a success's JSON payload into out. A nil out, or a
// payload that is empty, blank or null, decodes nothing; a payload that is
// not JSON of out's shape is a MalformedReply with status.
func JSONReply(status int, data []byte, out any) Reply {
	if out == nil || len(bytes.TrimSpace(data)) == 0 || string(data) == "null" {
		return Reply{}
	}
	if json.Unmarshal(data, out) != nil {
		return MalformedReply(status)
	}
	return Reply{}
}

// MalformedReply is an answer with the given status that is not what the
// vendor documents (ErrUnavailable, "malformed response").
func MalformedReply(status int) Reply {
	return Reply{Err: ErrUnavailable, Status: status, Message: "malformed response"}
}

// The optional hooks of an API, found by type assertion. Each is one
// vendor's quirk expressed on the one request path.
type (
	// Preparer runs before every attempt of a request, with the credential
	// it will carry: a client-side rate limiter (Hostaway), a refusal known
	// in advance (a Hostex read-only token asked to write). An error ends
	// the call unsent.
	Preparer interface {
		Prepare(ctx context.Context, r Request, cred Credential) error
	}
	// RefusalChecker looks into a refusal before the token source hears of
	// it, for a vendor whose refusal does not always mean a dead token
	// (Hostex refuses a read-only token's write as it refuses a dead
	// token). A nil error goes on to renew the token and retry; any other
	// error is the call's answer. It may use c.Once.
	RefusalChecker interface {
		CheckRefusal(ctx context.Context, c *Client, r Request, cred Credential) error
	}
	// RateRetrier is an API whose rate-limited request is worth one retry
	// after a pause (Hostaway, whose window is short and which sends no
	// Retry-After).
	RateRetrier interface {
		RateBackoff() time.Duration
	}
)
