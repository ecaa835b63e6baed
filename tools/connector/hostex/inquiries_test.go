package hostex

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// Hostex's inquiries are of two kinds: booking requests, which are
// reservations awaiting the host's acceptance or the guest's payment, and
// a guest's question that no booking followed, which is only a
// conversation whose activity is an inquiry. Both are listed, each
// answerable through the conversation it names.
func TestInquiriesAreRequestsAndOpenConversations(t *testing.T) {
	e := newEnv(t)
	e.Spec.PageSize = 3 // paging through both lists
	c, _ := e.pat(sandbox.HostexReadOnlyToken)
	r := connector.DateRange{From: e.Day(-1), To: e.Day(200)}
	details := e.V.Requests("/conversations/")
	got, err := c.ListInquiries(ctx, connector.InquiryQuery{Range: r})
	if err != nil {
		t.Fatal(err)
	}
	// Only the conversation no reservation names is read in full.
	if n := e.V.Requests("/conversations/") - details; n != 1 {
		t.Errorf("%d conversations read in full, want 1 (the one no reservation names)", n)
	}

	// The requests are exactly the fake's wait_accept and wait_pay
	// reservations of the range, mapped from its answer.
	var want []connector.Inquiry
	for _, w := range e.rawAll(t, "/reservations", "reservations", url.Values{"start_check_in_date": {r.From}, "end_check_in_date": {r.To}}) {
		st := w["status"].(string)
		if st != "wait_accept" && st != "wait_pay" {
			continue
		}
		booked, _ := time.Parse(time.RFC3339, w["booked_at"].(string))
		conv := ""
		if id, ok := w["conversation_id"].(string); ok {
			conv = "hostex:" + id
		}
		want = append(want, connector.Inquiry{ID: "hostex:" + w["reservation_code"].(string), Vendor: "hostex",
			PropertyID: fmt.Sprintf("hostex:%.0f", w["property_id"]), Channel: w["channel_type"].(string), Status: st,
			GuestName: w["guest_name"].(string), CheckIn: w["check_in_date"].(string), CheckOut: w["check_out_date"].(string),
			Guests: int(w["number_of_guests"].(float64)), ReceivedAt: booked, ConversationID: conv})
	}
	// The open inquiry, as its conversation has it.
	detail := e.raw(t, "/conversations/"+sandbox.HostexInquiryConversationID, nil)
	msgs := detail["messages"].([]any)
	first, _ := time.Parse(time.RFC3339, msgs[0].(map[string]any)["created_at"].(string))
	want = append(want, connector.Inquiry{ID: "hostex:" + sandbox.HostexInquiryConversationID, Vendor: "hostex",
		PropertyID: "hostex:12590331", Channel: "airbnb", Status: "inquiry", GuestName: "Keiko Sato",
		CheckIn: e.Day(118), CheckOut: e.Day(121), ReceivedAt: first, ConversationID: "hostex:" + sandbox.HostexInquiryConversationID})

	if len(got) != len(want) {
		t.Fatalf("%d inquiries, want %d:\n got %+v\nwant %+v", len(got), len(want), got, want)
	}
	byID := map[string]connector.Inquiry{}
	for _, inq := range got {
		byID[inq.ID] = inq
	}
	for _, w := range want {
		g, ok := byID[w.ID]
		if !ok || !g.ReceivedAt.Equal(w.ReceivedAt) {
			t.Errorf("inquiry %s: got %+v, want %+v", w.ID, g, w)
			continue
		}
		g.ReceivedAt, w.ReceivedAt = time.Time{}, time.Time{}
		if g != w {
			t.Errorf("inquiry\n got %+v\nwant %+v", g, w)
		}
	}
	statuses := map[string]bool{}
	for i, inq := range got {
		statuses[inq.Status] = true
		if i > 0 && inq.ReceivedAt.After(got[i-1].ReceivedAt) {
			t.Errorf("not newest first: %v after %v", inq.ReceivedAt, got[i-1].ReceivedAt)
		}
	}
	for _, s := range []string{"wait_accept", "wait_pay", "inquiry"} {
		if !statuses[s] {
			t.Errorf("no inquiry of status %s among %+v", s, got)
		}
	}

	// Each is answered where it says: the send_message path takes its
	// conversation.
	w, _ := e.pat(sandbox.HostexWritableToken)
	for _, inq := range got {
		_, conv, err := connector.SplitID(inq.ConversationID)
		if err != nil {
			continue // a request without a conversation
		}
		if _, err := w.SendMessage(ctx, conv, "Thanks for asking! Those dates are free."); err != nil {
			t.Fatalf("answering %s: %v", inq.ID, err)
		}
		thread, err := w.Messages(ctx, conv)
		if err != nil || len(thread) < 2 || thread[len(thread)-1].Body != "Thanks for asking! Those dates are free." {
			t.Errorf("thread of %s: %+v, %v", inq.ID, thread, err)
		}
	}
}

