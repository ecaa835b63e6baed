package hospitable

import (
	"context"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// TestConversation: a conversation is its reservation's thread, so its
// detail names the reservation (same id) and the property.
func TestConversation(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HospitablePAT)
	ctx := context.Background()
	convs, err := c.ListConversations(ctx, connector.ConversationQuery{})
	if err != nil || len(convs) == 0 {
		t.Fatalf("list: %v, %d", err, len(convs))
	}
	_, id, _ := connector.SplitID(convs[0].ID)
	got, err := c.Conversation(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != convs[0].ID || got.ReservationID != convs[0].ID || got.PropertyID == "" {
		t.Fatalf("detail %+v for list item %+v", got, convs[0])
	}
}
