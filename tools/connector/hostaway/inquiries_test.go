package hostaway

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// Hostaway's inquiries are its reservations in inquiry and request
// statuses; each comes with the thread send_message answers it in.
func TestListInquiries(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	ctx := context.Background()
	today := fixedNow.Format(time.DateOnly)
	got, err := c.ListInquiries(ctx, connector.InquiryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	open := map[string]bool{"inquiry": true, "inquiryPreapproved": true, "pending": true, "unconfirmed": true,
		"awaitingPayment": true, "awaitingGuestVerification": true}
	var want []map[string]any
	for _, r := range rawList(t, e.raw(t, src.Credential(), "/reservations?limit=1000&arrivalStartDate="+today)) {
		if open[r["status"].(string)] {
			want = append(want, r)
		}
	}
	if len(got) != len(want) || len(got) < 4 {
		t.Fatalf("%d inquiries, the fake has %d open ones from today on", len(got), len(want))
	}
	byID := map[string]connector.Inquiry{}
	statuses := map[string]bool{}
	for i, in := range got {
		byID[in.ID] = in
		statuses[in.Status] = true
		if i > 0 && in.CheckIn < got[i-1].CheckIn {
			t.Errorf("not in check-in order at %d", i)
		}
	}
	for _, w := range want {
		in, ok := byID["hostaway:"+str(w["id"])]
		if !ok {
			t.Fatalf("inquiry %v missing", w["id"])
		}
		received, _ := time.Parse("2006-01-02 15:04:05", w["reservationDate"].(string))
		convs := rawList(t, e.raw(t, src.Credential(), "/conversations?reservationId="+str(w["id"])))
		wantConv := ""
		if len(convs) > 0 {
			wantConv = "hostaway:" + str(convs[0]["id"])
		}
		channel := map[string]string{"airbnbOfficial": "airbnb", "bookingcom": "booking", "homeaway": "vrbo", "direct": "direct"}[w["channelName"].(string)]
		wantIn := connector.Inquiry{ID: "hostaway:" + str(w["id"]), Vendor: "hostaway", PropertyID: "hostaway:" + str(w["listingMapId"]),
			Channel: channel, Status: w["status"].(string), GuestName: w["guestName"].(string), CheckIn: w["arrivalDate"].(string),
			CheckOut: w["departureDate"].(string), Guests: int(num(w["numberOfGuests"])), ReceivedAt: received, ConversationID: wantConv}
		if in != wantIn {
			t.Errorf("inquiry\n got %+v\nwant %+v", in, wantIn)
		}
	}
	for _, s := range []string{"inquiry", "inquiryPreapproved", "unconfirmed"} {
		if !statuses[s] {
			t.Errorf("no %s inquiry among %v", s, statuses)
		}
	}
	for _, in := range got {
		if in.Status == "inquiryTimedout" {
			t.Errorf("a lapsed inquiry is listed: %+v", in)
		}
	}

	// Filters: a property, a range, a limit.
	one, err := c.ListInquiries(ctx, connector.InquiryQuery{PropertyID: "hostaway:43055"})
	if err != nil || len(one) == 0 {
		t.Fatalf("by property: %v, %v", one, err)
	}
	for _, in := range one {
		if in.PropertyID != "hostaway:43055" {
			t.Errorf("property filter leaked %+v", in)
		}
	}
	from, to := fixedNow.AddDate(0, 0, 45).Format(time.DateOnly), fixedNow.AddDate(0, 0, 70).Format(time.DateOnly)
	ranged, err := c.ListInquiries(ctx, connector.InquiryQuery{Range: connector.DateRange{From: from, To: to}})
	if err != nil || len(ranged) == 0 {
		t.Fatalf("by range: %v, %v", ranged, err)
	}
	for _, in := range ranged {
		if in.CheckIn < from || in.CheckIn > to {
			t.Errorf("%s arrives %s, outside %s..%s", in.ID, in.CheckIn, from, to)
		}
	}
	if capped, err := c.ListInquiries(ctx, connector.InquiryQuery{Limit: 2}); err != nil || len(capped) != 2 {
		t.Errorf("Limit 2: %d, %v", len(capped), err)
	}
	before := e.V.Requests("")
	for _, q := range []connector.InquiryQuery{{Range: connector.DateRange{From: "May 1"}}, {PropertyID: "x1"}} {
		if _, err := c.ListInquiries(ctx, q); !errors.Is(err, connector.ErrBadRequest) {
			t.Errorf("%+v: %v, want ErrBadRequest", q, err)
		}
	}
	if e.V.Requests("") != before {
		t.Error("a malformed query reached the vendor")
	}
}

// An inquiry's conversation is one the existing messaging reads and
// answers: the guest's question is there, and the reply reaches the fake.
func TestInquiryIsAnsweredThroughItsThread(t *testing.T) {
	e := startQuiet(t)
	c, _ := e.conn(t)
	ctx := context.Background()
	got, err := c.ListInquiries(ctx, connector.InquiryQuery{PropertyID: "41287"})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(got, func(in connector.Inquiry) bool { return in.Status == "inquiry" })
	if i < 0 || got[i].ConversationID == "" {
		t.Fatalf("no inquiry with a thread: %+v", got)
	}
	msgs, err := c.Messages(ctx, got[i].ConversationID)
	if err != nil || len(msgs) == 0 || msgs[0].Sender != "guest" {
		t.Fatalf("the inquiry's thread = %+v, %v", msgs, err)
	}
	if _, err := c.SendMessage(ctx, got[i].ConversationID, "Dogs are welcome; the pet fee is $40 a stay."); err != nil {
		t.Fatal(err)
	}
	_, convID, _ := connector.SplitID(got[i].ConversationID)
	if sent := e.V.SentMessages(); len(sent) != 1 || sent[0].ConversationID != convID || sent[0].CommunicationType != "channel" {
		t.Errorf("sent = %+v", sent)
	}
}

// The reservations walk pages with the afterId cursor as for
// list_reservations, and finds the same inquiries in pages of 3.
func TestListInquiriesPages(t *testing.T) {
	e := startQuiet(t)
	c, _ := e.conn(t)
	ctx := context.Background()
	all, err := c.ListInquiries(ctx, connector.InquiryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	e.Spec.PageSize = 3
	before := e.V.Requests("/v1/reservations")
	paged, err := c.ListInquiries(ctx, connector.InquiryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if mustJSON(t, paged) != mustJSON(t, all) {
		t.Errorf("in pages of 3:\n%+v\nin one:\n%+v", paged, all)
	}
	if n := e.V.Requests("/v1/reservations") - before; n < 10 {
		t.Errorf("%d reservation pages of 3, want the whole future walked", n)
	}
}

// A thread that cannot be looked up leaves the inquiry without one, and
// the look-ups stop there (a spent budget would refuse the rest too); an
// answer without what hostgate reads fails the call for the account.
func TestListInquiriesFailures(t *testing.T) {
	e := startQuiet(t)
	c, _ := e.conn(t)
	ctx := context.Background()
	e.V.Fail(sandbox.Fault{Path: "/conversations", Status: 500})
	before := e.V.Requests("/v1/conversations")
	got, err := c.ListInquiries(ctx, connector.InquiryQuery{})
	if err != nil || len(got) < 2 {
		t.Fatalf("with the thread look-up failing: %+v, %v", got, err)
	}
	for _, in := range got {
		if in.ConversationID != "" {
			t.Errorf("%s has a thread after the look-ups stopped", in.ID)
		}
	}
	if n := e.V.Requests("/v1/conversations") - before; n != 1 {
		t.Errorf("%d look-ups, want 1", n)
	}

	e.V.Fail(sandbox.Fault{Path: "/reservations", HTTPStatus: 200,
		Body: `{"status":"success","result":[{"id":5,"status":"inquiry","arrivalDate":"2026-06-01","departureDate":"2026-06-03"}]}`})
	if _, err := c.ListInquiries(ctx, connector.InquiryQuery{}); !errors.Is(err, connector.ErrUnavailable) {
		t.Errorf("an inquiry without its listing: %v, want a malformed answer", err)
	}
	e.V.Fail(sandbox.Fault{Path: "/reservations", Status: 403, Times: -1})
	_, err = c.ListInquiries(ctx, connector.InquiryQuery{})
	e.V.ClearFaults()
	if err == nil {
		t.Error("a refused token listed inquiries")
	}
	noSecret(t, err)
}
