package hostex

import (
	"context"
	"net/http"
	"net/url"

	"github.com/hostgate/hostgate/tools/connector"
)

// Calendar joins the property's availability (GET /availabilities [C]) with
// the price and minimum stay of its price listing (POST /listings/calendar
// [C]; see priceListing): Hostex keeps prices per channel listing.
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
	if err := c.Do(ctx, connector.Request{Op: op, Method: http.MethodGet, Path: "/availabilities", Query: q}, &avail); err != nil {
		return nil, err
	}
	prices, err := c.listingDays(ctx, p, start, end)
	if err != nil {
		return nil, err
	}
	currency := ""
	for _, ch := range p.Channels {
		currency = first(currency, ch.Currency)
	}
	out := []connector.CalendarDay{}
	for _, pa := range avail.Properties {
		if string(pa.ID) != propertyID {
			continue
		}
		for _, a := range pa.Availabilities {
			d := connector.CalendarDay{Date: a.Date, Available: a.Available, Note: a.Remarks}
			switch {
			case a.Available:
				d.Status = "available"
			case a.Remarks != "":
				// A host's block carries its reason; a booking has none [I].
				d.Status = "blocked"
			default:
				d.Status = "reserved"
			}
			if ld, ok := prices[a.Date]; ok {
				if ld.Price != nil {
					d.Price = &connector.Money{Amount: *ld.Price, Currency: currency}
				}
				d.MinStay = ld.Restrictions.MinStayOnArrival
			}
			out = append(out, d)
		}
	}
	return out, nil
}

// listingDays reads the listing calendar of the property's price listing;
// nothing when it has none. The endpoint takes only the spec's
// ChannelTypeParam channel types [C], which leave out hostex_direct.
func (c *conn) listingDays(ctx context.Context, p wireProperty, start, end string) (map[string]wireListingDay, error) {
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
	if err := c.Do(ctx, connector.Request{Op: "calendar", Method: http.MethodPost, Path: "/listings/calendar", Body: body}, &data); err != nil {
		return nil, err
	}
	out := map[string]wireListingDay{}
	for _, l := range data.Listings {
		for _, d := range l.Calendar {
			out[d.Date] = d
		}
	}
	return out, nil
}
