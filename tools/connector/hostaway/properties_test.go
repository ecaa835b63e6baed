package hostaway

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/hostgate/hostgate/tools/connector"
	"github.com/hostgate/hostgate/tools/connector/sandbox"
)

func TestSpecDefaults(t *testing.T) {
	s := NewSpec()
	if s.Name != "hostaway" || s.Title != "Hostaway" || s.BaseURL != "https://api.hostaway.com/v1" {
		t.Errorf("spec = %q %q %q", s.Name, s.Title, s.BaseURL)
	}
	if len(s.AuthKinds) != 1 || s.AuthKinds[0] != "client_credentials" || s.OAuth != nil || s.Exchange != nil {
		t.Errorf("auth kinds %v, OAuth %v: Hostaway has client credentials only", s.AuthKinds, s.OAuth)
	}
	f := s.Fields["client_credentials"]
	if len(f) != 2 || f[0].Name != FieldAccountID || f[0].Secret || f[1].Name != FieldAPIKey || !f[1].Secret {
		t.Errorf("fields = %+v", f)
	}
	if s.HTTP == nil || s.HTTP.Timeout == 0 || s.Now == nil || s.FromFields == nil || s.Refresh == nil || s.Revoke == nil || s.New == nil {
		t.Error("spec is missing a client, clock or function")
	}
}

func TestCheck(t *testing.T) {
	e := startQuiet(t)
	c, _ := e.conn(t)
	acc, err := c.Check(context.Background())
	if err != nil || acc.ID != sandbox.HostawayAccountID || acc.Name != "Hostaway account 81234" {
		t.Fatalf("Check = %+v, %v", acc, err)
	}
}

