package hospitable

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestWriteContract(t *testing.T) {
	e := newEnv(t)
	connectortest.RunWrites(t, connectortest.Harness{
		Spec:               e.spec,
		Cred:               connector.Credential{AccessToken: sandbox.HospitablePAT},
		Vendor:             e.v,
		Secrets:            allSecrets,
		UnauthorizedStatus: 401,
	})
}

// Prices go out in cents and come back in major units; a price the cents
// cannot hold is refused before calling.
func TestUpdateCalendarPriceInCents(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HospitablePAT)
	r := connector.DateRange{From: e.day(20), To: e.day(22)}
	if _, err := c.UpdateCalendar(ctx, sandbox.HospitablePropertyID, connector.CalendarChange{Range: r,
		Price: &connector.Money{Amount: 123.45, Currency: "eur"}}); err != nil {
		t.Fatal(err)
	}
	w := e.v.CalendarWrites()
	if len(w) != 1 || w[0].Price == nil || *w[0].Price != 123.45 || len(w[0].Dates) != 3 {
		t.Fatalf("writes = %+v", w)
	}
	days, err := c.Calendar(ctx, sandbox.HospitablePropertyID, r)
	if err != nil || len(days) != 3 {
		t.Fatal(days, err)
	}
	for _, d := range days {
		if d.Price == nil || d.Price.Amount != 123.45 || d.Price.Currency != "EUR" {
			t.Errorf("day %+v, price %+v", d, d.Price)
		}
	}
	before := e.v.Requests("")
	_, err = c.UpdateCalendar(ctx, sandbox.HospitablePropertyID, connector.CalendarChange{Range: r, Price: &connector.Money{Amount: 99.999}})
	wantErr(t, err, connector.ErrBadRequest)
	if e.v.Requests("") != before {
		t.Error("a price with three decimals was sent")
	}
}

// Long changes go in batches of 60 dates; when a later batch fails, the
// error says which nights Hospitable had already accepted, and nothing is
// sent again.
func TestUpdateCalendarBatches(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HospitablePAT)
	two := 2
	r := connector.DateRange{From: e.day(1), To: e.day(70)}
	if _, err := c.UpdateCalendar(ctx, sandbox.HospitablePropertyID, connector.CalendarChange{Range: r, MinStay: &two}); err != nil {
		t.Fatal(err)
	}
	if w := e.v.CalendarWrites(); len(w) != 2 || len(w[0].Dates) != 60 || len(w[1].Dates) != 10 || w[1].Dates[9] != r.To {
		t.Fatalf("writes = %d: %+v", len(w), w)
	}

	path := "/properties/" + sandbox.HospitablePropertyID + "/calendar"
	e.v.Fail(sandbox.Fault{Method: "PUT", Path: path})              // the first batch passes
	e.v.Fail(sandbox.Fault{Method: "PUT", Path: path, Status: 503}) // the second fails
	before := e.v.Requests(path)
	_, err := c.UpdateCalendar(ctx, sandbox.HospitablePropertyID, connector.CalendarChange{Range: r, MinStay: &two})
	wantErr(t, err, connector.ErrUnavailable)
	if !strings.Contains(err.Error(), "already accepted "+r.From+" to "+e.day(60)) {
		t.Errorf("error %q does not say what was accepted", err)
	}
	if n := e.v.Requests(path) - before; n != 2 {
		t.Errorf("%d calls, want the two batches once each", n)
	}
}

func TestWritesWithoutWriteScopes(t *testing.T) {
	e := newEnv(t)
	ro, src := e.pat(sandbox.HospitableReadOnlyPAT)
	no := false
	_, err := ro.UpdateCalendar(ctx, sandbox.HospitablePropertyID, connector.CalendarChange{
		Range: connector.DateRange{From: e.day(3)}, Available: &no})
	ae := wantErr(t, err, connector.ErrForbidden)
	if ae.Status != 403 || !strings.Contains(ae.Code, "calendar:write") {
		t.Errorf("calendar: %+v", ae)
	}
	reviews := e.rawAll(t, "/properties/"+sandbox.HospitablePropertyID+"/reviews", nil, 50)
	err = ro.ReplyToReview(ctx, reviews[0]["id"].(string), "Thank you!")
	if ae := wantErr(t, err, connector.ErrForbidden); ae.Status != 403 {
		t.Errorf("reply: %+v", ae)
	}
	if src.Rejections() != 0 || len(e.v.CalendarWrites()) != 0 || len(e.v.ReviewReplies()) != 0 {
		t.Errorf("%d rejections, %d writes, %d replies", src.Rejections(), len(e.v.CalendarWrites()), len(e.v.ReviewReplies()))
	}
}

// Hospitable refuses a response after the review's response window, with
// its reason in the error.
func TestReplyAfterTheWindow(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HospitablePAT)
	var old string
	for _, rv := range e.rawAll(t, "/properties/"+sandbox.HospitablePropertyID+"/reviews", url.Values{}, 50) {
		at, _ := time.Parse(time.RFC3339, rv["reviewed_at"].(string))
		if rv["public"].(map[string]any)["response"] == nil && at.Before(e.clk.Now().AddDate(0, 0, -31)) {
			old = rv["id"].(string)
		}
	}
	if old == "" {
		t.Fatal("the fake seeds unanswered reviews older than 30 days")
	}
	err := c.ReplyToReview(ctx, old, "Sorry for the late answer!")
	ae := wantErr(t, err, connector.ErrForbidden)
	if ae.Code != "The response window is closed." || len(e.v.ReviewReplies()) != 0 {
		t.Errorf("error %+v", ae)
	}
}

// The client pages the fake's bulk seed without losing or repeating a
// booking.
func TestListReservationsPagesTheBulkSeed(t *testing.T) {
	clk := connectortest.NewClock(time.Date(2026, 5, 21, 15, 4, 5, 0, time.UTC))
	v := connectortest.Start(t, sandbox.NewHospitable(sandbox.Options{Now: clk.Now, Bulk: 130}))
	spec := pointAt(NewSpec(), v, clk.Now)
	spec.PageSize = 7
	c := spec.New(spec, connector.StaticSource{AccessToken: sandbox.HospitablePAT}).(*conn)
	rs, err := c.ListReservations(ctx, connector.ReservationQuery{Range: connector.DateRange{
		From: clk.Now().Format(dateLayout), To: clk.Now().AddDate(0, 0, 29).Format(dateLayout)}})
	if err != nil {
		t.Fatal(err)
	}
	connectortest.BulkOnce(t, rs, 130)
}
