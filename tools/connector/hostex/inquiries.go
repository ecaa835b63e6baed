package hostex

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// maxInquiryReads bounds the conversations one ListInquiries reads in
// full: only a conversation that names no dates in the list needs its
// detail read blind, and the list is newest first [I], so the bound drops
// the oldest of those.
const maxInquiryReads = 50

var _ connector.InquiryLister = (*conn)(nil)

// requestStatuses are the reservation statuses of a booking request not
// yet a stay: awaiting the host's acceptance or the guest's payment
// [C: GET /reservations, status].
var requestStatuses = []string{"wait_accept", "wait_pay"}

// ListInquiries lists what guests asked for and the host has not yet
// confirmed, whose stay starts in q.Range (from yesterday, UTC, when the
// range has no start: a check-in tonight west of UTC is already
// yesterday there). Hostex has two kinds [C]: a booking request is a
// reservation awaiting acceptance or payment (GET /reservations,
// status wait_accept or wait_pay), and an inquiry that no booking
// followed exists only as a conversation whose activity is an "inquiry"
// (GET /conversations/{id}, activities[].activity_type). The conversation
// list says neither, so hostgate reads in full only the conversations
// that no reservation of the range names and whose dates (the list
// item's [C]) fall in it, or that give none.
func (c *conn) ListInquiries(ctx context.Context, q connector.InquiryQuery) ([]connector.Inquiry, error) {
	const op = "list inquiries"
	if !connector.ValidDate(q.Range.From) || !connector.ValidDate(q.Range.To) {
		return nil, connector.Invalid(vendor, op, "dates must be YYYY-MM-DD")
	}
	if q.PropertyID != "" {
		if _, err := strconv.ParseInt(q.PropertyID, 10, 64); err != nil {
			return nil, connector.Invalid(vendor, op, "a Hostex property id is a number")
		}
	}
	r := q.Range
	if r.From == "" {
		r.From = c.Spec.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	}
	if r.To != "" && r.To < r.From {
		return nil, connector.Invalid(vendor, op, "the range ends before it starts")
	}
	v := url.Values{"start_check_in_date": {r.From}}
	if r.To != "" {
		v.Set("end_check_in_date", r.To)
	}
	if q.PropertyID != "" {
		v.Set("property_id", q.PropertyID)
	}
	// Every status: a confirmed booking's conversation is not an open
	// inquiry, and Hostex's status filter takes one value.
	rs, err := list[wireReservation](ctx, c, connector.Request{Op: op, Method: http.MethodGet, Path: "/reservations", Query: v}, "reservations", 0)
	if err != nil {
		return nil, err
	}
	booked := map[string]bool{}
	var out []connector.Inquiry
	for _, res := range rs {
		if id := idOf(res.ConversationID); id != "" {
			booked[id] = true
		}
		if slices.Contains(requestStatuses, res.Status) {
			out = append(out, res.inquiry())
		}
	}
	cs, err := list[wireConversation](ctx, c, connector.Request{Op: op, Method: http.MethodGet, Path: "/conversations"}, "conversations", 0)
	if err != nil {
		return nil, err
	}
	reads := 0
	for _, w := range cs {
		id := idOf(w.ID)
		if booked[id] || w.CheckInDate != "" && !inRange(w.CheckInDate, r) {
			continue
		}
		if reads++; reads > maxInquiryReads {
			break
		}
		d, err := c.conversation(ctx, op, id)
		if err != nil {
			return nil, err
		}
		if inq, ok := d.inquiry(w); ok && inRange(inq.CheckIn, r) &&
			(q.PropertyID == "" || inq.PropertyID == connector.QualifiedID(vendor, q.PropertyID)) {
			out = append(out, inq)
		}
	}
	// Newest first: the order a host answers them in.
	slices.SortStableFunc(out, func(a, b connector.Inquiry) int {
		return cmp.Or(b.ReceivedAt.Compare(a.ReceivedAt), cmp.Compare(a.ID, b.ID))
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	if out == nil {
		out = []connector.Inquiry{}
	}
	return out, nil
}

// inRange reports whether a check-in date falls in r, both ends
// included; a date that does not read is outside.
func inRange(date string, r connector.DateRange) bool {
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return false
	}
	return date >= r.From && (r.To == "" || date <= r.To)
}

// inquiry maps a booking request. Its status is Hostex's own; it was
// received when it was booked.
func (r wireReservation) inquiry() connector.Inquiry {
	n := r.normalize()
	return connector.Inquiry{
		ID:             n.ID,
		Vendor:         vendor,
		PropertyID:     n.PropertyID,
		Channel:        n.Channel,
		Status:         r.Status,
		GuestName:      n.GuestName,
		CheckIn:        n.CheckIn,
		CheckOut:       n.CheckOut,
		Guests:         n.Guests,
		ReceivedAt:     n.BookedAt,
		ConversationID: n.ConversationID,
	}
}

// inquiry maps a conversation that is an open inquiry: one with an
// inquiry activity and no reservation (a conversation that led to a
// booking is that booking's). Several inquiries in one thread read as the
// last one listed [I: the schema gives no order]. The inquiry is named by
// its conversation, which is also where the host answers it; it was
// received with its first message. The dates are the activity's, or the
// list item's when the activity has none.
func (d wireConversationDetail) inquiry(item wireConversation) (connector.Inquiry, bool) {
	var found *wireActivity
	for i := range d.Activities {
		switch a := &d.Activities[i]; {
		case a.ActivityType == "reservation" || a.ReservationCode != "":
			return connector.Inquiry{}, false
		case a.ActivityType == "inquiry":
			found = a
		}
	}
	if found == nil {
		return connector.Inquiry{}, false
	}
	id := connector.QualifiedID(vendor, idOf(d.ID))
	inq := connector.Inquiry{
		ID:             id,
		Vendor:         vendor,
		PropertyID:     connector.QualifiedID(vendor, idOf(found.Property.ID)),
		Channel:        d.ChannelType,
		Status:         "inquiry",
		GuestName:      d.Guest.Name,
		CheckIn:        first(found.CheckInDate, item.CheckInDate),
		CheckOut:       first(found.CheckOutDate, item.CheckOutDate),
		ReceivedAt:     parseTime(item.LastMessageAt),
		ConversationID: id,
	}
	for _, m := range d.Messages {
		if t := parseTime(m.CreatedAt); !t.IsZero() && (inq.ReceivedAt.IsZero() || t.Before(inq.ReceivedAt)) {
			inq.ReceivedAt = t
		}
	}
	return inq, true
}
