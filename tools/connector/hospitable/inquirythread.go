package hospitable

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/hostgate/hostgate/tools/connector"
)

// An inquiry's thread: read with GET /inquiries/{uuid}?include=messages
// [C: "messages (required: message:read scope)"], answered with POST
// /inquiries/{uuid}/messages (SendMessage). Once the inquiry has become a
// reservation Hospitable answers 410 with the reservation's location [C];
// the thread goes on in the reservation, found by its conversation_id,
// which is the inquiry's id [C: GET /reservations, conversation_id].

// becameWindow bounds, in days around today, the check-ins searched for the
// reservation an inquiry became [I]: GET /reservations needs dates, or it
// lists the next two weeks only [C].
const (
	becameDaysBack  = 365
	becameDaysAhead = 730
)

// gone reports Hospitable's 410: the inquiry is now a reservation [C].
func gone(err error) bool {
	var ae *connector.APIError
	return errors.As(err, &ae) && ae.Status == http.StatusGone
}

// readInquiry reads GET /inquiries/{uuid} with the given includes [C],
// {data: {…}} like a reservation.
func (c *conn) readInquiry(ctx context.Context, op, id, include string) (wireInquiry, error) {
	if !validID(id) {
		return wireInquiry{}, badID(op, "conversation")
	}
	var a struct {
		Data wireInquiry `json:"data"`
	}
	r := connector.Request{Op: op, Method: http.MethodGet, Path: "/inquiries/" + url.PathEscape(id),
		Query: url.Values{"include": {include}}}
	if err := c.Do(ctx, r, &a); err != nil {
		return wireInquiry{}, err
	}
	if a.Data.ID == "" {
		return wireInquiry{}, connector.Malformed(vendor, op, http.StatusOK, "the inquiry in the answer has no id")
	}
	return a.Data, nil
}

// becameReservation finds the UUID of the reservation inquiry id became.
func (c *conn) becameReservation(ctx context.Context, op, id string) (string, error) {
	today := c.Spec.Now().UTC()
	v := url.Values{"conversation_id": {id}, "date_query": {"checkin"},
		"start_date": {today.AddDate(0, 0, -becameDaysBack).Format(dateLayout)},
		"end_date":   {today.AddDate(0, 0, becameDaysAhead).Format(dateLayout)}}
	rs, err := c.reservations(ctx, op, "", v, false)
	if err != nil {
		return "", err
	}
	for _, r := range rs {
		if r.ConversationID == id {
			return r.ID, nil
		}
	}
	return "", connector.NotFound(vendor, op, "the inquiry is now a reservation, and none checking in within a year back and two ahead has its conversation")
}

// inquiryMessages reads an inquiry's thread, oldest first.
func (c *conn) inquiryMessages(ctx context.Context, op, id string) ([]connector.Message, error) {
	w, err := c.readInquiry(ctx, op, id, "messages")
	if gone(err) {
		res, ferr := c.becameReservation(ctx, op, id)
		if ferr != nil {
			return nil, ferr
		}
		return c.Messages(ctx, res)
	}
	if err != nil {
		return nil, err
	}
	ms, ok := threadOf(w.Messages)
	if !ok {
		// Asked for, the thread is part of the answer [C]; without it
		// the answer is not an empty thread but one hostgate cannot read.
		return nil, connector.Malformed(vendor, op, http.StatusOK, "an inquiry without its messages")
	}
	return messagesOf(ms), nil
}

// threadOf reads an inquiry's messages: a list [I], or the one Message the
// schema shows [C: "messages": Message].
func threadOf(raw json.RawMessage) ([]wireMessage, bool) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return nil, false
	case raw[0] == '[':
		var ms []wireMessage
		return ms, json.Unmarshal(raw, &ms) == nil
	}
	var m wireMessage
	return []wireMessage{m}, json.Unmarshal(raw, &m) == nil
}

// inquiryConversation is an inquiry's thread as a conversation: its guest,
// property and channel; no reservation yet.
func (c *conn) inquiryConversation(ctx context.Context, op, id string) (connector.Conversation, error) {
	w, err := c.readInquiry(ctx, op, id, inquiryIncludes)
	if gone(err) {
		res, ferr := c.becameReservation(ctx, op, id)
		if ferr != nil {
			return connector.Conversation{}, ferr
		}
		return c.Conversation(ctx, res)
	}
	if err != nil {
		return connector.Conversation{}, err
	}
	n := w.normalize("")
	return connector.Conversation{ID: n.ConversationID, Vendor: vendor, GuestName: n.GuestName,
		PropertyID: n.PropertyID, Channel: n.Channel}, nil
}
