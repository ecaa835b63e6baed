package tools

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
)

// Every read tool reads its vendors through the connector's read cache
// (connector.Cache, which the lifecycle owns): per connection, fresh for as
// long as the kind of data allows, one vendor call for concurrent identical
// reads, and dropped by the writes made through hostgate. A read says how
// old its data is, and a model that needs the latest asks with fresh=true.

// FreshIn is the freshness part of every read tool's input.
type FreshIn struct {
	Fresh bool `json:"fresh,omitempty" jsonschema_description:"true only when the host says the data changed outside hostgate or asks for the very latest: skips hostgate's short-lived cache and spends the vendor's rate limit. Omit it otherwise"`
}

// Freshness says how old a read's vendor data is.
type Freshness struct {
	AsOf       time.Time `json:"as_of" jsonschema_description:"when hostgate fetched this data from the vendor (over several accounts, the oldest part), RFC 3339"`
	AgeSeconds int64     `json:"age_seconds" jsonschema_description:"how old the data is, in seconds; hostgate serves reads from a short-lived cache"`
}

// AccountAge is how old one account's part of a list is.
type AccountAge struct {
	ConnectionID string    `json:"connection_id"`
	Vendor       string    `json:"vendor"`
	AsOf         time.Time `json:"as_of"`
	AgeSeconds   int64     `json:"age_seconds"`
	// Note says why the data is older than the cache keeps it (the
	// vendor's rate limit is spent) and when newer may be had.
	Note string `json:"note,omitempty"`
}

// vendorRead is one read of one connection through the cache: its key's
// kind, subject and arguments, and how to make it. What fetch returns is
// kept and shared by every caller of the key, so it returns the value in
// its final form (sorted, reversed) and nobody changes it afterwards.
type vendorRead[T any] struct {
	kind    connector.Kind
	subject string
	args    string
	fetch   func(ctx context.Context, cn connector.Connector) (T, error)
}

func (r vendorRead[T]) key(conn store.Connection) connector.CacheKey {
	return connector.CacheKey{Conn: conn.ID, Kind: r.kind, Subject: r.subject, Args: r.args}
}

// peek returns the read's value for conn when the cache holds it fresh.
func (r vendorRead[T]) peek(d *Deps, conn store.Connection) (T, connector.Age, bool) {
	return connector.Peek[T](d.Lifecycle.Cache(), r.key(conn))
}

// run makes the read for conn: from the cache while fresh (unless fresh is
// asked), else from the vendor, once for every concurrent caller.
func (r vendorRead[T]) run(ctx context.Context, d *Deps, conn store.Connection, fresh bool) (T, connector.Age, error) {
	recordFrom(ctx).touch(conn)
	fetch := func(ctx context.Context) (T, error) {
		cn, err := d.Lifecycle.Connector(conn)
		if err != nil {
			var zero T
			return zero, err
		}
		return r.fetch(ctx, cn)
	}
	c := d.Lifecycle.Cache()
	if c == nil {
		at := d.now()
		v, err := fetch(ctx)
		return v, connector.Age{At: at}, err
	}
	return connector.Cached(ctx, c, r.key(conn), fresh, fetch)
}

// invalidate drops a connection's cached reads of kind about subject (all
// of kind for ""), after a write through hostgate changed them.
func (d *Deps) invalidate(conn string, kind connector.Kind, subject string) {
	if d.Lifecycle != nil {
		d.Lifecycle.Cache().Invalidate(conn, kind, subject)
	}
}

// ageOf is the age of data fetched at, on d's clock, in whole seconds.
func (d *Deps) ageOf(at time.Time) int64 {
	s := int64(d.now().Sub(at) / time.Second)
	return max(s, 0)
}

// freshness is the Freshness of a single read.
func (d *Deps) freshness(a connector.Age) Freshness {
	return Freshness{AsOf: a.At.UTC(), AgeSeconds: d.ageOf(a.At)}
}

