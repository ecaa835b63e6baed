package tools

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
)

// VendorError is one connection's failure inside an otherwise answered call.
type VendorError struct {
	Vendor       string `json:"vendor"`
	ConnectionID string `json:"connection_id"`
	Label        string `json:"label,omitempty"`
	Error        string `json:"error" jsonschema_description:"what went wrong and what to do"`
	ReconnectURL string `json:"reconnect_url,omitempty" jsonschema_description:"give this URL to the host: they must reconnect the account there"`
}

// connections returns the caller's shared connections, optionally of one
// vendor. It fails with a tool error when there are none.
func connections(ctx context.Context, d *Deps, c *Caller, vendor string) ([]store.Connection, error) {
	if d.Lifecycle == nil {
		return nil, Errorf("hostgate has no vendors configured.")
	}
	if vendor != "" {
		if _, ok := d.spec(vendor); !ok {
			return nil, Errorf("Unknown vendor %q. Use one of: %s.", vendor, strings.Join(d.VendorNames(), ", "))
		}
	}
	all, err := d.Store.ListConnections(ctx, c.UserID)
	if err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	var out []store.Connection
	usable := 0
	for _, cn := range all {
		if !slices.Contains(c.Connections, cn.ID) {
			continue
		}
		usable++
		if vendor == "" || cn.Vendor == vendor {
			out = append(out, cn)
		}
	}
	if len(out) == 0 {
		what := "No vendor account"
		if vendor != "" {
			what = "No " + d.title(vendor) + " account"
		}
		if gone := len(c.Connections) - usable; gone > 0 {
			return nil, Errorf("%s is available to this app: %s. Ask the host to open %s to connect an account or share another with this app, then call this again.", what, missingText(gone), d.connectURL(vendor))
		}
		return nil, Errorf("%s is shared with this app. Ask the host to open %s to connect one (or to share it with this app), then call this again.", what, d.connectURL(vendor))
	}
	return out, nil
}

// fanOut makes one read on every connection at once, through the read
// cache, and gathers each one's items (lists[i] for conns[i]; nil where it
// failed), how old each is (ages[i]; zero where it failed) and the
// per-connection errors. A connection that needs the host is not called.
// If every connection failed, the result is a tool error. The lists are
// shared with the cache: read-only.
func fanOut[T any](ctx context.Context, d *Deps, conns []store.Connection, fresh bool, read vendorRead[[]T]) ([][]T, []connector.Age, []VendorError, error) {
	lists := make([][]T, len(conns))
	ages := make([]connector.Age, len(conns))
	errs := make([]*VendorError, len(conns))
	var wg sync.WaitGroup
	for i, conn := range conns {
		if conn.Status == store.StatusNeedsReauth {
			errs[i] = d.vendorError(conn, fmt.Errorf("%w", connector.ErrNeedsReauth))
			continue
		}
		// What the cache holds fresh needs no goroutine of its own.
		if !fresh {
			if items, age, ok := read.peek(d, conn); ok {
				recordFrom(ctx).touch(conn)
				lists[i], ages[i] = nonNil(items), age
				continue
			}
		}
		wg.Go(func() {
			items, age, err := read.run(ctx, d, conn, fresh)
			if err != nil {
				errs[i] = d.vendorError(conn, err)
				return
			}
			lists[i], ages[i] = nonNil(items), age
		})
	}
	wg.Wait()
	var out []VendorError
	for _, e := range errs {
		if e != nil {
			out = append(out, *e)
		}
	}
	if len(out) == len(conns) {
		return nil, nil, out, allFailed(out)
	}
	return lists, ages, out, nil
}

// fanPage returns the page of the merged items of every connection that
// the pager is at, in cmp order (each read returns its list in that
// order), and how old each connection's part is. The first page reads
// every connection at once, through the read cache; the pages after it
// are cut from what that read returned (see snapshots), so every page of
// one paged call comes from the same data, asking again only the
// connections that failed. fresh applies to a first page: a later page
// continues its snapshot.
func fanPage[T any](ctx context.Context, d *Deps, p *pager, conns []store.Connection, fresh bool, read vendorRead[[]T], cmp func(a, b T) int) ([]T, Page, []connector.Age, []VendorError, error) {
	keys := make([]string, len(conns))
	for i, cn := range conns {
		keys[i] = cn.ID
	}
	sk := snapshotKey{grant: p.c.GrantID, tool: p.tool, args: p.args}
	var lists [][]T
	var ages []connector.Age
	var errs []VendorError
	var cached snapshot
	var ok bool
	if p.continued {
		cached, ok = d.snapshots.get(sk, keys, d.now())
	}
	if ok {
		lists = append([][]T(nil), cached.lists.([][]T)...)
		ages = append([]connector.Age(nil), cached.ages...)
		var retry []store.Connection
		var at []int
		for i, l := range lists {
			if l == nil {
				retry, at = append(retry, conns[i]), append(at, i)
			}
		}
		if len(retry) > 0 {
			again, againAges, rerrs, _ := fanOut(ctx, d, retry, false, read)
			errs = rerrs
			for j, i := range at {
				if again != nil && again[j] != nil {
					lists[i], ages[i] = again[j], againAges[j]
				}
			}
		}
	} else {
		var err error
		if lists, ages, errs, err = fanOut(ctx, d, conns, fresh, read); err != nil {
			return nil, Page{}, nil, errs, err
		}
	}
	// The host's property limit narrows what this caller sees; the
	// snapshot keeps the lists as read (limits_filter.go).
	items, pg := merge(p, keys, limitLists(ctx, d, p.c, conns, lists), cmp)
	if pg.NextCursor != "" {
		d.snapshots.put(sk, snapshot{lists: lists, ages: ages, keys: keys, fetched: d.now()})
	}
	return items, pg, ages, errs, nil
}

