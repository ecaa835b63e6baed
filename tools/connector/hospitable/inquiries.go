package hospitable

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hostgate/hostgate/tools/connector"
)

// Hospitable keeps a guest's inquiry apart from reservations (public.json,
// tag Inquiries [C]): GET /inquiries (properties[] required, no date
// filter, no status), GET /inquiries/{uuid}, POST /inquiries/{uuid}/messages.
// An inquiry's id is its conversation_id [C]; once it becomes a
// reservation both answer 410 [C]. A request to book, awaiting the host's
// acceptance, is a reservation whose category is request [C].

var _ connector.InquiryLister = (*conn)(nil)

// inquiryPrefix marks, inside a Hospitable id, an inquiry's thread: the
// same UUID space holds reservations, whose threads live elsewhere, and
// ':' is in no Hospitable id, so "inquiry:<uuid>" names nothing else.
const inquiryPrefix = "inquiry:"

// inquiryThread reports whether a conversation id is an inquiry's, and
// its UUID.
func inquiryThread(id string) (string, bool) {
	return strings.CutPrefix(id, inquiryPrefix)
}

// inquiryIncludes are the relations an inquiry is read with [C: the
// parameter's text, "any of: financials,guest,properties,listings"].
const inquiryIncludes = "guest,properties"

// requestDaysAhead is how far ahead of today requests to book are looked
// for when the query names no range [I]: a request is for a stay to come.
const requestDaysAhead = 180

type wireInquiry struct {
	ID            string `json:"id"`
	Platform      string `json:"platform"`
	InquiryDate   string `json:"inquiry_date"`
	ArrivalDate   string `json:"arrival_date"`
	DepartureDate string `json:"departure_date"`
	Guests        struct {
		Total int `json:"total"`
	} `json:"guests"`
	Guest *struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
	} `json:"guest"`
	Properties propertyRef     `json:"properties"`
	Messages   json.RawMessage `json:"messages"`
}

// propertyRef is the property of an inquiry: one Property object in the
// reference [C], where a reservation has a list; a list is read too [I].
type propertyRef struct{ ID string }

// UnmarshalJSON reads an object with an id, a list of them (the first
// counts), or null.
func (p *propertyRef) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var list []struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		if len(list) > 0 {
			p.ID = list[0].ID
		}
		return nil
	}
	var one *struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	if one != nil {
		p.ID = one.ID
	}
	return nil
}

func (w wireInquiry) guestName() string {
	if w.Guest == nil {
		return ""
	}
	return strings.TrimSpace(w.Guest.FirstName + " " + w.Guest.LastName)
}

// normalize maps an inquiry; its id and its conversation's are the
// inquiry's UUID marked as an inquiry's, so that get_messages and
// send_message reach its thread. Hospitable gives an inquiry no status
// [C]: it is an "inquiry".
func (w wireInquiry) normalize(propertyID string) connector.Inquiry {
	id := connector.QualifiedID(vendor, inquiryPrefix+w.ID)
	return connector.Inquiry{
		ID: id, Vendor: vendor, PropertyID: connector.QualifiedID(vendor, cmp.Or(w.Properties.ID, propertyID)),
		Channel: w.Platform, Status: connector.StatusInquiry, GuestName: w.guestName(),
		CheckIn: localDate(w.ArrivalDate), CheckOut: localDate(w.DepartureDate), Guests: w.Guests.Total,
		ReceivedAt: parseTime(w.InquiryDate), ConversationID: id,
	}
}

// ListInquiries lists the guests' inquiries (GET /inquiries [C]) and their
// requests to book (reservations whose category is request [C]) whose stay
// starts in the query's range, newest first. An inquiry without dates is
// listed only when the query names no range.
func (c *conn) ListInquiries(ctx context.Context, q connector.InquiryQuery) ([]connector.Inquiry, error) {
	const op = "list inquiries"
	if !connector.ValidDate(q.Range.From) || !connector.ValidDate(q.Range.To) {
		return nil, connector.Invalid(vendor, op, "dates must be YYYY-MM-DD")
	}
	ids := []string{q.PropertyID}
	if q.PropertyID == "" {
		ps, err := c.properties(ctx, op)
		if err != nil {
			return nil, err
		}
		ids = ids[:0]
		for _, p := range ps {
			ids = append(ids, p.ID)
		}
	} else if !validID(q.PropertyID) {
		return nil, badID(op, "property")
	}
	out := []connector.Inquiry{}
	for batch := range slices.Chunk(ids, propertiesPerCall) {
		r := connector.Request{Op: op, Method: http.MethodGet, Path: "/inquiries",
			Query: url.Values{"properties[]": batch, "include": {inquiryIncludes}}}
		keep := func(w wireInquiry) bool { return w.ID == "" || inRange(localDate(w.ArrivalDate), q.Range) }
		ws, err := scan(ctx, c, r, maxPageSize, keep, 0)
		if err != nil {
			return nil, err
		}
		for _, w := range ws {
			if w.ID == "" {
				return nil, connector.Malformed(vendor, op, http.StatusOK, "an inquiry without an id")
			}
			// A batch of one names the property even when the answer does not.
			only := ""
			if len(batch) == 1 {
				only = batch[0]
			}
			out = append(out, w.normalize(only))
		}
	}
	requests, err := c.requests(ctx, op, q)
	if err != nil {
		return nil, err
	}
	out = append(out, requests...)
	slices.SortStableFunc(out, func(a, b connector.Inquiry) int { return b.ReceivedAt.Compare(a.ReceivedAt) })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// requests are the requests to book checking in within the query's range,
// or from today to requestDaysAhead days on. Their thread is the
// reservation's, as for any reservation.
func (c *conn) requests(ctx context.Context, op string, q connector.InquiryQuery) ([]connector.Inquiry, error) {
	today := c.Spec.Now().UTC()
	v := url.Values{"date_query": {"checkin"},
		"start_date": {cmp.Or(q.Range.From, today.Format(dateLayout))},
		"end_date":   {cmp.Or(q.Range.To, today.AddDate(0, 0, requestDaysAhead).Format(dateLayout))}}
	rs, err := c.reservations(ctx, op, q.PropertyID, v, false)
	if err != nil {
		return nil, err
	}
	var out []connector.Inquiry
	for _, w := range rs {
		n := w.normalize()
		if n.Status != connector.StatusPending {
			continue
		}
		out = append(out, connector.Inquiry{
			ID: n.ID, Vendor: vendor, PropertyID: n.PropertyID, Channel: n.Channel, Status: n.VendorStatus,
			GuestName: n.GuestName, CheckIn: n.CheckIn, CheckOut: n.CheckOut, Guests: n.Guests,
			ReceivedAt: n.BookedAt, ConversationID: n.ConversationID,
		})
	}
	return out, nil
}
