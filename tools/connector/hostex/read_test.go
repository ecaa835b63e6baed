package hostex

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

var ctx = context.Background()

func TestCheckNamesTheAccountByItsFirstProperty(t *testing.T) {
	e := newEnv(t)
	for _, tok := range []string{sandbox.HostexWritableToken, sandbox.HostexReadOnlyToken} {
		c, _ := e.pat(tok)
		acct, err := c.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if acct.ID != "prop-12111947" || acct.Name != "Hostex: Railyard Loft and 3 more" {
			t.Errorf("account = %+v", acct)
		}
	}
}

func TestPropertiesAreNormalizedAndPaged(t *testing.T) {
	e := newEnv(t)
	e.Spec.PageSize = 1
	c, _ := e.pat(sandbox.HostexReadOnlyToken)
	before := e.V.Requests("/properties")
	ps, err := c.ListProperties(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Four properties, one per page; the total says when to stop.
	if got := e.V.Requests("/properties") - before; got != 4 {
		t.Errorf("%d requests, want 4 pages of 1", got)
	}
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	if want := []string{"hostex:12111947", "hostex:12304518", "hostex:12377702", "hostex:12590331"}; !slices.Equal(ids, want) {
		t.Fatalf("ids = %v, want %v", ids, want)
	}
	p := ps[0]
	if p.Vendor != "hostex" || p.Name != "Railyard Loft" || p.Address != "1021 Tchoupitoulas St, New Orleans, LA 70130, US" ||
		p.Latitude == nil || *p.Latitude != 29.9423 || p.Longitude == nil || *p.Longitude != -90.0683 ||
		!slices.Equal(p.Channels, []string{"airbnb", "booking_site", "vrbo", "hostex_direct"}) {
		t.Errorf("property = %+v", p)
	}
	got, err := c.GetProperty(ctx, "12111947")
	if err != nil || got.Name != p.Name || *got.Latitude != *p.Latitude {
		t.Errorf("GetProperty = %+v, %v", got, err)
	}
	_, err = c.GetProperty(ctx, "999")
	wantErr(t, err, connector.ErrNotFound)
	_, err = c.GetProperty(ctx, "../x")
	wantErr(t, err, connector.ErrBadRequest)
}

func TestReservationsMatchTheVendorsData(t *testing.T) {
	e := newEnv(t)
	e.Spec.PageSize = 7
	c, _ := e.pat(sandbox.HostexReadOnlyToken)
	before := e.V.Requests("/reservations")
	got, err := c.ListReservations(ctx, connector.ReservationQuery{})
	if err != nil {
		t.Fatal(err)
	}
	requests := e.V.Requests("/reservations") - before
	raw := e.rawAll(t, "/reservations", "reservations", nil)
	if len(got) != len(raw) || len(got) < 20 {
		t.Fatalf("%d reservations, the fake has %d in its default window", len(got), len(raw))
	}
	if want := len(raw)/7 + 1; requests != want {
		t.Errorf("%d requests for %d reservations in pages of 7, want %d", requests, len(raw), want)
	}
	// Default window: check-outs from today to 180 days ahead.
	for _, r := range got {
		if r.CheckOut < e.today() || r.CheckOut > e.Day(180) {
			t.Errorf("%s checks out %s, outside the default window", r.ID, r.CheckOut)
		}
	}
	byID := map[string]connector.Reservation{}
	for _, r := range got {
		byID[r.ID] = r
	}
	for _, w := range raw {
		r, ok := byID["hostex:"+w["reservation_code"].(string)]
		if !ok {
			t.Fatalf("reservation %v missing", w["reservation_code"])
		}
		rates := w["rates"].(map[string]any)["rate"].(map[string]any) // the stay's rate
		in, _ := time.Parse(dateLayout, w["check_in_date"].(string))
		out, _ := time.Parse(dateLayout, w["check_out_date"].(string))
		booked, _ := time.Parse(time.RFC3339, w["booked_at"].(string))
		conv := ""
		if id, ok := w["conversation_id"].(string); ok {
			conv = "hostex:" + id
		}
		want := connector.Reservation{
			ID: "hostex:" + w["reservation_code"].(string), Vendor: "hostex",
			PropertyID: fmt.Sprintf("hostex:%.0f", w["property_id"]), Code: w["channel_id"].(string),
			Channel: w["channel_type"].(string), Status: statusOf(w["status"].(string)), VendorStatus: w["status"].(string),
			CheckIn: w["check_in_date"].(string), CheckOut: w["check_out_date"].(string),
			Nights: int(out.Sub(in).Hours() / 24), Guests: int(w["number_of_guests"].(float64)),
			GuestName: w["guest_name"].(string), GuestEmail: w["guest_email"].(string), GuestPhone: w["guest_phone"].(string),
			Total:    &connector.Money{Amount: rates["amount"].(float64), Currency: "USD"},
			BookedAt: booked, ConversationID: conv,
		}
		if r.Total == nil || *r.Total != *want.Total || !r.BookedAt.Equal(want.BookedAt) {
			t.Errorf("%s: total %v booked %v, want %v %v", r.ID, r.Total, r.BookedAt, want.Total, want.BookedAt)
		}
		r.Total, want.Total, r.BookedAt, want.BookedAt = nil, nil, time.Time{}, time.Time{}
		if r != want {
			t.Errorf("reservation\n got %+v\nwant %+v", r, want)
		}
	}
	one, err := c.GetReservation(ctx, raw[0]["reservation_code"].(string))
	if err != nil || one.ID != "hostex:"+raw[0]["reservation_code"].(string) || one.GuestName == "" {
		t.Errorf("GetReservation = %+v, %v", one, err)
	}
	_, err = c.GetReservation(ctx, "0-NOPE-000000")
	wantErr(t, err, connector.ErrNotFound)
}

func TestReservationFilters(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HostexReadOnlyToken)
	tests := []struct {
		name string
		q    connector.ReservationQuery
		ok   func(connector.Reservation) bool
	}{
		{"check-in range and property", connector.ReservationQuery{Range: connector.DateRange{From: e.Day(-30), To: e.Day(30)}, PropertyID: "12111947"},
			func(r connector.Reservation) bool {
				return r.PropertyID == "hostex:12111947" && r.CheckIn >= e.Day(-30) && r.CheckIn <= e.Day(30)
			}},
		{"check-out range", connector.ReservationQuery{Range: connector.DateRange{From: e.Day(-60), To: e.Day(-10)}, ByCheckOut: true},
			func(r connector.Reservation) bool { return r.CheckOut >= e.Day(-60) && r.CheckOut <= e.Day(-10) }},
		{"confirmed", connector.ReservationQuery{Range: connector.DateRange{From: e.Day(-90)}, Status: connector.StatusConfirmed},
			func(r connector.Reservation) bool { return r.Status == "confirmed" && r.VendorStatus == "accepted" }},
		{"cancelled", connector.ReservationQuery{Range: connector.DateRange{From: e.Day(-90)}, Status: connector.StatusCancelled},
			func(r connector.Reservation) bool { return r.Status == "cancelled" }},
		{"pending, filtered here", connector.ReservationQuery{Range: connector.DateRange{From: e.Day(-90)}, Status: connector.StatusPending},
			func(r connector.Reservation) bool {
				return r.Status == "pending" && (r.VendorStatus == "wait_accept" || r.VendorStatus == "wait_pay")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.ListReservations(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 {
				t.Fatal("no reservations")
			}
			for _, r := range got {
				if !tt.ok(r) {
					t.Errorf("%+v does not match the filter", r)
				}
			}
		})
	}
	got, err := c.ListReservations(ctx, connector.ReservationQuery{Range: connector.DateRange{From: e.Day(-90)}, Limit: 3})
	if err != nil || len(got) != 3 {
		t.Errorf("limit 3: %d, %v", len(got), err)
	}
	got, err = c.ListReservations(ctx, connector.ReservationQuery{Status: connector.StatusInquiry})
	if err != nil || len(got) != 0 {
		t.Errorf("inquiries: %v, %v", got, err)
	}
	_, err = c.ListReservations(ctx, connector.ReservationQuery{Range: connector.DateRange{From: "21/05/2026"}})
	wantErr(t, err, connector.ErrBadRequest)
	_, err = c.ListReservations(ctx, connector.ReservationQuery{Status: "booked"})
	wantErr(t, err, connector.ErrBadRequest)
}

func TestCalendarJoinsAvailabilityAndPrices(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HostexReadOnlyToken)
	days, err := c.Calendar(ctx, "12111947", connector.DateRange{From: e.today(), To: e.Day(13)})
	if err != nil {
		t.Fatal(err)
	}
	raw := e.raw(t, "/availabilities", url.Values{"property_ids": {"12111947"}, "start_date": {e.today()}, "end_date": {e.Day(13)}})
	avail := raw["properties"].([]any)[0].(map[string]any)["availabilities"].([]any)
	if len(days) != 14 || len(avail) != 14 {
		t.Fatalf("%d days (fake %d), want 14", len(days), len(avail))
	}
	// A closed night is reserved when a live reservation covers it, and
	// blocked otherwise: availability alone does not say.
	stays := e.rawAll(t, "/reservations", "reservations", url.Values{"property_id": {"12111947"},
		"start_check_out_date": {e.today()}, "end_check_in_date": {e.Day(13)}})
	for i, d := range days {
		a := avail[i].(map[string]any)
		wantStatus := "available"
		if !a["available"].(bool) {
			wantStatus = "blocked"
			for _, s := range stays {
				if s["status"] != "cancelled" && s["check_in_date"].(string) <= d.Date && d.Date < s["check_out_date"].(string) {
					wantStatus = "reserved"
				}
			}
		}
		date, _ := time.Parse(dateLayout, d.Date)
		price, minStay := 189.0, 1
		if wd := date.Weekday(); wd == time.Friday || wd == time.Saturday {
			price, minStay = 226.8, 2
		}
		if d.Date != a["date"] || d.Available != a["available"] || d.Status != wantStatus || d.Note != a["remarks"] ||
			d.Price == nil || d.Price.Amount != price || d.MinStay != minStay {
			t.Errorf("day %d = %+v (price %v), fake %v", i, d, d.Price, a)
		}
	}
	def, err := c.Calendar(ctx, "12111947", connector.DateRange{})
	if err != nil || len(def) != 30 || def[0].Date != e.today() {
		t.Errorf("default window: %d days from %v, %v", len(def), def, err)
	}
	_, err = c.Calendar(ctx, "12111947", connector.DateRange{From: e.Day(5), To: e.Day(1)})
	wantErr(t, err, connector.ErrBadRequest)
	_, err = c.Calendar(ctx, "777", connector.DateRange{})
	wantErr(t, err, connector.ErrNotFound)
}

