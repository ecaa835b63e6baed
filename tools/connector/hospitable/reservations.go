package hospitable

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hostgate/hostgate/tools/connector"
)

// A reservation is read with its guest and properties [C] and, unless the
// connection lacks financials:read, its financials (the total) [C:
// public.json, GET /reservations and /reservations/{uuid}, "financials
// (required: financials:read scope)"]: see scoped.
const baseIncludes = "guest,properties"

// reservationIncludes is the include= of a reservation read, with or
// without financials.
func reservationIncludes(withFinancials bool) string {
	if withFinancials {
		return baseIncludes + "," + financials.include
	}
	return baseIncludes
}

// propertiesPerCall bounds the properties[] of one request, to keep its
// URL short (a UUID is 36 characters, escaped brackets and all ~60).
const propertiesPerCall = 50

// statusOf normalizes reservation_status.current [C] (category request,
// accepted, cancelled, "not accepted", unknown; checkpoint [T]).
func statusOf(category, sub string) string {
	switch strings.ToLower(category) {
	case "request":
		return connector.StatusPending
	case "accepted":
		return connector.StatusConfirmed
	case "cancelled", "canceled":
		return connector.StatusCancelled
	case "not accepted", "not_accepted":
		return connector.StatusDeclined
	}
	switch strings.ToLower(sub) {
	case "declined", "withdrawn", "expired":
		return connector.StatusDeclined
	}
	return connector.StatusOther
}

// ListReservations reads GET /reservations for the query's property, or
// for all of them (the endpoint requires properties[] [C]). With no dates
// Hospitable applies its own window: check-ins in the next two weeks [C].
// Statuses are filtered here: the status[] parameter is only [T].
func (c *conn) ListReservations(ctx context.Context, q connector.ReservationQuery) ([]connector.Reservation, error) {
	const op = "list reservations"
	if p := q.Problem(); p != "" {
		return nil, connector.Invalid(vendor, op, p)
	}
	if q.Status == connector.StatusInquiry {
		// Hospitable keeps inquiries apart from reservations (/inquiries).
		return []connector.Reservation{}, nil
	}
	v := url.Values{}
	if q.Range.From != "" {
		v.Set("start_date", q.Range.From)
	}
	if q.Range.To != "" {
		v.Set("end_date", q.Range.To)
	}
	if q.Range.From != "" || q.Range.To != "" {
		v.Set("date_query", "checkin")
		if q.ByCheckOut {
			v.Set("date_query", "checkout")
		}
	}
	rs, err := c.reservations(ctx, op, q.PropertyID, v, true)
	if err != nil {
		return nil, err
	}
	out := []connector.Reservation{}
	for _, r := range rs {
		n := r.normalize()
		if q.Status != "" && n.Status != q.Status {
			continue
		}
		out = append(out, n)
	}
	key := func(r connector.Reservation) string { return r.CheckIn }
	if q.ByCheckOut {
		key = func(r connector.Reservation) string { return r.CheckOut }
	}
	slices.SortStableFunc(out, func(a, b connector.Reservation) int { return cmp.Compare(key(a), key(b)) })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// reservations lists the reservations of one property, or of every
// property in batches, with the given query.
// With totals false the reservations are read without financials, which
// need a scope the caller has no use for.
func (c *conn) reservations(ctx context.Context, op, propertyID string, v url.Values, totals bool) ([]wireReservation, error) {
	var ids []string
	if propertyID != "" {
		if !validID(propertyID) {
			return nil, badID(op, "property")
		}
		ids = []string{propertyID}
	} else {
		ps, err := c.properties(ctx, op)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			ids = append(ids, p.ID)
		}
	}
	var out []wireReservation
	for len(ids) > 0 {
		n := min(len(ids), propertiesPerCall)
		batch := ids[:n]
		ids = ids[n:]
		read := func(withFinancials bool) ([]wireReservation, error) {
			q := url.Values{"properties[]": batch, "include": {reservationIncludes(withFinancials)}}
			for k, vals := range v {
				q[k] = vals
			}
			return list[wireReservation](ctx, c, connector.Request{Op: op, Method: http.MethodGet, Path: "/reservations", Query: q}, maxPageSize, 0)
		}
		var rs []wireReservation
		var err error
		if totals {
			rs, err = withScoped(ctx, c, financials, read)
		} else {
			rs, err = read(false)
		}
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if problem := r.missing(); problem != "" {
				return nil, connector.Malformed(vendor, op, http.StatusOK, "a reservation "+problem)
			}
		}
		out = append(out, rs...)
	}
	return out, nil
}

