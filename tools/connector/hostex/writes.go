package hostex

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

const (
	// writeYears is how far ahead Hostex takes calendar writes: end dates
	// "within 3 years from now" [C].
	writeYears = 3
)

// channelParams are the channel types Hostex's listing endpoints take, the
// spec's ChannelTypeParam [C]. hostex_direct, which marks reservations
// made in Hostex itself, is not among them.
var channelParams = []string{"airbnb", "booking.com", "agoda", "expedia", "vrbo", "trip.com",
	"booking_site", "tujia_intl", "houfy"}

// minStayChannels are the listing channels whose restrictions carry a
// minimum stay (OpenAPI v3, POST /listings/restrictions and the listing
// calendar, min_stay_on_arrival: "available for" these only [C]). Hostex
// accepts a write before it applies it [C], so a minimum stay sent to
// another channel's listing would be answered as done and never set.
var minStayChannels = []string{"airbnb", "booking.com", "agoda", "expedia", "booking_site", "trip.com"}

// priceListing is the listing whose prices and restrictions stand for the
// property's: its Hostex booking site (booking_site) when it has one, else
// its first listing the listing endpoints take. Hostex prices each channel
// listing separately [C]; that the booking site is the host's own price is
// [I]. Calendar reads the same listing, so a write shows in the next read.
func priceListing(p wireProperty) *wireChannel {
	var first *wireChannel
	for i := range p.Channels {
		ch := &p.Channels[i]
		if !slices.Contains(channelParams, ch.ChannelType) || ch.ListingID == "" {
			continue
		}
		if ch.ChannelType == "booking_site" {
			return ch
		}
		if first == nil {
			first = ch
		}
	}
	return first
}

// checkChange checks a change with Hostex's own limits added, and returns
// its first and last night.
func checkChange(now time.Time, c connector.CalendarChange) (from, to string, problem string) {
	start, end, problem := c.Nights(now)
	today := now.UTC().Truncate(24 * time.Hour)
	switch {
	case problem != "":
		return "", "", problem
	case c.Price != nil && c.Price.Amount != math.Trunc(c.Price.Amount):
		// Hostex's price field is an integer in the currency's major unit [C].
		return "", "", "Hostex takes whole prices (e.g. 120, not 119.50)"
	case end.After(today.AddDate(writeYears, 0, 0)):
		return "", "", "Hostex takes calendar changes up to 3 years ahead"
	}
	return start.Format(time.DateOnly), end.Format(time.DateOnly), ""
}

var _ connector.CalendarWriter = (*conn)(nil)

// UpdateCalendar changes a property's nights through up to three calls,
// each only when the change asks for it: POST /availabilities
// {property_ids, start_date, end_date, available} opens or blocks them;
// POST /listings/prices {channel_type, listing_id, prices: [{start_date,
// end_date, price}]} and POST /listings/restrictions {channel_type,
// listing_id, restrictions: [{start_date, end_date, min_stay_on_arrival}]}
// set the price and minimum stay of the property's price listing (Hostex
// OpenAPI v3, Availability and Listing Calendar [C]; end dates inclusive
// [I]). Hostex answers each with the bare envelope and applies it
// asynchronously [C], so there are no days to return. Nothing is retried
// once sent; when a later call fails, the error says which changes Hostex
// had already accepted.
func (c *conn) UpdateCalendar(ctx context.Context, propertyID string, ch connector.CalendarChange) ([]connector.CalendarDay, error) {
	const op = "update calendar"
	from, to, problem := checkChange(c.Spec.Now(), ch)
	if problem != "" {
		return nil, connector.Invalid(vendor, op, problem)
	}
	p, err := c.property(ctx, op, propertyID)
	if err != nil {
		return nil, err
	}
	var l *wireChannel
	if ch.Price != nil || ch.MinStay != nil {
		if l = priceListing(p); l == nil {
			return nil, connector.Invalid(vendor, op, "the property has no channel listing that Hostex prices")
		}
	}
	if ch.MinStay != nil && !slices.Contains(minStayChannels, l.ChannelType) {
		return nil, connector.Invalid(vendor, op, "Hostex keeps no minimum stay for the property's "+l.ChannelType+
			" listing; leave the minimum stay out, or ask the host to set it in Hostex")
	}
	// Hostex publishes no listing currency [C], so a price's currency cannot
	// be checked here; the price is sent as the number it is.
	var calls []connector.Request
	if ch.Available != nil {
		id, _ := strconv.ParseInt(propertyID, 10, 64) // property() checked it
		calls = append(calls, connector.Request{Op: op, Method: http.MethodPost, Path: "/availabilities", Write: true,
			Body: map[string]any{"property_ids": []int64{id}, "start_date": from, "end_date": to, "available": *ch.Available}})
	}
	if ch.Price != nil {
		calls = append(calls, connector.Request{Op: op, Method: http.MethodPost, Path: "/listings/prices", Write: true,
			Body: map[string]any{"channel_type": l.ChannelType, "listing_id": string(l.ListingID),
				"prices": []map[string]any{{"start_date": from, "end_date": to, "price": int64(ch.Price.Amount)}}}})
	}
	if ch.MinStay != nil {
		calls = append(calls, connector.Request{Op: op, Method: http.MethodPost, Path: "/listings/restrictions", Write: true,
			Body: map[string]any{"channel_type": l.ChannelType, "listing_id": string(l.ListingID),
				"restrictions": []map[string]any{{"start_date": from, "end_date": to, "min_stay_on_arrival": *ch.MinStay}}}})
	}
	var done []string
	for _, r := range calls {
		if err := c.Do(ctx, r, nil); err != nil {
			if len(done) > 0 {
				return nil, fmt.Errorf("%w; Hostex had already accepted the %s change", err, strings.Join(done, " and "))
			}
			return nil, err
		}
		done = append(done, map[string]string{"/availabilities": "availability", "/listings/prices": "price",
			"/listings/restrictions": "minimum stay"}[r.Path])
	}
	return nil, nil
}

var _ connector.ReviewReplier = (*conn)(nil)

// ReplyToReview posts the host's public reply: POST
// /reviews/{reservation_code} {host_reply_content} (Hostex OpenAPI v3,
// "Create a review" [C]). A Hostex review is named by its reservation
// code, which ListReviews puts in Review.ID. Hostex answers with the bare
// envelope [C].
func (c *conn) ReplyToReview(ctx context.Context, reviewID, reply string) error {
	const op = "reply to review"
	if reviewID == "" || strings.ContainsAny(reviewID, "/?#") {
		return connector.Invalid(vendor, op, "bad review id (a Hostex reservation code)")
	}
	if strings.TrimSpace(reply) == "" {
		return connector.Invalid(vendor, op, "empty reply")
	}
	return c.Do(ctx, connector.Request{Op: op, Method: http.MethodPost, Path: "/reviews/" + url.PathEscape(reviewID),
		Body: map[string]string{"host_reply_content": reply}, Write: true}, nil)
}
