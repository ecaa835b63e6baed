package stays

import (
	"testing"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

func guests(r connector.Reservation, name string, n int) connector.Reservation {
	r.GuestName, r.Guests = name, n
	return r
}

// TestTurnovers: same-day turns, a one-night gap, a last check-out with
// no next guest, and check-out times in zones on both sides of UTC.
func TestTurnovers(t *testing.T) {
	props := []connector.Property{
		{ID: "hostex:akl", Name: "Auckland flat", Timezone: "Pacific/Auckland", CheckInTime: "15:00", CheckOutTime: "10:00"},
		{ID: "hostaway:la", Name: "LA bungalow", Timezone: "America/Los_Angeles", CheckInTime: "16:00", CheckOutTime: "11:00"},
	}
	c := connector.StatusConfirmed
	rs := []connector.Reservation{
		guests(res("hostex:1", "hostex:akl", "2026-06-01", "2026-06-03", c, "airbnb", nil), "Ana", 2),
		guests(res("hostex:2", "hostex:akl", "2026-06-03", "2026-06-05", c, "airbnb", nil), "Ben", 4), // same day
		guests(res("hostex:3", "hostex:akl", "2026-06-06", "2026-06-09", c, "airbnb", nil), "Cy", 1),  // one night free after Ben
		res("hostex:4", "hostex:akl", "2026-06-05", "2026-06-06", connector.StatusCancelled, "airbnb", nil),
		guests(res("hostaway:1", "hostaway:la", "2026-06-02", "2026-06-04", c, "vrbo", nil), "Dee", 3), // nothing after
	}
	got := Turnovers(props, rs, Range{From: "2026-06-01", To: "2026-06-08"}, 0, time.Time{})
	if len(got) != 3 {
		t.Fatalf("turnovers = %+v", got)
	}
	ana, dee, ben := got[0], got[1], got[2]
	if ana.Date != "2026-06-03" || !ana.SameDay || ana.Next == nil || ana.Next.GuestName != "Ben" || ana.Next.Guests != 4 || ana.NightsFree != 0 {
		t.Errorf("Ana's turnover = %+v", ana)
	}
	// 10:00 in Auckland in June (NZST, UTC+12) and 11:00 in Los Angeles
	// (PDT, UTC−7).
	if ana.CheckOut.At != "2026-06-03T10:00:00+12:00" || ana.Next.At != "2026-06-03T15:00:00+12:00" {
		t.Errorf("Auckland times = %q, %q", ana.CheckOut.At, ana.Next.At)
	}
	if dee.Date != "2026-06-04" || dee.Next != nil || dee.SameDay || dee.CheckOut.At != "2026-06-04T11:00:00-07:00" {
		t.Errorf("Dee's turnover = %+v", dee)
	}
	if ben.Date != "2026-06-05" || ben.SameDay || ben.NightsFree != 1 || ben.Next.ReservationID != "hostex:3" {
		t.Errorf("Ben's turnover = %+v", ben)
	}
}

// TestTurnoversTodayPerZone: with no dates, each property's range is its
// own local today. At 12:30 UTC on 2 June it is already 3 June in
// Auckland (00:30 NZST) and still 2 June in Los Angeles (05:30 PDT).
func TestTurnoversTodayPerZone(t *testing.T) {
	props := []connector.Property{
		{ID: "hostex:akl", Timezone: "Pacific/Auckland"},
		{ID: "hostaway:la", Timezone: "America/Los_Angeles"},
	}
	c := connector.StatusConfirmed
	rs := []connector.Reservation{
		res("hostex:1", "hostex:akl", "2026-05-30", "2026-06-02", c, "", nil),
		res("hostex:2", "hostex:akl", "2026-05-31", "2026-06-03", c, "", nil),
		res("hostaway:1", "hostaway:la", "2026-05-30", "2026-06-02", c, "", nil),
		res("hostaway:2", "hostaway:la", "2026-05-31", "2026-06-03", c, "", nil),
	}
	now := time.Date(2026, 6, 2, 12, 30, 0, 0, time.UTC)
	got := Turnovers(props, rs, Range{}, 1, now)
	if len(got) != 2 || got[0].CheckOut.ReservationID != "hostaway:1" || got[1].CheckOut.ReservationID != "hostex:2" {
		t.Fatalf("today's turnovers = %+v", got)
	}
	if got[0].CheckOut.At != "" {
		t.Errorf("no check-out time known, yet At = %q", got[0].CheckOut.At)
	}
}

// TestTurnoversDays: with no dates, days widens each property's own range.
func TestTurnoversDays(t *testing.T) {
	props := []connector.Property{{ID: "hostex:akl", Timezone: "Pacific/Auckland"}}
	c := connector.StatusConfirmed
	rs := []connector.Reservation{
		res("hostex:1", "hostex:akl", "2026-05-30", "2026-06-03", c, "", nil),
		res("hostex:2", "hostex:akl", "2026-06-03", "2026-06-05", c, "", nil),
		res("hostex:3", "hostex:akl", "2026-06-05", "2026-06-09", c, "", nil),
	}
	now := time.Date(2026, 6, 2, 12, 30, 0, 0, time.UTC) // 3 June in Auckland
	if got := Turnovers(props, rs, Range{}, 3, now); len(got) != 2 || got[0].Date != "2026-06-03" || got[1].Date != "2026-06-05" {
		t.Fatalf("three days of turnovers = %+v", got)
	}
}

// TestTurnoverOffsetZone: a vendor that gives only an offset still gets
// its local times.
func TestTurnoverOffsetZone(t *testing.T) {
	props := []connector.Property{{ID: "hospitable:akl", Timezone: "+1300", CheckOutTime: "10:00", CheckInTime: "14:00"}}
	c := connector.StatusConfirmed
	rs := []connector.Reservation{
		res("hospitable:1", "hospitable:akl", "2026-12-01", "2026-12-03", c, "", nil),
		res("hospitable:2", "hospitable:akl", "2026-12-03", "2026-12-05", c, "", nil),
	}
	got := Turnovers(props, rs, Range{From: "2026-12-03", To: "2026-12-03"}, 0, time.Time{})
	if len(got) != 1 || got[0].CheckOut.At != "2026-12-03T10:00:00+13:00" || got[0].Next.At != "2026-12-03T14:00:00+13:00" {
		t.Fatalf("turnovers = %+v", got)
	}
}