func TestListProperties(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	props, err := c.ListProperties(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	raw := rawList(t, e.raw(t, src.Credential(), "/listings"))
	if len(props) != 4 || len(raw) != 4 {
		t.Fatalf("%d properties, fake has %d; want 4", len(props), len(raw))
	}
	p := props[0]
	if p.ID != "hostaway:40160" || p.Vendor != "hostaway" || p.Name != "Brickell Bay Sky Suite" ||
		p.Address != "1200 Brickell Bay Dr, Miami, FL 33131, United States" || p.City != "Miami" ||
		p.Country != "US" || p.Timezone != "America/New_York" || p.Currency != "USD" ||
		*p.Latitude != 25.7617 || *p.Longitude != -80.1896 || *p.Bedrooms != 1 || *p.Bathrooms != 1 || *p.MaxGuests != 4 {
		t.Errorf("first property = %+v", p)
	}
	for i, r := range raw {
		p := props[i]
		if p.ID != "hostaway:"+str(r["id"]) || p.Name != r["name"] || p.City != r["city"] ||
			*p.MaxGuests != int(num(r["personCapacity"])) || *p.Bedrooms != int(num(r["bedroomsNumber"])) {
			t.Errorf("property %d = %+v, vendor sent %v", i, p, r)
		}
		// The listing's hours are local to its own zone, as Hostaway keeps them.
		in, out := fmt.Sprintf("%02d:00", int(num(r["checkInTimeStart"]))), fmt.Sprintf("%02d:00", int(num(r["checkOutTime"])))
		if p.CheckInTime != in || p.CheckOutTime != out || p.Timezone != r["timeZoneName"] {
			t.Errorf("property %d times %s–%s %s, vendor sent %v–%v %v", i, p.CheckInTime, p.CheckOutTime, p.Timezone,
				r["checkInTimeStart"], r["checkOutTime"], r["timeZoneName"])
		}
	}
	if sea := props[2]; sea.ID != "hostaway:43055" || sea.CheckInTime != "15:00" || sea.CheckOutTime != "10:00" || sea.Timezone != "America/Los_Angeles" {
		t.Errorf("Seattle = %+v, want 15:00 to 10:00 in America/Los_Angeles", sea)
	}
	got, err := c.GetProperty(context.Background(), "41287")
	if err != nil || got.ID != "hostaway:41287" || got.Name != "Music Row Retreat" || got.City != "Nashville" || *got.Bedrooms != 3 {
		t.Errorf("GetProperty = %+v, %v", got, err)
	}
	// A qualified id works too; the tools pass either.
	if got, err := c.GetProperty(context.Background(), "hostaway:41287"); err != nil || got.Name != "Music Row Retreat" {
		t.Errorf("GetProperty(qualified) = %+v, %v", got, err)
	}
	if _, err := c.GetProperty(context.Background(), "123456"); !errors.Is(err, connector.ErrNotFound) {
		t.Errorf("unknown listing: %v, want ErrNotFound", err)
	}
	before := e.V.Requests("")
	if _, err := c.GetProperty(context.Background(), "../reservations"); !errors.Is(err, connector.ErrBadRequest) {
		t.Errorf("non-numeric id: %v, want ErrBadRequest", err)
	}
	if e.V.Requests("") != before {
		t.Error("a malformed id reached the vendor")
	}
}

func TestPropertyPagination(t *testing.T) {
	e := startQuiet(t)
	e.Spec.PageSize = 1
	c, _ := e.conn(t)
	props, err := c.ListProperties(context.Background())
	if err != nil || len(props) != 4 {
		t.Fatalf("%d properties, %v", len(props), err)
	}
	// Four pages of one; the vendor's count ends the walk without a fifth.
	if n := e.V.Requests("/listings"); n != 4 {
		t.Errorf("%d listing requests, want 4", n)
	}
	e.Spec.PageSize = 3
	before := e.V.Requests("/listings")
	if props, err := c.ListProperties(context.Background()); err != nil || len(props) != 4 {
		t.Fatalf("%d properties, %v", len(props), err)
	}
	if n := e.V.Requests("/listings") - before; n != 2 {
		t.Errorf("%d listing requests with page size 3, want 2", n)
	}
}

func TestCalendar(t *testing.T) {
	e := startQuiet(t)
	c, src := e.conn(t)
	r := connector.DateRange{From: "2026-05-21", To: "2026-06-03"}
	days, err := c.Calendar(context.Background(), "40160", r)
	if err != nil {
		t.Fatal(err)
	}
	raw := rawList(t, e.raw(t, src.Credential(), "/listings/40160/calendar?startDate=2026-05-21&endDate=2026-06-03"))
	if len(days) != 14 || len(raw) != 14 {
		t.Fatalf("%d days (fake %d), want 14", len(days), len(raw))
	}
	seen := map[string]bool{}
	for i, d := range days {
		w := raw[i]
		if d.Date != w["date"] || d.Available != (num(w["isAvailable"]) == 1) || d.Status != w["status"] ||
			d.Price == nil || d.Price.Amount != num(w["price"]) || d.Price.Currency != "USD" || d.MinStay != int(num(w["minimumStay"])) {
			t.Errorf("day %d = %+v, vendor sent %v", i, d, w)
		}
		seen[d.Status] = true
	}
	if !seen["available"] || !seen["reserved"] {
		t.Errorf("statuses seen %v; the seed has free and booked nights in two weeks", seen)
	}
	// No range: Hostaway's default window (the fake: today and 30 days on).
	if days, err := c.Calendar(context.Background(), "40160", connector.DateRange{}); err != nil || len(days) != 31 || days[0].Date != "2026-05-21" {
		t.Errorf("default window: %d days from %v, %v", len(days), days, err)
	}
	if _, err := c.Calendar(context.Background(), "1", r); !errors.Is(err, connector.ErrNotFound) {
		t.Errorf("unknown listing: %v", err)
	}
}

// TestDayStatus: every published calendar day status (reference:
// Calendar day statuses) has its place; an unknown one falls back on
// isAvailable.
func TestDayStatus(t *testing.T) {
	for _, tc := range []struct {
		in    string
		avail bool
		want  string
	}{
		{"available", true, "available"}, {"blocked", false, "blocked"}, {"mblocked", false, "blocked"},
		{"hardBlock", false, "blocked"}, {"conflicted", false, "blocked"}, {"reserved", false, "reserved"},
		{"mreserved", false, "reserved"}, {"pending", false, "reserved"},
		{"mystery", true, "available"}, {"mystery", false, "blocked"},
	} {
		if got := dayStatus(tc.in, tc.avail); got != tc.want {
			t.Errorf("dayStatus(%q, %v) = %q, want %q", tc.in, tc.avail, got, tc.want)
		}
	}
}

// An hour the listing does not have (absent, null, out of 0-23, a
// fraction) is left out rather than written as a time.
func TestHourText(t *testing.T) {
	for in, want := range map[string]string{`16`: "16:00", `0`: "00:00", `"9"`: "09:00", `null`: "", `24`: "", `-1`: "", `15.5`: ""} {
		var h numval
		if err := h.UnmarshalJSON([]byte(in)); err != nil {
			t.Fatal(err)
		}
		if got := hourText(h); got != want {
			t.Errorf("hourText(%s) = %q, want %q", in, got, want)
		}
	}
	if got := hourText(numval{}); got != "" {
		t.Errorf("absent hour = %q", got)
	}
}
