package sandbox

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// hospitable fakes the Hospitable Public API v2 (docs/vendors.md, "Hospitable"): real HTTP statuses,
// {data, links, meta} lists paged by page/per_page, and the error bodies the reference publishes
// ({status_code, reason_phrase} on a refused request) or, where it publishes none, Laravel's
// {"message"} [I]. It keeps to the contract in testdata/vendors/hospitable: a request it cannot
// take (an unknown path, an include or enum value the reference does not list, a parameter of the
// wrong type) is refused as Hospitable refuses it.
type hospitable struct {
	v            *Vendor
	props        []*hspProperty
	res          []*hspRes // check-in order
	nextMsgID    int       // guarded by v.mu
	inquiries    []*hspInquiry
	payouts      []*hspPayout      // newest first
	transactions []*hspTransaction // newest first
}

// NewHospitable returns an unstarted Hospitable fake: API under /v2, OAuth authorize page at
// /oauth/authorize and token endpoint at /oauth/token (the real ones live on
// auth.hospitable.com; here they share the listener). There is no revocation endpoint.
func NewHospitable(opts Options) *Vendor {
	v := newVendor("hospitable", "/v2", opts)
	v.ClientID, v.ClientSecret = HospitableClientID, HospitableClientSecret
	h := &hospitable{v: v}
	h.seed(opts)
	v.authPaths = []string{"/oauth/authorize", "/oauth/token"}
	v.tokenPath = "/oauth/token"
	v.writeFault = h.writeFault
	v.urls = func(v *Vendor, root string) {
		v.AuthorizeURL = root + "/oauth/authorize"
		v.TokenURL = root + "/oauth/token"
	}
	m := v.mux
	m.HandleFunc("GET /oauth/authorize", h.authorize)
	m.HandleFunc("POST /oauth/authorize", v.finishConsent)
	m.HandleFunc("POST /oauth/token", h.token)
	m.HandleFunc("GET /v2/user", h.api(h.user))
	m.HandleFunc("GET /v2/properties", h.api(h.listProperties))
	m.HandleFunc("GET /v2/properties/{uuid}", h.api(h.getProperty))
	m.HandleFunc("GET /v2/properties/{uuid}/calendar", h.api(h.calendar))
	m.HandleFunc("PUT /v2/properties/{uuid}/calendar", h.api(h.updateCalendar))
	m.HandleFunc("GET /v2/properties/{uuid}/reviews", h.api(h.reviews))
	m.HandleFunc("POST /v2/reviews/{uuid}/respond", h.api(h.respond))
	// Another method on a write path is Laravel's 405 [I], not the catch-all's 404.
	for _, method := range []string{"POST", "PATCH", "DELETE"} {
		m.HandleFunc(method+" /v2/properties/{uuid}/calendar", h.methodNotAllowed("GET, HEAD, PUT"))
	}
	for _, method := range []string{"GET", "PUT", "PATCH", "DELETE"} {
		m.HandleFunc(method+" /v2/reviews/{uuid}/respond", h.methodNotAllowed("POST"))
	}
	m.HandleFunc("GET /v2/reservations", h.api(h.listReservations))
	m.HandleFunc("GET /v2/reservations/{uuid}", h.api(h.getReservation))
	m.HandleFunc("GET /v2/reservations/{uuid}/messages", h.api(h.listMessages))
	m.HandleFunc("POST /v2/reservations/{uuid}/messages", h.api(h.sendMessage))
	h.routeJobs(m)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, http.StatusNotFound, "The route "+strings.TrimPrefix(r.URL.Path, "/")+" could not be found.")
	})
	return v
}

// pageParams reads page (default 1) and per_page (default 10, at most max [C]).
func (h *hospitable) pageParams(w http.ResponseWriter, r *http.Request, max int) (pg, per int, ok bool) {
	q := r.URL.Query()
	pg, per = 1, 10
	// The reference's own answer to a bad page parameter [C: public.json, GET /properties 400].
	const bad = "Invalid pagination parameter supplied."
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			h.invalid(w, bad)
			return 0, 0, false
		}
		pg = n
	}
	if s := q.Get("per_page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > max {
			h.invalid(w, bad)
			return 0, 0, false
		}
		per = n
	}
	return pg, per, true
}

// list writes the {data, links, meta} envelope for one page of items [C].
func (h *hospitable) list(w http.ResponseWriter, r *http.Request, items []any, pg, per int) {
	total := len(items)
	last := max(1, (total+per-1)/per)
	from := (pg - 1) * per
	pageItems := slicePage(items, from, per)
	path := h.v.rootURL(r) + r.URL.Path
	link := func(n int) any {
		if n < 1 || n > last {
			return nil
		}
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		return path + "?" + q.Encode()
	}
	var fromN, toN any
	if len(pageItems) > 0 {
		fromN, toN = from+1, from+len(pageItems)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"data":  pageItems,
		"links": map[string]any{"first": link(1), "last": link(last), "prev": link(pg - 1), "next": link(pg + 1)},
		"meta": map[string]any{"current_page": pg, "from": fromN, "last_page": last, "links": []any{},
			"path": path, "per_page": per, "to": toN, "total": total},
	})
}

// user: GET /user, the account identity [C].
func (h *hospitable) user(w http.ResponseWriter, _ *http.Request, _ hspCaller) {
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{
		"id": "1f0c7b9e-5d3a-4e8b-9a62-c4d1e7f0b3a5", "email": "host@hostgate-sandbox.example", "name": "Sam Carter",
	}})
}

