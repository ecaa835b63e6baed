package hostaway

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// Hostaway has no inquiry object of its own: a guest's question or booking
// request is a reservation in one of the statuses that do not (yet) make a
// stay [C: Reservation statuses]: inquiry and inquiryPreapproved (a
// question, pre-approved or not), pending and unconfirmed (an Airbnb or
// Vrbo request to book awaiting the host), awaitingPayment and
// awaitingGuestVerification (a booking waiting on the guest). Those are the
// statuses status() reads as StatusInquiry or StatusPending.
func isInquiry(r reservation) bool {
	s := status(r.Status)
	return s == connector.StatusInquiry || s == connector.StatusPending
}

// maxInquiries caps ListInquiries when the query sets no limit.
const maxInquiries = 100

// maxThreadLookups caps the conversation look-ups of one ListInquiries:
// each costs a request of the account's 20 per 10 s [C: Rate limits].
const maxThreadLookups = 10

// ListInquiries lists the reservations in inquiry and request statuses
// whose stay starts in q.Range: GET /v1/reservations with the arrival
// dates and listing [C], filtered here, since the list takes no status
// [C: Retrieve a reservations list]. With no range it lists from today on
// (an inquiry about a stay already begun cannot be answered), newest
// update first as Hostaway pages them, up to q.Limit (100 without one).
// Each inquiry's thread, the conversation send_message answers it in, is
// looked up by GET /v1/conversations?reservationId= [C], as GetReservation
// does, for the first maxThreadLookups; a failed or skipped look-up leaves
// ConversationID empty (get_reservation finds it later) and ends the
// look-ups, and a cancelled call fails. The result is in check-in order.
func (h *Connector) ListInquiries(ctx context.Context, q connector.InquiryQuery) ([]connector.Inquiry, error) {
	const op = "list inquiries"
	if !connector.ValidDate(q.Range.From) || !connector.ValidDate(q.Range.To) {
		return nil, connector.Invalid(Vendor, op, "dates must be YYYY-MM-DD")
	}
	params := url.Values{}
	from := q.Range.From
	if from == "" && q.Range.To == "" {
		from = h.c.Spec.Now().UTC().Format(time.DateOnly)
	}
	if from != "" {
		params.Set("arrivalStartDate", from)
	}
	if q.Range.To != "" {
		params.Set("arrivalEndDate", q.Range.To)
	}
	if q.PropertyID != "" {
		id, err := ownID(q.PropertyID)
		if err != nil {
			return nil, err
		}
		params.Set("listingId", id)
	}
	limit := q.Limit
	if limit <= 0 || limit > maxInquiries {
		limit = maxInquiries
	}
	var rows []reservation
	err := h.walkReservations(ctx, op, params, func(r reservation) bool {
		if isInquiry(r) {
			rows = append(rows, r)
		}
		return len(rows) < limit
	})
	if err != nil {
		return nil, err
	}
	out := make([]connector.Inquiry, 0, len(rows))
	lookups := min(len(rows), maxThreadLookups)
	for i, r := range rows {
		in := r.inquiry()
		if i < lookups {
			convs, err := h.conversations(ctx, url.Values{"reservationId": {r.ID.String()}}, 1)
			switch {
			case err == nil && len(convs) > 0:
				in.ConversationID = convs[0].ID
			case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
				return nil, err
			case err != nil:
				lookups = i + 1 // the next ones would fare no better (a spent budget, a 429)
			}
		}
		out = append(out, in)
	}
	slices.SortStableFunc(out, func(a, b connector.Inquiry) int { return strings.Compare(a.CheckIn, b.CheckIn) })
	return out, nil
}

// inquiry maps a reservation in an inquiry or request status. Its status
// stays Hostaway's own; it was received when it was made (reservationDate,
// UTC [C]).
func (r reservation) inquiry() connector.Inquiry {
	n := r.normalized()
	return connector.Inquiry{
		ID:         n.ID,
		Vendor:     Vendor,
		PropertyID: n.PropertyID,
		Channel:    n.Channel,
		Status:     r.Status,
		GuestName:  n.GuestName,
		CheckIn:    n.CheckIn,
		CheckOut:   n.CheckOut,
		Guests:     n.Guests,
		ReceivedAt: n.BookedAt,
	}
}
