package hostaway

import (
	"context"
	"strconv"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/connectortest"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

// Hostaway's published API reads reviews but cannot reply to them, so the
// connector does not offer it and the tool says the vendor lacks it.
func TestNoReviewReplies(t *testing.T) {
	e := startQuiet(t)
	c, _ := e.conn(t)
	if _, ok := any(c).(connector.ReviewReplier); ok {
		t.Error("Hostaway has no review reply endpoint, yet the connector claims one")
	}
}

// Hostaway answers a calendar update with the affected days, which come
// back normalized and priced in the listing's currency.
func TestUpdateCalendarReturnsTheDays(t *testing.T) {
	e := startQuiet(t)
	c, _ := e.conn(t)
	id := strconv.Itoa(sandbox.HostawayListingID)
	day := func(n int) string { return fixedNow.AddDate(0, 0, n).Format("2006-01-02") }
	no, three := false, 3
	days, err := c.UpdateCalendar(context.Background(), id, connector.CalendarChange{
		Range: connector.DateRange{From: day(30), To: day(32)}, Available: &no,
		Price: &connector.Money{Amount: 199.5, Currency: "USD"}, MinStay: &three})
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 3 || days[0].Date != day(30) || days[2].Date != day(32) {
		t.Fatalf("days = %+v", days)
	}
	for _, d := range days {
		if d.Available || d.Price == nil || d.Price.Amount != 199.5 || d.Price.Currency != "USD" || d.MinStay != 3 {
			t.Errorf("day %+v (price %+v)", d, d.Price)
		}
	}
	if w := e.V.CalendarWrites(); len(w) != 1 || w[0].Property != id || w[0].Available == nil || w[0].Price == nil || w[0].MinStay == nil {
		t.Errorf("writes = %+v", w)
	}
}

// A write is sent again only when Hostaway certainly did not act on it: a
// 429 (after the back-off). A server error may have been applied and is
// reported after one attempt.
func TestUpdateCalendarRetries(t *testing.T) {
	yes := true
	for _, tc := range []struct {
		name   string
		fault  sandbox.Fault
		want   error
		calls  int
		writes int
	}{
		{"rate limited, then accepted", sandbox.Fault{Method: "PUT", Status: 429}, nil, 2, 1},
		{"server error", sandbox.Fault{Method: "PUT", Status: 500}, connector.ErrUnavailable, 1, 0},
		{"gateway timeout", sandbox.Fault{Method: "PUT", Status: 504}, connector.ErrUnavailable, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := startQuiet(t)
			c, _ := e.conn(t)
			id := strconv.Itoa(sandbox.HostawayListingID)
			path := "/listings/" + id + "/calendar"
			e.V.Fail(tc.fault)
			before := e.V.Requests(path)
			_, err := c.UpdateCalendar(context.Background(), id, connector.CalendarChange{
				Range: connector.DateRange{From: fixedNow.AddDate(0, 0, 40).Format("2006-01-02")}, Available: &yes})
			if tc.want == nil && err != nil {
				t.Fatal(err)
			}
			if tc.want != nil {
				connectortest.WantErr(t, err, tc.want, sandbox.HostawayAPIKey)
			}
			if n := e.V.Requests(path) - before; n != tc.calls {
				t.Errorf("%d PUTs, want %d", n, tc.calls)
			}
			if n := len(e.V.CalendarWrites()); n != tc.writes {
				t.Errorf("%d writes, want %d", n, tc.writes)
			}
		})
	}
}

// The client pages the fake's bulk seed without losing or repeating a
// booking.
func TestListReservationsPagesTheBulkSeed(t *testing.T) {
	connectortest.PagesTheBulkSeed(t, sandbox.NewHostaway, NewSpec(), fixedNow, func(t *testing.T, e connectortest.Env) connector.Credential {
		e.V.SetRateLimiting(false)
		return connectForm(t, e)
	})
}
