package tools

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hostgate/hostgate/tools/connector"
)

// ConversationsIn filters conversations.
type ConversationsIn struct {
	Vendor        string `json:"vendor,omitempty" jsonschema_description:"only this vendor"`
	ReservationID string `json:"reservation_id,omitempty" jsonschema_description:"only the conversation of this vendor-qualified reservation"`
	FreshIn
	PageIn
}

// ConversationsOut lists guest conversations.
type ConversationsOut struct {
	Conversations []connector.Conversation `json:"conversations"`
	Errors        []VendorError            `json:"errors,omitempty"`
	Freshness
	Accounts []AccountAge `json:"accounts,omitempty" jsonschema_description:"how old each account's part is; listed only when they differ, or when one is older because of a rate limit (see its note)"`
	Page
}

func (o *ConversationsOut) page() *Page { return &o.Page }
func (o *ConversationsOut) items() int  { return len(o.Conversations) }
func (o *ConversationsOut) keep(n int)  { o.Conversations = o.Conversations[:n] }

func newestConversation(a, b connector.Conversation) int {
	return cmp.Or(b.LastMessageAt.Compare(a.LastMessageAt), strings.Compare(a.ID, b.ID))
}

func listConversations(d *Deps) Tool {
	return New(Meta{
		Name: "list_conversations", Title: "List guest conversations",
		Description: "Lists guest conversations across the host's connected accounts, newest first. Read one with get_messages.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
		Vendors: d.vendorsWith(func(cn connector.Connector) bool { _, ok := cn.(connector.ConversationLister); return ok }),
	}, d, func(ctx context.Context, d *Deps, c *Caller, in ConversationsIn) (ConversationsOut, string, error) {
		pg, fresh := in.PageIn, in.Fresh
		in.PageIn, in.FreshIn = PageIn{}, FreshIn{}
		p, err := newPager(d, c, "list_conversations", in, pg)
		if err != nil {
			return ConversationsOut{}, "", err
		}
		vendor, resID := in.Vendor, ""
		if in.ReservationID != "" {
			v, id, err := connector.SplitID(in.ReservationID)
			if err != nil {
				return ConversationsOut{}, "", Errorf("reservation_id must be vendor-qualified, as list_reservations returns it.")
			}
			vendor, resID = v, id
		}
		conns, err := connections(ctx, d, c, vendor)
		if err != nil {
			return ConversationsOut{}, "", err
		}
		convs, page, ages, errs, err := fanPage(ctx, d, p, conns, fresh, conversationsRead(resID), newestConversation)
		if err != nil {
			return ConversationsOut{}, "", err
		}
		out := ConversationsOut{Conversations: convs, Errors: errs, Page: page}
		out.Accounts, out.Freshness = d.accountAges(conns, ages)
		return out, fmt.Sprintf("%d conversations%s.%s", len(convs), errorSuffix(errs), d.ageSuffix(conns, ages)), nil
	})
}

// conversationsRead lists an account's conversations (of one reservation,
// when resID is set), newest first.
func conversationsRead(resID string) vendorRead[[]connector.Conversation] {
	return vendorRead[[]connector.Conversation]{kind: connector.KindConversations, subject: resID,
		fetch: sorted(func(ctx context.Context, cn connector.Connector) ([]connector.Conversation, error) {
			cl, ok := cn.(connector.ConversationLister)
			if !ok {
				return nil, nil
			}
			return cl.ListConversations(ctx, connector.ConversationQuery{ReservationID: resID})
		}, newestConversation)}
}

// MessagesIn names a conversation.
type MessagesIn struct {
	ConversationID string `json:"conversation_id" jsonschema_description:"vendor-qualified conversation id"`
	FreshIn
	PageIn
}

// MessagesOut is a page of a conversation's messages, newest first.
type MessagesOut struct {
	ConversationID string              `json:"conversation_id"`
	Messages       []connector.Message `json:"messages" jsonschema_description:"newest first"`
	Freshness
	Page
}

func (o *MessagesOut) page() *Page { return &o.Page }
func (o *MessagesOut) items() int  { return len(o.Messages) }
func (o *MessagesOut) keep(n int)  { o.Messages = o.Messages[:n] }

func getMessages(d *Deps) Tool {
	return New(Meta{
		Name: "get_messages", Title: "Read a guest conversation",
		Description: "Gets the messages of one guest conversation, newest first; next_cursor leads to older ones.",
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true, OpenWorld: true,
	}, d, func(ctx context.Context, d *Deps, c *Caller, in MessagesIn) (MessagesOut, string, error) {
		pg, fresh := in.PageIn, in.Fresh
		in.PageIn, in.FreshIn = PageIn{}, FreshIn{}
		p, err := newPager(d, c, "get_messages", in, pg)
		if err != nil {
			return MessagesOut{}, "", err
		}
		conns, id, err := route(ctx, d, c, in.ConversationID, "conversation_id")
		if err != nil {
			return MessagesOut{}, "", err
		}
		msgs, conn, age, err := first(ctx, d, conns, fresh && !p.continued, messagesRead(id))
		if err != nil {
			return MessagesOut{}, "", err
		}
		page, pgOut := one(p, msgs)
		return MessagesOut{ConversationID: in.ConversationID, Messages: page, Freshness: d.freshness(age), Page: pgOut},
			fmt.Sprintf("%d messages.%s", len(page), d.singleSuffix(conn, age)), nil
	})
}

// messagesRead gets a conversation's messages, newest first.
func messagesRead(id string) vendorRead[[]connector.Message] {
	return vendorRead[[]connector.Message]{kind: connector.KindMessages, subject: id,
		fetch: func(ctx context.Context, cn connector.Connector) ([]connector.Message, error) {
			mr, ok := cn.(connector.MessageReader)
			if !ok {
				return nil, unsupported("messages")
			}
			msgs, err := mr.Messages(ctx, id)
			// Vendors give a thread oldest first; the newest matter most.
			slices.Reverse(msgs)
			slices.SortStableFunc(msgs, func(a, b connector.Message) int { return b.SentAt.Compare(a.SentAt) })
			return msgs, err
		}}
}
