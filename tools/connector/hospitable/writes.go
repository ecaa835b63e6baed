package hospitable

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hostgate/hostgate/tools/connector"
)

const (
	// calendarBatch is how many dates one calendar update carries: the spec
	// puts "maxProperties": 60 on the date item, read here as a cap of 60
	// dates a request [I].
	calendarBatch = 60
)

// changeNights checks a change with Hospitable's own limits added, or
// returns its nights.
func changeNights(now time.Time, c connector.CalendarChange) (nights []string, problem string) {
	start, end, problem := c.Nights(now)
	switch {
	case problem != "":
		return nil, problem
	case c.Price != nil && c.Price.Amount*100 > math.MaxInt32:
		// The amount is an int32 of cents [C].
		return nil, "the price must be a positive amount below 21,474,836"
	case c.Price != nil && math.Abs(c.Price.Amount*100-math.Round(c.Price.Amount*100)) > 1e-6:
		return nil, "a price has at most two decimals"
	}
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		nights = append(nights, d.Format(dateLayout))
	}
	return nights, ""
}

var _ connector.CalendarWriter = (*conn)(nil)

// UpdateCalendar sends PUT /properties/{uuid}/calendar {dates: [{date,
// available, price: {amount}, min_stay}]} (Hospitable v2 OpenAPI, "Update
// Property Calendar" [C]; scopes property:read and calendar:write), the
// amount in cents [C], at most 60 dates a request [I]. Hospitable answers
// 202 {"status":"accepted"} [C], so there are no days to return. The call
// carries no currency: a price in another currency than the property's is
// refused here. Nothing is retried once sent; when a later batch fails, the
// error says which nights Hospitable had already accepted.
func (c *conn) UpdateCalendar(ctx context.Context, propertyID string, ch connector.CalendarChange) ([]connector.CalendarDay, error) {
	const op = "update calendar"
	if !validID(propertyID) {
		return nil, badID(op, "property")
	}
	nights, problem := changeNights(c.Spec.Now(), ch)
	if problem != "" {
		return nil, connector.Invalid(vendor, op, problem)
	}
	set := map[string]any{}
	if ch.Available != nil {
		set["available"] = *ch.Available
	}
	if ch.MinStay != nil {
		set["min_stay"] = *ch.MinStay
	}
	if ch.Price != nil {
		if ch.Price.Currency != "" {
			p, err := c.GetProperty(ctx, propertyID)
			if err != nil {
				return nil, err
			}
			if p.Currency != "" && !strings.EqualFold(p.Currency, ch.Price.Currency) {
				return nil, connector.Invalid(vendor, op, "the property is priced in "+p.Currency+", not "+ch.Price.Currency)
			}
		}
		set["price"] = map[string]int64{"amount": int64(math.Round(ch.Price.Amount * 100))}
	}
	path := "/properties/" + url.PathEscape(propertyID) + "/calendar"
	for i := 0; i < len(nights); i += calendarBatch {
		batch := nights[i:min(i+calendarBatch, len(nights))]
		dates := make([]map[string]any, 0, len(batch))
		for _, d := range batch {
			item := map[string]any{"date": d}
			for k, v := range set {
				item[k] = v
			}
			dates = append(dates, item)
		}
		err := c.Do(ctx, connector.Request{Op: op, Method: http.MethodPut, Path: path, Body: map[string]any{"dates": dates}}, nil)
		if err == nil {
			continue
		}
		var ae *connector.APIError
		if errors.As(err, &ae) && ae.Status == http.StatusForbidden {
			ae.Code = "the connection may not change the calendar (Hospitable's calendar:write scope)"
		}
		if i > 0 {
			return nil, fmt.Errorf("%w; Hospitable had already accepted %s to %s", err, nights[0], nights[i-1])
		}
		return nil, err
	}
	return nil, nil
}

var _ connector.ReviewReplier = (*conn)(nil)

// ReplyToReview sends POST /reviews/{uuid}/respond {response} (Hospitable
// v2 OpenAPI, "Respond to a review" [C]; scope reviews:write). Hospitable
// refuses with 403 a review already responded to or past its response
// window [C], and the reason comes back in the error.
func (c *conn) ReplyToReview(ctx context.Context, reviewID, reply string) error {
	const op = "reply to review"
	if !validID(reviewID) {
		return badID(op, "review")
	}
	if strings.TrimSpace(reply) == "" {
		return connector.Invalid(vendor, op, "empty reply")
	}
	err := c.Do(ctx, connector.Request{Op: op, Method: http.MethodPost, Path: "/reviews/" + url.PathEscape(reviewID) + "/respond",
		Body: map[string]string{"response": reply}}, nil)
	var ae *connector.APIError
	if errors.As(err, &ae) && ae.Status == http.StatusForbidden && ae.Code == "" {
		ae.Code = "Hospitable refuses a response once the review has one, after its response window, or without reviews:write"
	}
	return err
}
