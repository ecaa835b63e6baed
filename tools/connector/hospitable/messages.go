package hospitable

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hostgate/hostgate/tools/connector"
)

// conversationWindow is the check-in window scanned for guest threads, in
// days around today: Hospitable has no list of conversations, only
// reservations that carry last_message_at [C], and the threads a host acts
// on belong to recent and upcoming stays [I].
const (
	conversationDaysBack  = 30
	conversationDaysAhead = 90
)

// ListConversations lists the guest threads of reservations checking in
// within the conversation window, most recent message first. A
// conversation's id is its reservation's UUID: Hospitable threads messages
// by reservation.
func (c *conn) ListConversations(ctx context.Context, q connector.ConversationQuery) ([]connector.Conversation, error) {
	const op = "list conversations"
	if q.ReservationID != "" {
		r, err := c.reservation(ctx, op, q.ReservationID)
		if err != nil {
			return nil, err
		}
		return []connector.Conversation{r.conversation()}, nil
	}
	today := c.Spec.Now().UTC()
	v := url.Values{
		"start_date": {today.AddDate(0, 0, -conversationDaysBack).Format(dateLayout)},
		"end_date":   {today.AddDate(0, 0, conversationDaysAhead).Format(dateLayout)},
		"date_query": {"checkin"},
	}
	rs, err := c.reservations(ctx, op, "", v, false) // a thread needs no totals
	if err != nil {
		return nil, err
	}
	out := []connector.Conversation{}
	for _, r := range rs {
		if r.LastMessageAt != "" {
			out = append(out, r.conversation())
		}
	}
	slices.SortStableFunc(out, func(a, b connector.Conversation) int { return b.LastMessageAt.Compare(a.LastMessageAt) })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

func (r wireReservation) conversation() connector.Conversation {
	n := r.normalize()
	return connector.Conversation{
		ID:            n.ConversationID,
		Vendor:        vendor,
		GuestName:     n.GuestName,
		PropertyID:    n.PropertyID,
		ReservationID: n.ID,
		Channel:       r.Platform,
		LastMessageAt: parseTime(r.LastMessageAt),
	}
}

// Messages reads GET /reservations/{uuid}/messages [C], oldest first; an
// inquiry's thread (an id "inquiry:<uuid>") is read from the inquiry
// (inquiryMessages).
func (c *conn) Messages(ctx context.Context, conversationID string) ([]connector.Message, error) {
	const op = "get messages"
	if id, ok := inquiryThread(conversationID); ok {
		return c.inquiryMessages(ctx, op, id)
	}
	if !validID(conversationID) {
		return nil, badID(op, "conversation")
	}
	// The page size of this list is undocumented: take the vendor's pages
	// as they come and follow them.
	r := connector.Request{Op: op, Method: http.MethodGet, Path: "/reservations/" + url.PathEscape(conversationID) + "/messages"}
	ms, err := list[wireMessage](ctx, c, r, 0, 0)
	if err != nil {
		return nil, err
	}
	return messagesOf(ms), nil
}

// messagesOf maps a thread's messages, oldest first.
func messagesOf(ms []wireMessage) []connector.Message {
	out := make([]connector.Message, 0, len(ms))
	for _, m := range ms {
		sender := "system"
		switch m.SenderType {
		case "host", "guest":
			sender = m.SenderType
		}
		body := m.Body
		if body == "" && len(m.Attachments) > 0 {
			body = "[" + strings.ToLower(m.Attachments[0].Type) + " attachment]"
		}
		out = append(out, connector.Message{ID: string(m.PlatformID), Sender: sender, Body: body, SentAt: parseTime(m.CreatedAt)})
	}
	slices.SortStableFunc(out, func(a, b connector.Message) int { return a.SentAt.Compare(b.SentAt) })
	return out
}

// SendMessage posts POST /reservations/{uuid}/messages {body} [C], or for
// an inquiry's thread ("inquiry:<uuid>") POST /inquiries/{uuid}/messages
// {body} [C]; both need the message:write scope and answer 201 with an
// empty object [C: public.json, the example "Result" is {}]: Hospitable
// names no id for the sent message, so the message returned has none (the
// thread's next read shows it with its platform_id). An inquiry that has
// become a reservation (410 [C]) is answered in the reservation's thread.
func (c *conn) SendMessage(ctx context.Context, conversationID, body string) (connector.Message, error) {
	const op = "send message"
	inquiry, isInquiry := inquiryThread(conversationID)
	path := "/reservations/" + url.PathEscape(conversationID) + "/messages"
	if isInquiry {
		path = "/inquiries/" + url.PathEscape(inquiry) + "/messages"
		conversationID = inquiry
	}
	if !validID(conversationID) {
		return connector.Message{}, badID(op, "conversation")
	}
	if strings.TrimSpace(body) == "" {
		return connector.Message{}, connector.Invalid(vendor, op, "empty message")
	}
	r := connector.Request{Op: op, Method: http.MethodPost, Path: path, Body: map[string]string{"body": body}}
	if err := c.Do(ctx, r, nil); err != nil {
		if isInquiry && gone(err) {
			res, ferr := c.becameReservation(ctx, op, inquiry)
			if ferr != nil {
				return connector.Message{}, ferr
			}
			return c.SendMessage(ctx, res, body)
		}
		var ae *connector.APIError
		if errors.As(err, &ae) && ae.Status == http.StatusForbidden {
			ae.Code = "the connection may not send messages (Hospitable grants message:write on request)"
		}
		return connector.Message{}, err
	}
	return connector.Message{Sender: "host", Body: body, SentAt: c.Spec.Now()}, nil
}
