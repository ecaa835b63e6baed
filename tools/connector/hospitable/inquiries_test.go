package hospitable

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// rawInquiries is every inquiry the fake holds, with its property.
func (e *env) rawInquiries(t *testing.T) []map[string]any {
	q := e.allProperties(t)
	q.Set("include", "guest,properties")
	return e.rawAll(t, "/inquiries", q, 100)
}

func TestInquiriesAndRequestsToBook(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HospitablePAT)
	got, err := c.ListInquiries(ctx, connector.InquiryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	// The requests: reservations checking in from today to 180 days on
	// whose category is request.
	requests := map[string]map[string]any{}
	for _, w := range e.rawAll(t, "/reservations", merge(e.allProperties(t), url.Values{
		"start_date": {e.Day(0)}, "end_date": {e.Day(requestDaysAhead)}}), 100) {
		if w["reservation_status"].(map[string]any)["current"].(map[string]any)["category"] == "request" {
			requests["hospitable:"+w["id"].(string)] = w
		}
	}
	inquiries := map[string]map[string]any{}
	for _, w := range e.rawInquiries(t) {
		inquiries["hospitable:inquiry:"+w["id"].(string)] = w
	}
	if len(inquiries) != 3 || len(requests) < 2 || len(got) != len(inquiries)+len(requests) {
		t.Fatalf("%d listed; the fake has %d inquiries and %d requests", len(got), len(inquiries), len(requests))
	}
	for i, in := range got {
		if i > 0 && in.ReceivedAt.After(got[i-1].ReceivedAt) {
			t.Errorf("not newest first at %d", i)
		}
		if w, ok := inquiries[in.ID]; ok {
			g := w["guest"].(map[string]any)
			at, _ := time.Parse(time.RFC3339, w["inquiry_date"].(string))
			want := connector.Inquiry{ID: in.ID, Vendor: "hospitable",
				PropertyID: "hospitable:" + w["properties"].(map[string]any)["id"].(string), Channel: w["platform"].(string),
				Status: "inquiry", GuestName: g["first_name"].(string) + " " + g["last_name"].(string),
				CheckIn: w["arrival_date"].(string)[:10], CheckOut: w["departure_date"].(string)[:10],
				Guests: int(w["guests"].(map[string]any)["total"].(float64)), ReceivedAt: at, ConversationID: in.ID}
			if in != want {
				t.Errorf("inquiry\n got %+v\nwant %+v", in, want)
			}
			continue
		}
		w, ok := requests[in.ID]
		if !ok {
			t.Fatalf("%s is neither an inquiry nor a request", in.ID)
		}
		if in.Status != "request (request to book)" || in.ConversationID != in.ID || in.CheckIn != w["arrival_date"].(string)[:10] ||
			in.PropertyID != "hospitable:"+w["properties"].([]any)[0].(map[string]any)["id"].(string) || in.GuestName == "" {
			t.Errorf("request %+v, fake %v", in, w)
		}
	}

	// One property: its inquiry and its request; a range: the inquiries
	// whose stay starts in it; a limit.
	auckland, err := c.ListInquiries(ctx, connector.InquiryQuery{PropertyID: sandbox.HospitableAucklandPropertyID})
	statuses := map[string]bool{}
	for _, in := range auckland {
		statuses[in.Status] = in.PropertyID == "hospitable:"+sandbox.HospitableAucklandPropertyID && in.Channel == "direct"
	}
	if err != nil || len(auckland) != 2 || !statuses["inquiry"] || !statuses["request (request to book)"] {
		t.Errorf("Auckland: %+v, %v", auckland, err)
	}
	berlin := e.Day(45) // the Berlin inquiry's check-in
	ranged, err := c.ListInquiries(ctx, connector.InquiryQuery{Range: connector.DateRange{From: berlin, To: berlin}})
	if err != nil || len(ranged) != 1 || ranged[0].CheckIn != berlin || ranged[0].PropertyID != "hospitable:"+sandbox.HospitablePropertyID {
		t.Errorf("inquiries for %s: %+v, %v", berlin, ranged, err)
	}
	if one, err := c.ListInquiries(ctx, connector.InquiryQuery{Limit: 1}); err != nil || len(one) != 1 || one[0].ID != got[0].ID {
		t.Errorf("limit 1: %+v, %v", one, err)
	}
	_, err = c.ListInquiries(ctx, connector.InquiryQuery{Range: connector.DateRange{From: "soon"}})
	wantErr(t, err, connector.ErrBadRequest)
	_, err = c.ListInquiries(ctx, connector.InquiryQuery{PropertyID: "../user"})
	wantErr(t, err, connector.ErrBadRequest)
}

