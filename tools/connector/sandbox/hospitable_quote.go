package sandbox

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// POST /properties/{uuid}/quote (public.json, "Generate a quote" [C]): scope quote:write, for a
// Direct property only [C]; {checkin_date, checkout_date, guests{adults (≥1), children,
// infants, pets}, guest_details{first_name, last_name, email, phone}, promo_code}, the first
// three required [C]. Answers {data: {quote_id, booking_url, currency, financials{taxes, fees,
// discounts, totals{sub_total, total_fees, total, total_without_taxes}}}}, amounts in cents [C].
// How it refuses is not published (its 400 and 404 schemas are internal): here a property
// without Direct, dates it cannot sell, a minimum stay not met, too many guests or an unknown
// promo code are 400 {status_code, reason_phrase, message} [I].

type hspQuoteBody struct {
	CheckinDate  *string `json:"checkin_date"`
	CheckoutDate *string `json:"checkout_date"`
	Guests       *struct {
		Adults   *float64 `json:"adults"`
		Children *float64 `json:"children"`
		Infants  *float64 `json:"infants"`
		Pets     *float64 `json:"pets"`
	} `json:"guests"`
	GuestDetails *struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
		Email     string `json:"email"`
		Phone     string `json:"phone"`
	} `json:"guest_details"`
	PromoCode *string `json:"promo_code"`
}

// direct reports whether the property is listed on Hospitable Direct [I: a listing whose
// platform is "direct"].
func (p *hspProperty) direct() bool {
	return slices.ContainsFunc(p.listings, func(l hspListing) bool { return l.Platform == "direct" })
}

func (h *hospitable) quote(w http.ResponseWriter, r *http.Request, c hspCaller) {
	if !c.canWrite {
		h.fail(w, http.StatusForbidden, "")
		return
	}
	p := h.property(r.PathValue("uuid"))
	if p == nil {
		h.fail(w, http.StatusNotFound, "Property not found.")
		return
	}
	var b hspQuoteBody
	if e := decodeJSON(r.Body, &b); e != nil {
		if e.wrongType != "" {
			h.invalid(w, "The "+e.wrongType+" field has the wrong type.")
			return
		}
		h.invalid(w, "Malformed JSON body.")
		return
	}
	if msg := h.quoteProblem(p, b); msg != "" {
		h.invalid(w, msg)
		return
	}
	in, _ := parseDate(*b.CheckinDate)
	out, _ := parseDate(*b.CheckoutDate)
	h.v.mu.Lock()
	accom, msg := h.stayPrice(p, in, out)
	h.v.mu.Unlock()
	if msg != "" {
		h.invalid(w, msg)
		return
	}
	const cleaning = 8500
	tax := accom / 10 // lodging taxes, 10% of the accommodation [I]
	line := func(cents int, label, category string) map[string]any {
		return merge(money(cents, p.Currency), "label", label, "category", category)
	}
	id := newUUID()
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{
		"quote_id":    id,
		"booking_url": "https://booking.hospitable.example/checkout?quote=" + id,
		"currency":    p.Currency,
		"financials": map[string]any{
			"taxes":     []any{line(tax, "Lodging taxes", "Pass-through taxes")},
			"fees":      []any{line(cleaning, "Cleaning fee", "Cleaning fee")},
			"discounts": []any{},
			"totals": map[string]any{
				"sub_total":           []any{line(accom, "Sub Total", "Total payment")},
				"total_fees":          []any{line(cleaning, "Total Fees", "Total payment")},
				"total":               []any{line(accom+cleaning+tax, "Total Price", "Guest total price")},
				"total_without_taxes": []any{line(accom+cleaning, "Total without taxes", "Total payment")},
			},
		},
	}})
}

