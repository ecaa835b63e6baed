package hostex

import (
	"context"

	"github.com/hostgate/hostgate/tools/connector"
)

// Conversation reads one conversation's detail, GET /conversations/{id}
// [C]: unlike the list item, it names the booking and the property.
func (c *conn) Conversation(ctx context.Context, id string) (connector.Conversation, error) {
	d, err := c.conversation(ctx, "get conversation", id)
	if err != nil {
		return connector.Conversation{}, err
	}
	return d.normalize(), nil
}
