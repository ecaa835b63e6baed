package tools

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// ReservationsIn filters reservations.
type ReservationsIn struct {
	From       string `json:"from,omitempty" jsonschema_description:"first date, YYYY-MM-DD (default today)"`
	To         string `json:"to,omitempty" jsonschema_description:"last date, YYYY-MM-DD (default 30 days after from)"`
	By         string `json:"by,omitempty" jsonschema:"enum=check_in,enum=check_out" jsonschema_description:"which date the range applies to (default check_in)"`
	PropertyID string `json:"property_id,omitempty" jsonschema_description:"only this vendor-qualified property"`
	Status     string `json:"status,omitempty" jsonschema:"enum=inquiry,enum=pending,enum=confirmed,enum=cancelled,enum=declined"`
	Vendor     string `json:"vendor,omitempty" jsonschema_description:"only this vendor's accounts"`
	FreshIn
	PageIn
}

// ReservationsOut lists reservations across vendors, by check-in.
type ReservationsOut struct {
	From         string                  `json:"from"`
	To           string                  `json:"to"`
	Reservations []connector.Reservation `json:"reservations"`
	Errors       []VendorError           `json:"errors,omitempty"`
	Freshness
	Accounts []AccountAge `json:"accounts,omitempty" jsonschema_description:"how old each account's part is; listed only when they differ, or when one is older because of a rate limit (see its note)"`
	Page
}

func (o *ReservationsOut) page() *Page { return &o.Page }
func (o *ReservationsOut) items() int  { return len(o.Reservations) }
func (o *ReservationsOut) keep(n int)  { o.Reservations = o.Reservations[:n] }

func byCheckIn(a, b connector.Reservation) int {
	return cmp.Or(strings.Compare(a.CheckIn, b.CheckIn), strings.Compare(a.CheckOut, b.CheckOut), strings.Compare(a.ID, b.ID))
}

func byCheckOut(a, b connector.Reservation) int {
	return cmp.Or(strings.Compare(a.CheckOut, b.CheckOut), strings.Compare(a.CheckIn, b.CheckIn), strings.Compare(a.ID, b.ID))
}

const maxRange = 366 * 24 * time.Hour

// dateRange fills and checks a tool's date range.
func dateRange(now time.Time, from, to string, defaultDays int) (connector.DateRange, error) {
	if from == "" {
		from = now.Format(time.DateOnly)
	}
	f, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return connector.DateRange{}, Errorf("from must be a date like 2026-12-01, not %q.", from)
	}
	if to == "" {
		to = f.AddDate(0, 0, defaultDays).Format(time.DateOnly)
	}
	tt, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return connector.DateRange{}, Errorf("to must be a date like 2026-12-31, not %q.", to)
	}
	if tt.Before(f) || tt.Sub(f) > maxRange {
		return connector.DateRange{}, Errorf("to must be on or after from and at most a year later.")
	}
	return connector.DateRange{From: from, To: to}, nil
}

func listReservations(d *Deps) Tool {
	return New(Meta{
		Name: "list_reservations", Title: "List reservations",
		Description: "Lists reservations across the host's connected accounts for a date range (by check-in unless by=check_out), in date order, optionally for one property, status or vendor. Each has a vendor-qualified id and, where the vendor has one, a conversation_id for get_messages and send_message.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
		Vendors: d.vendorsWith(func(cn connector.Connector) bool { _, ok := cn.(connector.ReservationLister); return ok }),
	}, d, func(ctx context.Context, d *Deps, c *Caller, in ReservationsIn) (ReservationsOut, string, error) {
		pg, fresh := in.PageIn, in.Fresh
		in.PageIn, in.FreshIn = PageIn{}, FreshIn{}
		r, err := dateRange(d.now(), in.From, in.To, 30)
		if err != nil {
			return ReservationsOut{}, "", err
		}
		// The cursor binds to the dates the call resolved to, so a page
		// fetched after midnight continues the same range.
		in.From, in.To = r.From, r.To
		p, err := newPager(d, c, "list_reservations", in, pg)
		if err != nil {
			return ReservationsOut{}, "", err
		}
		vendor, propID := in.Vendor, ""
		if in.PropertyID != "" {
			v, id, err := connector.SplitID(in.PropertyID)
			if err != nil {
				return ReservationsOut{}, "", Errorf("property_id must be vendor-qualified, as list_properties returns it.")
			}
			vendor, propID = v, id
		}
		conns, err := connections(ctx, d, c, vendor)
		if err != nil {
			return ReservationsOut{}, "", err
		}
		order := byCheckIn
		if in.By == "check_out" {
			order = byCheckOut
		}
		q := connector.ReservationQuery{Range: r, ByCheckOut: in.By == "check_out", PropertyID: propID, Status: in.Status}
		rs, page, ages, errs, err := fanPage(ctx, d, p, conns, fresh, reservationsRead(q, order), order)
		if err != nil {
			return ReservationsOut{}, "", err
		}
		out := ReservationsOut{From: r.From, To: r.To, Reservations: rs, Errors: errs, Page: page}
		out.Accounts, out.Freshness = d.accountAges(conns, ages)
		return out, fmt.Sprintf("%d reservations from %s to %s%s.%s", len(rs), r.From, r.To, errorSuffix(errs), d.ageSuffix(conns, ages)), nil
	})
}