// sorted returns a read's fetch that puts the vendor's list in cmp order
// before the cache keeps it (the vendor's slice is the read's own).
func sorted[T any](fetch func(ctx context.Context, cn connector.Connector) ([]T, error), cmp func(a, b T) int) func(ctx context.Context, cn connector.Connector) ([]T, error) {
	return func(ctx context.Context, cn connector.Connector) ([]T, error) {
		items, err := fetch(ctx, cn)
		slices.SortStableFunc(items, cmp)
		return items, err
	}
}

// allFailed turns the errors of every connection into one tool error.
func allFailed(errs []VendorError) error {
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = e.Error
	}
	return &Error{Text: strings.Join(parts, " ")}
}

// vendorError explains a connection's failure to the model: what happened
// and what to do next. Never a credential: connector errors carry none.
func (d *Deps) vendorError(conn store.Connection, err error) *VendorError {
	title := d.title(conn.Vendor)
	name := title
	if conn.Label != "" {
		name += " (" + conn.Label + ")"
	}
	ve := &VendorError{Vendor: conn.Vendor, ConnectionID: conn.ID, Label: conn.Label}
	switch {
	case (errors.Is(err, connector.ErrNeedsReauth) || errors.Is(err, connector.ErrUnauthorized)) && conn.TeamID != "":
		ve.ReconnectURL = d.reconnectURL(conn.ID)
		ve.Error = fmt.Sprintf("%s is a team account and needs an owner of the team to reconnect it. Tell the host; a team owner reconnects it at %s — then call this again.", name, ve.ReconnectURL)
	case errors.Is(err, connector.ErrNeedsReauth), errors.Is(err, connector.ErrUnauthorized):
		ve.ReconnectURL = d.reconnectURL(conn.ID)
		ve.Error = fmt.Sprintf("%s needs the host to reconnect it. Give the host this link: %s — then call this again.", name, ve.ReconnectURL)
	case errors.Is(err, connector.ErrAccount):
		ve.Error = fmt.Sprintf("%s reports a problem with the host's account (for example an expired subscription). Tell the host to check their %s account; retrying will not help.", name, title)
	case errors.Is(err, connector.ErrRateLimited):
		ve.Error = fmt.Sprintf("%s's rate limit is spent%s; try again %s.", title, forLabel(conn), retryText(err))
	case errors.Is(err, connector.ErrForbidden):
		ve.Error = fmt.Sprintf("%s refused: the connected account may not do this (for example a read-only token). The host can reconnect with more access at %s.", name, d.reconnectURL(conn.ID))
	case errors.Is(err, connector.ErrNotFound):
		ve.Error = fmt.Sprintf("%s has no such item. Check the id (list the items first), then call again.", name)
	case errors.Is(err, connector.ErrBadRequest):
		ve.Error = fmt.Sprintf("%s rejected the request: %v. Fix the arguments and call again.", name, err)
	case errors.Is(err, connector.ErrUnsupported):
		ve.Error = fmt.Sprintf("%s does not support this.", name)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		ve.Error = fmt.Sprintf("%s did not answer in time. Try again.", name)
	default:
		d.log().Warn("vendor call failed", "vendor", conn.Vendor, "connection", conn.ID, "err", err)
		ve.Error = fmt.Sprintf("%s is not answering properly right now. Try again in a few minutes.", name)
	}
	return ve
}

// forLabel names a connection after its vendor's name: " for Main account".
func forLabel(conn store.Connection) string {
	if conn.Label == "" {
		return ""
	}
	return " for " + conn.Label
}

// route finds the connections that can answer for a vendor-qualified id.
func route(ctx context.Context, d *Deps, c *Caller, qualified, what string) ([]store.Connection, string, error) {
	vendor, id, err := connector.SplitID(qualified)
	if err != nil {
		return nil, "", Errorf("%s must be a vendor-qualified id as returned by the list tools (e.g. hostex:12111947), not %q.", what, qualified)
	}
	conns, err := connections(ctx, d, c, vendor)
	return conns, id, err
}

// first tries each connection in turn (a host may have two accounts of a
// vendor), through the read cache, and returns the first answer and the
// connection that gave it; not-found falls through. The value is shared
// with the cache: read-only.
func first[T any](ctx context.Context, d *Deps, conns []store.Connection, fresh bool, read vendorRead[T]) (T, store.Connection, connector.Age, error) {
	var zero T
	var lastErr *VendorError
	for _, conn := range conns {
		if conn.Status == store.StatusNeedsReauth {
			lastErr = d.vendorError(conn, connector.ErrNeedsReauth)
			continue
		}
		v, age, err := read.run(ctx, d, conn, fresh)
		if err == nil {
			return v, conn, age, nil
		}
		lastErr = d.vendorError(conn, err)
		if !errors.Is(err, connector.ErrNotFound) && !errors.Is(err, connector.ErrUnsupported) {
			break
		}
	}
	return zero, store.Connection{}, connector.Age{}, &Error{Text: lastErr.Error}
}

// unsupported is the error for a connector lacking a capability.
func unsupported(what string) error { return fmt.Errorf("%s: %w", what, connector.ErrUnsupported) }
