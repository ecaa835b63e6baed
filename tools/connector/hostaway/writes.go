package hostaway

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

// maxChangeNights bounds one calendar change (Hostaway documents no
// horizon).
const maxChangeNights = 366

func badChange(op, code string) error {
	return &connector.APIError{Vendor: Vendor, Op: op, Code: code, Err: connector.ErrBadRequest}
}

// checkChange says what is wrong with a calendar change before Hostaway is
// called, or "" when nothing is; it returns the first and last night.
// "Today" is Hostaway's to judge in the listing's time zone, so a change
// may start on yesterday's UTC date.
func checkChange(now time.Time, c connector.CalendarChange) (from, to, problem string) {
	switch {
	case c.Available == nil && c.Price == nil && c.MinStay == nil:
		return "", "", "nothing to change: set available, price or min_stay"
	case c.Range.From == "":
		return "", "", "the change needs the first night (from)"
	case !connector.ValidDate(c.Range.From) || !connector.ValidDate(c.Range.To):
		return "", "", "dates must be YYYY-MM-DD"
	case c.MinStay != nil && *c.MinStay < 1:
		// minimumStay "must be positive integer" [C].
		return "", "", "min_stay must be at least 1 night"
	case c.Price != nil && (!(c.Price.Amount > 0) || math.IsInf(c.Price.Amount, 0)):
		return "", "", "the price must be a positive amount"
	}
	start, _ := time.Parse(time.DateOnly, c.Range.From)
	end := start
	if c.Range.To != "" {
		end, _ = time.Parse(time.DateOnly, c.Range.To)
	}
	today := now.UTC().Truncate(24 * time.Hour)
	switch {
	case end.Before(start):
		return "", "", "the range ends before it starts"
	case start.Before(today.AddDate(0, 0, -1)):
		return "", "", "nights in the past cannot be changed"
	case end.Sub(start) >= maxChangeNights*24*time.Hour:
		return "", "", fmt.Sprintf("a change covers at most %d nights", maxChangeNights)
	}
	return start.Format(time.DateOnly), end.Format(time.DateOnly), ""
}

// UpdateCalendar sends PUT /v1/listings/{listingId}/calendar with the
// calendar day fields to set, isAvailable (0 blocks, 1 opens a single-unit
// listing), price and minimumStay, and the startDate and endDate of the
// nights (Hostaway API reference, Calendar, "Update the calendar" [C]). It
// returns the affected days Hostaway answers with [C]. The listing is read
// first, for a clean 404 and its currency: the calendar carries none, so a
// price in another currency than the listing's is refused here. The write
// is not retried once sent (the client retries only a refused token or a
// 429, which Hostaway has not acted on).
func (h *Connector) UpdateCalendar(ctx context.Context, propertyID string, ch connector.CalendarChange) ([]connector.CalendarDay, error) {
	const op = "update calendar"
	from, to, problem := checkChange(h.c.s.Now(), ch)
	if problem != "" {
		return nil, badChange(op, problem)
	}
	l, err := h.listing(ctx, propertyID)
	if err != nil {
		return nil, err
	}
	if ch.Price != nil && ch.Price.Currency != "" && l.CurrencyCode != "" && !strings.EqualFold(l.CurrencyCode, ch.Price.Currency) {
		return nil, badChange(op, "the listing is priced in "+l.CurrencyCode+", not "+ch.Price.Currency)
	}
	body := map[string]any{"startDate": from, "endDate": to}
	if ch.Available != nil {
		body["isAvailable"] = 0
		if *ch.Available {
			body["isAvailable"] = 1
		}
	}
	if ch.Price != nil {
		body["price"] = ch.Price.Amount
	}
	if ch.MinStay != nil {
		body["minimumStay"] = *ch.MinStay
	}
	env, err := h.c.call(ctx, op, "PUT", "/listings/"+l.ID.String()+"/calendar", nil, body)
	if err != nil {
		return nil, err
	}
	// Hostaway has made the change; an answer that does not read as days
	// only loses the echo, so it is not an error.
	var days []calendarDay
	if json.Unmarshal(env.Result, &days) != nil {
		return nil, nil
	}
	out := make([]connector.CalendarDay, 0, len(days))
	for _, d := range days {
		if day := d.normalized(l.CurrencyCode); day.Date >= from && day.Date <= to {
			out = append(out, day)
		}
	}
	return out, nil
}
