package hospitable

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hostgate/hostgate/tools/connector"
)

var _ connector.QuoteMaker = (*conn)(nil)

// MakeQuote sends POST /properties/{uuid}/quote (public.json, "Generate a
// quote" [C]; scope quote:write): {checkin_date, checkout_date,
// guests{adults, children, infants, pets}} and, when the request names the
// guest, guest_details{first_name, last_name, email}. It answers the
// quote's id, its booking_url (where the guest books it on Hospitable
// Direct) and its financials in cents, in the quote's currency [C]. The
// endpoint is for Direct properties only [C]; a property without Direct is
// refused, and the error says so.
func (c *conn) MakeQuote(ctx context.Context, q connector.QuoteRequest) (connector.Quote, error) {
	const op = "make quote"
	// The path takes the property's UUID [C: "The UUID of the property"].
	if !uuidPattern.MatchString(q.PropertyID) {
		return connector.Quote{}, badID(op, "property")
	}
	if p := quoteProblem(q); p != "" {
		return connector.Quote{}, connector.Invalid(vendor, op, p)
	}
	guests := map[string]int{"adults": q.Adults}
	for k, n := range map[string]int{"children": q.Children, "infants": q.Infants, "pets": q.Pets} {
		if n > 0 {
			guests[k] = n
		}
	}
	body := map[string]any{"checkin_date": q.CheckIn, "checkout_date": q.CheckOut, "guests": guests}
	if d := guestDetails(q); len(d) > 0 {
		body["guest_details"] = d
	}
	var a struct {
		Data struct {
			QuoteID    string `json:"quote_id"`
			BookingURL string `json:"booking_url"`
			Currency   string `json:"currency"`
			Financials *struct {
				Totals struct {
					Total []struct {
						Amount *int64 `json:"amount"`
					} `json:"total"`
				} `json:"totals"`
			} `json:"financials"`
		} `json:"data"`
	}
	path := "/properties/" + url.PathEscape(q.PropertyID) + "/quote"
	if err := c.Do(ctx, connector.Request{Op: op, Method: http.MethodPost, Path: path, Body: body, Write: true}, &a); err != nil {
		return connector.Quote{}, c.quoteRefused(ctx, q.PropertyID, err)
	}
	d := a.Data
	if d.BookingURL == "" {
		// The link is what a quote is for [C: "a link to our booking flow"].
		return connector.Quote{}, connector.Malformed(vendor, op, http.StatusOK, "a quote without its booking_url")
	}
	out := connector.Quote{ID: connector.QualifiedID(vendor, d.QuoteID), PropertyID: connector.QualifiedID(vendor, q.PropertyID),
		CheckIn: q.CheckIn, CheckOut: q.CheckOut, BookingURL: d.BookingURL}
	// totals.total is a list of labelled amounts, one in the published
	// example [C]; several are summed [I].
	if f := d.Financials; f != nil && len(f.Totals.Total) > 0 {
		var cents int64
		for _, t := range f.Totals.Total {
			if t.Amount == nil {
				return connector.Quote{}, connector.Malformed(vendor, op, http.StatusOK, "a quote's total without its amount")
			}
			cents += *t.Amount
		}
		out.Total = &connector.Money{Amount: float64(cents) / 100, Currency: d.Currency}
	}
	return out, nil
}

// quoteProblem checks a quote request before it is sent; "" when it is
// good.
func quoteProblem(q connector.QuoteRequest) string {
	switch {
	case q.CheckIn == "" || q.CheckOut == "" || !connector.ValidDate(q.CheckIn) || !connector.ValidDate(q.CheckOut):
		return "check-in and check-out dates are required, as YYYY-MM-DD"
	case q.CheckOut <= q.CheckIn:
		return "the check-out date must be after the check-in date"
	case q.Adults < 1:
		return "a quote needs at least one adult" // guests.adults, at least 1 [C]
	case q.Children < 0 || q.Infants < 0 || q.Pets < 0:
		return "guest counts cannot be negative"
	}
	return ""
}

// guestDetails is the guest_details of a quote [C]: the name, split at its
// first space into first_name and last_name [I], and the email.
func guestDetails(q connector.QuoteRequest) map[string]string {
	d := map[string]string{}
	if name := strings.TrimSpace(q.GuestName); name != "" {
		first, last, _ := strings.Cut(name, " ")
		d["first_name"] = first
		if last = strings.TrimSpace(last); last != "" {
			d["last_name"] = last
		}
	}
	if email := strings.TrimSpace(q.GuestEmail); email != "" {
		d["email"] = email
	}
	return d
}

// quoteRefused says why a quote was refused where Hospitable's own words
// may not: a missing quote:write scope, or a property that is not on
// Hospitable Direct. The refusal's shape is not published, so on a 4xx the
// property's listings are read (with listing:read; without it nothing is
// added) and a property with none on Direct is named as the reason.
func (c *conn) quoteRefused(ctx context.Context, propertyID string, err error) error {
	var ae *connector.APIError
	if !errors.As(err, &ae) {
		return err
	}
	switch {
	case ae.Status == http.StatusForbidden:
		ae.Code = "the connection may not make quotes (Hospitable's quote:write scope)"
	case errors.Is(err, connector.ErrBadRequest) || errors.Is(err, connector.ErrNotFound):
		p, perr := c.GetProperty(ctx, propertyID)
		if perr == nil && len(p.Channels) > 0 && !slices.Contains(p.Channels, "direct") {
			ae.Code = "Hospitable makes quotes only for properties on Hospitable Direct, and this property is not listed there"
		}
	}
	return err
}
