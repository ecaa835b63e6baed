package hospitable

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// harness is the fake as the contract suites see it.
func (e *env) harness(t *testing.T) connectortest.Harness {
	return connectortest.Harness{
		Spec:               e.Spec,
		Cred:               connector.Credential{AccessToken: sandbox.HospitablePAT},
		Vendor:             e.V,
		Secrets:            allSecrets,
		UnauthorizedStatus: 401,
		MinProperties:      4,
		Renewable:          e.oauth,
		CheckPath:          "/user",
		Echo: func(text string) sandbox.Fault {
			return sandbox.Fault{Path: "/user", HTTPStatus: 401, Body: `{"message":"` + text + `"}`}
		},
		EchoWant: connector.ErrUnauthorized,
		EchoGrant: func(text string) sandbox.Fault {
			return sandbox.Fault{Path: "/oauth/token", HTTPStatus: 400, Body: `{"message":"` + text + `"}`}
		},
	}
}

// TestContract runs the suite every vendor passes. The suite dates its
// queries by the wall clock, so the fake is seeded around it.
func TestContract(t *testing.T) {
	connectortest.Run(t, newEnvAt(t, time.Now().UTC()).harness(t))
}

// TestWriteContract runs the suite of the write capabilities.
func TestWriteContract(t *testing.T) {
	connectortest.RunWrites(t, newEnv(t).harness(t))
}

