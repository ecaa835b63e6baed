package hostex

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// statusOf normalizes Hostex's reservation status [C].
func statusOf(s string) string {
	switch s {
	case "wait_accept", "wait_pay":
		return connector.StatusPending
	case "accepted":
		return connector.StatusConfirmed
	case "cancelled":
		return connector.StatusCancelled
	case "denied", "timeout":
		return connector.StatusDeclined
	}
	return connector.StatusOther
}

// vendorStatus is the one Hostex status a normalized status stands for, or
// "" when it stands for several (Hostex's filter takes a single value) and
// the client filters instead.
var vendorStatus = map[string]string{
	connector.StatusConfirmed: "accepted",
	connector.StatusCancelled: "cancelled",
}

// ListReservations pages through GET /reservations. With no dates Hostex
// applies its own window: check-outs within 180 days [C].
func (c *conn) ListReservations(ctx context.Context, q connector.ReservationQuery) ([]connector.Reservation, error) {
	const op = "list reservations"
	if p := q.Problem(); p != "" {
		return nil, connector.Invalid(vendor, op, p)
	}
	if q.Status == connector.StatusInquiry {
		// Hostex keeps inquiries as conversations, never as reservations.
		return []connector.Reservation{}, nil
	}
	v := url.Values{}
	q.SetRange(v, [2]string{"start_check_in_date", "end_check_in_date"}, [2]string{"start_check_out_date", "end_check_out_date"})
	if q.PropertyID != "" {
		v.Set("property_id", q.PropertyID)
	}
	if s := vendorStatus[q.Status]; s != "" {
		v.Set("status", s)
	}
	// With a status the list is filtered here, so the cap cannot stop paging.
	limit := q.Limit
	if q.Status != "" && vendorStatus[q.Status] == "" {
		limit = 0
	}
	rs, err := list[wireReservation](ctx, c, connector.Request{Op: op, Method: http.MethodGet, Path: "/reservations", Query: v}, "reservations", limit)
	if err != nil {
		return nil, err
	}
	out := make([]connector.Reservation, 0, len(rs))
	for _, r := range rs {
		n := r.normalize()
		if q.Status != "" && n.Status != q.Status {
			continue
		}
		out = append(out, n)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out, nil
}

// GetReservation looks a booking up by its reservation_code: Hostex has no
// single-reservation endpoint [C].
func (c *conn) GetReservation(ctx context.Context, id string) (connector.Reservation, error) {
	r, err := c.reservation(ctx, "get reservation", id)
	if err != nil {
		return connector.Reservation{}, err
	}
	return r.normalize(), nil
}

func (c *conn) reservation(ctx context.Context, op, code string) (wireReservation, error) {
	if code == "" {
		return wireReservation{}, connector.Invalid(vendor, op, "reservation code required")
	}
	var data struct {
		Reservations []wireReservation `json:"reservations"`
	}
	r := connector.Request{Op: op, Method: http.MethodGet, Path: "/reservations",
		Query: url.Values{"reservation_code": {code}, "offset": {"0"}, "limit": {"1"}}}
	if err := c.read(ctx, r, &data, "reservations"); err != nil {
		return wireReservation{}, err
	}
	if err := whole(op, "a reservation", data.Reservations); err != nil {
		return wireReservation{}, err
	}
	for _, res := range data.Reservations {
		if res.ReservationCode == code {
			return res, nil
		}
	}
	return wireReservation{}, connector.NotFound(vendor, op, "no reservation "+code)
}

// normalize maps a Hostex reservation. Its id is the reservation_code (there
// is no numeric id [C]); Code is the channel's own booking code.
func (r wireReservation) normalize() connector.Reservation {
	out := connector.Reservation{
		ID:             connector.QualifiedID(vendor, r.ReservationCode),
		Vendor:         vendor,
		PropertyID:     connector.QualifiedID(vendor, idOf(r.PropertyID)),
		Code:           string(r.ChannelID),
		Channel:        r.ChannelType,
		Status:         statusOf(r.Status),
		VendorStatus:   r.Status,
		CheckIn:        r.CheckInDate,
		CheckOut:       r.CheckOutDate,
		Guests:         r.NumberOfGuests,
		GuestName:      r.GuestName,
		GuestEmail:     r.GuestEmail,
		GuestPhone:     r.GuestPhone,
		BookedAt:       parseTime(r.BookedAt),
		ConversationID: connector.QualifiedID(vendor, idOf(r.ConversationID)),
	}
	for _, g := range r.Guests {
		if g.IsBooker {
			out.GuestName = first(out.GuestName, g.Name)
			out.GuestEmail = first(out.GuestEmail, g.Email)
			out.GuestPhone = first(out.GuestPhone, g.Phone)
		}
	}
	in, err1 := time.Parse(dateLayout, r.CheckInDate)
	outDate, err2 := time.Parse(dateLayout, r.CheckOutDate)
	if err1 == nil && err2 == nil && outDate.After(in) {
		out.Nights = int(outDate.Sub(in).Hours()+12) / 24
	}
	out.Total = r.total()
	return out
}

// total is what this stay costs, in the currency Hostex gives with it
// (none when it gives none). rates.rate is the stay's rate and
// rates.total_rate the whole order's, every stay of the reservation code
// [C: GET /reservations, rates]; the order's rate stands for the stay only
// when the order is this one stay, its stay_code being the reservation
// code [C: stay codes of a multi-stay reservation carry a suffix]. Both
// include the channel's commission [C].
func (r wireReservation) total() *connector.Money {
	if r.Rates == nil {
		return nil
	}
	m := r.Rates.Rate
	if m == nil || m.Amount == nil {
		m = nil
		if r.StayCode == r.ReservationCode {
			m = r.Rates.TotalRate
		}
	}
	if m == nil || m.Amount == nil {
		return nil
	}
	return &connector.Money{Amount: *m.Amount, Currency: m.Currency}
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