func TestInquiriesFilters(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HostexReadOnlyToken)
	ids := func(q connector.InquiryQuery) []string {
		t.Helper()
		got, err := c.ListInquiries(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, inq := range got {
			out = append(out, inq.ID)
		}
		return out
	}
	open := "hostex:" + sandbox.HostexInquiryConversationID
	pay := "hostex:" + sandbox.HostexAwaitingPaymentCode

	// The range is of check-ins, both ends included.
	if got := ids(connector.InquiryQuery{Range: connector.DateRange{From: e.Day(118), To: e.Day(118)}}); !slices.Equal(got, []string{open}) {
		t.Errorf("check-ins on day 118: %v", got)
	}
	if got := ids(connector.InquiryQuery{Range: connector.DateRange{From: e.Day(119)}}); slices.Contains(got, open) || slices.Contains(got, pay) {
		t.Errorf("from day 119: %v", got)
	}
	// By property: the reservations are asked for it, the conversations
	// filtered here.
	if got := ids(connector.InquiryQuery{Range: connector.DateRange{From: e.Day(100)}, PropertyID: "12304518"}); !slices.Equal(got, []string{pay}) {
		t.Errorf("property 12304518: %v", got)
	}
	if got := ids(connector.InquiryQuery{Range: connector.DateRange{From: e.Day(100)}, PropertyID: "12590331"}); !slices.Equal(got, []string{open}) {
		t.Errorf("property 12590331: %v", got)
	}
	// Without a start, from yesterday on: every fixed one, none in the past.
	all := ids(connector.InquiryQuery{})
	for _, id := range []string{open, pay, "hostex:" + sandbox.HostexAwaitingAcceptanceCode} {
		if !slices.Contains(all, id) {
			t.Errorf("no start: %v lacks %s", all, id)
		}
	}
	got, err := c.ListInquiries(ctx, connector.InquiryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, inq := range got {
		if inq.CheckIn < e.Day(-1) {
			t.Errorf("no start: %s checks in %s, before yesterday", inq.ID, inq.CheckIn)
		}
	}
	if got := ids(connector.InquiryQuery{Limit: 2}); len(got) != 2 || !slices.Equal(got, all[:2]) {
		t.Errorf("limit 2: %v, want the newest two of %v", got, all)
	}

	for _, q := range []connector.InquiryQuery{
		{Range: connector.DateRange{From: "21/05/2026"}},
		{Range: connector.DateRange{From: e.Day(10), To: e.Day(9)}},
		{PropertyID: "Railyard"},
	} {
		before := e.V.Requests("")
		_, err := c.ListInquiries(ctx, q)
		wantErr(t, err, connector.ErrBadRequest)
		if e.V.Requests("") != before {
			t.Errorf("%+v: a request was sent for a query refused here", q)
		}
	}
}

// A vendor error or an answer without what hostgate reads fails the
// account's inquiries; it is never an empty list.
func TestInquiriesFailLoudly(t *testing.T) {
	ok := func(data string) string {
		return `{"request_id":"x","error_code":0,"error_msg":"Done.","data":` + data + `}`
	}
	for _, tc := range []struct {
		name  string
		fault sandbox.Fault
		want  error
	}{
		{"reservations throttled", sandbox.Fault{Path: "/reservations", Status: 429, RetryAfter: "5"}, connector.ErrRateLimited},
		{"conversations refused", sandbox.Fault{Path: "/conversations", Status: 403}, connector.ErrForbidden},
		{"reservations under another key", sandbox.Fault{Path: "/reservations", Body: ok(`{"items":[]}`)}, connector.ErrUnavailable},
		{"a request without its dates", sandbox.Fault{Path: "/reservations", Body: ok(`{"reservations":[{"reservation_code":"0-1-a","stay_code":"0-1-a","status":"wait_accept"}]}`)}, connector.ErrUnavailable},
		{"conversations as a bare list", sandbox.Fault{Path: "/conversations", Body: ok(`[]`)}, connector.ErrUnavailable},
		{"the inquiry's detail without activities", sandbox.Fault{Path: "/conversations/" + sandbox.HostexInquiryConversationID,
			Body: ok(`{"id":"` + sandbox.HostexInquiryConversationID + `","channel_type":"airbnb","guest":{},"messages":[]}`)}, connector.ErrUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			c, _ := e.pat(sandbox.HostexReadOnlyToken)
			e.V.Fail(tc.fault)
			got, err := c.ListInquiries(ctx, connector.InquiryQuery{Range: connector.DateRange{From: e.Day(100)}})
			ae := wantErr(t, err, tc.want)
			if got != nil || ae == nil || ae.Vendor != "hostex" || !strings.Contains(err.Error(), "list inquiries") {
				t.Errorf("ListInquiries = %v, %v; want this account's error", got, err)
			}
		})
	}
}