// quoteProblem checks a quote's body against the property; "" when it is good.
func (h *hospitable) quoteProblem(p *hspProperty, b hspQuoteBody) string {
	today := day(h.v.now())
	var in, out time.Time
	var ok bool
	switch {
	case b.CheckinDate == nil:
		return "The checkin date field is required."
	case b.CheckoutDate == nil:
		return "The checkout date field is required."
	case b.Guests == nil || b.Guests.Adults == nil:
		return "The guests.adults field is required."
	}
	if in, ok = parseDate(*b.CheckinDate); !ok {
		return "The checkin date field must match the format Y-m-d."
	}
	if out, ok = parseDate(*b.CheckoutDate); !ok {
		return "The checkout date field must match the format Y-m-d."
	}
	g := b.Guests
	switch {
	case in.Before(today):
		return "The checkin date field must be a date after or equal to today."
	case !out.After(in):
		return "The checkout date field must be a date after checkin date."
	case *g.Adults < 1:
		return "The guests.adults field must be at least 1."
	case g.Children != nil && *g.Children < 0, g.Infants != nil && *g.Infants < 0, g.Pets != nil && *g.Pets < 0:
		return "A guest count must be at least 0."
	case b.PromoCode != nil:
		return "The promo code is invalid." // the sandbox has no promotions
	case !p.direct():
		return "Quotes can only be generated for Direct properties."
	}
	guests := *g.Adults
	if g.Children != nil {
		guests += *g.Children
	}
	if int(guests) > p.Capacity.Max {
		return "The property does not take that many guests."
	}
	return ""
}

// stayPrice is the accommodation of the nights from in to out in cents, or why they cannot be
// sold: a night closed (booked, blocked), or the first night's minimum stay not met. The caller
// holds Vendor.mu.
func (h *hospitable) stayPrice(p *hspProperty, in, out time.Time) (cents int, problem string) {
	nights := int(out.Sub(in).Hours() / 24)
	for d := in; d.Before(out); d = d.AddDate(0, 0, 1) {
		set := h.v.cal.at(p.ID, d)
		open, _ := nightOpen(occupied(p.stays, d) != nil, ownerBlocked(p.stays, d, len(p.Name)), set)
		if !open {
			return 0, "The property is not available for the selected dates."
		}
		if d.Equal(in) {
			minStay := 1
			if wd := d.Weekday(); wd == time.Friday || wd == time.Saturday {
				minStay = 2
			}
			if set.minStay != nil {
				minStay = *set.minStay
			}
			if nights < minStay {
				return 0, "The stay is shorter than the minimum stay."
			}
		}
		// As the calendar prices the night.
		if set.price != nil {
			cents += int(*set.price*100 + 0.5)
		} else {
			cents += int(nightlyPrice(p.base, d) * 100)
		}
	}
	return cents, ""
}

// routeJobs adds the endpoints of issue 11's jobs: money, inquiries, quotes and shortcodes.
func (h *hospitable) routeJobs(m *http.ServeMux) {
	m.HandleFunc("GET /v2/payouts", h.api(h.listPayouts))
	m.HandleFunc("GET /v2/payouts/{payout}", h.api(h.getPayout))
	m.HandleFunc("GET /v2/transactions", h.api(h.listTransactions))
	m.HandleFunc("GET /v2/transactions/{transaction}", h.api(h.getTransaction))
	m.HandleFunc("GET /v2/inquiries", h.api(h.listInquiries))
	m.HandleFunc("GET /v2/inquiries/{uuid}", h.api(h.getInquiry))
	m.HandleFunc("POST /v2/inquiries/{uuid}/messages", h.api(h.sendInquiryMessage))
	m.HandleFunc("POST /v2/properties/{uuid}/quote", h.api(h.quote))
	m.HandleFunc("GET /v2/reservations/{uuid}/enrichment", h.api(h.listShortcodes))
	m.HandleFunc("GET /v2/reservations/{uuid}/enrichment/{key}", h.api(h.getShortcode))
	m.HandleFunc("PUT /v2/reservations/{uuid}/enrichment/{key}", h.api(h.setShortcode))
	// Another method on a route Hospitable has is Laravel's 405 [I], not the catch-all's 404.
	for path, allowed := range map[string]string{
		"/v2/inquiries/{uuid}/messages":            "POST",
		"/v2/properties/{uuid}/quote":              "POST",
		"/v2/reservations/{uuid}/enrichment/{key}": "GET, HEAD, PUT",
	} {
		for _, method := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			if !strings.Contains(allowed, method) {
				m.HandleFunc(method+" "+path, h.methodNotAllowed(allowed))
			}
		}
	}
}