func (h *hospitable) property(id string) *hspProperty {
	for _, p := range h.props {
		if p.ID == id {
			return p
		}
	}
	return nil
}

func (p *hspProperty) render(inc map[string]bool) hspProperty {
	out := *p
	out.Listings = nil
	if inc["listings"] {
		out.Listings = p.listings
	}
	return out
}

func (h *hospitable) listProperties(w http.ResponseWriter, r *http.Request, c hspCaller) {
	inc, ok := h.includesOf(w, r, hspPropertyIncludes)
	if !ok || h.scopeRefused(w, inc, c) {
		return
	}
	pg, per, ok := h.pageParams(w, r, 100)
	if !ok {
		return
	}
	var items []any
	for _, p := range h.props {
		items = append(items, p.render(inc))
	}
	h.list(w, r, items, pg, per)
}

func (h *hospitable) getProperty(w http.ResponseWriter, r *http.Request, c hspCaller) {
	inc, ok := h.includesOf(w, r, hspPropertyIncludes)
	if !ok || h.scopeRefused(w, inc, c) {
		return
	}
	p := h.property(r.PathValue("uuid"))
	if p == nil {
		h.fail(w, http.StatusNotFound, "Property not found.")
		return
	}
	// The published 200 of GET /properties/{uuid} is a PropertyFull, not wrapped in data
	// [C: public.json, get-property]; the lists wrap their items in data [C].
	writeJSON(w, http.StatusOK, p.render(inc))
}

// calendar: GET /properties/{uuid}/calendar?start_date=&end_date= [C]. Both dates are
// required here [I].
func (h *hospitable) calendar(w http.ResponseWriter, r *http.Request, _ hspCaller) {
	p := h.property(r.PathValue("uuid"))
	if p == nil {
		h.fail(w, http.StatusNotFound, "Property not found.")
		return
	}
	q := r.URL.Query()
	start, ok1 := parseDate(q.Get("start_date"))
	end, ok2 := parseDate(q.Get("end_date"))
	switch {
	case !ok1:
		h.invalid(w, "The start date field must be a valid date (Y-m-d).")
		return
	case !ok2 || end.Before(start):
		h.invalid(w, "The end date field must be a date after or equal to start date.")
		return
	case end.Sub(start) > 730*24*time.Hour:
		h.invalid(w, "The calendar range may not exceed two years.")
		return
	}
	days := []map[string]any{}
	h.v.mu.Lock()
	defer h.v.mu.Unlock()
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		set := h.v.cal.at(p.ID, d)
		booked := occupied(p.stays, d)
		open, _ := nightOpen(booked != nil, ownerBlocked(p.stays, d, len(p.Name)), set)
		status := map[string]any{"reason": "AVAILABLE", "source_type": nil, "source": nil, "available": true}
		switch {
		case booked != nil:
			status = map[string]any{"reason": "RESERVED", "source_type": "RESERVATION", "source": booked.code, "available": false}
		case !open && set.available != nil:
			// Closed through the API: the spec's source types include VENDOR [C]; that an API
			// block is reported so is [I].
			status = map[string]any{"reason": "BLOCKED", "source_type": "VENDOR", "source": nil, "available": false}
		case !open:
			status = map[string]any{"reason": "BLOCKED", "source_type": "USER", "source": nil, "available": false}
		}
		minStay := 1
		if d.Weekday() == time.Friday || d.Weekday() == time.Saturday {
			minStay = 2
		}
		if set.minStay != nil {
			minStay = *set.minStay
		}
		cents := int(nightlyPrice(p.base, d) * 100)
		if set.price != nil {
			cents = int(*set.price*100 + 0.5)
		}
		days = append(days, map[string]any{
			"date": d.Format(dateLayout), "day": strings.ToUpper(d.Weekday().String()), "min_stay": minStay,
			"note": "", "status": status, "price": merge(money(cents, p.Currency), "currency", p.Currency),
			"closed_for_checkin": false, "closed_for_checkout": false,
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{
		"listing_id": p.ID, "provider": "hospitable", "start_date": start.Format(dateLayout),
		"end_date": end.Format(dateLayout), "days": days,
	}})
}

// reviews: GET /properties/{uuid}/reviews, per_page at most 50 [C]; the available includes are
// guest and reservations [C: public.json, the endpoint's description].
func (h *hospitable) reviews(w http.ResponseWriter, r *http.Request, _ hspCaller) {
	p := h.property(r.PathValue("uuid"))
	if p == nil {
		h.fail(w, http.StatusNotFound, "Property not found.")
		return
	}
	inc, ok := h.includesOf(w, r, hspReviewIncludes)
	if !ok {
		return
	}
	pg, per, ok := h.pageParams(w, r, 50)
	if !ok {
		return
	}
	now := h.v.now()
	var items []any
	h.v.mu.Lock()
	for _, rv := range p.reviews {
		items = append(items, rv.render(inc, now))
	}
	h.v.mu.Unlock()
	h.list(w, r, items, pg, per)
}

// queryArray reads a Laravel array parameter: name[]=a&name[]=b or name[0]=a. ok is false
// when the plain scalar form (name=a) was sent, which Laravel rejects as "must be an array".
func queryArray(q url.Values, name string) (vals []string, present, ok bool) {
	for k, vs := range q {
		switch {
		case k == name:
			return nil, true, false
		case k == name+"[]" || strings.HasPrefix(k, name+"[") && strings.HasSuffix(k, "]"):
			vals = append(vals, vs...)
		}
	}
	return vals, len(vals) > 0, true
}
