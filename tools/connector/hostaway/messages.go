package hostaway

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// conversation is the part of a Hostaway conversation hostgate uses [C:
// Conversation object]. It has no channelId of its own (issue 9, item 9):
// the channel is its Reservation's (channelId, channelName), a
// supplementary resource that comes only with includeResources=1 [C: the
// list's includeResources; the object's Reservation]. hostgate does not
// ask for it: it would bring a whole reservation (and the latest message)
// with every conversation of every page, while the conversation's
// reservationId already leads to the reservation and its channel. So a
// conversation's channel is known only when Hostaway sends its Reservation
// anyway, and is left empty otherwise rather than guessed.
type conversation struct {
	ID                intval `json:"id"`
	ListingMapID      intval `json:"listingMapId"`
	ReservationID     intval `json:"reservationId"`
	RecipientName     string `json:"recipientName"`
	MessageSentOn     string `json:"messageSentOn"`
	MessageReceivedOn string `json:"messageReceivedOn"`
	Reservation       *struct {
		ChannelID   intval `json:"channelId"`
		ChannelName string `json:"channelName"`
	} `json:"Reservation"`
}

func (c conversation) normalized() connector.Conversation {
	last := parseTime(c.MessageSentOn)
	if r := parseTime(c.MessageReceivedOn); r.After(last) {
		last = r
	}
	return connector.Conversation{
		ID:            qid(c.ID),
		Vendor:        Vendor,
		GuestName:     c.RecipientName,
		PropertyID:    qid(c.ListingMapID),
		ReservationID: qid(c.ReservationID),
		Channel:       c.channel(),
		LastMessageAt: last,
	}
}

// channel is the conversation's booking channel, from its Reservation
// when that came along; "" otherwise.
func (c conversation) channel() string {
	if c.Reservation == nil {
		return ""
	}
	return channel(c.Reservation.ChannelID, c.Reservation.ChannelName)
}

// message is one Hostaway conversation message [C].
type message struct {
	ID         intval `json:"id"`
	Body       string `json:"body"`
	IsIncoming flag   `json:"isIncoming"`
	Date       string `json:"date"`
	InsertedOn string `json:"insertedOn"`
}

func (m message) normalized() connector.Message {
	sender := "host"
	if m.IsIncoming {
		sender = "guest"
	}
	at := parseTime(m.Date)
	if at.IsZero() {
		at = parseTime(m.InsertedOn)
	}
	return connector.Message{ID: m.ID.String(), Sender: sender, Body: m.Body, SentAt: at}
}

// ListConversations pages GET /v1/conversations [C], optionally for one
// reservation.
func (h *Connector) ListConversations(ctx context.Context, q connector.ConversationQuery) ([]connector.Conversation, error) {
	params := url.Values{}
	if q.ReservationID != "" {
		id, err := ownID(q.ReservationID)
		if err != nil {
			return nil, err
		}
		params.Set("reservationId", id)
	}
	return h.conversations(ctx, params, q.Limit)
}

func (h *Connector) conversations(ctx context.Context, params url.Values, limit int) ([]connector.Conversation, error) {
	const op = "list conversations"
	var out []connector.Conversation
	err := h.pages(ctx, op, "/conversations", params, func(raw json.RawMessage) (int, bool, error) {
		page, err := decodeList(op, raw, func(c conversation) bool { return c.ID != 0 })
		if err != nil {
			return 0, false, err
		}
		for _, c := range page {
			out = append(out, c.normalized())
		}
		return len(page), limit <= 0 || len(out) < limit, nil
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, err
}

// Messages returns a conversation's messages, oldest first: GET
// /v1/conversations/{id}/messages, limit/offset [C].
func (h *Connector) Messages(ctx context.Context, conversationID string) ([]connector.Message, error) {
	const op = "list messages"
	id, err := ownID(conversationID)
	if err != nil {
		return nil, err
	}
	var out []connector.Message
	err = h.pages(ctx, op, "/conversations/"+id+"/messages", nil, func(raw json.RawMessage) (int, bool, error) {
		page, err := decodeList(op, raw, func(m message) bool { return m.ID != 0 })
		if err != nil {
			return 0, false, err
		}
		for _, m := range page {
			out = append(out, m.normalized())
		}
		return len(page), true, nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b connector.Message) int { return a.SentAt.Compare(b.SentAt) })
	return out, nil
}

// maxMessage bounds a message body; channels cap far lower, and a runaway
// body should fail here rather than at the vendor.
const maxMessage = 10_000

// SendMessage posts a message to the guest through the booking channel:
// POST /v1/conversations/{id}/messages {body, communicationType:"channel"}.
// Hostaway's default is email, and the reference lists email, channel, sms
// and whatsapp without saying more [C]; "channel" is meant to reach OTA
// guests where they booked [I].
func (h *Connector) SendMessage(ctx context.Context, conversationID, body string) (connector.Message, error) {
	const op = "send message"
	id, err := ownID(conversationID)
	if err != nil {
		return connector.Message{}, err
	}
	if strings.TrimSpace(body) == "" || len(body) > maxMessage {
		return connector.Message{}, fmt.Errorf("hostaway: %s: the message must be 1 to %d bytes: %w", op, maxMessage, connector.ErrBadRequest)
	}
	env, err := h.do(ctx, connector.Request{Op: op, Method: http.MethodPost, Path: "/conversations/" + id + "/messages",
		Body: map[string]string{"body": body, "communicationType": "channel"}})
	if err != nil {
		return connector.Message{}, err
	}
	// Hostaway has sent the message once it answers success; an echo that
	// does not read as a message loses only the echo. Reporting a failure
	// would invite the model to send it again.
	var m message
	if json.Unmarshal(env.Result, &m) != nil {
		m = message{}
	}
	out := m.normalized()
	if out.Body == "" {
		out.Body = body
	}
	if out.SentAt.IsZero() {
		out.SentAt = h.c.Spec.Now().UTC().Truncate(time.Second)
	}
	out.Sender = "host"
	return out, nil
}