func TestReviewsIncludeThoseAwaitingTheHost(t *testing.T) {
	e := newEnv(t)
	e.Spec.PageSize = 3
	c, _ := e.pat(sandbox.HostexReadOnlyToken)
	got, err := c.ListReviews(ctx, connector.ReviewQuery{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]any{}
	for _, st := range []string{"reviewed", "pending_host_review"} {
		for _, w := range e.rawAll(t, "/reviews", "reviews", url.Values{"review_status": {st}}) {
			if w["guest_review"] != nil {
				want["hostex:"+w["reservation_code"].(string)] = w
			}
		}
	}
	if len(got) != len(want) || len(got) < 5 {
		t.Fatalf("%d reviews, fake has %d with a guest review", len(got), len(want))
	}
	for i, r := range got {
		w, ok := want[r.ReservationID]
		if !ok {
			t.Fatalf("unexpected review %+v", r)
		}
		g := w["guest_review"].(map[string]any)
		at, _ := time.Parse(time.RFC3339, g["created_at"].(string))
		reply := ""
		if hr, ok := w["host_reply"].(map[string]any); ok {
			reply = hr["content"].(string)
		}
		if r.Vendor != "hostex" || r.Rating == nil || *r.Rating != g["score"].(float64) || r.Text != g["content"] ||
			r.Reply != reply || r.CheckOut != w["check_out_date"] || !r.SubmittedAt.Equal(at) ||
			r.PropertyID != "hostex:"+strconv.Itoa(int(w["property_id"].(float64))) || r.Channel != w["channel_type"] {
			t.Errorf("review %+v, fake %v", r, w)
		}
		if i > 0 && r.CheckOut > got[i-1].CheckOut {
			t.Errorf("reviews not newest first at %d", i)
		}
	}
	one, err := c.ListReviews(ctx, connector.ReviewQuery{PropertyID: "12111947", Limit: 2})
	if err != nil || len(one) != 2 || one[0].PropertyID != "hostex:12111947" || one[1].PropertyID != "hostex:12111947" {
		t.Errorf("property filter: %+v, %v", one, err)
	}
}
