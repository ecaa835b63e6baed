package hostaway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hostgate/hostgate/tools/connector"
)

// reservation is the part of a Hostaway reservation hostgate uses [C]. Its
// listing is listingMapId, not listingId.
type reservation struct {
	ID                   intval `json:"id"`
	ListingMapID         intval `json:"listingMapId"`
	ChannelID            intval `json:"channelId"`
	ChannelName          string `json:"channelName"`
	ChannelReservationID text   `json:"channelReservationId"`
	ConfirmationCode     text   `json:"confirmationCode"`
	ReservationDate      string `json:"reservationDate"`
	GuestName            string `json:"guestName"`
	GuestEmail           string `json:"guestEmail"`
	Phone                text   `json:"phone"`
	NumberOfGuests       intval `json:"numberOfGuests"`
	ArrivalDate          string `json:"arrivalDate"`
	DepartureDate        string `json:"departureDate"`
	Nights               intval `json:"nights"`
	TotalPrice           numval `json:"totalPrice"`
	Currency             string `json:"currency"`
	Status               string `json:"status"`
}

// readable says whether a reservation has what hostgate needs of it: its
// id, its listing and its dates, all required in the published object [C].
// Without them a stay cannot be placed, so the answer is not one hostgate
// knows (issue 9, item 10).
func (r reservation) readable() bool {
	isDate := func(s string) bool { return s != "" && connector.ValidDate(date(s)) }
	return r.ID != 0 && r.ListingMapID != 0 && isDate(r.ArrivalDate) && isDate(r.DepartureDate)
}

func (r reservation) normalized() connector.Reservation {
	code := string(r.ConfirmationCode)
	if code == "" {
		code = string(r.ChannelReservationID)
	}
	out := connector.Reservation{
		ID:           qid(r.ID),
		Vendor:       Vendor,
		PropertyID:   qid(r.ListingMapID),
		Code:         code,
		Channel:      channel(r.ChannelID, r.ChannelName),
		Status:       status(r.Status),
		VendorStatus: r.Status,
		CheckIn:      date(r.ArrivalDate),
		CheckOut:     date(r.DepartureDate),
		Nights:       int(r.Nights),
		Guests:       int(r.NumberOfGuests),
		GuestName:    r.GuestName,
		GuestEmail:   r.GuestEmail,
		GuestPhone:   string(r.Phone),
		BookedAt:     parseTime(r.ReservationDate),
	}
	if r.TotalPrice.Set {
		out.Total = &connector.Money{Amount: r.TotalPrice.V, Currency: r.Currency}
	}
	return out
}

// status normalizes Hostaway's reservation statuses [C: the enum].
func status(s string) string {
	switch s {
	case "new", "modified":
		return connector.StatusConfirmed
	case "cancelled":
		return connector.StatusCancelled
	case "pending", "awaitingPayment", "unconfirmed", "awaitingGuestVerification":
		return connector.StatusPending
	case "declined", "expired", "inquiryDenied", "inquiryTimedout", "inquiryNotPossible":
		return connector.StatusDeclined
	case "inquiry", "inquiryPreapproved":
		return connector.StatusInquiry
	}
	return connector.StatusOther // ownerStay, unknown, anything new
}

// ListReservations pages GET /v1/reservations with the afterId cursor
// (offset is deprecated) [C]. Hostaway filters by date and listing; the
// status filter is applied here, as Hostaway has none. With no range the
// vendor's default applies: every reservation, most recently updated first,
// up to q.Limit (or the page cap). The result is in check-in order.
func (h *Connector) ListReservations(ctx context.Context, q connector.ReservationQuery) ([]connector.Reservation, error) {
	const op = "list reservations"
	params := url.Values{}
	q.SetRange(params, [2]string{"arrivalStartDate", "arrivalEndDate"}, [2]string{"departureStartDate", "departureEndDate"})
	if q.PropertyID != "" {
		id, err := ownID(q.PropertyID)
		if err != nil {
			return nil, err
		}
		params.Set("listingId", id)
	}
	var out []connector.Reservation
	err := h.walkReservations(ctx, op, params, func(r reservation) bool {
		n := r.normalized()
		if q.Status == "" || n.Status == q.Status {
			out = append(out, n)
		}
		return q.Limit <= 0 || len(out) < q.Limit
	})
	if err != nil {
		return nil, err
	}
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	slices.SortStableFunc(out, func(a, b connector.Reservation) int { return strings.Compare(a.CheckIn, b.CheckIn) })
	return out, nil
}

// walkReservations pages GET /v1/reservations with params and the afterId
// cursor [C], calling add with each reservation (once, however the cursor
// behaves) until add says stop, a short page, a page that brings nothing
// new, or the page cap. A page without what hostgate reads fails the walk.
func (h *Connector) walkReservations(ctx context.Context, op string, params url.Values, add func(reservation) (more bool)) error {
	size := h.pageSize()
	params.Set("limit", fmt.Sprint(size))
	seen := map[intval]bool{}
	for page := 0; page < maxPages; page++ {
		env, err := h.do(ctx, connector.Request{Op: op, Method: http.MethodGet, Path: "/reservations", Query: params})
		if err != nil {
			return err
		}
		rows, err := decodeList(op, env.Result, reservation.readable)
		if err != nil {
			return err
		}
		fresh := 0
		for _, r := range rows {
			if seen[r.ID] {
				continue // a cursor that did not advance must not duplicate
			}
			seen[r.ID] = true
			fresh++
			if !add(r) {
				return nil
			}
		}
		if len(rows) < size || fresh == 0 {
			return nil
		}
		params.Set("afterId", rows[len(rows)-1].ID.String())
	}
	return nil
}

// GetReservation reads one reservation, GET /v1/reservations/{id} [C], and
// looks up its conversation (GET /v1/conversations?reservationId= [C]) so
// that the host can be answered at once. The lookup is best effort: a
// reservation without a thread, or a failed lookup, leaves it empty.
func (h *Connector) GetReservation(ctx context.Context, id string) (connector.Reservation, error) {
	const op = "get reservation"
	own, err := ownID(id)
	if err != nil {
		return connector.Reservation{}, err
	}
	env, err := h.do(ctx, connector.Request{Op: op, Method: http.MethodGet, Path: "/reservations/" + own})
	if err != nil {
		return connector.Reservation{}, err
	}
	var r reservation
	if err := json.Unmarshal(env.Result, &r); err != nil || !r.readable() {
		return connector.Reservation{}, badResult(op)
	}
	out := r.normalized()
	convs, err := h.conversations(ctx, url.Values{"reservationId": {own}}, 1)
	switch {
	case err == nil && len(convs) > 0:
		out.ConversationID = convs[0].ID
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return connector.Reservation{}, err
	}
	return out, nil
}