// accountAges describes how old each answering account's part of a list
// is (ages[i] for conns[i]; a zero age is an account that did not answer)
// and the list's Freshness, that of its oldest part. The accounts are
// listed only when their ages differ or one has a note: otherwise the
// list's own as_of says it all, in fewer bytes.
func (d *Deps) accountAges(conns []store.Connection, ages []connector.Age) ([]AccountAge, Freshness) {
	var f Freshness
	same := true
	var first time.Time
	for _, a := range ages {
		if a.At.IsZero() {
			continue
		}
		if first.IsZero() {
			first = a.At
		}
		same = same && a.Stale == nil && a.At.Equal(first)
		if f.AsOf.IsZero() || a.At.Before(f.AsOf) {
			f = Freshness{AsOf: a.At.UTC(), AgeSeconds: d.ageOf(a.At)}
		}
	}
	if same {
		return nil, f
	}
	out := make([]AccountAge, 0, len(ages))
	for i, a := range ages {
		if a.At.IsZero() {
			continue
		}
		aa := AccountAge{ConnectionID: conns[i].ID, Vendor: conns[i].Vendor, AsOf: a.At.UTC(), AgeSeconds: d.ageOf(a.At)}
		if a.Stale != nil {
			aa.Note = d.staleNote(conns[i], a)
		}
		out = append(out, aa)
	}
	return out, f
}

// staleNote tells the model why an account's data is older than usual and
// when to ask again.
func (d *Deps) staleNote(conn store.Connection, a connector.Age) string {
	return fmt.Sprintf("%s's rate limit is spent, so this is what hostgate last read, %s; newer data can be had %s.",
		d.title(conn.Vendor), ago(d.now().Sub(a.At)), retryText(a.Stale))
}

// ageSuffix is what a summary adds about the age of its data: nothing when
// it is fresh from the vendor, else how old it is and how to get newer.
func (d *Deps) ageSuffix(conns []store.Connection, ages []connector.Age) string {
	var oldest time.Time
	var stale []string
	for i, a := range ages {
		if a.At.IsZero() {
			continue
		}
		if oldest.IsZero() || a.At.Before(oldest) {
			oldest = a.At
		}
		if a.Stale != nil {
			stale = append(stale, fmt.Sprintf(" %s's rate limit is spent: its data is from %s; ask again %s.", d.title(conns[i].Vendor), ago(d.now().Sub(a.At)), retryText(a.Stale)))
		}
	}
	if len(stale) > 0 {
		out := ""
		for _, s := range stale {
			out += s
		}
		return out
	}
	if oldest.IsZero() || d.now().Sub(oldest) < time.Second {
		return ""
	}
	return " Data from " + ago(d.now().Sub(oldest)) + "; pass fresh=true only if the host needs the latest."
}

// singleSuffix is ageSuffix for a read of one connection.
func (d *Deps) singleSuffix(conn store.Connection, a connector.Age) string {
	return d.ageSuffix([]store.Connection{conn}, []connector.Age{a})
}

// ago says how long ago, in the unit a person would use.
func ago(d time.Duration) string {
	switch {
	case d < time.Second:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%d s ago", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	}
	return fmt.Sprintf("%d h ago", int(d/time.Hour))
}

// retryText says when a rate-limited call may be tried again: "in 8 s".
func retryText(err error) string {
	var ae *connector.APIError
	if errors.As(err, &ae) && ae.RetryAfter > 0 {
		return "in " + waitText(ae.RetryAfter)
	}
	return "in a minute"
}

// waitText rounds a wait up to whole seconds (at least one), or minutes.
func waitText(d time.Duration) string {
	s := int((d + time.Second - 1) / time.Second)
	switch {
	case s < 1:
		s = 1
	case s >= 120:
		return fmt.Sprintf("%d min", (s+59)/60)
	}
	return fmt.Sprintf("%d s", s)
}
