package stays

import (
	"cmp"
	"slices"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// Turnover is a check-out and the property's next check-in: the window a
// cleaner has.
type Turnover struct {
	PropertyID string `json:"property_id"`
	Name       string `json:"name,omitempty"`
	Timezone   string `json:"timezone,omitempty"`
	// Date is the check-out date, local to the property.
	Date     string    `json:"date" jsonschema_description:"check-out date, YYYY-MM-DD local to the property"`
	CheckOut Departure `json:"check_out"`
	// Next is the next confirmed check-in, absent when none is known.
	Next *Arrival `json:"next_check_in,omitempty" jsonschema_description:"absent when no later check-in is known"`
	// SameDay: the next guests arrive on the day the last ones leave.
	SameDay bool `json:"same_day"`
	// NightsFree is how many nights stand empty between the two stays.
	NightsFree int `json:"nights_free,omitempty"`
}

// Departure is the stay that ends.
type Departure struct {
	ReservationID string `json:"reservation_id"`
	GuestName     string `json:"guest_name,omitempty"`
	Guests        int    `json:"guests,omitempty"`
	// Time is the usual check-out time (HH:MM local) and At that moment
	// with the property's offset, where both the time and the zone are
	// known.
	Time string `json:"time,omitempty"`
	At   string `json:"at,omitempty" jsonschema_description:"RFC 3339 with the property's UTC offset"`
}

// Arrival is the stay that starts next.
type Arrival struct {
	ReservationID string `json:"reservation_id"`
	GuestName     string `json:"guest_name,omitempty"`
	Guests        int    `json:"guests,omitempty"`
	Date          string `json:"date"`
	Time          string `json:"time,omitempty"`
	At            string `json:"at,omitempty" jsonschema_description:"RFC 3339 with the property's UTC offset"`
}

// Turnovers lists every confirmed check-out in the range, property by
// property, each with the property's next confirmed check-in among
// reservations (which should reach past the range, so the last
// check-outs find theirs). An empty r.From starts each property's range
// at its own local today, taken from now in its time zone (UTC when it
// has none), so a property east of UTC can already be on tomorrow; the
// range then runs days days (at least one) unless r.To is set.
func Turnovers(props []connector.Property, reservations []connector.Reservation, r Range, days int, now time.Time) []Turnover {
	info := make(map[string]connector.Property, len(props))
	for _, p := range props {
		info[p.ID] = p
	}
	byProp := map[string][]connector.Reservation{}
	for _, res := range reservations {
		if _, _, ok := stay(res); ok && occupies(res) && res.PropertyID != "" {
			byProp[res.PropertyID] = append(byProp[res.PropertyID], res)
		}
	}
	var out []Turnover
	for id, rs := range byProp {
		p := info[id]
		loc := Location(p.Timezone)
		rr := r
		if rr.From == "" {
			today := now.In(loc)
			rr.From = today.Format(time.DateOnly)
			if rr.To == "" {
				rr.To = today.AddDate(0, 0, max(days, 1)-1).Format(time.DateOnly)
			}
		}
		if rr.To == "" {
			rr.To = rr.From
		}
		from, to, ok := rr.days()
		if !ok {
			continue
		}
		slices.SortFunc(rs, func(a, b connector.Reservation) int {
			return cmp.Or(cmp.Compare(a.CheckIn, b.CheckIn), cmp.Compare(a.ID, b.ID))
		})
		for _, res := range rs {
			out1, _ := parseDay(res.CheckOut)
			if out1 < from || out1 > to {
				continue
			}
			t := Turnover{PropertyID: id, Name: p.Name, Timezone: p.Timezone, Date: res.CheckOut,
				CheckOut: Departure{ReservationID: res.ID, GuestName: res.GuestName, Guests: res.Guests,
					Time: p.CheckOutTime, At: at(res.CheckOut, p.CheckOutTime, p.Timezone, loc)}}
			for _, next := range rs {
				in, _ := parseDay(next.CheckIn)
				if next.ID == res.ID || in < out1 {
					continue
				}
				t.Next = &Arrival{ReservationID: next.ID, GuestName: next.GuestName, Guests: next.Guests, Date: next.CheckIn,
					Time: p.CheckInTime, At: at(next.CheckIn, p.CheckInTime, p.Timezone, loc)}
				t.SameDay = in == out1
				t.NightsFree = int(in - out1)
				break
			}
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b Turnover) int {
		return cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(a.PropertyID, b.PropertyID), cmp.Compare(a.CheckOut.ReservationID, b.CheckOut.ReservationID))
	})
	return out
}

// Location is a property's time zone: an IANA name or a UTC offset
// ("+1300"), UTC when unknown.
func Location(tz string) *time.Location {
	if tz == "" {
		return time.UTC
	}
	if loc, err := time.LoadLocation(tz); err == nil {
		return loc
	}
	// Some vendors give only a UTC offset (Hospitable: "+1300"): a fixed
	// zone is all that can be known then.
	for _, layout := range []string{"-0700", "-07:00"} {
		if t, err := time.Parse(layout, tz); err == nil {
			return t.Location()
		}
	}
	return time.UTC
}

// at is date and HH:MM in the property's zone, RFC 3339 with its offset;
// "" unless the time and the zone are both known.
func at(date, hhmm, tz string, loc *time.Location) string {
	if hhmm == "" || tz == "" || loc == time.UTC && tz != "UTC" && tz != "+0000" {
		return ""
	}
	t, err := time.ParseInLocation(time.DateOnly+" 15:04", date+" "+hhmm, loc)
	if err != nil {
		return ""
	}
	return t.Format(time.RFC3339)
}
