package hostex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

const (
	vendor = "hostex"
	// maxPageSize is the largest limit Hostex accepts on its lists [C].
	maxPageSize = 100
	// maxPages stops a listing whose pages never run out (a vendor bug, or a
	// list growing while we read it) from looping for ever.
	maxPages = 200
)

// conn is the Connector of one Hostex connection.
type conn struct {
	s  *connector.Spec
	ts connector.TokenSource
}

func newConn(s *connector.Spec, ts connector.TokenSource) connector.Connector {
	return &conn{s: s, ts: ts}
}

// request is one API call. path is relative to Spec.BaseURL.
type request struct {
	op     string
	method string
	path   string
	query  url.Values
	body   any
	// write marks calls a read-only token may not make, so that a refusal
	// is told apart from a dead token.
	write bool
}

// envelope is what every Hostex response carries, errors too, in HTTP 200 [C].
type envelope struct {
	ErrorCode *int            `json:"error_code"`
	ErrorMsg  string          `json:"error_msg"`
	Data      json.RawMessage `json:"data"`
}

// call makes one API call and decodes the envelope's data into out (when
// not nil). A refused token is reported to the token source once and the
// call retried with the credential it returns.
func (c *conn) call(ctx context.Context, r request, out any) error {
	cred, err := c.ts.Token(ctx)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", vendor, r.op, err)
	}
	if r.write && cred.Scope == scopeReadOnly {
		return readOnly(r.op)
	}
	var body []byte
	if r.body != nil {
		if body, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("%s: %s: encode request: %w", vendor, r.op, err)
		}
	}
	for attempt := 0; ; attempt++ {
		data, err := c.once(ctx, r, body, cred.AccessToken)
		if err == nil {
			if out == nil || len(data) == 0 || string(data) == "null" {
				return nil
			}
			if err := json.Unmarshal(data, out); err != nil {
				return &connector.APIError{Vendor: vendor, Op: r.op, Code: "malformed data", Err: connector.ErrUnavailable}
			}
			return nil
		}
		if !errors.Is(err, connector.ErrUnauthorized) || attempt > 0 {
			return err
		}
		if r.write {
			// Hostex refuses a write with a read-only token exactly as it
			// refuses a dead token (error_code 401) [C], and error_msg is not
			// to be parsed. A read with the same token tells them apart,
			// without renewing (or, for a personal token, condemning) a
			// credential that works.
			perr := c.probe(ctx, cred.AccessToken)
			if perr == nil {
				return readOnly(r.op)
			}
			if !errors.Is(perr, connector.ErrUnauthorized) {
				return perr
			}
		}
		if cred, err = c.ts.Rejected(ctx, cred.AccessToken); err != nil {
			return fmt.Errorf("%s: %s: %w", vendor, r.op, err)
		}
	}
}

// probe is the cheapest authenticated read.
func (c *conn) probe(ctx context.Context, token string) error {
	_, err := c.once(ctx, request{op: "check token", method: http.MethodGet, path: "/properties",
		query: url.Values{"offset": {"0"}, "limit": {"1"}}}, nil, token)
	return err
}

func readOnly(op string) error {
	return &connector.APIError{Vendor: vendor, Op: op, Status: 401,
		Code: "the Hostex token is read-only; the host must connect a writable token to do this",
		Err:  connector.ErrForbidden}
}

// once sends a request with one token and classifies the answer.
func (c *conn) once(ctx context.Context, r request, body []byte, token string) (json.RawMessage, error) {
	req, err := connector.NewRequest(ctx, r.method, connector.Endpoint(c.s.BaseURL, r.path, r.query), body)
	if err != nil {
		return nil, &connector.APIError{Vendor: vendor, Op: r.op, Code: "bad request URL", Err: connector.ErrBadRequest}
	}
	req.Header.Set("Hostex-Access-Token", token)
	resp, err := connector.Send(ctx, c.s, vendor, r.op, req)
	if err != nil {
		return nil, err
	}
	return decode(r.op, resp, token, c.s.Now())
}

// decode reads the envelope. Hostex reports errors as error_code inside
// HTTP 200; any other HTTP status comes from a proxy or an outage.
func decode(op string, resp connector.Response, token string, now time.Time) (json.RawMessage, error) {
	var env envelope
	decErr := json.Unmarshal(resp.Body, &env)
	retry := connector.ParseRetryAfter(resp.Header.Get("Retry-After"), now)
	if resp.Status != http.StatusOK {
		sentinel := connector.ForStatus(resp.Status)
		if sentinel == nil {
			sentinel = connector.ErrUnavailable
		}
		return nil, &connector.APIError{Vendor: vendor, Op: op, Status: resp.Status,
			Code: scrub(env.ErrorMsg, token), RetryAfter: retry, Err: sentinel}
	}
	if decErr != nil || env.ErrorCode == nil {
		return nil, &connector.APIError{Vendor: vendor, Op: op, Status: resp.Status, Code: "malformed response", Err: connector.ErrUnavailable}
	}
	code := *env.ErrorCode
	// The Errors page says success is 0; the spec and old SDKs say 200 [C].
	if code == 0 || code == 200 {
		return env.Data, nil
	}
	sentinel := connector.ForStatus(code)
	if sentinel == nil {
		sentinel = connector.ErrUnavailable
	}
	if code != 429 {
		retry = 0
	}
	return nil, &connector.APIError{Vendor: vendor, Op: op, Status: code, Code: scrub(env.ErrorMsg, token), RetryAfter: retry, Err: sentinel}
}

// scrub shortens a vendor message for an error text and removes the token
// should the vendor ever echo it.
func scrub(msg, token string) string {
	if token != "" {
		msg = strings.ReplaceAll(msg, token, "[redacted]")
	}
	return connector.Excerpt(msg)
}

// list reads every page of an offset/limit list whose items are data[key],
// up to limit items (0: no cap but maxPages). Hostex sends a total on some
// lists [C]; the others end on a short page [T].
func list[T any](ctx context.Context, c *conn, r request, key string, limit int) ([]T, error) {
	size := c.s.PageLimit(maxPageSize)
	var out []T
	base := r.query
	for page, offset := 0, 0; page < maxPages; page++ {
		q := url.Values{}
		maps.Copy(q, base)
		q.Set("offset", fmt.Sprint(offset))
		q.Set("limit", fmt.Sprint(size))
		r.query = q
		var data map[string]json.RawMessage
		if err := c.call(ctx, r, &data); err != nil {
			return nil, err
		}
		var items []T
		if raw, ok := data[key]; ok {
			if err := json.Unmarshal(raw, &items); err != nil {
				return nil, &connector.APIError{Vendor: vendor, Op: r.op, Code: "malformed data", Err: connector.ErrUnavailable}
			}
		}
		var total *int
		if raw, ok := data["total"]; ok {
			_ = json.Unmarshal(raw, &total) // a missing or odd total just means "read until a short page"
		}
		out = append(out, items...)
		offset += len(items)
		if limit > 0 && len(out) >= limit {
			return out[:limit], nil
		}
		if len(items) < size || total != nil && offset >= *total {
			break
		}
	}
	return out, nil
}
