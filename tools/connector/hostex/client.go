package hostex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"

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
type conn struct{ connector.Client }

func newConn(s *connector.Spec, ts connector.TokenSource) connector.Connector {
	return &conn{connector.NewClient(s, ts, api{})}
}

// api is what Hostex's Open API does its own way on connector's request
// path: its token header, its envelope, and its read-only tokens.
type api struct{}

// Authorize sends the token in Hostex-Access-Token, personal and OAuth
// tokens alike [C].
func (api) Authorize(req *http.Request, token string) {
	req.Header.Set("Hostex-Access-Token", token)
}

// envelope is what every Hostex response carries, errors too, in HTTP 200 [C].
type envelope struct {
	ErrorCode *int            `json:"error_code"`
	ErrorMsg  string          `json:"error_msg"`
	Data      json.RawMessage `json:"data"`
}

// Read reads the envelope and decodes its data into out. Hostex reports
// errors as error_code inside HTTP 200, 401 for a refused token [C]; any
// other HTTP status comes from a proxy or an outage.
func (api) Read(resp connector.Response, out any) connector.Reply {
	var env envelope
	decErr := json.Unmarshal(resp.Body, &env)
	switch {
	case resp.Status != http.StatusOK:
		return connector.StatusReply(resp.Status, env.ErrorMsg)
	case decErr != nil || env.ErrorCode == nil:
		return connector.MalformedReply(resp.Status)
	case *env.ErrorCode != 0 && *env.ErrorCode != 200:
		// The Errors page says success is 0; the spec and old SDKs say 200 [C].
		return connector.StatusReply(*env.ErrorCode, env.ErrorMsg)
	}
	r := connector.JSONReply(resp.Status, env.Data, out)
	if r.Err != nil {
		r.Message = "malformed data"
	}
	return r
}

// Prepare refuses, without a call, a write with a token known to be
// read-only.
func (api) Prepare(_ context.Context, r connector.Request, cred connector.Credential) error {
	if r.Write && cred.Scope == scopeReadOnly {
		return readOnly(r.Op)
	}
	return nil
}

// CheckRefusal tells a read-only token from a dead one. Hostex refuses a
// write with a read-only token exactly as it refuses a dead token
// (error_code 401) [C], and error_msg is not to be parsed. A read with the
// same token tells them apart, without renewing (or, for a personal token,
// condemning) a credential that works.
func (api) CheckRefusal(ctx context.Context, c *connector.Client, r connector.Request, cred connector.Credential) error {
	if !r.Write {
		return nil
	}
	err := c.Once(ctx, probe, cred, nil)
	switch {
	case err == nil:
		return readOnly(r.Op)
	case errors.Is(err, connector.ErrUnauthorized):
		return nil
	}
	return err
}

// probe is the cheapest authenticated read.
var probe = connector.Request{Op: "check token", Method: http.MethodGet, Path: "/properties",
	Query: url.Values{"offset": {"0"}, "limit": {"1"}}}

func readOnly(op string) error {
	return connector.NewError(vendor, op, 401, connector.ErrForbidden,
		"the Hostex token is read-only; the host must connect a writable token to do this")
}

// list reads every page of an offset/limit list whose items are data[key],
// up to limit items (0: no cap but maxPages). Hostex sends a total on some
// lists [C]; the others end on a short page [T].
func list[T any](ctx context.Context, c *conn, r connector.Request, key string, limit int) ([]T, error) {
	size := c.Spec.PageLimit(maxPageSize)
	var out []T
	base := r.Query
	for page, offset := 0, 0; page < maxPages; page++ {
		q := url.Values{}
		maps.Copy(q, base)
		q.Set("offset", fmt.Sprint(offset))
		q.Set("limit", fmt.Sprint(size))
		r.Query = q
		var data map[string]json.RawMessage
		if err := c.Do(ctx, r, &data); err != nil {
			return nil, err
		}
		var items []T
		if raw, ok := data[key]; ok {
			if err := json.Unmarshal(raw, &items); err != nil {
				return nil, connector.Malformed(vendor, r.Op, http.StatusOK, "malformed data")
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
