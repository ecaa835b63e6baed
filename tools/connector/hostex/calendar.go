package hostex

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// Calendar joins the property's availability (GET /availabilities [C]) with
// the price and minimum stay of its price listing (POST /listings/calendar
// [C]; see priceListing): Hostex keeps prices per channel listing. When a
// night is closed, the property's reservations over the window (GET
// /reservations [C]) tell a booking from a host's block (see nightStatus).
//
// Prices carry no currency: the published schema gives none for a property,
// a channel listing or a listing calendar day [C: only reservation rates
// and POST /reservations have a currency], and a reservation's currency
// is the booking's, which need not be the listing's. The price is Hostex's
// number as it is; the tools ask for the currency when one is needed.
func (c *conn) Calendar(ctx context.Context, propertyID string, r connector.DateRange) ([]connector.CalendarDay, error) {
	const op = "calendar"
	start, end, err := r.Window(c.Spec.Now(), connector.DefaultCalendarDays, connector.MaxCalendarDays)
	if err != nil {
		return nil, connector.Invalid(vendor, op, err.Error())
	}
	p, err := c.property(ctx, op, propertyID)
	if err != nil {
		return nil, err
	}
	var avail struct {
		Properties []struct {
			ID             connector.Text     `json:"id"`
			Availabilities []wireAvailability `json:"availabilities"`
		} `json:"properties"`
	}
	q := url.Values{"property_ids": {propertyID}, "start_date": {start}, "end_date": {end}}
	if err := c.read(ctx, connector.Request{Op: op, Method: http.MethodGet, Path: "/availabilities", Query: q}, &avail, "properties"); err != nil {
		return nil, err
	}
	var days []wireAvailability
	found := false
	for _, pa := range avail.Properties {
		if string(pa.ID) == propertyID {
			days, found = pa.Availabilities, true
		}
	}
	// The property was asked for by id: an answer without it is not a
	// calendar without days.
	if !found {
		return nil, malformed(op, "no availabilities for property "+propertyID)
	}
	if err := whole(op, "a day", days); err != nil {
		return nil, err
	}
	prices, err := c.listingDays(ctx, p, start, end)
	if err != nil {
		return nil, err
	}
	var stays []wireReservation
	for _, a := range days {
		if !*a.Available {
			if stays, err = c.staysOver(ctx, propertyID, start, end); err != nil {
				return nil, err
			}
			break
		}
	}
	out := make([]connector.CalendarDay, 0, len(days))
	for _, a := range days {
		d := connector.CalendarDay{Date: a.Date, Available: *a.Available, Note: a.Remarks, Status: nightStatus(a, stays)}
		if ld, ok := prices[a.Date]; ok {
			if ld.Price != nil {
				d.Price = &connector.Money{Amount: *ld.Price}
			}
			d.MinStay = ld.Restrictions.MinStayOnArrival
		}
		out = append(out, d)
	}
	return out, nil
}

// holdsNights reports whether a reservation in this status keeps its
// nights [I]: a booking waiting for the host or for payment holds them, one
// cancelled, denied or timed out does not (the statuses are [C]).
func holdsNights(status string) bool {
	switch status {
	case "cancelled", "denied", "timeout":
		return false
	}
	return true
}

// nightStatus says what a day is. An open day is available. A closed day
// is reserved when one of the property's reservations that holds nights
// covers it (check-in inclusive, check-out exclusive), and blocked
// otherwise. The published availability carries only {date, available,
// remarks} [C] and POST /availabilities takes no remarks [C], so neither
// available nor remarks tells a booking from a host's block: a night closed
// through POST /availabilities reads back closed without remarks, and the
// reservations are what tell them apart [I].
func nightStatus(a wireAvailability, stays []wireReservation) string {
	if *a.Available {
		return "available"
	}
	for _, s := range stays {
		if holdsNights(s.Status) && s.CheckInDate <= a.Date && a.Date < s.CheckOutDate {
			return "reserved"
		}
	}
	return "blocked"
}

// staysOver lists the property's reservations whose stay touches the
// window: checking in by its last day and out after its first (the date
// filters are inclusive [C]).
func (c *conn) staysOver(ctx context.Context, propertyID, start, end string) ([]wireReservation, error) {
	from, err := time.Parse(dateLayout, start)
	if err != nil {
		return nil, connector.Invalid(vendor, "calendar", "bad start date")
	}
	q := url.Values{"property_id": {propertyID}, "end_check_in_date": {end},
		"start_check_out_date": {from.AddDate(0, 0, 1).Format(dateLayout)}}
	return list[wireReservation](ctx, c, connector.Request{Op: "calendar", Method: http.MethodGet, Path: "/reservations", Query: q}, "reservations", 0)
}

// listingDays reads the listing calendar of the property's price listing;
// nothing when it has none. The endpoint takes only the spec's
// ChannelTypeParam channel types [C], which leave out hostex_direct.
func (c *conn) listingDays(ctx context.Context, p wireProperty, start, end string) (map[string]wireListingDay, error) {
	const op = "calendar"
	ch := priceListing(p)
	if ch == nil {
		return nil, nil
	}
	body := map[string]any{"start_date": start, "end_date": end,
		"listings": []map[string]string{{"channel_type": ch.ChannelType, "listing_id": string(ch.ListingID)}}}
	var data struct {
		Listings []struct {
			Calendar []wireListingDay `json:"calendar"`
		} `json:"listings"`
	}
	if err := c.read(ctx, connector.Request{Op: op, Method: http.MethodPost, Path: "/listings/calendar", Body: body}, &data, "listings"); err != nil {
		return nil, err
	}
	// One listing was asked for; listings and calendar are required [C].
	if len(data.Listings) == 0 {
		return nil, malformed(op, "no calendar for listing "+ch.ChannelType+" "+string(ch.ListingID))
	}
	out := map[string]wireListingDay{}
	for _, l := range data.Listings {
		if err := whole(op, "a listing day", l.Calendar); err != nil {
			return nil, err
		}
		for _, d := range l.Calendar {
			out[d.Date] = d
		}
	}
	return out, nil
}
