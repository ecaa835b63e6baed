package sandbox

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Hospitable's write endpoints (public v2 OpenAPI [C]): PUT /properties/{uuid}/calendar (scopes
// property:read and calendar:write) and POST /reviews/{uuid}/respond (reviews:write). A token
// without the scope gets 403 [T]; HospitableReadOnlyPAT has no write scope.

const (
	// hspCalendarBatch is how many dates one calendar update takes: the spec puts
	// "maxProperties": 60 on the date item, which reads as a cap of 60 dates a request [I].
	hspCalendarBatch = 60
	// hspResponseWindow is how long after a review the host may respond. The spec documents a
	// 403 once "the response window" closes [C]; 30 days is Airbnb's window [I].
	hspResponseWindow = 30 * 24 * time.Hour
)

// hspDayFields are the keys a calendar date item may have; the spec sets
// additionalProperties false on it [C].
var hspDayFields = []string{"date", "price", "available", "min_stay", "closed_for_checkout", "closed_for_checkin"}

// refused writes the {status_code, reason_phrase} body the spec documents for a refused write
// (403 on respond, 422 on a calendar-restricted property) [C].
func (h *hospitable) refused(w http.ResponseWriter, status int, reason string) {
	h.trace(w)
	writeJSON(w, status, map[string]string{"status_code": strconv.Itoa(status), "reason_phrase": reason})
}

// methodNotAllowed answers another method on a write path as Laravel does [I].
func (h *hospitable) methodNotAllowed(allowed string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allowed)
		h.fail(w, http.StatusMethodNotAllowed, "The "+r.Method+" method is not supported for route "+
			strings.TrimPrefix(r.URL.Path, "/")+". Supported methods: "+allowed+".")
	}
}

// hspDay is one decoded date item of a calendar update.
type hspDay struct {
	date      string
	available *bool
	price     *float64 // major units
	minStay   *int
}

// updateCalendar: PUT /properties/{uuid}/calendar {dates: [{date, price: {amount}, available,
// min_stay, closed_for_checkin, closed_for_checkout}]} [C]; the amount is in the currency's
// base unit (cents) [C]. Answers 202 {"status":"accepted"} [C]. At most 60 dates [I], none in
// the past (Hospitable reports past dates as BLOCKED [C]; that they cannot be written is [I]),
// each item with something to set [I]; a bad item is a 400 [I].
func (h *hospitable) updateCalendar(w http.ResponseWriter, r *http.Request, c hspCaller) {
	if !c.canWrite {
		h.fail(w, http.StatusForbidden, "")
		return
	}
	p := h.property(r.PathValue("uuid"))
	if p == nil {
		h.fail(w, http.StatusNotFound, "Property not found.")
		return
	}
	var body struct {
		Dates []map[string]json.RawMessage `json:"dates"`
	}
	if e := decodeJSON(r.Body, &body); e != nil {
		if e.wrongType != "" {
			h.invalid(w, "The "+e.wrongType+" field must be an array of objects.")
			return
		}
		h.invalid(w, "Malformed JSON body.")
		return
	}
	switch {
	case len(body.Dates) == 0:
		h.invalid(w, "The dates field is required.")
		return
	case len(body.Dates) > hspCalendarBatch:
		h.invalid(w, "The dates field must not have more than "+strconv.Itoa(hspCalendarBatch)+" items.")
		return
	}
	today := day(h.v.now())
	days := make([]hspDay, 0, len(body.Dates))
	for i, item := range body.Dates {
		d, msg := hspParseDay(item, today)
		if msg != "" {
			h.invalid(w, "dates."+strconv.Itoa(i)+": "+msg)
			return
		}
		days = append(days, d)
	}
	now := h.v.now()
	h.v.mu.Lock()
	for _, cw := range groupDays(days) {
		cw.Property, cw.At = p.ID, now
		h.v.recordWrite(p.ID, cw)
	}
	h.v.mu.Unlock()
	h.trace(w)
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted"})
}

