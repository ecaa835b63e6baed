package tools

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hostgate/hostgate/store"
	"github.com/hostgate/hostgate/tools/connector"
)

// bookings is what the tools that compute over a host's stays read from
// every account: its properties and its reservations (each in the read
// cache), and which connection holds each property.
type bookings struct {
	conns        []store.Connection
	props        []connector.Property
	owner        map[string]store.Connection // property id → its connection
	reservations []connector.Reservation
	ages         []connector.Age
	errs         []VendorError
}

// readBookings reads the properties and, unless q is nil, the
// reservations of q from every connection (of vendor, when set),
// optionally keeping one property.
func readBookings(ctx context.Context, d *Deps, c *Caller, vendor, propertyID string, q *connector.ReservationQuery, fresh bool) (*bookings, error) {
	withReservations := q != nil
	if q == nil {
		q = &connector.ReservationQuery{}
	} else {
		qq := *q // the property filter below is this call's own
		q = &qq
	}
	if propertyID != "" {
		v, id, err := connector.SplitID(propertyID)
		if err != nil {
			return nil, Errorf("property_id must be vendor-qualified, as list_properties returns it.")
		}
		vendor, q.PropertyID = v, id
	}
	conns, err := connections(ctx, d, c, vendor)
	if err != nil {
		return nil, err
	}
	b := &bookings{conns: conns, owner: map[string]store.Connection{}}
	var wg sync.WaitGroup
	var props [][]connector.Property
	var resLists [][]connector.Reservation
	var propAges, resAges []connector.Age
	var propErrs, resErrs []VendorError
	var propErr, resErr error
	wg.Go(func() {
		props, propAges, propErrs, propErr = fanOut(ctx, d, conns, fresh, propertiesRead())
	})
	if withReservations {
		wg.Go(func() {
			resLists, resAges, resErrs, resErr = fanOut(ctx, d, conns, fresh, reservationsRead(*q, byCheckIn))
		})
	}
	wg.Wait()
	if !withReservations {
		resLists, resAges = make([][]connector.Reservation, len(conns)), make([]connector.Age, len(conns))
	}
	if propErr != nil {
		return nil, propErr
	}
	if resErr != nil {
		return nil, resErr
	}
	// The host's property limit narrows what this caller sees (limits_filter.go).
	props = limitLists(ctx, d, c, conns, props)
	resLists = limitLists(ctx, d, c, conns, resLists)
	b.errs = mergeErrors(propErrs, resErrs)
	b.ages = make([]connector.Age, len(conns))
	for i, conn := range conns {
		b.ages[i] = older(propAges[i], resAges[i])
		for _, p := range props[i] {
			if propertyID != "" && p.ID != propertyID {
				continue
			}
			b.props = append(b.props, p)
			b.owner[p.ID] = conn
		}
		for _, r := range resLists[i] {
			if propertyID == "" || r.PropertyID == propertyID {
				b.reservations = append(b.reservations, r)
			}
		}
	}
	slices.SortFunc(b.props, byName)
	return b, nil
}

// older is the older of two ages of one account (a zero one is none).
func older(a, b connector.Age) connector.Age {
	switch {
	case a.At.IsZero():
		return b
	case b.At.IsZero() || a.At.Before(b.At):
		return a
	}
	return b
}

// mergeErrors keeps one error per connection.
func mergeErrors(lists ...[]VendorError) []VendorError {
	var out []VendorError
	seen := map[string]bool{}
	for _, l := range lists {
		for _, e := range l {
			if !seen[e.ConnectionID] {
				seen[e.ConnectionID] = true
				out = append(out, e)
			}
		}
	}
	return out
}

// calendars reads the calendars of props over r at once, at most limit of
// them; it returns them by property id, the properties it left out, and
// the errors of those that failed.
func calendars(ctx context.Context, d *Deps, b *bookings, props []connector.Property, r connector.DateRange, fresh bool, limit int) (map[string][]connector.CalendarDay, []string, []VendorError) {
	var skipped []string
	if len(props) > limit {
		for _, p := range props[limit:] {
			skipped = append(skipped, p.ID)
		}
		props = props[:limit]
	}
	out := make(map[string][]connector.CalendarDay, len(props))
	var mu sync.Mutex
	var errs []VendorError
	var wg sync.WaitGroup
	for _, p := range props {
		conn, ok := b.owner[p.ID]
		if !ok || conn.Status == store.StatusNeedsReauth {
			continue
		}
		_, id, err := connector.SplitID(p.ID)
		if err != nil {
			continue
		}
		wg.Go(func() {
			days, _, err := calendarRead(id, r).run(ctx, d, conn, fresh)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if e := d.vendorError(conn, err); e != nil {
					e.Error = p.Name + ": " + e.Error
					errs = append(errs, *e)
				}
				return
			}
			out[p.ID] = days
		})
	}
	wg.Wait()
	slices.SortFunc(errs, func(a, b VendorError) int { return strings.Compare(a.Error, b.Error) })
	return out, skipped, errs
}

// shiftDate moves a YYYY-MM-DD date by days.
func shiftDate(date string, days int) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return t.AddDate(0, 0, days).Format(time.DateOnly)
}
