package hospitable

import (
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestCheckReadsTheUser(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HospitableReadOnlyPAT)
	acct, err := c.Check(ctx)
	if err != nil || acct.ID != "1f0c7b9e-5d3a-4e8b-9a62-c4d1e7f0b3a5" || acct.Name != "Sam Carter (host@hostgate-sandbox.example)" {
		t.Errorf("Check = %+v, %v", acct, err)
	}
}

func TestPropertiesAreNormalizedAndPaged(t *testing.T) {
	e := newEnv(t)
	e.Spec.PageSize = 1
	c, _ := e.pat(sandbox.HospitablePAT)
	before := e.V.Requests("/properties")
	ps, err := c.ListProperties(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := e.V.Requests("/properties") - before; n != 5 {
		t.Errorf("%d requests, want 5 pages of 1", n)
	}
	if len(ps) != 5 {
		t.Fatalf("%d properties", len(ps))
	}
	p := ps[0]
	if p.ID != "hospitable:"+sandbox.HospitablePropertyID || p.Vendor != "hospitable" || p.Name != "Kastanienallee Altbau Apartment" ||
		p.Address != "14 Kastanienallee, 10435 Berlin, DE" || p.City != "Berlin" || p.Country != "DE" ||
		*p.Latitude != 52.5386 || *p.Longitude != 13.4098 || p.Timezone != "+0100" || p.Currency != "EUR" ||
		p.CheckInTime != "15:00" || p.CheckOutTime != "11:00" ||
		*p.Bedrooms != 2 || *p.Bathrooms != 1 || *p.MaxGuests != 4 || !slices.Equal(p.Channels, []string{"airbnb", "booking"}) {
		t.Errorf("property = %+v", p)
	}
	if *ps[3].Bathrooms != 1.5 || ps[3].Name != "Red Rock Casita" || ps[3].Currency != "USD" {
		t.Errorf("fourth property = %+v", ps[3])
	}
	// East of UTC, with its own times, and on Hospitable Direct.
	if a := ps[4]; a.ID != "hospitable:"+sandbox.HospitableAucklandPropertyID || a.Timezone != "+1300" ||
		a.CheckInTime != "14:00" || a.CheckOutTime != "10:00" || !slices.Equal(a.Channels, []string{"airbnb", "direct"}) {
		t.Errorf("Auckland property = %+v", a)
	}
	got, err := c.GetProperty(ctx, sandbox.HospitablePropertyID)
	if err != nil || got.Name != p.Name || !slices.Equal(got.Channels, p.Channels) {
		t.Errorf("GetProperty = %+v, %v", got, err)
	}
	_, err = c.GetProperty(ctx, "00000000-0000-4000-8000-000000000000")
	wantErr(t, err, connector.ErrNotFound)
	_, err = c.GetProperty(ctx, "../user")
	wantErr(t, err, connector.ErrBadRequest)
}

func TestReservationsMatchTheVendorsData(t *testing.T) {
	e := newEnv(t)
	e.Spec.PageSize = 3
	c, _ := e.pat(sandbox.HospitablePAT)
	q := connector.ReservationQuery{Range: connector.DateRange{From: e.Day(-40), To: e.Day(40)}}
	before := e.V.Requests("/reservations")
	got, err := c.ListReservations(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	requests := e.V.Requests("/reservations") - before
	raw := e.rawAll(t, "/reservations", merge(e.allProperties(t), url.Values{
		"start_date": {e.Day(-40)}, "end_date": {e.Day(40)}}), 100)
	if len(got) != len(raw) || len(got) < 20 {
		t.Fatalf("%d reservations, the fake has %d", len(got), len(raw))
	}
	if want := (len(raw) + 2) / 3; requests != want {
		t.Errorf("%d requests for %d reservations in pages of 3", requests, len(raw))
	}
	byID := map[string]connector.Reservation{}
	for i, r := range got {
		byID[r.ID] = r
		if i > 0 && r.CheckIn < got[i-1].CheckIn {
			t.Errorf("not in check-in order at %d", i)
		}
	}
	for _, w := range raw {
		r, ok := byID["hospitable:"+w["id"].(string)]
		if !ok {
			t.Fatalf("reservation %v missing", w["id"])
		}
		cur := w["reservation_status"].(map[string]any)["current"].(map[string]any)
		sub, _ := cur["sub_category"].(string)
		g := w["guest"].(map[string]any)
		fin := w["financials"].(map[string]any)
		cents := fin["guest"].(map[string]any)["total_price"].(map[string]any)["amount"].(float64)
		booked, _ := time.Parse(time.RFC3339, w["booking_date"].(string))
		want := connector.Reservation{
			ID: "hospitable:" + w["id"].(string), Vendor: "hospitable",
			PropertyID: "hospitable:" + w["properties"].([]any)[0].(map[string]any)["id"].(string),
			Code:       w["platform_id"].(string), Channel: w["platform"].(string),
			Status: statusOf(cur["category"].(string), sub), VendorStatus: cur["category"].(string),
			CheckIn: w["arrival_date"].(string)[:10], CheckOut: w["departure_date"].(string)[:10],
			Nights: int(w["nights"].(float64)), Guests: int(w["guests"].(map[string]any)["total"].(float64)),
			GuestName:  g["first_name"].(string) + " " + g["last_name"].(string),
			GuestEmail: g["email"].(string), GuestPhone: g["phone_numbers"].([]any)[0].(string),
			ConversationID: "hospitable:" + w["id"].(string),
		}
		if sub != "" {
			want.VendorStatus += " (" + sub + ")"
		}
		if r.Total == nil || r.Total.Amount != cents/100 || r.Total.Currency != fin["currency"] || !r.BookedAt.Equal(booked) {
			t.Errorf("%s: total %+v booked %v, want %v cents and %v", r.ID, r.Total, r.BookedAt, cents, booked)
		}
		r.Total, r.BookedAt = nil, time.Time{}
		if r != want {
			t.Errorf("reservation\n got %+v\nwant %+v", r, want)
		}
	}
	one, err := c.GetReservation(ctx, raw[0]["id"].(string))
	if err != nil || one.ID != "hospitable:"+raw[0]["id"].(string) || one.GuestName == "" || one.Total == nil {
		t.Errorf("GetReservation = %+v, %v", one, err)
	}
	byCode, err := c.GetReservation(ctx, raw[0]["platform_id"].(string))
	if err != nil || byCode.ID != one.ID {
		t.Errorf("GetReservation by code = %+v, %v", byCode, err)
	}
	_, err = c.GetReservation(ctx, "00000000-0000-4000-8000-000000000000")
	wantErr(t, err, connector.ErrNotFound)
}

func merge(a, b url.Values) url.Values {
	for k, v := range b {
		a[k] = v
	}
	return a
}

func TestReservationDefaultWindowAndFilters(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HospitablePAT)
	// No dates: Hospitable's own window, check-ins in the next two weeks.
	def, err := c.ListReservations(ctx, connector.ReservationQuery{})
	if err != nil || len(def) == 0 {
		t.Fatalf("default window: %d, %v", len(def), err)
	}
	for _, r := range def {
		if r.CheckIn < e.Day(-1) || r.CheckIn > e.Day(14) {
			t.Errorf("%s checks in %s, outside the next two weeks", r.ID, r.CheckIn)
		}
	}
	tests := []struct {
		name string
		q    connector.ReservationQuery
		ok   func(connector.Reservation) bool
	}{
		{"property and check-in range", connector.ReservationQuery{Range: connector.DateRange{From: e.Day(-30), To: e.Day(30)}, PropertyID: sandbox.HospitablePropertyID},
			func(r connector.Reservation) bool {
				return r.PropertyID == "hospitable:"+sandbox.HospitablePropertyID && r.CheckIn >= e.Day(-30) && r.CheckIn <= e.Day(30)
			}},
		{"check-out range", connector.ReservationQuery{Range: connector.DateRange{From: e.Day(-60), To: e.Day(-10)}, ByCheckOut: true},
			func(r connector.Reservation) bool { return r.CheckOut >= e.Day(-60) && r.CheckOut <= e.Day(-10) }},
		{"confirmed", connector.ReservationQuery{Range: connector.DateRange{From: e.Day(-90), To: e.Day(120)}, Status: connector.StatusConfirmed},
			func(r connector.Reservation) bool { return r.Status == "confirmed" && r.VendorStatus == "accepted" }},
		{"cancelled", connector.ReservationQuery{Range: connector.DateRange{From: e.Day(-90), To: e.Day(120)}, Status: connector.StatusCancelled},
			func(r connector.Reservation) bool { return r.Status == "cancelled" }},
		{"pending", connector.ReservationQuery{Range: connector.DateRange{From: e.Day(-90), To: e.Day(120)}, Status: connector.StatusPending},
			func(r connector.Reservation) bool {
				return r.Status == "pending" && r.VendorStatus == "request (request to book)"
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
	got, err := c.ListReservations(ctx, connector.ReservationQuery{Range: connector.DateRange{From: e.Day(-90), To: e.Day(90)}, Limit: 3})
	if err != nil || len(got) != 3 {
		t.Errorf("limit 3: %d, %v", len(got), err)
	}
	_, err = c.ListReservations(ctx, connector.ReservationQuery{Range: connector.DateRange{To: "soon"}})
	wantErr(t, err, connector.ErrBadRequest)
	_, err = c.ListReservations(ctx, connector.ReservationQuery{PropertyID: "00000000-0000-4000-8000-000000000000"})
	wantErr(t, err, connector.ErrBadRequest) // Hospitable's 422
}

func TestCalendar(t *testing.T) {
	e := newEnv(t)
	c, _ := e.pat(sandbox.HospitablePAT)
	days, err := c.Calendar(ctx, sandbox.HospitablePropertyID, connector.DateRange{From: e.Day(0), To: e.Day(13)})
	if err != nil {
		t.Fatal(err)
	}
	raw := e.raw(t, "/properties/"+sandbox.HospitablePropertyID+"/calendar", url.Values{"start_date": {e.Day(0)}, "end_date": {e.Day(13)}})
	rawDays := raw["data"].(map[string]any)["days"].([]any)
	if len(days) != 14 || len(rawDays) != 14 {
		t.Fatalf("%d days, fake %d", len(days), len(rawDays))
	}
	statuses := map[string]bool{}
	for i, d := range days {
		w := rawDays[i].(map[string]any)
		st := w["status"].(map[string]any)
		date, _ := time.Parse(dateLayout, d.Date)
		price, minStay := 135.0, 1
		if wd := date.Weekday(); wd == time.Friday || wd == time.Saturday {
			price, minStay = 162.0, 2
		}
		if d.Date != w["date"] || d.Available != st["available"] || d.Status != map[string]string{"AVAILABLE": "available", "RESERVED": "reserved", "BLOCKED": "blocked"}[st["reason"].(string)] ||
			d.Price == nil || d.Price.Amount != price || d.Price.Currency != "EUR" || d.MinStay != minStay {
			t.Errorf("day %+v (price %+v), fake %v", d, d.Price, w)
		}
		statuses[d.Status] = true
	}
	if !statuses["available"] || !statuses["reserved"] {
		t.Errorf("two weeks with only %v", statuses)
	}
	def, err := c.Calendar(ctx, sandbox.HospitablePropertyID, connector.DateRange{})
	if err != nil || len(def) != 30 || def[0].Date != e.Day(0) {
		t.Errorf("default window: %d days, %v", len(def), err)
	}
	_, err = c.Calendar(ctx, sandbox.HospitablePropertyID, connector.DateRange{From: e.Day(0), To: e.Day(400)})
	wantErr(t, err, connector.ErrBadRequest)
}

func TestReviews(t *testing.T) {
	e := newEnv(t)
	e.Spec.PageSize = 2
	c, _ := e.pat(sandbox.HospitablePAT)
	got, err := c.ListReviews(ctx, connector.ReviewQuery{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]any{}
	props := map[string]string{}
	for _, p := range e.rawAll(t, "/properties", nil, 100) {
		for _, w := range e.rawAll(t, "/properties/"+p["id"].(string)+"/reviews", url.Values{"include": {reviewIncludes}}, 50) {
			want["hospitable:"+w["id"].(string)] = w
			props["hospitable:"+w["id"].(string)] = "hospitable:" + p["id"].(string)
		}
	}
	if len(got) != len(want) || len(got) < 4 {
		t.Fatalf("%d reviews, fake %d", len(got), len(want))
	}
	for i, r := range got {
		w := want[r.ID]
		pub := w["public"].(map[string]any)
		g := w["guest"].(map[string]any)
		at, _ := time.Parse(time.RFC3339, w["reviewed_at"].(string))
		reply, _ := pub["response"].(string)
		rs := w["reservation"].(map[string]any)
		if w == nil || r.Vendor != "hospitable" || r.PropertyID != props[r.ID] || r.ReservationID != "hospitable:"+rs["id"].(string) ||
			r.CheckOut != rs["check_out"].(string)[:10] ||
			r.Rating == nil || *r.Rating != pub["rating"].(float64) || r.Text != pub["review"] || r.Reply != reply ||
			r.GuestName != g["first_name"].(string)+" "+g["last_name"].(string) || !r.SubmittedAt.Equal(at) || r.Channel != w["platform"] {
			t.Errorf("review %+v, fake %v", r, w)
		}
		if i > 0 && r.SubmittedAt.After(got[i-1].SubmittedAt) {
			t.Errorf("not newest first at %d", i)
		}
	}
	one, err := c.ListReviews(ctx, connector.ReviewQuery{PropertyID: sandbox.HospitablePropertyID, Limit: 1})
	if err != nil || len(one) != 1 || one[0].PropertyID != "hospitable:"+sandbox.HospitablePropertyID {
		t.Errorf("property filter: %+v, %v", one, err)
	}
}
