package hostex

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hostgate/hostgate/tools/connector"
)

// ListConversations pages through GET /conversations. Filtered by
// reservation, it follows the reservation's conversation_id instead: list
// items do not say which booking they belong to [C].
func (c *conn) ListConversations(ctx context.Context, q connector.ConversationQuery) ([]connector.Conversation, error) {
	const op = "list conversations"
	if q.ReservationID != "" {
		res, err := c.reservation(ctx, op, q.ReservationID)
		if err != nil {
			return nil, err
		}
		if idOf(res.ConversationID) == "" {
			return []connector.Conversation{}, nil
		}
		d, err := c.conversation(ctx, op, idOf(res.ConversationID))
		if err != nil {
			return nil, err
		}
		return []connector.Conversation{d.normalize()}, nil
	}
	cs, err := list[wireConversation](ctx, c, connector.Request{Op: op, Method: http.MethodGet, Path: "/conversations"}, "conversations", q.Limit)
	if err != nil {
		return nil, err
	}
	out := make([]connector.Conversation, 0, len(cs))
	for _, w := range cs {
		out = append(out, w.normalize())
	}
	return out, nil
}

func (w wireConversation) normalize() connector.Conversation {
	return connector.Conversation{
		ID:            connector.QualifiedID(vendor, idOf(w.ID)),
		Vendor:        vendor,
		GuestName:     w.Guest.Name,
		Channel:       w.ChannelType,
		LastMessageAt: parseTime(w.LastMessageAt),
	}
}

// normalize fills in what only the detail knows: the booking and property,
// and the time of the newest message.
func (d wireConversationDetail) normalize() connector.Conversation {
	out := d.wireConversation.normalize()
	for _, a := range d.Activities {
		if a.ReservationCode != "" {
			out.ReservationID = connector.QualifiedID(vendor, a.ReservationCode)
			out.PropertyID = connector.QualifiedID(vendor, idOf(a.Property.ID))
		}
	}
	for _, m := range d.Messages {
		if t := parseTime(m.CreatedAt); t.After(out.LastMessageAt) {
			out.LastMessageAt = t
		}
	}
	return out
}

func (c *conn) conversation(ctx context.Context, op, id string) (wireConversationDetail, error) {
	if id == "" || strings.ContainsAny(id, "/?#") {
		return wireConversationDetail{}, connector.Invalid(vendor, op, "bad conversation id")
	}
	var d wireConversationDetail
	r := connector.Request{Op: op, Method: http.MethodGet, Path: "/conversations/" + url.PathEscape(id)}
	// id, activities and messages are required [C]: a detail without its
	// messages is not an empty conversation.
	if err := c.read(ctx, r, &d, "id", "activities", "messages"); err != nil {
		return wireConversationDetail{}, err
	}
	return d, nil
}

// Messages reads a conversation (GET /conversations/{id} carries its
// messages [C]), oldest first.
func (c *conn) Messages(ctx context.Context, conversationID string) ([]connector.Message, error) {
	d, err := c.conversation(ctx, "get messages", conversationID)
	if err != nil {
		return nil, err
	}
	out := make([]connector.Message, 0, len(d.Messages))
	for _, m := range d.Messages {
		sender := "system"
		switch m.SenderRole {
		case "host", "guest":
			sender = m.SenderRole
		}
		body := m.Content
		if body == "" && m.DisplayType != "" && m.DisplayType != "Text" {
			body = "[" + strings.ToLower(m.DisplayType) + "]"
		}
		out = append(out, connector.Message{ID: string(m.ID), Sender: sender, Body: body, SentAt: parseTime(m.CreatedAt)})
	}
	slices.SortStableFunc(out, func(a, b connector.Message) int { return a.SentAt.Compare(b.SentAt) })
	return out, nil
}

// SendMessage posts a text message: POST /conversations/{id} {message} [C].
// Hostex answers with the bare envelope, so the message returned is the one
// sent, stamped with our clock.
func (c *conn) SendMessage(ctx context.Context, conversationID, body string) (connector.Message, error) {
	const op = "send message"
	if strings.TrimSpace(body) == "" {
		return connector.Message{}, connector.Invalid(vendor, op, "empty message")
	}
	if conversationID == "" || strings.ContainsAny(conversationID, "/?#") {
		return connector.Message{}, connector.Invalid(vendor, op, "bad conversation id")
	}
	r := connector.Request{Op: op, Method: http.MethodPost, Path: "/conversations/" + url.PathEscape(conversationID),
		Body: map[string]string{"message": body}, Write: true}
	if err := c.Do(ctx, r, nil); err != nil {
		return connector.Message{}, err
	}
	return connector.Message{Sender: "host", Body: body, SentAt: c.Spec.Now()}, nil
}
