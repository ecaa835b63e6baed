package hostaway

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// api is what Hostaway's API does its own way on connector's request path:
// a dead token is refused with 403 [C], answers come in an envelope that
// may say "fail" in a 200, and requests are metered by the client
// (ratelimit.go), with one pause and retry after a 429.
type api struct{ connector.Bearer }

// envelope is Hostaway's response wrapper [C].
type envelope struct {
	Status     string          `json:"status"`
	Result     json.RawMessage `json:"result"`
	Message    string          `json:"message"`
	TotalPages intval          `json:"totalPages"`
}

// Read decodes a success's envelope into out (an *envelope, or nil). A
// refused token is a 403 [C] (or a 401); a 429 without Retry-After, which
// Hostaway does not document [C], hints its 10 s window.
func (api) Read(resp connector.Response, out any) connector.Reply {
	if !resp.OK() {
		r := connector.StatusReply(resp.Status, vendorMessage(resp.Body))
		switch resp.Status {
		case http.StatusForbidden, http.StatusUnauthorized:
			r.Err = connector.ErrUnauthorized
		case http.StatusTooManyRequests:
			r.RetryAfter = window
		}
		return r
	}
	env, ok := out.(*envelope)
	if !ok {
		env = new(envelope)
	}
	if json.Unmarshal(resp.Body, env) != nil {
		return connector.MalformedReply(resp.Status)
	}
	if env.Status == "fail" {
		return connector.Reply{Err: connector.ErrBadRequest, Status: resp.Status, Message: vendorMessage(resp.Body)}
	}
	if ok && env.Status != "success" {
		// Every answer is {status: "success"|"fail", result, …} [C]: a
		// body without that is not an answer hostgate can read.
		return connector.MalformedReply(resp.Status)
	}
	return connector.Reply{}
}

// Prepare waits for the client-side rate limiters, the address's and the
// account's the credential names.
func (api) Prepare(ctx context.Context, r connector.Request, cred connector.Credential) error {
	if err := waitTurn(ctx, cred.ClientID); err != nil {
		return fmt.Errorf("hostaway: %s: waiting for the rate limit: %w", r.Op, ctxOr(ctx, err))
	}
	return nil
}

// RateBackoff is the pause before the one retry of a request refused with
// a 429.
func (api) RateBackoff() time.Duration { return jittered(backoff429) }

// vendorMessage is the error text of a Hostaway body: result (a string on
// errors [C]), else message (429 [C]), else an OAuth error code.
func vendorMessage(raw []byte) string {
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
	return msg
}

// do makes one API call and returns the envelope of its success.
func (h *Connector) do(ctx context.Context, r connector.Request) (*envelope, error) {
	env := new(envelope)
	if err := h.c.Do(ctx, r, env); err != nil {
		return nil, err
	}
	return env, nil
}
