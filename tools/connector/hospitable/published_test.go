package hospitable

import (
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// Tests of issue 9's Hospitable items, each against the fake as it follows
// the published reference (public.json).

// Item 3: include=financials needs financials:read. A connection without
// it still reads its reservations, without totals, and stops asking.
func TestReservationsWithoutTheFinancialsScope(t *testing.T) {
	e := newEnv(t)
	noFinancials.mu.Lock()
	clear(noFinancials.m) // what an earlier run learnt
	noFinancials.mu.Unlock()
	// The fake refuses the include to such a token, as the vendor does.
	q := merge(e.allProperties(t), url.Values{"include": {reservationIncludes}})
	status, _ := connectortest.Raw(t, http.MethodGet, e.V.APIBase+"/reservations?"+q.Encode(),
		http.Header{"Authorization": {"Bearer " + sandbox.HospitableNoFinancialsPAT}}, nil)
	if status != http.StatusForbidden {
		t.Fatalf("include=financials without financials:read: HTTP %d, want 403", status)
	}

	c, _ := e.pat(sandbox.HospitableNoFinancialsPAT)
	rq := connector.ReservationQuery{PropertyID: sandbox.HospitablePropertyID, Range: connector.DateRange{From: e.Day(-40), To: e.Day(40)}}
	before := e.V.Requests("/reservations")
	rs, err := c.ListReservations(ctx, rq)
	if err != nil || len(rs) == 0 {
		t.Fatalf("list without financials:read: %d, %v", len(rs), err)
	}
	for _, r := range rs {
		if r.Total != nil || r.GuestName == "" || r.PropertyID == "" {
			t.Errorf("reservation %+v", r)
		}
	}
	if n := e.V.Requests("/reservations") - before; n != 2 {
		t.Errorf("%d requests: want the refused one and one without financials", n)
	}
	_, id, _ := connector.SplitID(rs[0].ID)
	before = e.V.Requests("/reservations")
	one, err := c.GetReservation(ctx, id)
	if err != nil || one.ID != rs[0].ID || one.Total != nil {
		t.Errorf("get without financials:read: %+v, %v", one, err)
	}
	if n := e.V.Requests("/reservations") - before; n != 1 {
		t.Errorf("%d requests: the connection is known to lack financials:read", n)
	}

	// The next call's connector knows the token too: no refused request.
	again, _ := e.pat(sandbox.HospitableNoFinancialsPAT)
	before = e.V.Requests("/reservations")
	if _, err := again.ListReservations(ctx, rq); err != nil {
		t.Fatal(err)
	}
	if n := e.V.Requests("/reservations") - before; n != 1 {
		t.Errorf("%d requests on the next call", n)
	}

	// A granted scope that is known and lacks financials:read: never asked.
	c2, _ := connectortest.Conn[*conn](e.Spec, connector.Credential{AccessToken: sandbox.HospitableNoFinancialsPAT, Scope: "property:read reservation:read"})
	before = e.V.Requests("/reservations")
	if _, err := c2.ListReservations(ctx, rq); err != nil {
		t.Fatal(err)
	}
	if n := e.V.Requests("/reservations") - before; n != 1 {
		t.Errorf("%d requests with a known scope", n)
	}

	// With the scope the totals come.
	full, _ := e.pat(sandbox.HospitablePAT)
	rs, err = full.ListReservations(ctx, rq)
	if err != nil || len(rs) == 0 || rs[0].Total == nil {
		t.Errorf("with financials:read: %+v, %v", rs, err)
	}
}

// Item 7: a review's stay is its reservation{id, code, check_in, check_out}.
func TestReviewsCarryTheirStay(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HospitablePAT)
	got, err := c.ListReviews(ctx, connector.ReviewQuery{})
	if err != nil || len(got) < 4 {
		t.Fatalf("%d reviews, %v", len(got), err)
	}
	for _, r := range got {
		if r.ReservationID == "" || r.CheckOut == "" {
			t.Errorf("review %s without its stay: %+v", r.ID, r)
			continue
		}
		_, id, _ := connector.SplitID(r.ReservationID)
		res, err := c.GetReservation(ctx, id)
		if err != nil || res.CheckOut != r.CheckOut || res.PropertyID != r.PropertyID {
			t.Errorf("review %+v, its reservation %+v, %v", r, res, err)
		}
	}
}

