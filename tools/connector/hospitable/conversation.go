package hospitable

import (
	"context"

	"github.com/hostgate/hostgate/tools/connector"
)

// Conversation reads one conversation: a Hospitable thread is its
// reservation's, with the same UUID (see ListConversations), so it is
// GET /reservations/{uuid} [C]; an inquiry's thread ("inquiry:<uuid>") is
// the inquiry's (inquiryConversation).
func (c *conn) Conversation(ctx context.Context, id string) (connector.Conversation, error) {
	if inquiry, ok := inquiryThread(id); ok {
		return c.inquiryConversation(ctx, "get conversation", inquiry)
	}
	r, err := c.reservation(ctx, "get conversation", id)
	if err != nil {
		return connector.Conversation{}, err
	}
	return r.conversation(), nil
}
