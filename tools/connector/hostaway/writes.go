package hostaway

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

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
	start, end, problem := ch.Nights(h.c.Spec.Now())
	if problem != "" {
		return nil, connector.Invalid(Vendor, op, problem)
	}
	from, to := start.Format(time.DateOnly), end.Format(time.DateOnly)
	l, err := h.listing(ctx, propertyID)
	if err != nil {
		return nil, err
	}
	if ch.Price != nil && ch.Price.Currency != "" && l.CurrencyCode != "" && !strings.EqualFold(l.CurrencyCode, ch.Price.Currency) {
		return nil, connector.Invalid(Vendor, op, "the listing is priced in "+l.CurrencyCode+", not "+ch.Price.Currency)
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
	env, err := h.do(ctx, connector.Request{Op: op, Method: http.MethodPut, Path: "/listings/" + l.ID.String() + "/calendar", Body: body})
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
