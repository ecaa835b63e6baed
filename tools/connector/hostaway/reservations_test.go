package hostaway

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestReservationMapping(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	all, err := c.ListReservations(context.Background(), connector.ReservationQuery{})
	if err != nil {
		t.Fatal(err)
	}
	raw := rawList(t, e.raw(t, src.Credential(), "/reservations?limit=1000"))
	if len(all) != len(raw) || len(all) < 40 {
		t.Fatalf("%d reservations with no filter, the fake has %d", len(all), len(raw))
	}
	byID := map[string]connector.Reservation{}
	for i, r := range all {
		byID[r.ID] = r
		if i > 0 && r.CheckIn < all[i-1].CheckIn {
			t.Errorf("not in check-in order at %d", i)
		}
	}
	seen := map[string]bool{}
	for _, w := range raw {
		r, ok := byID["hostaway:"+str(w["id"])]
		if !ok {
			t.Fatalf("reservation %v missing", w["id"])
		}
		booked, _ := time.Parse("2006-01-02 15:04:05", w["reservationDate"].(string))
		want := connector.Reservation{
			ID: "hostaway:" + str(w["id"]), Vendor: "hostaway", PropertyID: "hostaway:" + str(w["listingMapId"]),
			Code: w["confirmationCode"].(string), Channel: map[string]string{"airbnbOfficial": "airbnb", "bookingcom": "booking", "homeaway": "vrbo", "direct": "direct"}[w["channelName"].(string)],
			Status: map[string]string{"new": "confirmed", "cancelled": "cancelled", "pending": "pending", "unconfirmed": "pending",
				"inquiry": "inquiry", "inquiryPreapproved": "inquiry", "inquiryTimedout": "declined"}[w["status"].(string)],
			VendorStatus: w["status"].(string),
			CheckIn:      w["arrivalDate"].(string), CheckOut: w["departureDate"].(string), Nights: int(num(w["nights"])),
			Guests: int(num(w["numberOfGuests"])), GuestName: w["guestName"].(string), GuestEmail: w["guestEmail"].(string),
			GuestPhone: w["phone"].(string), BookedAt: booked,
		}
		if r.Total == nil || r.Total.Amount != num(w["totalPrice"]) || r.Total.Currency != "USD" {
			t.Errorf("%s total = %+v, vendor sent %v", r.ID, r.Total, w["totalPrice"])
		}
		r.Total = nil
		if r != want {
			t.Errorf("reservation\n got %+v\nwant %+v", r, want)
		}
		seen[r.Status] = true
	}
	if !seen["confirmed"] || !seen["cancelled"] {
		t.Errorf("statuses %v: the seed has confirmed and cancelled bookings", seen)
	}
}

