package hospitable

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

const (
	vendor = "hospitable"
	// maxPageSize is the largest per_page of most lists [C]; reviews take
	// at most 50.
	maxPageSize = 100
	// maxPages stops a listing whose pages never run out.
	maxPages = 200
)

// conn is the Connector of one Hospitable connection.
type conn struct {
	s  *connector.Spec
	ts connector.TokenSource
}

func newConn(s *connector.Spec, ts connector.TokenSource) connector.Connector {
	return &conn{s: s, ts: ts}
}

// request is one API call; path is relative to Spec.BaseURL.
type request struct {
	op     string
	method string
	path   string
	query  url.Values
	body   any
}

// errorBody is Hospitable's error shape: Laravel's {"message": …} [I], the
// {status_code, reason_phrase} the spec documents for refused writes (403
// on a review response, 422 on a calendar-restricted property) [C], or an
// OAuth {error, error_description} from the token endpoint [T].
type errorBody struct {
	Message      string `json:"message"`
	ReasonPhrase string `json:"reason_phrase"`
	Error        string `json:"error"`
}

// call makes one API call and decodes a 2xx body into out (when not nil).
// A 401 is reported to the token source once and the call retried with the
// credential it returns.
func (c *conn) call(ctx context.Context, r request, out any) error {
	cred, err := c.ts.Token(ctx)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", vendor, r.op, err)
	}
	var body []byte
	if r.body != nil {
		if body, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("%s: %s: encode request: %w", vendor, r.op, err)
		}
	}
	for attempt := 0; ; attempt++ {
		raw, err := c.once(ctx, r, body, cred.AccessToken)
		if err == nil {
			if out == nil || len(bytes.TrimSpace(raw)) == 0 {
				return nil
			}
			if json.Unmarshal(raw, out) != nil {
				return &connector.APIError{Vendor: vendor, Op: r.op, Status: http.StatusOK, Code: "malformed response", Err: connector.ErrUnavailable}
			}
			return nil
		}
		if !errors.Is(err, connector.ErrUnauthorized) || attempt > 0 {
			return err
		}
		if cred, err = c.ts.Rejected(ctx, cred.AccessToken); err != nil {
			return fmt.Errorf("%s: %s: %w", vendor, r.op, err)
		}
	}
}

// once sends a request with one token and classifies the answer.
func (c *conn) once(ctx context.Context, r request, body []byte, token string) ([]byte, error) {
	req, err := connector.NewRequest(ctx, r.method, connector.Endpoint(c.s.BaseURL, r.path, r.query), body)
	if err != nil {
		return nil, &connector.APIError{Vendor: vendor, Op: r.op, Code: "bad request URL", Err: connector.ErrBadRequest}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return send(ctx, c.s, r.op, req, token)
}

// send does the round trip and turns a non-2xx answer into an APIError
// whose Code is the vendor's short message, with the listed secrets cut.
func send(ctx context.Context, s *connector.Spec, op string, req *http.Request, secrets ...string) ([]byte, error) {
	resp, err := connector.Send(ctx, s, vendor, op, req)
	if err != nil {
		return nil, err
	}
	if resp.Status >= 200 && resp.Status < 300 {
		return resp.Body, nil
	}
	var eb errorBody
	_ = json.Unmarshal(resp.Body, &eb) // an unreadable error body leaves the code empty
	code := eb.Error
	if code == "" {
		code = eb.ReasonPhrase
	}
	if code == "" {
		code = eb.Message
	}
	for _, sec := range secrets {
		if sec != "" {
			code = strings.ReplaceAll(code, sec, "[redacted]")
		}
	}
	sentinel := connector.ForStatus(resp.Status)
	if sentinel == nil {
		sentinel = connector.ErrUnavailable // a redirect: the client never follows one
	}
	return nil, &connector.APIError{Vendor: vendor, Op: op, Status: resp.Status, Code: connector.Excerpt(code),
		RetryAfter: connector.ParseRetryAfter(resp.Header.Get("Retry-After"), s.Now()), Err: sentinel}
}

// page is one page of a {data, links, meta} list [C].
type page[T any] struct {
	Data  []T `json:"data"`
	Links *struct {
		Next *string `json:"next"`
	} `json:"links"`
	Meta *struct {
		CurrentPage int `json:"current_page"`
		LastPage    int `json:"last_page"`
	} `json:"meta"`
}

// more reports whether a later page exists: links.next until it is null
// [C], else the meta page numbers.
func (p *page[T]) more() bool {
	if p.Links != nil {
		return p.Links.Next != nil && *p.Links.Next != ""
	}
	return p.Meta != nil && p.Meta.CurrentPage < p.Meta.LastPage
}

// list reads every page of a list, asking for perPage items a page (0: the
// endpoint's default, for lists whose page size is undocumented) and
// stopping at limit items (0: no cap but maxPages).
func list[T any](ctx context.Context, c *conn, r request, perPage, limit int) ([]T, error) {
	if perPage > 0 {
		perPage = c.s.PageLimit(perPage)
	}
	var out []T
	base := r.query
	for n := 1; n <= maxPages; n++ {
		q := url.Values{}
		maps.Copy(q, base)
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
		}
		if perPage > 0 {
			q.Set("per_page", strconv.Itoa(perPage))
		}
		r.query = q
		var p page[T]
		if err := c.call(ctx, r, &p); err != nil {
			return nil, err
		}
		out = append(out, p.Data...)
		if limit > 0 && len(out) >= limit {
			return out[:limit], nil
		}
		if len(p.Data) == 0 || !p.more() {
			break
		}
	}
	return out, nil
}

// validID accepts the UUIDs and booking codes Hospitable uses as path ids.
func validID(id string) bool {
	if id == "" || len(id) > 128 || id == "." || id == ".." {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func badID(op, what string) error {
	return &connector.APIError{Vendor: vendor, Op: op, Code: "bad " + what + " id", Err: connector.ErrBadRequest}
}

// parseTime reads an RFC 3339 timestamp; the zero time when absent.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
