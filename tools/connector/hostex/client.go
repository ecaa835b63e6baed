package hostex

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"sync"

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
	return &conn{connector.NewClient(s, ts, api{kinds: &tokenKinds{}})}
}

// api is what Hostex's Open API does its own way on connector's request
// path: its token headers, its envelope, and its read-only tokens. kinds
// is nil where no API call is made (the OAuth endpoints).
type api struct{ kinds *tokenKinds }

// Authorize sends a token in the header its kind takes (Hostex's
// authentication document, "Access Token" and "OAuth 2.0 Bearer Token"
// [C]): a host's personal access token in Hostex-Access-Token, an OAuth
// access token in Authorization: Bearer. The server reads
// Hostex-Access-Token first and falls back to the bearer header [C], so a
// token in the wrong header is at best looked up as the other kind.
func (a api) Authorize(req *http.Request, token string) {
	if a.kinds.oauth(token) {
		req.Header.Set("Authorization", "Bearer "+token)
		return
	}
	req.Header.Set("Hostex-Access-Token", token)
}

// tokenKinds remembers which access tokens of one connection came from
// OAuth. Prepare sees the credential of every attempt just before
// Authorize sees its token, so the kind is known by then. It holds the
// few tokens one connection uses at a time (the current one, and the
// renewed one during a rotation).
type tokenKinds struct {
	mu sync.Mutex
	m  map[string]bool
}

// oauthCredential reports whether cred came from Hostex's OAuth token
// endpoint: only that endpoint issues refresh tokens and expiring access
// tokens; personal tokens never expire [C].
func oauthCredential(cred connector.Credential) bool {
	return cred.RefreshToken != "" || !cred.Expiry.IsZero()
}

func (k *tokenKinds) note(cred connector.Credential) {
	if k == nil || cred.AccessToken == "" {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil || len(k.m) >= 8 {
		k.m = map[string]bool{}
	}
	k.m[cred.AccessToken] = oauthCredential(cred)
}

func (k *tokenKinds) oauth(token string) bool {
	if k == nil {
		return false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.m[token]
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
	if br, ok := out.(bodyReader); ok {
		return readPage(resp, br)
	}
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
	if out != nil && isNull(env.Data) {
		// Every read's schema requires data [C]; an answer without it is
		// not an empty result.
		return connector.Reply{Err: connector.ErrUnavailable, Status: resp.Status, Message: "malformed response: no data"}
	}
	// The envelope's decoding has checked data and copied it out of the
	// body: a caller that takes the raw data (read, list) gets it as is,
	// without a second pass over the bytes.
	if raw, ok := out.(*json.RawMessage); ok {
		*raw = env.Data
		return connector.Reply{}
	}
	r := connector.JSONReply(resp.Status, env.Data, out)
	if r.Err != nil {
		r.Message = "malformed data"
	}
	return r
}

func isNull(raw json.RawMessage) bool {
	b := bytes.TrimSpace(raw)
	return len(b) == 0 || string(b) == "null"
}

// malformed is the error of an answer that lacks what the published schema
// requires and hostgate needs: the call fails, naming what was missing,
// rather than read as an empty result (issue 9, item 10).
func malformed(op, what string) error {
	return connector.Malformed(vendor, op, http.StatusOK, "malformed response: "+what)
}

// read makes one call and decodes its data into out, after checking that
// data is an object holding every key in keys, not null: the keys the
// published schema requires and hostgate reads [C].
func (c *conn) read(ctx context.Context, r connector.Request, out any, keys ...string) error {
	var raw json.RawMessage
	if err := c.Do(ctx, r, &raw); err != nil {
		return err
	}
	return decode(r.Op, raw, out, keys...)
}

func decode(op string, raw json.RawMessage, out any, keys ...string) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return malformed(op, "data is not an object")
	}
	for _, k := range keys {
		if v, ok := m[k]; !ok || isNull(v) {
			return malformed(op, "no "+k)
		}
	}
	// A caller that reads data by its keys (list) takes the map this
	// check built rather than a second decoding of the same bytes.
	if mp, ok := out.(*map[string]json.RawMessage); ok {
		*mp = m
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return malformed(op, "data of an unexpected type")
	}
	return nil
}

// needs is a wire item that names the first field hostgate needs and the
// item lacks ("" when it has them all).
type needs interface{ missing() string }

// whole checks every item of a list; one item without what hostgate needs
// fails the call [C: the schema requires those fields].
func whole[T needs](op, what string, items []T) error {
	for _, it := range items {
		if f := it.missing(); f != "" {
			return malformed(op, what+" without "+f)
		}
	}
	return nil
}

// Prepare notes the kind of the credential the attempt carries (see
// Authorize) and refuses, without a call, a write with a token known to be
// read-only.
func (a api) Prepare(_ context.Context, r connector.Request, cred connector.Credential) error {
	a.kinds.note(cred)
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
// lists [C]; the others end on a short page [T]. A page without data[key],
// or with an item that lacks what hostgate needs, fails the call.
func list[T needs](ctx context.Context, c *conn, r connector.Request, key string, limit int) ([]T, error) {
	size := c.Spec.PageLimit(maxPageSize)
	var out []T
	base := r.Query
	for n, offset := 0, 0; n < maxPages; n++ {
		q := url.Values{}
		maps.Copy(q, base)
		q.Set("offset", fmt.Sprint(offset))
		q.Set("limit", fmt.Sprint(size))
		r.Query = q
		p := &page[T]{key: key}
		if err := c.Do(ctx, r, p); err != nil {
			return nil, err
		}
		if p.what != "" {
			return nil, malformed(r.Op, p.what)
		}
		items, total := p.items, p.total
		if err := whole(r.Op, "an item of "+key, items); err != nil {
			return nil, err
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