func TestStatusMapping(t *testing.T) {
	for in, want := range map[string]string{
		"new": "confirmed", "modified": "confirmed", "cancelled": "cancelled", "ownerStay": "other",
		"pending": "pending", "awaitingPayment": "pending", "declined": "declined", "expired": "declined",
		"unconfirmed": "pending", "awaitingGuestVerification": "pending", "inquiry": "inquiry",
		"inquiryPreapproved": "inquiry", "inquiryDenied": "declined", "inquiryTimedout": "declined",
		"inquiryNotPossible": "declined", "unknown": "other", "": "other",
	} {
		if got := status(in); got != want {
			t.Errorf("status(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReservationPagination(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	total := len(rawList(t, e.raw(t, src.Credential(), "/reservations?limit=1000")))
	e.Spec.PageSize = 7
	before := e.V.Requests("/reservations")
	all, err := c.ListReservations(context.Background(), connector.ReservationQuery{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range all {
		if seen[r.ID] {
			t.Fatalf("%s twice: the afterId cursor did not advance", r.ID)
		}
		seen[r.ID] = true
	}
	// Pages of 7 until a short one (an extra empty page when 7 divides it).
	if len(all) != total || e.V.Requests("/reservations")-before != total/7+1 {
		t.Errorf("%d reservations in %d requests; want %d in %d", len(all), e.V.Requests("/reservations")-before, total, total/7+1)
	}
}

func TestReservationFilters(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	ctx := context.Background()
	r := connector.DateRange{From: "2026-05-01", To: "2026-06-30"}
	in, err := c.ListReservations(ctx, connector.ReservationQuery{Range: r})
	if err != nil {
		t.Fatal(err)
	}
	want := rawList(t, e.raw(t, src.Credential(), "/reservations?limit=1000&arrivalStartDate=2026-05-01&arrivalEndDate=2026-06-30"))
	if len(in) == 0 || len(in) != len(want) {
		t.Fatalf("%d arrivals in range, the fake has %d", len(in), len(want))
	}
	for _, x := range in {
		if x.CheckIn < r.From || x.CheckIn > r.To {
			t.Errorf("%s arrives %s, outside the range", x.ID, x.CheckIn)
		}
	}
	out, err := c.ListReservations(ctx, connector.ReservationQuery{Range: r, ByCheckOut: true})
	if err != nil || len(out) == 0 {
		t.Fatalf("by check-out: %d, %v", len(out), err)
	}
	for _, x := range out {
		if x.CheckOut < r.From || x.CheckOut > r.To {
			t.Errorf("%s leaves %s, outside the range", x.ID, x.CheckOut)
		}
	}
	one, err := c.ListReservations(ctx, connector.ReservationQuery{PropertyID: "hostaway:43055"})
	if err != nil || len(one) == 0 {
		t.Fatalf("by property: %d, %v", len(one), err)
	}
	for _, x := range one {
		if x.PropertyID != "hostaway:43055" {
			t.Errorf("property filter leaked %s", x.PropertyID)
		}
	}
	for _, st := range []string{connector.StatusCancelled, connector.StatusConfirmed} {
		got, err := c.ListReservations(ctx, connector.ReservationQuery{Status: st})
		if err != nil || len(got) == 0 {
			t.Fatalf("status %s: %d, %v", st, len(got), err)
		}
		for _, x := range got {
			if x.Status != st {
				t.Errorf("status filter %s leaked %s", st, x.Status)
			}
		}
	}
	e.Spec.PageSize = 5
	capped, err := c.ListReservations(ctx, connector.ReservationQuery{Limit: 8})
	if err != nil || len(capped) != 8 {
		t.Errorf("Limit 8: %d, %v", len(capped), err)
	}
	if _, err := c.ListReservations(ctx, connector.ReservationQuery{PropertyID: "abc"}); !errors.Is(err, connector.ErrBadRequest) {
		t.Errorf("bad property id: %v", err)
	}
}

func TestGetReservation(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	ctx := context.Background()
	conv := rawList(t, e.raw(t, src.Credential(), "/conversations?limit=1"))[0]
	r, err := c.GetReservation(ctx, str(conv["reservationId"]))
	if err != nil || r.ID != "hostaway:"+str(conv["reservationId"]) || r.ConversationID != "hostaway:"+str(conv["id"]) {
		t.Fatalf("GetReservation = %+v, %v; want conversation %v", r, err, conv["id"])
	}
	if r.CheckIn == "" || r.GuestName == "" || r.PropertyID != "hostaway:"+str(conv["listingMapId"]) {
		t.Errorf("reservation = %+v", r)
	}
	// A distant booking has no thread in the seed.
	old, err := c.ListReservations(ctx, connector.ReservationQuery{Range: connector.DateRange{To: "2026-03-15"}, Limit: 1})
	if err != nil || len(old) != 1 {
		t.Fatalf("old bookings: %v, %v", old, err)
	}
	_, id, _ := connector.SplitID(old[0].ID)
	if r, err := c.GetReservation(ctx, id); err != nil || r.ConversationID != "" {
		t.Errorf("old booking = %+v, %v; want no conversation", r, err)
	}
	if _, err := c.GetReservation(ctx, "1"); !errors.Is(err, connector.ErrNotFound) {
		t.Errorf("unknown reservation: %v", err)
	}
}

// TestStuckCursor guards against a vendor that ignores afterId: the same
// page again must end the walk, not repeat it up to the page cap.
func TestStuckCursor(t *testing.T) {
	e := startQuiet(t)
	e.Spec.PageSize = 2
	c, _ := e.conn(t)
	page := `{"status":"success","result":[` +
		`{"id":11,"listingMapId":40160,"arrivalDate":"2026-06-01","departureDate":"2026-06-03","status":"new"},` +
		`{"id":12,"listingMapId":40160,"arrivalDate":"2026-06-05","departureDate":"2026-06-06","status":"new"}]}`
	e.V.Fail(sandbox.Fault{Path: "/reservations", Body: page, Times: -1})
	got, err := c.ListReservations(context.Background(), connector.ReservationQuery{})
	if err != nil || len(got) != 2 || got[0].ID != "hostaway:11" || got[1].ID != "hostaway:12" {
		t.Fatalf("reservations = %+v, %v", got, err)
	}
	if n := e.V.Requests("/reservations"); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}
