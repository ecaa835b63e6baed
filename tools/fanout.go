package tools

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

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
	for _, cn := range all {
		if slices.Contains(c.Connections, cn.ID) && (vendor == "" || cn.Vendor == vendor) {
			out = append(out, cn)
		}
	}
	if len(out) == 0 {
		what := "No vendor account"
		if vendor != "" {
			what = "No " + d.title(vendor) + " account"
		}
		return nil, Errorf("%s is shared with this app. Ask the host to open %s to connect one (or to share it with this app), then call this again.", what, d.connectURL(vendor))
	}
	return out, nil
}

// fanOut runs fn on every connection at once and gathers each one's
// items (lists[i] for conns[i]; nil where it failed) and the
// per-connection errors. A connection that needs the host is not called.
// If every connection failed, the result is a tool error.
func fanOut[T any](ctx context.Context, d *Deps, conns []store.Connection, fn func(ctx context.Context, cn connector.Connector, conn store.Connection) ([]T, error)) ([][]T, []VendorError, error) {
	lists := make([][]T, len(conns))
	errs := make([]*VendorError, len(conns))
	var wg sync.WaitGroup
	for i, conn := range conns {
		if conn.Status == store.StatusNeedsReauth {
			errs[i] = d.vendorError(conn, fmt.Errorf("%w", connector.ErrNeedsReauth))
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			cn, err := d.Lifecycle.Connector(conn)
			if err == nil {
				var items []T
				if items, err = fn(ctx, cn, conn); err == nil {
					lists[i] = nonNil(items)
					return
				}
			}
			errs[i] = d.vendorError(conn, err)
		}()
	}
	wg.Wait()
	var out []VendorError
	for _, e := range errs {
		if e != nil {
			out = append(out, *e)
		}
	}
	if len(out) == len(conns) {
		return nil, out, allFailed(out)
	}
	return lists, out, nil
}

// fanPage returns the page of the merged items of every connection that
// the pager is at, in cmp order. The first page reads every connection at
// once; the pages after it are cut from what that read returned (see
// snapshots), asking again only the connections that failed.
func fanPage[T any](ctx context.Context, d *Deps, p *pager, conns []store.Connection, fn func(ctx context.Context, cn connector.Connector, conn store.Connection) ([]T, error), cmp func(a, b T) int) ([]T, Page, []VendorError, error) {
	keys := make([]string, len(conns))
	for i, cn := range conns {
		keys[i] = cn.ID
	}
	sk := snapshotKey{grant: p.c.GrantID, tool: p.tool, args: p.args}
	var lists [][]T
	var errs []VendorError
	if cached, ok := d.snapshots.get(sk, keys, d.now()); ok && p.continued {
		lists = append([][]T(nil), cached.([][]T)...)
		var retry []store.Connection
		var at []int
		for i, l := range lists {
			if l == nil {
				retry, at = append(retry, conns[i]), append(at, i)
			}
		}
		if len(retry) > 0 {
			again, rerrs, _ := fanOut(ctx, d, retry, fn)
			errs = rerrs
			for j, i := range at {
				if again != nil && again[j] != nil {
					slices.SortStableFunc(again[j], cmp)
					lists[i] = again[j]
				}
			}
		}
	} else {
		var err error
		if lists, errs, err = fanOut(ctx, d, conns, fn); err != nil {
			return nil, Page{}, errs, err
		}
		for _, l := range lists {
			slices.SortStableFunc(l, cmp)
		}
	}
	items, pg := merge(p, keys, lists, cmp)
	if pg.NextCursor != "" {
		d.snapshots.put(sk, snapshot{lists: lists, keys: keys, fetched: d.now()})
	}
	return items, pg, errs, nil
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
	var ae *connector.APIError
	switch {
	case errors.Is(err, connector.ErrNeedsReauth), errors.Is(err, connector.ErrUnauthorized):
		ve.ReconnectURL = d.reconnectURL(conn.ID)
		ve.Error = fmt.Sprintf("%s needs the host to reconnect it. Give the host this link: %s — then call this again.", name, ve.ReconnectURL)
	case errors.Is(err, connector.ErrAccount):
		ve.Error = fmt.Sprintf("%s reports a problem with the host's account (for example an expired subscription). Tell the host to check their %s account; retrying will not help.", name, title)
	case errors.Is(err, connector.ErrRateLimited):
		wait := "a minute"
		if errors.As(err, &ae) && ae.RetryAfter > 0 {
			wait = ae.RetryAfter.Round(time.Second).String()
		}
		ve.Error = fmt.Sprintf("%s is rate limiting requests. Wait %s, then try again.", name, wait)
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
// vendor) and returns the first answer; not-found falls through.
func first[T any](ctx context.Context, d *Deps, conns []store.Connection, fn func(ctx context.Context, cn connector.Connector) (T, error)) (T, error) {
	var zero T
	var lastErr *VendorError
	for _, conn := range conns {
		if conn.Status == store.StatusNeedsReauth {
			lastErr = d.vendorError(conn, connector.ErrNeedsReauth)
			continue
		}
		cn, err := d.Lifecycle.Connector(conn)
		if err == nil {
			var v T
			if v, err = fn(ctx, cn); err == nil {
				return v, nil
			}
		}
		lastErr = d.vendorError(conn, err)
		if !errors.Is(err, connector.ErrNotFound) && !errors.Is(err, connector.ErrUnsupported) {
			break
		}
	}
	return zero, &Error{Text: lastErr.Error}
}

// unsupported is the error for a connector lacking a capability.
func unsupported(what string) error { return fmt.Errorf("%s: %w", what, connector.ErrUnsupported) }
