package hospitable

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/hostgate/hostgate/tools/connector"
)

// Calendar reads GET /properties/{uuid}/calendar [C]: availability, the
// reason a day is closed, the nightly price (in cents [C]) and minimum stay.
func (c *conn) Calendar(ctx context.Context, propertyID string, r connector.DateRange) ([]connector.CalendarDay, error) {
	const op = "calendar"
	if !validID(propertyID) {
		return nil, badID(op, "property")
	}
	start, end, err := r.Window(c.Spec.Now(), connector.DefaultCalendarDays, connector.MaxCalendarDays)
	if err != nil {
		return nil, connector.Invalid(vendor, op, err.Error())
	}
	var cal struct {
		Data struct {
			Days []wireDay `json:"days"`
		} `json:"data"`
	}
	req := connector.Request{Op: op, Method: http.MethodGet, Path: "/properties/" + url.PathEscape(propertyID) + "/calendar",
		Query: url.Values{"start_date": {start}, "end_date": {end}}}
	if err := c.Do(ctx, req, &cal); err != nil {
		return nil, err
	}
	if cal.Data.Days == nil {
		// {data: {days: […]}} [C]; without it the answer is not an empty
		// calendar but one hostgate cannot read.
		return nil, connector.Malformed(vendor, op, http.StatusOK, "calendar without days")
	}
	out := make([]connector.CalendarDay, 0, len(cal.Data.Days))
	for _, d := range cal.Data.Days {
		if d.Date == "" || d.Status == nil {
			// A day is its date and its status [C]; without them it says nothing.
			return nil, connector.Malformed(vendor, op, http.StatusOK, "a calendar day without its date or status")
		}
		day := connector.CalendarDay{Date: d.Date, Available: d.Status.Available,
			Status: strings.ToLower(d.Status.Reason), MinStay: d.MinStay, Note: d.Note}
		if d.Price != nil {
			if amt, ok := d.Price.major(); ok {
				day.Price = &connector.Money{Amount: amt, Currency: d.Price.Currency}
			}
		}
		out = append(out, day)
	}
	return out, nil
}