// An inquiry's conversation id reaches its own thread: get_messages reads
// it, send_message answers it, and its conversation names the guest.
func TestAnInquiryIsAnsweredInItsThread(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HospitablePAT)
	listed, err := c.ListInquiries(ctx, connector.InquiryQuery{PropertyID: sandbox.HospitableAucklandPropertyID})
	if err != nil {
		t.Fatal(err)
	}
	in := directInquiry(t, listed)
	_, thread, _ := connector.SplitID(in.ConversationID)
	uuid := strings.TrimPrefix(thread, "inquiry:")
	rawThread := e.raw(t, "/inquiries/"+uuid, url.Values{"include": {"messages"}})["data"].(map[string]any)["messages"].([]any)
	msgs, err := c.Messages(ctx, thread)
	if err != nil || len(msgs) != len(rawThread) || len(msgs) != 2 {
		t.Fatalf("thread: %+v, %v; the fake has %d", msgs, err, len(rawThread))
	}
	for i, m := range msgs {
		w := rawThread[i].(map[string]any)
		at, _ := time.Parse(time.RFC3339, w["created_at"].(string))
		if m.Sender != w["sender_type"] || m.Body != w["body"] || !m.SentAt.Equal(at) || m.ID == "" {
			t.Errorf("message %+v, fake %v", m, w)
		}
	}
	cv, err := c.Conversation(ctx, thread)
	if err != nil || cv.ID != in.ConversationID || cv.GuestName != in.GuestName || cv.PropertyID != in.PropertyID ||
		cv.ReservationID != "" || cv.Channel != "direct" {
		t.Errorf("conversation %+v, %v", cv, err)
	}
	sent, err := c.SendMessage(ctx, thread, "That night is yours; a quote follows.")
	if err != nil || sent.Sender != "host" {
		t.Fatalf("send: %+v, %v", sent, err)
	}
	if got := e.V.SentMessages(); len(got) != 1 || got[0].ConversationID != uuid {
		t.Errorf("the fake got %+v", got)
	}
	if msgs, _ := c.Messages(ctx, thread); len(msgs) != 3 || msgs[2].Body != "That night is yours; a quote follows." {
		t.Errorf("thread after sending: %+v", msgs)
	}

	// Booking.com does not always let a host answer before booking [C].
	var booking string
	all, _ := c.ListInquiries(ctx, connector.InquiryQuery{})
	for _, in := range all {
		if in.Channel == "booking" && in.Status == "inquiry" {
			_, booking, _ = connector.SplitID(in.ConversationID)
		}
	}
	_, err = c.SendMessage(ctx, booking, "hello")
	if ae := wantErr(t, err, connector.ErrBadRequest); ae != nil && !strings.Contains(ae.Code, "Booking.com") {
		t.Errorf("Booking.com thread: %v", err)
	}
	ro, _ := e.pat(sandbox.HospitableReadOnlyPAT)
	_, err = ro.SendMessage(ctx, thread, "hello")
	if ae := wantErr(t, err, connector.ErrForbidden); ae != nil && !strings.Contains(ae.Code, "message:write") {
		t.Errorf("read-only: %v", err)
	}
	for _, bad := range []string{"inquiry:", "inquiry:../user", "inquiry:a/b"} {
		_, err = c.Messages(ctx, bad)
		wantErr(t, err, connector.ErrBadRequest)
		_, err = c.SendMessage(ctx, bad, "x")
		wantErr(t, err, connector.ErrBadRequest)
	}
	_, err = c.Messages(ctx, "inquiry:00000000-0000-4000-8000-000000000000")
	wantErr(t, err, connector.ErrNotFound)
}

