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

// Prices go out in cents and come back in major units; a price the cents
// cannot hold is refused before calling.
func TestUpdateCalendarPriceInCents(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HospitablePAT)
	r := connector.DateRange{From: e.Day(20), To: e.Day(22)}
	if _, err := c.UpdateCalendar(ctx, sandbox.HospitablePropertyID, connector.CalendarChange{Range: r,
		Price: &connector.Money{Amount: 123.45, Currency: "eur"}}); err != nil {
		t.Fatal(err)
	}
	w := e.V.CalendarWrites()
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
	before := e.V.Requests("")
	_, err = c.UpdateCalendar(ctx, sandbox.HospitablePropertyID, connector.CalendarChange{Range: r, Price: &connector.Money{Amount: 99.999}})
	wantErr(t, err, connector.ErrBadRequest)
	if e.V.Requests("") != before {
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
	r := connector.DateRange{From: e.Day(1), To: e.Day(70)}
	if _, err := c.UpdateCalendar(ctx, sandbox.HospitablePropertyID, connector.CalendarChange{Range: r, MinStay: &two}); err != nil {
		t.Fatal(err)
	}
	if w := e.V.CalendarWrites(); len(w) != 2 || len(w[0].Dates) != 60 || len(w[1].Dates) != 10 || w[1].Dates[9] != r.To {
		t.Fatalf("writes = %d: %+v", len(w), w)
	}

	path := "/properties/" + sandbox.HospitablePropertyID + "/calendar"
	e.V.Fail(sandbox.Fault{Method: "PUT", Path: path})              // the first batch passes
	e.V.Fail(sandbox.Fault{Method: "PUT", Path: path, Status: 503}) // the second fails
	before := e.V.Requests(path)
	_, err := c.UpdateCalendar(ctx, sandbox.HospitablePropertyID, connector.CalendarChange{Range: r, MinStay: &two})
	wantErr(t, err, connector.ErrUnavailable)
	if !strings.Contains(err.Error(), "already accepted "+r.From+" to "+e.Day(60)) {
		t.Errorf("error %q does not say what was accepted", err)
	}
	if n := e.V.Requests(path) - before; n != 2 {
		t.Errorf("%d calls, want the two batches once each", n)
	}
}

func TestWritesWithoutWriteScopes(t *testing.T) {
	e := newEnv(t)
	ro, src := e.pat(sandbox.HospitableReadOnlyPAT)
	no := false
	_, err := ro.UpdateCalendar(ctx, sandbox.HospitablePropertyID, connector.CalendarChange{
		Range: connector.DateRange{From: e.Day(3)}, Available: &no})
	ae := wantErr(t, err, connector.ErrForbidden)
	if ae.Status != 403 || !strings.Contains(ae.Code, "calendar:write") {
		t.Errorf("calendar: %+v", ae)
	}
	reviews := e.rawAll(t, "/properties/"+sandbox.HospitablePropertyID+"/reviews", nil, 50)
	err = ro.ReplyToReview(ctx, reviews[0]["id"].(string), "Thank you!")
	if ae := wantErr(t, err, connector.ErrForbidden); ae.Status != 403 {
		t.Errorf("reply: %+v", ae)
	}
	if src.Rejections() != 0 || len(e.V.CalendarWrites()) != 0 || len(e.V.ReviewReplies()) != 0 {
		t.Errorf("%d rejections, %d writes, %d replies", src.Rejections(), len(e.V.CalendarWrites()), len(e.V.ReviewReplies()))
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
		if rv["public"].(map[string]any)["response"] == nil && at.Before(e.Clock.Now().AddDate(0, 0, -31)) {
			old = rv["id"].(string)
		}
	}
	if old == "" {
		t.Fatal("the fake seeds unanswered reviews older than 30 days")
	}
	err := c.ReplyToReview(ctx, old, "Sorry for the late answer!")
	ae := wantErr(t, err, connector.ErrForbidden)
	if ae.Code != "The response window is closed." || len(e.V.ReviewReplies()) != 0 {
		t.Errorf("error %+v", ae)
	}
}

// The client pages the fake's bulk seed without losing or repeating a
// booking.
func TestListReservationsPagesTheBulkSeed(t *testing.T) {
	connectortest.PagesTheBulkSeed(t, sandbox.NewHospitable, NewSpec(), time.Date(2026, 5, 21, 15, 4, 5, 0, time.UTC),
		func(*testing.T, connectortest.Env) connector.Credential {
			return connector.Credential{AccessToken: sandbox.HospitablePAT}
		})
}
