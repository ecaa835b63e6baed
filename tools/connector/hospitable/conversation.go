package hospitable

import (
	"context"

	"github.com/hostgate/hostgate/tools/connector"
)

// Conversation reads one conversation: a Hospitable thread is its
// reservation's, with the same UUID (see ListConversations), so it is
// GET /reservations/{uuid} [C].
func (c *conn) Conversation(ctx context.Context, id string) (connector.Conversation, error) {
	r, err := c.reservation(ctx, "get conversation", id)
	if err != nil {
		return connector.Conversation{}, err
	}
	return r.conversation(), nil
}