// reservationsRead lists an account's reservations for q, in order (which
// follows from q.ByCheckOut).
func reservationsRead(q connector.ReservationQuery, order func(a, b connector.Reservation) int) vendorRead[[]connector.Reservation] {
	args := fmt.Sprintf("%s|%s|%t|%s|%d", q.Range.From, q.Range.To, q.ByCheckOut, q.Status, q.Limit)
	return vendorRead[[]connector.Reservation]{kind: connector.KindReservations, subject: q.PropertyID, args: args,
		fetch: sorted(func(ctx context.Context, cn connector.Connector) ([]connector.Reservation, error) {
			rl, ok := cn.(connector.ReservationLister)
			if !ok {
				return nil, nil
			}
			return rl.ListReservations(ctx, q)
		}, order)}
}

// ReservationIn names one reservation.
type ReservationIn struct {
	ReservationID string `json:"reservation_id" jsonschema_description:"vendor-qualified reservation id from list_reservations"`
	FreshIn
}

// ReservationOut is one reservation and how old its data is.
type ReservationOut struct {
	connector.Reservation
	Freshness
}

func getReservation(d *Deps) Tool {
	return New(Meta{
		Name: "get_reservation", Title: "Get a reservation",
		Description: "Gets one reservation by its vendor-qualified id.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, d, func(ctx context.Context, d *Deps, c *Caller, in ReservationIn) (ReservationOut, string, error) {
		conns, id, err := route(ctx, d, c, in.ReservationID, "reservation_id")
		if err != nil {
			return ReservationOut{}, "", err
		}
		r, conn, age, err := first(ctx, d, conns, in.Fresh, reservationRead(id))
		if err != nil {
			return ReservationOut{}, "", err
		}
		return ReservationOut{Reservation: r, Freshness: d.freshness(age)},
			fmt.Sprintf("%s, %s to %s, %s.%s", r.GuestName, r.CheckIn, r.CheckOut, r.Status, d.singleSuffix(conn, age)), nil
	})
}

// reservationRead gets one reservation by the vendor's id.
func reservationRead(id string) vendorRead[connector.Reservation] {
	return vendorRead[connector.Reservation]{kind: connector.KindReservations, subject: id, args: "one",
		fetch: func(ctx context.Context, cn connector.Connector) (connector.Reservation, error) {
			if rg, ok := cn.(connector.ReservationGetter); ok {
				return rg.GetReservation(ctx, id)
			}
			return connector.Reservation{}, unsupported("get reservation")
		}}
}

// CalendarIn asks for a property's calendar.
type CalendarIn struct {
	PropertyID string `json:"property_id" jsonschema_description:"vendor-qualified property id"`
	From       string `json:"from,omitempty" jsonschema_description:"first date, YYYY-MM-DD (default today)"`
	To         string `json:"to,omitempty" jsonschema_description:"last date, YYYY-MM-DD (default 30 days after from)"`
	FreshIn
}

// CalendarOut is a property's calendar.
type CalendarOut struct {
	PropertyID string                  `json:"property_id"`
	Days       []connector.CalendarDay `json:"days"`
	Freshness
}

func getCalendar(d *Deps) Tool {
	return New(Meta{
		Name: "get_calendar", Title: "Get a property's calendar",
		Description: "Gets a property's availability (and prices, where the vendor gives them) night by night for a date range.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, d, func(ctx context.Context, d *Deps, c *Caller, in CalendarIn) (CalendarOut, string, error) {
		r, err := dateRange(d.now(), in.From, in.To, 30)
		if err != nil {
			return CalendarOut{}, "", err
		}
		conns, id, err := route(ctx, d, c, in.PropertyID, "property_id")
		if err != nil {
			return CalendarOut{}, "", err
		}
		days, conn, age, err := first(ctx, d, conns, in.Fresh, calendarRead(id, r))
		if err != nil {
			return CalendarOut{}, "", err
		}
		free := 0
		for _, day := range days {
			if day.Available {
				free++
			}
		}
		return CalendarOut{PropertyID: in.PropertyID, Days: nonNil(days), Freshness: d.freshness(age)},
			fmt.Sprintf("%d of %d nights available.%s", free, len(days), d.singleSuffix(conn, age)), nil
	})
}

// calendarRead gets a property's nights in r. Its subject is the property,
// so that a calendar change drops every range of it.
func calendarRead(id string, r connector.DateRange) vendorRead[[]connector.CalendarDay] {
	return vendorRead[[]connector.CalendarDay]{kind: connector.KindCalendar, subject: id, args: r.From + "|" + r.To,
		fetch: func(ctx context.Context, cn connector.Connector) ([]connector.CalendarDay, error) {
			if cr, ok := cn.(connector.CalendarReader); ok {
				return cr.Calendar(ctx, id, r)
			}
			return nil, unsupported("calendar")
		}}
}