// TestEveryOperationKeepsTheContract drives every request of Hospitable's
// contract (testdata/vendors/hospitable/contract.json) through hostgate's
// own code — the connect in the host's browser, the code exchange and the
// refresh, every read and every write — while the watch holds each
// exchange to the contract; then it replays each with every enumerated
// value replaced by one outside its enum, and the fake refuses them all,
// as Hospitable does.
func TestEveryOperationKeepsTheContract(t *testing.T) {
	e := newEnv(t)
	w := connectortest.Watch(e.V)
	if w == nil {
		t.Fatal("no contract watch on the Hospitable fake")
	}
	cred := e.oauth(t) // GET and POST /oauth/authorize, POST /oauth/token (code)
	cred, err := e.Spec.Refresh(ctx, e.Spec, cred)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := connectortest.Conn[*conn](e.Spec, cred)
	if _, err := c.Check(ctx); err != nil {
		t.Fatal(err)
	}
	// A dated query first: its exchange, with date_query, is the one the
	// probes replay.
	rs, err := c.ListReservations(ctx, connector.ReservationQuery{PropertyID: sandbox.HospitablePropertyID,
		Range: connector.DateRange{From: e.Day(-40), To: e.Day(40)}})
	if err != nil || len(rs) == 0 {
		t.Fatalf("reservations: %d, %v", len(rs), err)
	}
	_, resID, _ := connector.SplitID(rs[0].ID)
	if _, err := c.GetReservation(ctx, resID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Messages(ctx, resID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendMessage(ctx, resID, "See you soon."); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListProperties(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetProperty(ctx, sandbox.HospitablePropertyID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Calendar(ctx, sandbox.HospitablePropertyID, connector.DateRange{}); err != nil {
		t.Fatal(err)
	}
	two := 2
	if _, err := c.UpdateCalendar(ctx, sandbox.HospitablePropertyID, connector.CalendarChange{
		Range: connector.DateRange{From: e.Day(30), To: e.Day(31)}, MinStay: &two}); err != nil {
		t.Fatal(err)
	}
	reviews, err := c.ListReviews(ctx, connector.ReviewQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ReplyToReview(ctx, respondable(t, e, reviews), "Thank you for staying!"); err != nil {
		t.Fatal(err)
	}
	// Issue 11's jobs: money, inquiries and their threads, a quote, a door code.
	if _, err := c.ListPayouts(ctx, connector.MoneyQuery{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListTransactions(ctx, connector.MoneyQuery{}); err != nil {
		t.Fatal(err)
	}
	inquiries, err := c.ListInquiries(ctx, connector.InquiryQuery{})
	if err != nil {
		t.Fatal(err)
	}
	direct := directInquiry(t, inquiries)
	_, thread, _ := connector.SplitID(direct.ConversationID)
	if _, err := c.Messages(ctx, thread); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendMessage(ctx, thread, "The night is yours; here is a quote."); err != nil {
		t.Fatal(err)
	}
	if _, err := c.MakeQuote(ctx, connector.QuoteRequest{PropertyID: sandbox.HospitableAucklandPropertyID,
		CheckIn: direct.CheckIn, CheckOut: direct.CheckOut, Adults: 2, GuestName: direct.GuestName}); err != nil {
		t.Fatal(err)
	}
	code := "4821#"
	if err := c.UpdateStay(ctx, connector.StayUpdate{ReservationID: resID, DoorCode: &code}); err != nil {
		t.Fatal(err)
	}
	if unused := w.Unused(); len(unused) != 0 {
		t.Errorf("operations of the contract no exchange used: %v", unused)
	}
	// One probe per enumerated value sent: response_type, grant_type, the
	// include of the two property reads, of reviews, of both reservation
	// reads, of transactions and of both inquiry reads, and date_query.
	if n := w.ProbeEnums(t); n < 11 {
		t.Errorf("%d enum probes, want at least 11", n)
	}
}

// directInquiry is the seeded inquiry for a stay on Hospitable Direct
// (the Auckland property), which a quote can answer.
func directInquiry(t *testing.T, listed []connector.Inquiry) connector.Inquiry {
	t.Helper()
	for _, in := range listed {
		if in.Channel == "direct" && in.Status == connector.StatusInquiry {
			return in
		}
	}
	t.Fatalf("no inquiry on Hospitable Direct among %+v", listed)
	return connector.Inquiry{}
}

// respondable is a review, of those listed, that Hospitable still lets
// the host respond to.
func respondable(t *testing.T, e *env, listed []connector.Review) string {
	t.Helper()
	open := map[string]bool{}
	for _, p := range e.rawAll(t, "/properties", nil, 100) {
		for _, rv := range e.rawAll(t, "/properties/"+p["id"].(string)+"/reviews", nil, 50) {
			open[rv["id"].(string)] = rv["can_respond"] == true
		}
	}
	for _, r := range listed {
		if _, id, _ := connector.SplitID(r.ID); open[id] {
			return id
		}
	}
	t.Fatal("the fake seeds no review open to a response")
	return ""
}

// TestAWrongRequestIsCaught: a request the published reference does not
// allow breaks the contract (so a client sending it fails every test that
// watches the fake), and the fake, asked it on purpose, refuses it as
// Hospitable does: 400 {status_code, reason_phrase}.
func TestAWrongRequestIsCaught(t *testing.T) {
	e := newEnv(t)
	contract := connectortest.Watch(e.V).C
	prop := "properties[]=" + sandbox.HospitablePropertyID
	tests := []struct {
		name, method, path, query string
		violation                 string
		status                    int // the fake's answer; 0: not sent
	}{
		{"a date_query outside its enum", "GET", "/v2/reservations", prop + "&date_query=arrival", `"arrival" is not one of`, 400},
		{"an include another endpoint lists", "GET", "/v2/reservations/" + sandbox.HospitablePropertyID, "include=guest,review", `"review" is not one of`, 400},
		{"include=reservation, singular, on reviews", "GET", "/v2/properties/" + sandbox.HospitablePropertyID + "/reviews", "include=guest,reservation", `"reservation" is not one of`, 400},
		{"a page larger than the reference allows", "GET", "/v2/properties", "per_page=101", "out of bounds", 400},
		{"a status filter the reference does not have", "GET", "/v2/reservations", prop + "&status[]=accepted", `"status[]" is not in the contract`, 0},
		{"reviews of a property named by a code", "GET", "/v2/properties/HMABC123/reviews", "", "want a UUID", 0},
		{"include=messages on the inquiry list", "GET", "/v2/inquiries", prop + "&include=messages", `"messages" is not one of`, 400},
		{"an include payouts do not list", "GET", "/v2/payouts", "include=reservation", `"reservation" is not one of`, 400},
		{"a shortcode outside the published keys", "PUT", "/v2/reservations/" + sandbox.HospitablePropertyID + "/enrichment/door_code", "", `"door_code" is not one of`, 0},
		// Issue 9 item 6: the redirect URL is the Partner Portal's.
		{"an authorize URL with redirect_uri", "GET", "/oauth/authorize", "client_id=x&response_type=code&redirect_uri=https%3A%2F%2Fh.example%2Fcb", `"redirect_uri" is not in the contract`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			ex := sandbox.Exchange{Method: tt.method, Path: tt.path, Query: q,
				Header: http.Header{"Authorization": {"Bearer t"}}, Status: http.StatusOK, RespBody: []byte(`{"data":[]}`)}
			if got := strings.Join(contract.Check(ex), "; "); !strings.Contains(got, tt.violation) {
				t.Errorf("Check = %q, want %q", got, tt.violation)
			}
			if tt.status == 0 {
				return
			}
			status, body := connectortest.Raw(t, tt.method, e.V.URL+tt.path+"?"+tt.query, http.Header{
				"Authorization": {"Bearer " + sandbox.HospitablePAT}, connectortest.ProbeHeader: {"1"}}, nil)
			m, _ := body.(map[string]any)
			if status != tt.status || m["status_code"] != float64(tt.status) || m["reason_phrase"] == "" {
				t.Errorf("the fake answered HTTP %d %v, want %d {status_code, reason_phrase}", status, body, tt.status)
			}
		})
	}
}
