package hostaway

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
)

func TestConversations(t *testing.T) {
	e := startQuiet(t)
	e.Spec.PageSize = 4
	c, src := e.conn(t)
	ctx := context.Background()
	before := e.V.Requests("/conversations")
	convs, err := c.ListConversations(ctx, connector.ConversationQuery{})
	if err != nil {
		t.Fatal(err)
	}
	n := e.V.Requests("/conversations") - before
	raw := rawList(t, e.raw(t, src.Credential(), "/conversations"))
	if len(convs) != len(raw) || len(convs) < 5 {
		t.Fatalf("%d conversations, the fake has %d", len(convs), len(raw))
	}
	// Pages of 4; the vendor's count ends the walk without an empty page.
	if want := (len(raw) + 3) / 4; n != want || want < 2 {
		t.Errorf("%d requests for %d conversations in pages of 4, want %d", n, len(raw), want)
	}
	for i, w := range raw {
		cv := convs[i]
		if cv.ID != "hostaway:"+str(w["id"]) || cv.GuestName != w["recipientName"] || cv.Vendor != "hostaway" ||
			cv.PropertyID != "hostaway:"+str(w["listingMapId"]) || cv.ReservationID != "hostaway:"+str(w["reservationId"]) || cv.LastMessageAt.IsZero() {
			t.Errorf("conversation %d = %+v, vendor sent %v", i, cv, w)
		}
	}
	one, err := c.ListConversations(ctx, connector.ConversationQuery{ReservationID: convs[2].ReservationID})
	if err != nil || len(one) != 1 || one[0].ID != convs[2].ID {
		t.Errorf("by reservation = %+v, %v", one, err)
	}
	if capped, err := c.ListConversations(ctx, connector.ConversationQuery{Limit: 3}); err != nil || len(capped) != 3 {
		t.Errorf("Limit 3: %d, %v", len(capped), err)
	}
}

func TestMessages(t *testing.T) {
	e := startQuiet(t)
	e.Spec.PageSize = 2
	c, src := e.conn(t)
	// The newest threads are inquiries of one message; the first longer
	// one pages in twos.
	var id string
	var raw []map[string]any
	for _, conv := range rawList(t, e.raw(t, src.Credential(), "/conversations?limit=20")) {
		id = str(conv["id"])
		if raw = rawList(t, e.raw(t, src.Credential(), "/conversations/"+id+"/messages")); len(raw) > 2 {
			break
		}
	}
	msgs, err := c.Messages(context.Background(), "hostaway:"+id)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != len(raw) || len(msgs) < 3 {
		t.Fatalf("%d messages, the fake has %d", len(msgs), len(raw))
	}
	for i, w := range raw {
		m := msgs[i]
		sender := "host"
		if num(w["isIncoming"]) == 1 {
			sender = "guest"
		}
		if m.ID != str(w["id"]) || m.Body != w["body"] || m.Sender != sender || m.SentAt.Format("2006-01-02 15:04:05") != w["date"] {
			t.Errorf("message %d = %+v, vendor sent %v", i, m, w)
		}
	}
	if msgs[0].Sender != "guest" {
		t.Errorf("the seeded thread opens with the guest, got %+v", msgs[0])
	}
	if _, err := c.Messages(context.Background(), "999"); !errors.Is(err, connector.ErrNotFound) {
		t.Errorf("unknown conversation: %v", err)
	}
}

func TestSendMessage(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	id := str(rawList(t, e.raw(t, src.Credential(), "/conversations?limit=1"))[0]["id"])
	m, err := c.SendMessage(context.Background(), id, "The lock code is on its way.")
	if err != nil {
		t.Fatal(err)
	}
	if m.Sender != "host" || m.Body != "The lock code is on its way." || !m.SentAt.Equal(fixedNow) || m.ID == "" {
		t.Errorf("sent = %+v", m)
	}
	sent := e.V.SentMessages()
	if len(sent) != 1 || sent[0].ConversationID != id || sent[0].CommunicationType != "channel" || sent[0].Body != "The lock code is on its way." {
		t.Errorf("the fake received %+v", sent)
	}
	for _, body := range []string{"", "   ", strings.Repeat("x", maxMessage+1)} {
		if _, err := c.SendMessage(context.Background(), id, body); !errors.Is(err, connector.ErrBadRequest) {
			t.Errorf("body of %d bytes: %v, want ErrBadRequest", len(body), err)
		}
	}
	if len(e.V.SentMessages()) != 1 {
		t.Error("an invalid message reached the vendor")
	}
}

func TestReviews(t *testing.T) {
	e := startQuiet(t)
	e.Spec.PageSize = 5
	c, src := e.conn(t)
	ctx := context.Background()
	reviews, err := c.ListReviews(ctx, connector.ReviewQuery{})
	if err != nil {
		t.Fatal(err)
	}
	// Issue 9, item 8: the published review object has no submittedAt, and
	// the list holds reviews not yet written (awaiting, pending). Only the
	// written ones (submitted, published) are the guests' reviews, dated by
	// their stay's departureDate.
	all := rawList(t, e.raw(t, src.Credential(), "/reviews?type=guest-to-host&sortBy=departureDate&sortOrder=desc"))
	var raw []map[string]any
	unwritten := 0
	for _, w := range all {
		if _, ok := w["submittedAt"]; ok {
			t.Fatalf("the fake sends submittedAt, which the published object lacks: %v", w)
		}
		switch w["status"] {
		case "submitted", "published":
			raw = append(raw, w)
		default:
			unwritten++
		}
	}
	if unwritten == 0 {
		t.Fatal("the fake lists no unwritten guest review")
	}
	if len(reviews) != len(raw) || len(reviews) < 5 {
		t.Fatalf("%d reviews, the fake has %d written guest reviews", len(reviews), len(raw))
	}
	for i, w := range raw {
		r := reviews[i]
		reply, _ := w["revieweeResponse"].(string)
		if r.ID != "hostaway:"+str(w["id"]) || r.Vendor != "hostaway" || r.Rating == nil || *r.Rating != num(w["rating"]) ||
			r.Text != w["publicReview"] || r.Reply != reply || r.GuestName != w["guestName"] || r.CheckOut != w["departureDate"].(string)[:10] ||
			r.PropertyID != "hostaway:"+str(w["listingMapId"]) || r.ReservationID != "hostaway:"+str(w["reservationId"]) ||
			!r.SubmittedAt.IsZero() {
			t.Errorf("review %d = %+v, vendor sent %v", i, r, w)
		}
		if i > 0 && r.CheckOut > reviews[i-1].CheckOut {
			t.Errorf("not newest stay first at %d", i)
		}
		if *r.Rating < 0 || *r.Rating > 10 {
			t.Errorf("rating %v outside Hostaway's 0–10", *r.Rating)
		}
	}
	one, err := c.ListReviews(ctx, connector.ReviewQuery{PropertyID: "44912"})
	if err != nil || len(one) == 0 {
		t.Fatalf("one property: %d, %v", len(one), err)
	}
	for _, r := range one {
		if r.PropertyID != "hostaway:44912" {
			t.Errorf("property filter leaked %s", r.PropertyID)
		}
	}
	if capped, err := c.ListReviews(ctx, connector.ReviewQuery{Limit: 2}); err != nil || len(capped) != 2 {
		t.Errorf("Limit 2: %d, %v", len(capped), err)
	}
}
