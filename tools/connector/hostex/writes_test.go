package hostex

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// freeNights finds n consecutive open nights of the seeded property from
// a week ahead.
func (e *env) freeNights(t *testing.T, c *conn, n int) connector.DateRange {
	t.Helper()
	days, err := c.Calendar(ctx, "12111947", connector.DateRange{From: e.Day(7), To: e.Day(120)})
	if err != nil {
		t.Fatal(err)
	}
	run := 0
	for i, d := range days {
		if run = run + 1; !d.Available {
			run = 0
		}
		if run == n {
			return connector.DateRange{From: days[i-n+1].Date, To: d.Date}
		}
	}
	t.Fatalf("no %d free nights", n)
	return connector.DateRange{}
}

// A change that sets everything is three calls: the property's
// availability, then the price and the minimum stay of its booking-site
// listing, the one Calendar reads.
func TestUpdateCalendarCallsPerPart(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HostexWritableToken)
	r := e.freeNights(t, c, 2)
	no, three := false, 3
	days, err := c.UpdateCalendar(ctx, "12111947", connector.CalendarChange{Range: r, Available: &no,
		Price: &connector.Money{Amount: 250}, MinStay: &three})
	if err != nil || days != nil {
		t.Fatalf("UpdateCalendar = %v, %v; Hostex answers no days", days, err)
	}
	w := e.V.CalendarWrites()
	nights := []string{r.From, r.To}
	if len(w) != 3 ||
		w[0].Property != "12111947" || w[0].Listing != "" || w[0].Available == nil || *w[0].Available || !slices.Equal(w[0].Dates, nights) ||
		w[1].Listing != "booking_site:8810234" || w[1].Price == nil || *w[1].Price != 250 || !slices.Equal(w[1].Dates, nights) ||
		w[2].Listing != "booking_site:8810234" || w[2].MinStay == nil || *w[2].MinStay != 3 || w[2].Price != nil {
		t.Fatalf("writes = %+v", w)
	}
	got, err := c.Calendar(ctx, "12111947", r)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range got {
		if d.Available || d.Price == nil || d.Price.Amount != 250 || d.MinStay != 3 {
			t.Errorf("after the change: %+v", d)
		}
	}
}

func TestUpdateCalendarRefusedBeforeCalling(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HostexWritableToken)
	r := connector.DateRange{From: e.Day(10), To: e.Day(11)}
	yes := true
	for _, tc := range []struct {
		name   string
		change connector.CalendarChange
	}{
		{"a price with cents (Hostex prices are integers)", connector.CalendarChange{Range: r, Price: &connector.Money{Amount: 99.5}}},
		{"beyond three years", connector.CalendarChange{Range: connector.DateRange{From: e.Day(1100), To: e.Day(1200)}, Available: &yes}},
		{"over a year of nights", connector.CalendarChange{Range: connector.DateRange{From: e.Day(1), To: e.Day(400)}, Available: &yes}},
		{"a property id that is not a number", connector.CalendarChange{Range: r, Available: &yes}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.V.Requests("")
			id := "12111947"
			if strings.HasPrefix(tc.name, "a property id") {
				id = "12/34"
			}
			_, err := c.UpdateCalendar(ctx, id, tc.change)
			wantErr(t, err, connector.ErrBadRequest)
			if n := e.V.Requests("") - before; n != 0 {
				t.Errorf("%d requests for a change refused up front", n)
			}
		})
	}
}

// Hostex keeps a minimum stay only for some channels' listings (OpenAPI
// v3, POST /listings/restrictions, min_stay_on_arrival), and answers a
// write before applying it: a minimum stay for a Vrbo listing would be
// "done" and never set. The client refuses it and sends nothing; a price
// for the same listing goes through.
func TestMinStayOnlyWhereHostexKeepsOne(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HostexWritableToken)
	r := e.freeNights(t, c, 2)
	vrboOnly := `{"request_id":"x","error_code":0,"error_msg":"Done.","data":{"total":1,"properties":[{"id":12111947,"title":"Railyard Loft",` +
		`"channels":[{"channel_type":"hostex_direct","listing_id":"12111947"},{"channel_type":"vrbo","listing_id":"3111947"}]}]}}`
	e.V.Fail(sandbox.Fault{Path: "/properties", Body: vrboOnly, Times: 2})
	two := 2
	_, err := c.UpdateCalendar(ctx, "12111947", connector.CalendarChange{Range: r, MinStay: &two})
	wantErr(t, err, connector.ErrBadRequest)
	if w := e.V.CalendarWrites(); len(w) != 0 {
		t.Fatalf("a refused minimum stay wrote %+v", w)
	}
	if _, err := c.UpdateCalendar(ctx, "12111947", connector.CalendarChange{Range: r, Price: &connector.Money{Amount: 210}}); err != nil {
		t.Fatal(err)
	}
	if w := e.V.CalendarWrites(); len(w) != 1 || w[0].Listing != "vrbo:3111947" || w[0].Price == nil || *w[0].Price != 210 {
		t.Errorf("price writes = %+v, want one for the vrbo listing", w)
	}
}

