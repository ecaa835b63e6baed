package hospitable

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

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
	forget(financials) // what an earlier run learnt
	// The fake refuses the include to such a token, as the vendor does.
	q := e.allProperties(t)
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

// Item 3, the same for properties: include=listings needs listing:read. A
// connection without it still lists its properties, without channels, and
// stops asking.
func TestPropertiesWithoutTheListingsScope(t *testing.T) {
	e := newEnv(t)
	forget(listings)
	status, _ := connectortest.Raw(t, http.MethodGet, e.V.APIBase+"/properties?include=listings",
		http.Header{"Authorization": {"Bearer " + sandbox.HospitableNoListingsPAT}}, nil)
	if status != http.StatusForbidden {
		t.Fatalf("include=listings without listing:read: HTTP %d, want 403", status)
	}
	c, _ := e.pat(sandbox.HospitableNoListingsPAT)
	before := e.V.Requests("/properties")
	ps, err := c.ListProperties(ctx)
	if err != nil || len(ps) != 5 {
		t.Fatalf("list without listing:read: %d, %v", len(ps), err)
	}
	if n := e.V.Requests("/properties") - before; n != 2 {
		t.Errorf("%d requests: want the refused one and one without listings", n)
	}
	for _, p := range ps {
		if p.Name == "" || len(p.Channels) != 0 {
			t.Errorf("property %+v", p)
		}
	}
	path := "/properties/" + sandbox.HospitablePropertyID
	before = e.V.Requests(path)
	if p, err := c.GetProperty(ctx, sandbox.HospitablePropertyID); err != nil || p.Name == "" {
		t.Errorf("get without listing:read: %+v, %v", p, err)
	}
	if n := e.V.Requests(path) - before; n != 1 {
		t.Errorf("%d requests: the connection is known to lack listing:read", n)
	}
	full, _ := e.pat(sandbox.HospitablePAT)
	if ps, err := full.ListProperties(ctx); err != nil || len(ps[0].Channels) == 0 {
		t.Errorf("with listing:read: %+v, %v", ps, err)
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
// of another shape, well-formed JSON without what hostgate reads, is an
// error for the account — never an empty property, list or calendar.
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
	prop := sandbox.HospitablePropertyID
	const res = "6f58fd0a-a9cb-3746-9219-384a156ff7bb"
	reservations := func() error {
		_, err := c.ListReservations(ctx, connector.ReservationQuery{PropertyID: prop})
		return err
	}
	for _, f := range []struct {
		name, path, body string
		call             func() error
	}{
		{"user without data", "/user", `{"id":"1f0c7b9e-5d3a-4e8b-9a62-c4d1e7f0b3a5"}`, func() error { _, err := c.Check(ctx); return err }},
		{"user without an id", "/user", `{"data":{"email":"a@b.example"}}`, func() error { _, err := c.Check(ctx); return err }},
		{"property, empty", "/properties/" + prop, `{}`, func() error { _, err := c.GetProperty(ctx, prop); return err }},
		{"property without an id", "/properties/" + prop, `{"data":{"name":"x"}}`, func() error { _, err := c.GetProperty(ctx, prop); return err }},
		{"properties without data", "/properties", `{"items":[]}`, func() error { _, err := c.ListProperties(ctx); return err }},
		{"a property without an id", "/properties", `{"data":[{"name":"no id"}],"links":{"next":null}}`, func() error { _, err := c.ListProperties(ctx); return err }},
		{"calendar without days", "/properties/" + prop + "/calendar", `{"data":{}}`, func() error {
			_, err := c.Calendar(ctx, prop, connector.DateRange{})
			return err
		}},
		{"a day without its date", "/properties/" + prop + "/calendar", `{"data":{"days":[{"min_stay":1,"status":{"available":true}}]}}`, func() error {
			_, err := c.Calendar(ctx, prop, connector.DateRange{})
			return err
		}},
		{"a day without its status", "/properties/" + prop + "/calendar", `{"data":{"days":[{"date":"2026-05-21"}]}}`, func() error {
			_, err := c.Calendar(ctx, prop, connector.DateRange{})
			return err
		}},
		{"reservations without data", "/reservations", `{"reservations":[]}`, reservations},
		{"a reservation without dates", "/reservations", `{"data":[{"id":"` + res + `"}],"links":{"next":null}}`, reservations},
		{"reservation not in data", "/reservations/" + res, `{"reservation":{}}`, func() error { _, err := c.GetReservation(ctx, res); return err }},
		{"reservation without dates", "/reservations/" + res, `{"data":{"id":"` + res + `"}}`, func() error { _, err := c.GetReservation(ctx, res); return err }},
		{"conversation not in data", "/reservations/" + res, `{"id":"` + res + `"}`, func() error { _, err := c.Conversation(ctx, res); return err }},
		{"conversations without data", "/reservations", `{}`, func() error {
			_, err := c.ListConversations(ctx, connector.ConversationQuery{})
			return err
		}},
		{"messages without data", "/reservations/" + res + "/messages", `{"messages":[]}`, func() error { _, err := c.Messages(ctx, res); return err }},
		{"reviews without data", "/properties/" + prop + "/reviews", `{"reviews":[]}`, func() error {
			_, err := c.ListReviews(ctx, connector.ReviewQuery{PropertyID: prop})
			return err
		}},
		{"a review without an id", "/properties/" + prop + "/reviews", `{"data":[{"platform":"airbnb"}],"links":{"next":null}}`, func() error {
			_, err := c.ListReviews(ctx, connector.ReviewQuery{PropertyID: prop})
			return err
		}},
	} {
		t.Run(f.name, func(t *testing.T) {
			e.V.ClearFaults()
			e.V.Fail(sandbox.Fault{Path: f.path, HTTPStatus: 200, Body: f.body})
			err := f.call()
			ae := wantErr(t, err, connector.ErrUnavailable)
			if ae != nil && (ae.Vendor != "hospitable" || ae.Status != 200) {
				t.Errorf("error %+v, want Hospitable's malformed answer", ae)
			}
		})
	}
}

// Item 6: the redirect URL is the one set in the Partner Portal. The
// authorize URL hostgate builds carries client_id, response_type=code and
// state only, and the code exchange names no redirect_uri either — the
// requests the authentication guide shows [C].
func TestNoRedirectURIGoesToHospitable(t *testing.T) {
	e := newEnv(t)
	u, verifier := e.Spec.OAuth.AuthCodeURL("st4te", redirectURI)
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := parsed.Query()
	if len(q) != 3 || q.Get("client_id") != e.Spec.OAuth.ClientID || q.Get("response_type") != "code" || q.Get("state") != "st4te" || verifier != "" {
		t.Errorf("authorize URL %s (verifier %q)", u, verifier)
	}
	// The fake hands each exchange to its observers once it has answered.
	bodies := make(chan map[string]any, 4)
	defer e.V.Observe(func(ex sandbox.Exchange) {
		if ex.Path == "/oauth/token" {
			var b map[string]any
			_ = json.Unmarshal(ex.Body, &b)
			bodies <- b
		}
	})()
	e.oauth(t)
	var body map[string]any
	select {
	case body = <-bodies:
	case <-time.After(10 * time.Second):
		t.Fatal("the fake saw no token request")
	}
	if body["grant_type"] != "authorization_code" || body["code"] == nil {
		t.Fatalf("token request %v", body)
	}
	for _, k := range []string{"redirect_uri", "code_verifier"} {
		if _, ok := body[k]; ok {
			t.Errorf("the code exchange carries %s", k)
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