// Item 9: the published answer to a sent message is 201 {}; no id.
func TestSentMessageAnswerIsEmpty(t *testing.T) {
	e := newEnv(t)
	res := e.rawAll(t, "/reservations", merge(e.allProperties(t), url.Values{"start_date": {e.Day(-40)}, "end_date": {e.Day(40)}}), 100)
	status, body := connectortest.Raw(t, http.MethodPost, e.V.APIBase+"/reservations/"+res[0]["id"].(string)+"/messages",
		http.Header{"Authorization": {"Bearer " + sandbox.HospitablePAT}}, map[string]string{"body": "hello"})
	if m, ok := body.(map[string]any); status != http.StatusCreated || !ok || len(m) != 0 {
		t.Errorf("POST messages: HTTP %d, %v; the reference answers 201 {}", status, body)
	}
}

// Item 10: GET /properties/{uuid} answers the property itself; an answer
// of another shape is an error, never an empty property or list.
func TestUnexpectedShapesFail(t *testing.T) {
	e := newEnv(t)
	p := e.raw(t, "/properties/"+sandbox.HospitablePropertyID, nil)
	if p["id"] != sandbox.HospitablePropertyID || p["data"] != nil {
		t.Fatalf("the fake's property is not the published PropertyFull: %v", p)
	}
	c, _ := e.pat(sandbox.HospitablePAT)
	got, err := c.GetProperty(ctx, sandbox.HospitablePropertyID)
	if err != nil || got.ID != "hospitable:"+sandbox.HospitablePropertyID || got.Name == "" {
		t.Errorf("GetProperty = %+v, %v", got, err)
	}
	for _, f := range []struct {
		path, body string
		call       func() error
	}{
		{"/properties/" + sandbox.HospitablePropertyID, `{}`, func() error { _, err := c.GetProperty(ctx, sandbox.HospitablePropertyID); return err }},
		{"/properties/" + sandbox.HospitablePropertyID, `{"data":{"name":"x"}}`, func() error { _, err := c.GetProperty(ctx, sandbox.HospitablePropertyID); return err }},
		{"/properties", `{"items":[]}`, func() error { _, err := c.ListProperties(ctx); return err }},
		{"/properties", `{"data":[{"name":"no id"}],"links":{"next":null}}`, func() error { _, err := c.ListProperties(ctx); return err }},
		{"/properties/" + sandbox.HospitablePropertyID + "/calendar", `{"data":{}}`, func() error {
			_, err := c.Calendar(ctx, sandbox.HospitablePropertyID, connector.DateRange{})
			return err
		}},
		{"/reservations/x", `{"reservation":{}}`, func() error { _, err := c.GetReservation(ctx, "x"); return err }},
	} {
		e.V.Fail(sandbox.Fault{Path: f.path, HTTPStatus: 200, Body: f.body})
		err := f.call()
		if !errors.Is(err, connector.ErrUnavailable) {
			t.Errorf("%s answering %s: %v, want a malformed-answer error", f.path, f.body, err)
		}
	}
}

// Item 5, the connector's side: the marketplace's one-click connect brings
// the host to the registered redirect URL with a code and no state [C: the
// authentication guide]. The code is redeemed as the guide shows, with no
// redirect_uri and no verifier, and names the host's account. (Which
// hostgate host it is redeemed for is the connect page's to settle.)
func TestOneClickCodeWithoutState(t *testing.T) {
	e := newEnv(t)
	e.V.SetRedirectURI(redirectURI)
	q := url.Values{"client_id": {e.Spec.OAuth.ClientID}, "response_type": {"code"}}
	back := connectortest.Approve(t, e.Spec.OAuth.AuthURL+"?"+q.Encode())
	if back.Query().Has("state") || back.Query().Get("code") == "" {
		t.Fatalf("one-click redirect %s", back)
	}
	cred, err := e.Spec.Exchange(ctx, e.Spec, back.Query().Get("code"), "", "")
	if err != nil {
		t.Fatal(err)
	}
	acct, err := e.Spec.New(e.Spec, connector.StaticSource(cred)).Check(ctx)
	if err != nil || acct.ID == "" {
		t.Errorf("check after one-click: %+v, %v", acct, err)
	}
}