func TestWritesWithReadOnlyToken(t *testing.T) {
	e := newEnv(t)
	ro, src := e.pat(sandbox.HostexReadOnlyToken)
	no := false
	r := connector.DateRange{From: e.Day(10), To: e.Day(11)}
	code := e.rawAll(t, "/reviews", "reviews", url.Values{"review_status": {"pending_host_review"}})[0]["reservation_code"].(string)
	for _, tc := range []struct {
		name  string
		write func() error
	}{
		{"calendar", func() error {
			_, err := ro.UpdateCalendar(ctx, "12111947", connector.CalendarChange{Range: r, Available: &no})
			return err
		}},
		{"review reply", func() error { return ro.ReplyToReview(ctx, code, "Thanks!") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.V.Requests("")
			err := tc.write()
			ae := wantErr(t, err, connector.ErrForbidden)
			if ae == nil || !strings.Contains(ae.Code, "read-only") || src.Rejections() != 0 {
				t.Errorf("error %v, %d rejections", err, src.Rejections())
			}
			// The calendar change reads the property first; then the refused
			// write and one read to tell a read-only token from a dead one.
			want := 2
			if tc.name == "calendar" {
				want = 3
			}
			if n := e.V.Requests("") - before; n != want {
				t.Errorf("%d requests, want %d", n, want)
			}
		})
	}
	if len(e.V.CalendarWrites()) != 0 || len(e.V.ReviewReplies()) != 0 {
		t.Error("a read-only token changed something")
	}
	// Known read-only: refused without a write call.
	src.Cred.Scope = scopeReadOnly
	before := e.V.Requests("")
	wantErr(t, ro.ReplyToReview(ctx, code, "Thanks!"), connector.ErrForbidden)
	if e.V.Requests("") != before {
		t.Error("a known read-only token called Hostex to write")
	}
}

// Writes are not retried: an ambiguous failure (a 5xx, which may or may
// not have been applied) is reported after one attempt, and a failure
// after an accepted part says what was accepted.
func TestUpdateCalendarIsNotRetried(t *testing.T) {
	yes := true
	for _, tc := range []struct {
		name     string
		fault    sandbox.Fault
		change   func(r connector.DateRange) connector.CalendarChange
		accepted string // the part the error must say was accepted
		writes   int
	}{
		{"server error", sandbox.Fault{Method: "POST", Path: "/availabilities", Status: 500},
			func(r connector.DateRange) connector.CalendarChange {
				return connector.CalendarChange{Range: r, Available: &yes}
			}, "", 0},
		{"proxy 502", sandbox.Fault{Method: "POST", Path: "/availabilities", HTTPStatus: 502, Body: "<html>"},
			func(r connector.DateRange) connector.CalendarChange {
				return connector.CalendarChange{Range: r, Available: &yes}
			}, "", 0},
		{"the price fails after the availability", sandbox.Fault{Method: "POST", Path: "/listings/prices", Status: 500},
			func(r connector.DateRange) connector.CalendarChange {
				return connector.CalendarChange{Range: r, Available: &yes, Price: &connector.Money{Amount: 200}}
			}, "availability", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			c, src := e.pat(sandbox.HostexWritableToken)
			r := connector.DateRange{From: e.Day(10), To: e.Day(11)}
			e.V.Fail(tc.fault)
			before := e.V.Requests(tc.fault.Path)
			_, err := c.UpdateCalendar(ctx, "12111947", tc.change(r))
			wantErr(t, err, connector.ErrUnavailable)
			if n := e.V.Requests(tc.fault.Path) - before; n != 1 || src.Rejections() != 0 {
				t.Errorf("%d calls to %s, want 1", n, tc.fault.Path)
			}
			if tc.accepted != "" && !strings.Contains(err.Error(), "already accepted the "+tc.accepted) {
				t.Errorf("error %q does not say the %s change was accepted", err, tc.accepted)
			}
			if n := len(e.V.CalendarWrites()); n != tc.writes {
				t.Errorf("%d writes, want %d", n, tc.writes)
			}
		})
	}
}

// A Hostex review has no id of its own: the reservation code names it, in
// Review.ID as in the reply path.
func TestReviewIDIsTheReservationCode(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HostexWritableToken)
	reviews, err := c.ListReviews(ctx, connector.ReviewQuery{})
	if err != nil || len(reviews) == 0 {
		t.Fatal(reviews, err)
	}
	for _, r := range reviews {
		if r.ID == "" || r.ID != r.ReservationID {
			t.Fatalf("review %+v: ID is not the reservation", r)
		}
	}
	var target connector.Review
	for _, r := range reviews {
		if r.Reply == "" {
			target = r
			break
		}
	}
	_, code, _ := connector.SplitID(target.ID)
	if err := c.ReplyToReview(ctx, code, "Thanks, come again!"); err != nil {
		t.Fatal(err)
	}
	if got := e.V.ReviewReplies(); len(got) != 1 || got[0].ReviewID != code {
		t.Errorf("the fake got %+v for %s", got, code)
	}
	// A stay the guest has not reviewed takes no reply (422 at Hostex).
	pending := e.rawAll(t, "/reviews", "reviews", url.Values{"review_status": {"pending_guest_review"}})
	if len(pending) == 0 {
		t.Fatal("the fake seeds stays the guest has not reviewed yet")
	}
	err = c.ReplyToReview(ctx, pending[0]["reservation_code"].(string), "Thanks!")
	wantErr(t, err, connector.ErrBadRequest)
}

// The client pages the fake's bulk seed without losing or repeating a
// booking.
func TestListReservationsPagesTheBulkSeed(t *testing.T) {
	connectortest.PagesTheBulkSeed(t, sandbox.NewHostex, NewSpec(), time.Date(2026, 5, 21, 15, 4, 5, 0, time.UTC),
		func(*testing.T, connectortest.Env) connector.Credential {
			return connector.Credential{AccessToken: sandbox.HostexReadOnlyToken}
		})
}
