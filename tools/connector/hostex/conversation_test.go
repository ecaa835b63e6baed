package hostex

import (
	"context"
	"errors"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// TestConversation: one conversation's detail names its booking and
// property, which the list item lacks; a bad id is refused before any call.
func TestConversation(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HostexWritableToken)
	ctx := context.Background()
	convs, err := c.ListConversations(ctx, connector.ConversationQuery{})
	if err != nil || len(convs) == 0 {
		t.Fatalf("list: %v, %d", err, len(convs))
	}
	found := false
	for _, cv := range convs {
		_, id, _ := connector.SplitID(cv.ID)
		got, err := c.Conversation(ctx, id)
		if err != nil {
			t.Fatalf("Conversation(%s): %v", id, err)
		}
		if got.ID != cv.ID || got.GuestName != cv.GuestName {
			t.Fatalf("detail %+v does not match list item %+v", got, cv)
		}
		if got.ReservationID != "" && got.PropertyID != "" {
			found = true
		}
	}
	if !found {
		t.Fatal("no conversation's detail named its reservation and property")
	}
	if _, err := c.Conversation(ctx, "../x"); !errors.Is(err, connector.ErrBadRequest) {
		t.Fatalf("bad id: %v", err)
	}
}
