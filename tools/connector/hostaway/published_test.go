package hostaway

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// Tests of issue 9's Hostaway items against the published reference (the
// Hostaway/api documentation source).

// Item 9: a conversation has no channelId of its own; its channel is its
// Reservation's, as in the published conversation object.
func TestConversationChannelIsItsReservations(t *testing.T) {
	// The published object, cut to what hostgate reads.
	const published = `{"accountId":10450,"listingMapId":10450,"reservationId":2,"type":"host-guest-email",
		"recipientName":"John Smith","messageSentOn":"2018-06-28 11:24:40","messageReceivedOn":null,
		"Reservation":{"listingMapId":40160,"channelId":2000,"channelName":"direct","id":2},"id":1406}`
	var c conversation
	if err := json.Unmarshal([]byte(published), &c); err != nil {
		t.Fatal(err)
	}
	if n := c.normalized(); n.Channel != channel(2000, "direct") || n.Channel == "" || n.ID != "hostaway:1406" {
		t.Errorf("published conversation read as %+v", n)
	}

	e := startQuiet(t)
	cl, src := e.conn(t)
	raw := rawList(t, e.raw(t, src.Credential(), "/conversations"))
	if len(raw) == 0 {
		t.Fatal("no conversations")
	}
	if _, ok := raw[0]["channelId"]; ok {
		t.Errorf("the fake's conversation has a channelId, which the published object lacks: %v", raw[0])
	}
	withRes := rawList(t, e.raw(t, src.Credential(), "/conversations?includeResources=1"))
	if r, ok := withRes[0]["Reservation"].(map[string]any); !ok || r["channelId"] == nil {
		t.Errorf("includeResources=1 brings no Reservation: %v", withRes[0])
	}
	convs, err := cl.ListConversations(context.Background(), connector.ConversationQuery{})
	if err != nil || len(convs) != len(raw) {
		t.Errorf("%d conversations, %v", len(convs), err)
	}
}

// Item 10: an answer of another shape than the published envelope fails
// the call; it is never an empty result.
func TestUnexpectedShapesFail(t *testing.T) {
	e := startQuiet(t)
	c, _ := e.conn(t)
	ctx := context.Background()
	for _, f := range []struct {
		path, body string
		call       func() error
	}{
		{"/v1/listings", `{"status":"success","result":null}`, func() error { _, err := c.ListProperties(ctx); return err }},
		{"/v1/listings", `{"result":[]}`, func() error { _, err := c.ListProperties(ctx); return err }},
		{"/v1/listings", `{"status":"success","result":[{"name":"no id"}]}`, func() error { _, err := c.ListProperties(ctx); return err }},
		{"/v1/listings", `{"status":"success","listings":[]}`, func() error { _, err := c.ListProperties(ctx); return err }},
		{"/v1/listings/40160", `{"status":"success","result":{}}`, func() error {
			_, err := c.GetProperty(ctx, "40160")
			return err
		}},
		{"/v1/reviews", `{"status":"success","result":{"reviews":[]}}`, func() error { _, err := c.ListReviews(ctx, connector.ReviewQuery{}); return err }},
		{"/v1/conversations", `{"status":"success"}`, func() error { _, err := c.ListConversations(ctx, connector.ConversationQuery{}); return err }},
		{"/v1/reservations", `{"status":"success","result":[{}]}`, func() error {
			_, err := c.ListReservations(ctx, connector.ReservationQuery{})
			return err
		}},
	} {
		e.V.Fail(sandbox.Fault{Path: f.path, HTTPStatus: 200, Body: f.body})
		if err := f.call(); !errors.Is(err, connector.ErrUnavailable) {
			t.Errorf("%s answering %s: %v, want a malformed-answer error", f.path, f.body, err)
		}
	}
}