// GetReservation reads GET /reservations/{uuid} (a booking code works too [T]).
func (c *conn) GetReservation(ctx context.Context, id string) (connector.Reservation, error) {
	r, err := c.reservation(ctx, "get reservation", id)
	if err != nil {
		return connector.Reservation{}, err
	}
	return r.normalize(), nil
}

func (c *conn) reservation(ctx context.Context, op, id string) (wireReservation, error) {
	if !validID(id) {
		return wireReservation{}, badID(op, "reservation")
	}
	// One reservation is {data: {…}} [C: public.json, GET /reservations/{uuid}];
	// an answer without its id or dates is an error, not an empty reservation.
	return withScoped(ctx, c, financials, func(withFinancials bool) (wireReservation, error) {
		var r struct {
			Data wireReservation `json:"data"`
		}
		req := connector.Request{Op: op, Method: http.MethodGet, Path: "/reservations/" + url.PathEscape(id),
			Query: url.Values{"include": {reservationIncludes(withFinancials)}}}
		if err := c.Do(ctx, req, &r); err != nil {
			return wireReservation{}, err
		}
		if problem := r.Data.missing(); problem != "" {
			return wireReservation{}, connector.Malformed(vendor, op, http.StatusOK, "the reservation in the answer "+problem)
		}
		return r.Data, nil
	})
}

// missing says what a reservation lacks of what hostgate needs (its id,
// and its dates [C: required in ReservationFull]), or "".
func (r wireReservation) missing() string {
	switch {
	case r.ID == "":
		return "has no id"
	case localDate(r.ArrivalDate) == "" || localDate(r.DepartureDate) == "":
		return "has no arrival or departure date"
	}
	return ""
}

// normalize maps a reservation. Hospitable threads messages by
// reservation, so the reservation's UUID is also its conversation id for
// Messages and SendMessage.
func (r wireReservation) normalize() connector.Reservation {
	category, sub := r.Status, ""
	if rs := r.ReservationStatus; rs != nil && rs.Current.Category != "" {
		category, sub = rs.Current.Category, rs.Current.SubCategory
	}
	vs := category
	if sub != "" {
		vs += " (" + sub + ")"
	}
	out := connector.Reservation{
		ID:             connector.QualifiedID(vendor, r.ID),
		Vendor:         vendor,
		Code:           string(r.PlatformID),
		Channel:        r.Platform,
		Status:         statusOf(category, sub),
		VendorStatus:   vs,
		CheckIn:        localDate(r.ArrivalDate),
		CheckOut:       localDate(r.DepartureDate),
		Nights:         r.Nights,
		Guests:         r.Guests.Total,
		BookedAt:       parseTime(r.BookingDate),
		ConversationID: connector.QualifiedID(vendor, r.ID),
	}
	if len(r.Properties) > 0 {
		out.PropertyID = connector.QualifiedID(vendor, r.Properties[0].ID)
	}
	if g := r.Guest; g != nil {
		out.GuestName = strings.TrimSpace(g.FirstName + " " + g.LastName)
		out.GuestEmail = g.Email
		if len(g.PhoneNumbers) > 0 {
			out.GuestPhone = g.PhoneNumbers[0]
		}
	}
	if f := r.Financials; f != nil {
		if amt, ok := f.Guest.TotalPrice.major(); ok {
			out.Total = &connector.Money{Amount: amt, Currency: f.Currency}
		}
	}
	return out
}