// hspParseDay validates one date item; msg is "" when it is good, else it says what is wrong.
func hspParseDay(item map[string]json.RawMessage, today time.Time) (d hspDay, msg string) {
	for k := range item {
		if !slices.Contains(hspDayFields, k) {
			return d, "The " + k + " field is prohibited."
		}
	}
	var date string
	if json.Unmarshal(item["date"], &date) != nil || date == "" {
		return d, "The date field is required and must be a date (Y-m-d)."
	}
	t, ok := parseDate(date)
	switch {
	case !ok:
		return d, "The date field must match the format Y-m-d."
	case t.Before(today):
		return d, "The date field must be a date after or equal to today."
	}
	d.date = date
	if raw, ok := item["price"]; ok {
		var price struct {
			Amount *int32 `json:"amount"`
		}
		if json.Unmarshal(raw, &price) != nil || price.Amount == nil {
			return d, "The price.amount field must be an integer."
		}
		if *price.Amount < 1 {
			return d, "The price.amount field must be at least 1."
		}
		d.price = ptr(float64(*price.Amount) / 100)
	}
	if raw, ok := item["available"]; ok {
		var b bool
		if isNull(raw) || json.Unmarshal(raw, &b) != nil {
			return d, "The available field must be true or false."
		}
		d.available = &b
	}
	if raw, ok := item["min_stay"]; ok {
		var n int32
		if json.Unmarshal(raw, &n) != nil || n < 1 {
			return d, "The min stay field must be an integer of at least 1."
		}
		d.minStay = ptr(int(n))
	}
	for _, k := range []string{"closed_for_checkin", "closed_for_checkout"} {
		if raw, ok := item[k]; ok {
			var b bool
			if isNull(raw) || json.Unmarshal(raw, &b) != nil {
				return d, "The " + strings.ReplaceAll(k, "_", " ") + " field must be true or false."
			}
		}
	}
	if len(item) == 1 {
		return d, "The date item sets nothing."
	}
	return d, ""
}

// isNull reports a JSON null, which Go decodes into a bool or number without complaint.
func isNull(raw json.RawMessage) bool { return strings.TrimSpace(string(raw)) == "null" }

// groupDays turns per-date values into writes, one per group of dates set alike, in order of
// first appearance, each group's dates ascending.
func groupDays(days []hspDay) []CalendarWrite {
	type key struct {
		av, hasAv, hasPrice, hasMin bool
		price                       float64
		min                         int
	}
	var order []key
	groups := map[key]*CalendarWrite{}
	for _, d := range days {
		var k key
		if d.available != nil {
			k.hasAv, k.av = true, *d.available
		}
		if d.price != nil {
			k.hasPrice, k.price = true, *d.price
		}
		if d.minStay != nil {
			k.hasMin, k.min = true, *d.minStay
		}
		g, ok := groups[k]
		if !ok {
			g = &CalendarWrite{Available: d.available, Price: d.price, MinStay: d.minStay}
			groups[k] = g
			order = append(order, k)
		}
		g.Dates = append(g.Dates, d.date)
	}
	out := make([]CalendarWrite, 0, len(order))
	for _, k := range order {
		g := groups[k]
		slices.Sort(g.Dates)
		g.Dates = slices.Compact(g.Dates)
		out = append(out, *g)
	}
	return out
}

// review finds a review by UUID.
func (h *hospitable) review(id string) *hspReview {
	for _, p := range h.props {
		for _, rv := range p.reviews {
			if rv.id == id {
				return rv
			}
		}
	}
	return nil
}

// canRespond: no response yet and the window still open; the caller holds Vendor.mu.
func (rv *hspReview) canRespond(now time.Time) bool {
	return rv.rv.reply == "" && now.Before(rv.rv.at.Add(hspResponseWindow))
}

// respond: POST /reviews/{uuid}/respond {response (required)} [C] answers 200 with the review
// [C]. A review already responded to, or whose response window has closed, is 403 {status_code,
// reason_phrase} [C].
func (h *hospitable) respond(w http.ResponseWriter, r *http.Request, c hspCaller) {
	if !c.canWrite {
		h.fail(w, http.StatusForbidden, "")
		return
	}
	rv := h.review(r.PathValue("uuid"))
	if rv == nil {
		h.fail(w, http.StatusNotFound, "Review Not Found")
		return
	}
	var body struct {
		Response *string `json:"response"`
	}
	if e := decodeJSON(r.Body, &body); e != nil {
		if e.wrongType != "" {
			h.invalid(w, "The "+e.wrongType+" field must be a string.")
			return
		}
		h.invalid(w, "Malformed JSON body.")
		return
	}
	if body.Response == nil || strings.TrimSpace(*body.Response) == "" {
		h.invalid(w, "The response field is required.")
		return
	}
	now := h.v.now()
	h.v.mu.Lock()
	defer h.v.mu.Unlock()
	switch {
	case rv.rv.reply != "":
		h.refused(w, http.StatusForbidden, "The review has already been responded to.")
		return
	case !rv.canRespond(now):
		h.refused(w, http.StatusForbidden, "The response window is closed.")
		return
	}
	rv.rv.reply, rv.rv.replyAt = *body.Response, now
	h.v.recordReply(rv.id, rv.rv.reply, now)
	// The published 200 is the Review itself, not wrapped in data [C: public.json, POST
	// /reviews/{uuid}/respond].
	writeJSON(w, http.StatusOK, rv.render(nil, now))
}
