package hostaway

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// Tests of issue 9's Hostaway items against the published reference (the
// Hostaway/api documentation source; testdata/vendors/hostaway/contract.json
// cites each section).

// Item 8: the published review object has no time of writing, and the list
// holds reviews that are due but not written. Only the guests' submitted
// and published reviews with a rating or a text are listed, dated by their
// stay's departureDate.
func TestReviewsAreTheWrittenOnes(t *testing.T) {
	// The reference's example review is awaiting, with a null rating and
	// text; the others are its siblings in every published status.
	const page = `{"status":"success","result":[
		{"id":1,"accountId":1,"listingMapId":40160,"reservationId":1,"channelId":2005,"type":"guest-to-host","status":"awaiting",
		 "rating":null,"publicReview":null,"revieweeResponse":null,"isCancelled":0,"departureDate":"2021-05-11 22:00:00","guestName":"Andrew Peterson"},
		{"id":2,"listingMapId":40160,"reservationId":2,"channelId":2018,"type":"guest-to-host","status":"pending","rating":null,"publicReview":null,"departureDate":"2021-05-10 22:00:00"},
		{"id":3,"listingMapId":40160,"reservationId":3,"type":"guest-to-host","status":"scheduled","rating":null,"publicReview":null,"departureDate":"2021-05-09 22:00:00"},
		{"id":4,"listingMapId":40160,"reservationId":4,"type":"guest-to-host","status":"expired","rating":null,"publicReview":null,"departureDate":"2021-05-08 22:00:00"},
		{"id":5,"listingMapId":40160,"reservationId":5,"channelId":2018,"type":"guest-to-host","status":"submitted","rating":9,"publicReview":"Spotless.","departureDate":"2021-05-07 22:00:00","guestName":"Ana"},
		{"id":6,"listingMapId":40160,"reservationId":6,"channelId":2005,"type":"guest-to-host","status":"published","rating":10,"publicReview":"Lovely.","revieweeResponse":"Thank you!","departureDate":"2021-05-06 22:00:00","guestName":"Ben"},
		{"id":7,"listingMapId":40160,"reservationId":7,"type":"guest-to-host","status":"published","rating":8,"publicReview":"Retracted.","isCancelled":1,"departureDate":"2021-05-05 22:00:00"},
		{"id":8,"listingMapId":40160,"reservationId":8,"type":"guest-to-host","status":"published","rating":null,"publicReview":null,"departureDate":"2021-05-04 22:00:00"},
		{"id":9,"listingMapId":40160,"reservationId":9,"type":"guest-to-host","status":"withdrawn","rating":6,"publicReview":"?","departureDate":"2021-05-03 22:00:00"},
		{"id":10,"listingMapId":40160,"reservationId":10,"type":"host-to-guest","status":"published","rating":10,"publicReview":"Great guest.","departureDate":"2021-05-02 22:00:00"}
	],"count":10,"page":1,"totalPages":1}`
	e := startQuiet(t)
	c, _ := e.conn(t)
	e.V.Fail(sandbox.Fault{Path: "/v1/reviews", HTTPStatus: 200, Body: page})
	got, err := c.ListReviews(context.Background(), connector.ReviewQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "hostaway:5" || got[1].ID != "hostaway:6" {
		t.Fatalf("reviews = %+v; want only 5 (submitted) and 6 (published)", got)
	}
	want := connector.Review{ID: "hostaway:6", Vendor: "hostaway", PropertyID: "hostaway:40160", ReservationID: "hostaway:6",
		Channel: "booking", RatingScale: 10, GuestName: "Ben", CheckOut: "2021-05-06", Text: "Lovely.", Reply: "Thank you!"}
	r := got[1]
	if r.Rating == nil || *r.Rating != 10 || !r.SubmittedAt.IsZero() {
		t.Errorf("review 6: rating %v, submitted at %v; want 10 and no time of writing", r.Rating, r.SubmittedAt)
	}
	r.Rating = nil
	if gotJSON, wantJSON := mustJSON(t, r), mustJSON(t, want); gotJSON != wantJSON {
		t.Errorf("review 6 = %s\nwant      %s", gotJSON, wantJSON)
	}

	// The fake lists unwritten reviews too, as Hostaway does; none of them
	// reaches the host.
	e.V.ClearFaults()
	all, err := c.ListReviews(context.Background(), connector.ReviewQuery{})
	if err != nil || len(all) == 0 {
		t.Fatalf("seeded reviews: %d, %v", len(all), err)
	}
	for _, r := range all {
		if r.Rating == nil && r.Text == "" {
			t.Errorf("an unwritten review is listed: %+v", r)
		}
	}
}

// Item 9: a conversation has no channelId of its own; its channel is its
// Reservation's, as in the published conversation object, and is left
// empty when that does not come along.
func TestConversationChannelIsItsReservations(t *testing.T) {
	// The published object, cut to what hostgate reads.
	const published = `{"accountId":10450,"listingMapId":10450,"reservationId":2,"type":"host-guest-email",
		"recipientName":"John Smith","messageSentOn":"2018-06-28 11:24:40","messageReceivedOn":null,
		"Reservation":{"listingMapId":40160,"channelId":2000,"channelName":"direct","id":2},"id":1406}`
	var c conversation
	if err := json.Unmarshal([]byte(published), &c); err != nil {
		t.Fatal(err)
	}
	if n := c.normalized(); n.Channel != "direct" || n.ID != "hostaway:1406" || n.ReservationID != "hostaway:2" {
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
	// includeResources is not a parameter hostgate sends: a probe.
	status, body := connectortest.Raw(t, http.MethodGet, e.V.APIBase+"/conversations?includeResources=1",
		http.Header{"Authorization": {"Bearer " + src.Credential().AccessToken}, connectortest.ProbeHeader: {"1"}}, nil)
	withRes := rawList(t, body.(map[string]any))
	if r, ok := withRes[0]["Reservation"].(map[string]any); status != http.StatusOK || !ok || r["channelId"] == nil {
		t.Errorf("includeResources=1 brings no Reservation: %v", withRes[0])
	}
	if msgs, _ := withRes[0]["conversationMessages"].([]any); len(msgs) != 1 {
		t.Errorf("includeResources=1 brings %d messages; the reference says the latest one", len(msgs))
	}
	convs, err := cl.ListConversations(context.Background(), connector.ConversationQuery{})
	if err != nil || len(convs) != len(raw) {
		t.Fatalf("%d conversations, %v", len(convs), err)
	}
	for _, conv := range convs {
		if conv.Channel != "" || conv.ReservationID == "" {
			t.Errorf("conversation %+v: a channel from nowhere, or no reservation to find it by", conv)
		}
	}
}

// Item 10: an answer of another shape than the published one fails the
// call for that account, one read at a time; it is never an empty or
// zero-valued result. Each body is well-formed JSON in the envelope.
func TestUnexpectedShapesFail(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	ctx := context.Background()
	listing := strconv.Itoa(sandbox.HostawayListingID)
	conv := rawList(t, e.raw(t, src.Credential(), "/conversations?limit=1"))[0]
	resID, convID := str(conv["reservationId"]), str(conv["id"])
	for _, f := range []struct {
		read, path, body string
		call             func() error
	}{
		{"list properties: no result", "/v1/listings", `{"status":"success","result":null}`,
			func() error { _, err := c.ListProperties(ctx); return err }},
		{"list properties: no status", "/v1/listings", `{"result":[]}`,
			func() error { _, err := c.ListProperties(ctx); return err }},
		{"list properties: a listing without an id", "/v1/listings", `{"status":"success","result":[{"name":"no id"}]}`,
			func() error { _, err := c.ListProperties(ctx); return err }},
		{"list properties: the list under another name", "/v1/listings", `{"status":"success","listings":[]}`,
			func() error { _, err := c.ListProperties(ctx); return err }},
		{"get property: an empty object", "/v1/listings/" + listing, `{"status":"success","result":{}}`,
			func() error { _, err := c.GetProperty(ctx, listing); return err }},
		{"get property: a list, not the listing", "/v1/listings/" + listing, `{"status":"success","result":[{"id":40160,"name":"x"}]}`,
			func() error { _, err := c.GetProperty(ctx, listing); return err }},
		{"calendar: days keyed by date", "/v1/listings/" + listing + "/calendar", `{"status":"success","result":{"2026-05-21":{"isAvailable":1}}}`,
			func() error { _, err := c.Calendar(ctx, listing, connector.DateRange{}); return err }},
		{"calendar: a day without its date", "/v1/listings/" + listing + "/calendar", `{"status":"success","result":[{"id":1,"isAvailable":1}]}`,
			func() error { _, err := c.Calendar(ctx, listing, connector.DateRange{}); return err }},
		{"list reservations: an empty object", "/v1/reservations", `{"status":"success","result":[{}]}`,
			func() error { _, err := c.ListReservations(ctx, connector.ReservationQuery{}); return err }},
		{"list reservations: a stay without dates", "/v1/reservations", `{"status":"success","result":[{"id":7,"listingMapId":40160,"arrivalDate":null}]}`,
			func() error { _, err := c.ListReservations(ctx, connector.ReservationQuery{}); return err }},
		{"list reservations: listingId for listingMapId", "/v1/reservations", `{"status":"success","result":[{"id":7,"listingId":40160,"arrivalDate":"2026-06-01","departureDate":"2026-06-03"}]}`,
			func() error { _, err := c.ListReservations(ctx, connector.ReservationQuery{}); return err }},
		{"get reservation: a stay without its listing", "/v1/reservations/" + resID, `{"status":"success","result":{"id":` + resID + `,"arrivalDate":"2026-06-01","departureDate":"2026-06-03"}}`,
			func() error { _, err := c.GetReservation(ctx, resID); return err }},
		{"list conversations: no result", "/v1/conversations", `{"status":"success"}`,
			func() error { _, err := c.ListConversations(ctx, connector.ConversationQuery{}); return err }},
		{"list conversations: the list under another name", "/v1/conversations", `{"status":"success","result":{"conversations":[]}}`,
			func() error { _, err := c.ListConversations(ctx, connector.ConversationQuery{}); return err }},
		{"messages: a message without an id", "/v1/conversations/" + convID + "/messages", `{"status":"success","result":[{"body":"hi"}]}`,
			func() error { _, err := c.Messages(ctx, convID); return err }},
		{"reviews: the list under another name", "/v1/reviews", `{"status":"success","result":{"reviews":[]}}`,
			func() error { _, err := c.ListReviews(ctx, connector.ReviewQuery{}); return err }},
		{"reviews: a review without its status", "/v1/reviews", `{"status":"success","result":[{"id":1,"listingMapId":40160,"rating":10,"submittedAt":"2026-05-01 10:00:00"}]}`,
			func() error { _, err := c.ListReviews(ctx, connector.ReviewQuery{}); return err }},
	} {
		t.Run(f.read, func(t *testing.T) {
			e.V.ClearFaults()
			e.V.Fail(sandbox.Fault{Path: f.path, HTTPStatus: 200, Body: f.body, Times: -1})
			err := f.call()
			e.V.ClearFaults()
			var apiErr *connector.APIError
			if !errors.Is(err, connector.ErrUnavailable) || !errors.As(err, &apiErr) || apiErr.Vendor != Vendor {
				t.Errorf("%s answering %s: %v, want a malformed-answer error of this account", f.path, f.body, err)
			}
		})
	}
}

// A message Hostaway accepted is sent, whatever its echo looks like:
// reporting a failure would have the model send it again.
func TestSentMessageEchoOfAnotherShape(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	id := str(rawList(t, e.raw(t, src.Credential(), "/conversations?limit=1"))[0]["id"])
	e.V.Fail(sandbox.Fault{Method: http.MethodPost, Path: "/v1/conversations/" + id + "/messages", HTTPStatus: 200,
		Body: `{"status":"success","result":[]}`})
	m, err := c.SendMessage(context.Background(), id, "See you at four.")
	if err != nil || m.Body != "See you at four." || m.Sender != "host" || m.SentAt.IsZero() {
		t.Errorf("SendMessage = %+v, %v", m, err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
