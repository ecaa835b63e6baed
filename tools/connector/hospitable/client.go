package hospitable

import (
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"sync"
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
	connector.Client
	// refused holds the *scoped relations Hospitable refused this
	// connection (its token lacks their scope): later reads do not ask
	// for them. See scoped.
	refused sync.Map
}

func newConn(s *connector.Spec, ts connector.TokenSource) connector.Connector {
	return &conn{Client: connector.NewClient(s, ts, api{})}
}

// api is what Hospitable's API does its own way on connector's request
// path: its error bodies. A token goes as a Bearer token and a refused one
// is a 401 [C].
type api struct{ connector.Bearer }

// errorBody is Hospitable's error shape: the {status_code, reason_phrase}
// the reference publishes for a refused request (400 for a bad parameter
// or body, with message too; 403 on a review response; 422 on a
// calendar-restricted property) [C], Laravel's {"message": …} where it
// publishes none [I], or an OAuth {error, error_description} from the
// token endpoint [T].
type errorBody struct {
	Message      string `json:"message"`
	ReasonPhrase string `json:"reason_phrase"`
	Error        string `json:"error"`
}

// Read decodes a 2xx body into out; any other status is a failure whose
// message is the vendor's shortest word on it.
func (api) Read(resp connector.Response, out any) connector.Reply {
	if resp.OK() {
		return connector.JSONReply(resp.Status, resp.Body, out)
	}
	var eb errorBody
	_ = json.Unmarshal(resp.Body, &eb) // an unreadable error body leaves the message empty
	return connector.StatusReply(resp.Status, cmp.Or(eb.Error, eb.ReasonPhrase, eb.Message))
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
func list[T any](ctx context.Context, c *conn, r connector.Request, perPage, limit int) ([]T, error) {
	return scan[T](ctx, c, r, perPage, nil, limit)
}

// scan reads a list as list does, keeping only the items keep accepts (nil
// keeps all) and stopping once it has limit of them: a list the vendor
// cannot filter (money, inquiries) is filtered here, page by page.
func scan[T any](ctx context.Context, c *conn, r connector.Request, perPage int, keep func(T) bool, limit int) ([]T, error) {
	if perPage > 0 {
		perPage = c.Spec.PageLimit(perPage)
	}
	var out []T
	base := r.Query
	for n := 1; n <= maxPages; n++ {
		q := url.Values{}
		maps.Copy(q, base)
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
		}
		if perPage > 0 {
			q.Set("per_page", strconv.Itoa(perPage))
		}
		r.Query = q
		var p page[T]
		if err := c.Do(ctx, r, &p); err != nil {
			return nil, err
		}
		if p.Data == nil {
			// A list is {data: […]} [C]; an answer without it is not an
			// empty list but a shape hostgate does not know.
			return nil, connector.Malformed(vendor, r.Op, http.StatusOK, "list without data")
		}
		for _, it := range p.Data {
			if keep == nil || keep(it) {
				out = append(out, it)
			}
		}
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
	return connector.Invalid(vendor, op, "bad "+what+" id")
}

// parseTime reads an RFC 3339 timestamp; the zero time when absent.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