// An inquiry that became a reservation answers 410 [C]; its thread goes
// on in the reservation, found by the conversation id they share.
func TestAnInquiryThatBecameAReservation(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HospitablePAT)
	convs, err := c.ListConversations(ctx, connector.ConversationQuery{Limit: 1})
	if err != nil || len(convs) != 1 {
		t.Fatalf("conversations: %v", err)
	}
	_, resID, _ := connector.SplitID(convs[0].ReservationID)
	former := e.raw(t, "/reservations/"+resID, nil)["data"].(map[string]any)["conversation_id"].(string)
	thread := "inquiry:" + former
	msgs, err := c.Messages(ctx, thread)
	want, _ := c.Messages(ctx, resID)
	if err != nil || len(msgs) == 0 || len(msgs) != len(want) || msgs[0] != want[0] {
		t.Errorf("messages of the former inquiry: %+v, %v; the reservation's: %+v", msgs, err, want)
	}
	if cv, err := c.Conversation(ctx, thread); err != nil || cv != convs[0] {
		t.Errorf("conversation of the former inquiry: %+v, %v; want %+v", cv, err, convs[0])
	}
	if _, err := c.SendMessage(ctx, thread, "See you on arrival."); err != nil {
		t.Fatal(err)
	}
	if got := e.V.SentMessages(); len(got) != 1 || got[0].ConversationID != resID {
		t.Errorf("the fake got %+v, want a message in reservation %s", got, resID)
	}
}

func TestInquiryShapesThatFail(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HospitablePAT)
	const id = "6f58fd0a-a9cb-3746-9219-384a156ff7bb"
	prop := sandbox.HospitablePropertyID
	list := func() error {
		_, err := c.ListInquiries(ctx, connector.InquiryQuery{PropertyID: prop})
		return err
	}
	for _, f := range []struct {
		name, path, body string
		call             func() error
	}{
		{"inquiries without data", "/inquiries", `{"inquiries":[]}`, list},
		{"an inquiry without an id", "/inquiries", `{"data":[{"platform":"airbnb"}],"links":{"next":null}}`, list},
		{"an inquiry without its messages", "/inquiries/" + id, `{"data":{"id":"` + id + `"}}`, func() error {
			_, err := c.Messages(ctx, inquiryPrefix+id)
			return err
		}},
		{"an inquiry not in data", "/inquiries/" + id, `{"id":"` + id + `"}`, func() error {
			_, err := c.Conversation(ctx, inquiryPrefix+id)
			return err
		}},
	} {
		t.Run(f.name, func(t *testing.T) {
			e.V.ClearFaults()
			e.V.Fail(sandbox.Fault{Path: f.path, HTTPStatus: 200, Body: f.body})
			if ae := wantErr(t, f.call(), connector.ErrUnavailable); ae != nil && ae.Status != 200 {
				t.Errorf("error %+v, want Hospitable's malformed answer", ae)
			}
		})
	}
}

// The inquiry's property is one object in the reference and a list on a
// reservation; either is read. A thread is a list, or the one Message the
// schema shows.
func TestInquiryWireShapes(t *testing.T) {
	for _, tc := range []struct{ json, want string }{
		{`{"properties":{"id":"p1"}}`, "p1"},
		{`{"properties":[{"id":"p2"},{"id":"p3"}]}`, "p2"},
		{`{"properties":null}`, ""},
		{`{}`, ""},
	} {
		var w wireInquiry
		if err := json.Unmarshal([]byte(tc.json), &w); err != nil || w.Properties.ID != tc.want {
			t.Errorf("%s: %q, %v", tc.json, w.Properties.ID, err)
		}
	}
	for _, tc := range []struct {
		raw string
		n   int
		ok  bool
	}{
		{`[{"body":"a"},{"body":"b"}]`, 2, true},
		{`[]`, 0, true},
		{`{"body":"one"}`, 1, true},
		{`null`, 0, false},
		{``, 0, false},
		{`"text"`, 1, false},
	} {
		ms, ok := threadOf([]byte(tc.raw))
		if ok != tc.ok || ok && len(ms) != tc.n {
			t.Errorf("%s: %d messages, %v", tc.raw, len(ms), ok)
		}
	}
}
