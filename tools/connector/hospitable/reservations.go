package hospitable

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/hostgate/hostgate/tools/connector"
)

// A reservation is read with its guest and properties [C]. Its financials
// (the total) need the financials:read scope [C: public.json, GET
// /reservations and /reservations/{uuid}, "financials (required:
// financials:read scope)"], which a connection may lack: see withFinancials.
const (
	baseIncludes        = "guest,properties"
	reservationIncludes = baseIncludes + ",financials"
	financialsScope     = "financials:read"
)

// includes is the include= of a reservation read: with financials unless
// the connection's granted scope is known and lacks financials:read, or
// Hospitable has already refused them to this connection's token.
func (c *conn) includes(ctx context.Context) string {
	if c.noFinancials.Load() {
		return baseIncludes
	}
	if c.Source != nil {
		if cred, err := c.Source.Token(ctx); err == nil {
			if cred.Scope != "" && !slices.Contains(strings.FieldsFunc(cred.Scope, func(r rune) bool { return r == ' ' || r == ',' }), financialsScope) {
				return baseIncludes
			}
			if noFinancials.has(cred.AccessToken) {
				c.noFinancials.Store(true)
				return baseIncludes
			}
		}
	}
	return reservationIncludes
}

// withFinancials runs a reservation read with includes(ctx). The reference
// does not say how Hospitable refuses an include the token may not have;
// a missing scope is 403 [T]. So a 403 to a read that asked for financials
// is retried once without them, and when that succeeds the token is
// remembered as one without financials:read: the read never fails for
// them, its reservations just carry no total.
func withFinancials[T any](ctx context.Context, c *conn, read func(include string) (T, error)) (T, error) {
	inc := c.includes(ctx)
	out, err := read(inc)
	if err == nil || inc == baseIncludes || !errors.Is(err, connector.ErrForbidden) {
		return out, err
	}
	out, err = read(baseIncludes)
	if err == nil {
		c.noFinancials.Store(true)
		if cred, terr := c.Source.Token(ctx); terr == nil {
			noFinancials.add(cred.AccessToken)
		}
	}
	return out, err
}

// noFinancials remembers, across the connectors built for each call, the
// access tokens Hospitable refused financials to, by a digest (a token is
// never kept). A token is one host's, so nothing is shared between hosts;
// a renewed token is learnt again, with one refused request. Bounded: when
// full it starts over.
var noFinancials = &tokenSet{m: map[[sha256.Size]byte]struct{}{}}

const tokenSetMax = 4096

type tokenSet struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]struct{}
}

func (s *tokenSet) has(token string) bool {
	if token == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[sha256.Sum256([]byte(token))]
	return ok
}

func (s *tokenSet) add(token string) {
	if token == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= tokenSetMax {
		clear(s.m)
	}
	s.m[sha256.Sum256([]byte(token))] = struct{}{}
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
		read := func(include string) ([]wireReservation, error) {
			q := url.Values{"properties[]": batch, "include": {include}}
			for k, vals := range v {
				q[k] = vals
			}
			return list[wireReservation](ctx, c, connector.Request{Op: op, Method: http.MethodGet, Path: "/reservations", Query: q}, maxPageSize, 0)
		}
		var rs []wireReservation
		var err error
		if totals {
			rs, err = withFinancials(ctx, c, read)
		} else {
			rs, err = read(baseIncludes)
		}
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if r.ID == "" {
				return nil, connector.Malformed(vendor, op, http.StatusOK, "a reservation without an id")
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
	// an answer without its id is an error, not an empty reservation.
	return withFinancials(ctx, c, func(include string) (wireReservation, error) {
		var r struct {
			Data wireReservation `json:"data"`
		}
		req := connector.Request{Op: op, Method: http.MethodGet, Path: "/reservations/" + url.PathEscape(id), Query: url.Values{"include": {include}}}
		if err := c.Do(ctx, req, &r); err != nil {
			return wireReservation{}, err
		}
		if r.Data.ID == "" {
			return wireReservation{}, connector.Malformed(vendor, op, http.StatusOK, "no reservation id in the answer")
		}
		return r.Data, nil
	})
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
